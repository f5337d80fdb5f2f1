#!/usr/bin/python3
"""Plain mirrors of ComfyUI's mask nodes for the noise-mask tests (Debian's python3-numpy and
python3-torch; no scipy, so grey_dilation / grey_erosion are written out from their definition
and iterated exactly as the node iterates them).

  comfy_mask_nodes.py MANIFEST.json

MANIFEST: {"cases": [{"input": IN.f32, "height": H, "width": W, "expand": E,
           "tapered_corners": bool, "blur_radius": R, "sigma": S, "output": PREFIX}, ...]}
IN.f32 holds the H x W mask as little-endian float32. Writes PREFIX.grow.f32 (GrowMask),
PREFIX.blur32.f32 (GrowMask -> MaskToImage -> ImageBlur -> ImageToMask red, in float32, the
node's own arithmetic) and PREFIX.blur64.f64 (the same in float64, the exact values).
"""
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F


def grey_morphology_3x3(a, footprint, erode):
    """scipy.ndimage.grey_dilation / grey_erosion(a, footprint=3x3) with the default
    mode='reflect' (scipy's reflect is numpy's 'symmetric': d c b a | a b c d | d c b a)."""
    h, w = a.shape
    padded = np.pad(a, 1, mode="symmetric")
    views = [padded[1 + dy:1 + dy + h, 1 + dx:1 + dx + w]
             for dy in (-1, 0, 1) for dx in (-1, 0, 1) if footprint[dy + 1][dx + 1]]
    stacked = np.stack(views)
    return (stacked.min(axis=0) if erode else stacked.max(axis=0)).astype(a.dtype)


def grow_mask(mask, expand, tapered_corners):
    """comfy_extras/nodes_mask.py GrowMask.expand_mask on a [B, H, W] mask."""
    c = 0 if tapered_corners else 1
    kernel = np.array([[c, 1, c], [1, 1, 1], [c, 1, c]])
    mask = mask.reshape((-1, mask.shape[-2], mask.shape[-1]))
    out = []
    for m in mask:
        output = m.numpy()
        for _ in range(abs(expand)):
            output = grey_morphology_3x3(output, kernel, erode=expand < 0)
        out.append(torch.from_numpy(output))
    return torch.stack(out, dim=0)


def gaussian_kernel(kernel_size, sigma, dtype):
    """comfy_extras/nodes_post_processing.py gaussian_kernel (in `dtype`)."""
    x, y = torch.meshgrid(torch.linspace(-1, 1, kernel_size, dtype=dtype),
                          torch.linspace(-1, 1, kernel_size, dtype=dtype), indexing="ij")
    d = torch.sqrt(x * x + y * y)
    g = torch.exp(-(d * d) / (2.0 * sigma * sigma))
    return g / g.sum()


def image_blur(image, blur_radius, sigma):
    """comfy_extras/nodes_post_processing.py Blur.blur (ImageBlur) on a [B, H, W, C] image."""
    if blur_radius == 0:
        return image
    batch_size, height, width, channels = image.shape
    kernel_size = blur_radius * 2 + 1
    kernel = gaussian_kernel(kernel_size, sigma, image.dtype).repeat(channels, 1, 1).unsqueeze(1)
    image = image.permute(0, 3, 1, 2)
    padded_image = F.pad(image, (blur_radius, blur_radius, blur_radius, blur_radius), "reflect")
    blurred = F.conv2d(padded_image, kernel, padding=kernel_size // 2,
                       groups=channels)[:, :, blur_radius:-blur_radius, blur_radius:-blur_radius]
    return blurred.permute(0, 2, 3, 1)


def blur_mask(mask, blur_radius, sigma):
    # MaskToImage -> ImageBlur -> ImageToMask(channel="red")
    image = mask.reshape((-1, 1, mask.shape[-2], mask.shape[-1])).movedim(1, -1).expand(-1, -1, -1, 3)
    return image_blur(image, blur_radius, sigma)[:, :, :, 0]


def main(argv):
    manifest = json.load(open(argv[1]))
    for case in manifest["cases"]:
        h, w = case["height"], case["width"]
        m = torch.from_numpy(np.fromfile(case["input"], dtype="<f4").reshape(1, h, w).copy())
        grown = grow_mask(m, case["expand"], case["tapered_corners"])
        grown.numpy().astype("<f4").tofile(case["output"] + ".grow.f32")
        r, s = case["blur_radius"], case["sigma"]
        blur_mask(grown, r, s).contiguous().numpy().astype("<f4").tofile(
            case["output"] + ".blur32.f32")
        blur_mask(grown.double(), r, s).contiguous().numpy().astype("<f8").tofile(
            case["output"] + ".blur64.f64")
    print(json.dumps({"cases": len(manifest["cases"]), "torch": torch.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
