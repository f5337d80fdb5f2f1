"""The stitch of `latentbrush-cli stitch` (docs/REGIONS.md, "Stitch") in torch, for the
Latentbrush Stitch node: each sampled region scaled back to its rectangle and blended into the
original with B = min(1, dist / F), dist the exact Euclidean distance to the nearest pixel outside
the grown mask of the whole image. The same checks as the CLI, each a ValueError of one line.

Works on ComfyUI's float images (IMAGE [B, H, W, C] in 0..1) and returns float: the CLI writes the
same values rounded to the original's depth (round half to even of v * 255 for 8-bit), and keeps
the original file's own samples bit for bit where B = 0; here those pixels are the IMAGE's own
values. Pure torch (1.13 and current), no scipy: the distance is exact up to F, which is all B
needs (B = 1 from there on)."""
import hashlib
import math

import torch
import torch.nn.functional as F


def _pair(info, key):
    text = info.get(key, "")
    parts = text.split(",")
    if len(parts) != 2:
        raise ValueError(f"region_info: not a region latent (no valid {key}: {text!r})")
    try:
        return int(parts[0]), int(parts[1])
    except ValueError:
        raise ValueError(f"region_info: not a region latent (no valid {key}: {text!r})") from None


def _int(info, key, low, high):
    text = info.get(key, "")
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"region_info: no valid {key} ({text!r})") from None
    if not low <= value <= high:
        raise ValueError(f"region_info: {key} {value} is outside {low}..{high}")
    return value


def parse_region_info(info):
    """(count, (W', H'), (W, H), grow, [(x, y, w, h), ...]) of the region metadata."""
    if not isinstance(info, dict) or "region.count" not in info:
        raise ValueError("region_info: not a region latent (no region.count: encode it with "
                         "latentbrush-cli encode --region ...)")
    count = _int(info, "region.count", 1, 1 << 20)
    scaled = _pair(info, "region.scaled")
    size = _pair(info, "source.size")
    grow = _int(info, "grow_mask_by", 0, 1024)
    rects = []
    for i in range(count):
        text = info.get(f"region.{i}.rect", "")
        try:
            x, y, w, h = (int(v) for v in text.split(","))
        except ValueError:
            raise ValueError(f"region_info: region.{i}.rect is missing or malformed "
                             f"({text!r})") from None
        if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > size[0] or y + h > size[1]:
            raise ValueError(f"region_info: region {x},{y},{w},{h} lies outside the "
                             f"{size[0]}x{size[1]} image")
        rects.append((x, y, w, h))
    return count, scaled, size, grow, rects


def _sha256(t):
    return hashlib.sha256(t.detach().to(torch.float32).contiguous().numpy().tobytes()).hexdigest()


def check_original(image, info, mask=None):
    """The original IMAGE [H, W, 3] against source.sha256 (the float32 values the encode read:
    RGB, gray, or with the alpha that a mask from ComfyUI's LoadImage (1 - alpha) gives back)."""
    expected = info.get("source.sha256", "")
    rgb = image[..., :3].to(torch.float32)
    candidates = [rgb]
    if torch.equal(rgb[..., 0], rgb[..., 1]) and torch.equal(rgb[..., 0], rgb[..., 2]):
        candidates.append(rgb[..., :1])
    if mask is not None and tuple(mask.shape) == tuple(rgb.shape[:2]):
        # LoadImage's MASK is 1 - a / 255; the 8-bit alpha comes back exactly.
        alpha = (torch.round((1.0 - mask.to(torch.float32)) * 255.0) / 255.0)[..., None]
        candidates += [torch.cat([rgb, alpha], -1), torch.cat([rgb[..., :1], alpha], -1)]
    for c in candidates:
        if _sha256(c) == expected:
            return
    raise ValueError(f"image: not the image the latent was made from (pixels sha256 "
                     f"{_sha256(rgb)[:16]}..., the latent's {expected[:16]}...; an original "
                     "read at 16 bits with --input-precision full cannot be checked here)")


def mask_from_runs(text, width, height):
    """The grown mask of stitch.mask_runs (core/regions RegionEncode.h maskRuns) as bool [H, W]."""
    try:
        runs = [int(v) for v in text.split(",")]
    except ValueError:
        raise ValueError("region_info: stitch.mask_runs is malformed") from None
    if any(r < 0 for r in runs) or sum(runs) != width * height:
        raise ValueError(f"region_info: stitch.mask_runs does not cover the {width}x{height} "
                         "image")
    values = torch.arange(len(runs)) % 2 == 1
    flat = torch.repeat_interleave(values, torch.tensor(runs, dtype=torch.int64))
    return flat.reshape(height, width)


def grown_mask(mask, width, height, grow):
    """VAEEncodeForInpaint's grown noise_mask of the whole image, as bool [H, W]: the mask
    brought to the image's size (bilinear), rounded, grown with a g x g box (ceil((g-1)/2)
    padding, cropped to the image)."""
    m = mask.to(torch.float32).reshape(1, 1, mask.shape[-2], mask.shape[-1])
    if tuple(m.shape[-2:]) != (height, width):
        m = F.interpolate(m, size=(height, width), mode="bilinear")
    m = torch.round(m)
    if grow > 1:
        pad = math.ceil((grow - 1) / 2)
        # The box as two 1-D sums of 0/1 values (exact integers in float32).
        m = F.conv2d(F.pad(m, (pad, pad, 0, 0)), torch.ones(1, 1, 1, grow))[..., :, :width]
        m = F.conv2d(F.pad(m, (0, 0, pad, pad)), torch.ones(1, 1, grow, 1))[..., :height, :]
    return m[0, 0] > 0.5


def blend_mask(grown, feather):
    """B = min(1, dist / F) as float32 [H, W]; F = 0 gives the grown mask itself. dist is the
    Euclidean distance between pixel centres to the nearest pixel outside `grown` (the image's
    border is not outside), computed exactly where it is below F as a minimum over offsets."""
    if feather <= 0:
        return grown.to(torch.float32)
    h, w = grown.shape
    outside = ~grown
    r = int(math.ceil(feather))
    limit = feather * feather
    padded = F.pad(outside[None, None].to(torch.uint8), (r, r, r, r))[0, 0].bool()
    best = torch.full((h, w), -1, dtype=torch.int64)  # -1: no outside pixel within F
    offsets = sorted((dy * dy + dx * dx, dy, dx) for dy in range(-r, r + 1)
                     for dx in range(-r, r + 1) if dy * dy + dx * dx < limit)
    for d2, dy, dx in offsets:  # nearest first: the first hit is the minimum
        hit = padded[r + dy:r + dy + h, r + dx:r + dx + w] & (best < 0)
        best[hit] = d2
    dist = torch.sqrt(best.to(torch.float64)).to(torch.float32)
    b = torch.minimum(torch.ones_like(dist), dist / torch.full_like(dist, float(feather)))
    return torch.where(best < 0, torch.ones_like(b), b)


def scale_back(result, width, height):
    """A result [H', W', C] back to [h, w, C]: area when W' >= w and H' >= h, else bicubic
    clamped to 0..1 (PyTorch's F.interpolate, align_corners=False)."""
    rh, rw = result.shape[0], result.shape[1]
    if (rw, rh) == (width, height):
        return result
    x = result.permute(2, 0, 1)[None].contiguous()
    if rw >= width and rh >= height:
        y = F.interpolate(x, size=(height, width), mode="area")
    else:
        y = F.interpolate(x, size=(height, width), mode="bicubic", align_corners=False)
        y = y.clamp(0.0, 1.0)
    return y[0].permute(1, 2, 0)


def stitch(image, samples, info, feather=None, mask=None):
    """The stitched IMAGE [1, H, W, C] (float32). image: the original IMAGE [1, H, W, C];
    samples: the sampled IMAGE batch [count, H', W', C]; info: region_info; feather: None for
    the metadata's stitch.feather; mask: None for the grown mask the metadata carries
    (stitch.mask_runs), else the mask the latent was made from (MASK [H, W] or [1, H, W])."""
    count, (sw, sh), (width, height), grow, rects = parse_region_info(info)
    if image.dim() != 4 or image.shape[0] != 1:
        raise ValueError(f"image: expected one original image, got shape {list(image.shape)}")
    original = image[0].to(torch.float32)
    if (original.shape[1], original.shape[0]) != (width, height):
        raise ValueError(f"image: the original is {original.shape[1]}x{original.shape[0]} but "
                         f"the latent was made from a {width}x{height} image")
    if mask is not None:
        if mask.dim() == 3:
            if mask.shape[0] != 1:
                raise ValueError(f"mask: expected one mask, got a batch of {mask.shape[0]}")
            mask = mask[0]
        if mask.dim() != 2:
            raise ValueError(f"mask: expected [H, W], got shape {list(mask.shape)}")
    check_original(original, info, mask)
    if samples.dim() != 4 or samples.shape[0] != count:
        n = samples.shape[0] if samples.dim() == 4 else 0
        raise ValueError(f"samples: {n} image(s) given but the latent holds {count} region(s)")
    if (samples.shape[2], samples.shape[1]) != (sw, sh):
        raise ValueError(f"samples: the images are {samples.shape[2]}x{samples.shape[1]} but "
                         f"the regions were scaled to {sw}x{sh}")
    if mask is None:
        if "stitch.mask_runs" not in info:
            raise ValueError("region_info has no stitch.mask_runs (an older latentbrush-cli "
                             "wrote it): connect the mask the latent was made from")
        grown = mask_from_runs(info["stitch.mask_runs"], width, height)
    else:
        grown = grown_mask(mask, width, height, grow)
    if feather is None:
        try:
            feather = int(info.get("stitch.feather", ""))
        except ValueError:
            feather = max(1, grow // 2)
    if not 0 <= feather <= 1000000:
        raise ValueError(f"feather {feather} is outside 0..1000000")
    b_full = blend_mask(grown, float(feather))
    out = original.clone()
    for (x, y, w, h), result in zip(rects, samples):
        back = scale_back(result.to(torch.float32)[..., :3], w, h)
        o = original[y:y + h, x:x + w, :3]
        b = b_full[y:y + h, x:x + w, None]
        blended = b * back + (1.0 - b) * o
        out[y:y + h, x:x + w, :3] = torch.where(b != 0, blended, out[y:y + h, x:x + w, :3])
    return out[None]
