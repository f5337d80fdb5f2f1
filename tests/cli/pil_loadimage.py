#!/usr/bin/python3
"""ComfyUI's LoadImage (its PIL path, which diffusers' load_image shares) and the preprocessing of
VAEEncodeForInpaint, as the independent reference of tests/cli/tst_pil_loader.cpp.

Runs with Debian's /usr/bin/python3, python3-pil, python3-numpy and python3-torch (exit 77 when
one is missing).

  pil_loadimage.py make DIR          writes every kind of image file PIL and a plain PNG writer
                                     can make into DIR; prints the manifest (JSON) of them
  pil_loadimage.py load FILE GROW D OUT [FULL.f32]
                                     LoadImage.load_image (first frame) then VAEEncodeForInpaint's
                                     steps before the VAE (mask resize, crop to multiples of D, grow,
                                     gray fill): OUT.image.f32 [H,W,3], OUT.mask.f32 (the MASK),
                                     OUT.pixels.f32 and OUT.noise_mask.f32; prints shapes (JSON).
                                     With FULL.f32 (a sidecar of `make`) the image and alpha mask
                                     are its full-precision values instead of PIL's.
  pil_loadimage.py mask FILE CHANNEL OUT [FULL.f32]
                                     LoadImageMask.load_image (CHANNEL: alpha, red...): OUT.mask.f32
                                     [H,W]; with FULL.f32 the sidecar's full-precision values of that
                                     channel instead; prints the shape (JSON).
  pil_loadimage.py inpaint FILE MASK CHANNEL GROW D OUT [MASKFULL.f32]
                                     LoadImage (image only) + LoadImageMask, then the preprocessing
                                     of `load`: OUT.pixels.f32 and OUT.noise_mask.f32.
"""
import json
import os
import struct
import sys
import zlib

SKIP = 77

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
try:
    import numpy as np
    import torch
    from PIL import Image
    import PIL
    from comfy_node_mirrors import inpaint_encode_inputs, load_image, load_image_mask
except ImportError as e:  # the caller skips (or fails, in CI)
    print(f"missing Python module: {e}")
    sys.exit(SKIP)


# ---- files ------------------------------------------------------------------------------------

W, H = 29, 21  # odd sizes: VAEEncodeForInpaint crops them (d = 8: 24 x 16, offsets 2 and 2)


def rng(seed):
    return np.random.default_rng(seed)


def soft_alpha(seed, depth=8):
    """Alpha with 0, full and every level between (soft edges), as uint8 or uint16."""
    top = 255 if depth == 8 else 65535
    a = rng(seed).integers(0, top + 1, (H, W), dtype=np.int64)
    a[0, :] = 0
    a[1, :] = top
    a[2, : min(W, 16)] = np.arange(min(W, 16)) * (top // 15)
    return a.astype(np.uint8 if depth == 8 else np.uint16)


def png_chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def write_png(path, samples, color_type, depth, trns=None, palette=None):
    """A plain PNG (filter 0) of `samples` [H, W, C] (uint8 or uint16) or, for depth < 8, of gray
    or palette indices [H, W]; trns: the tRNS chunk's bytes."""
    h, w = samples.shape[:2]
    rows = []
    for y in range(h):
        row = samples[y]
        if depth == 16:
            raw = row.astype(">u2").tobytes()
        elif depth == 8:
            raw = row.astype(np.uint8).tobytes()
        else:
            bits = "".join(format(int(v), f"0{depth}b") for v in row.reshape(-1))
            bits += "0" * (-len(bits) % 8)
            raw = int(bits, 2).to_bytes(len(bits) // 8, "big") if bits else b""
        rows.append(b"\x00" + raw)
    ihdr = struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 0)
    out = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
    if palette is not None:
        out += png_chunk(b"PLTE", palette.astype(np.uint8).tobytes())
    if trns is not None:
        out += png_chunk(b"tRNS", trns)
    out += png_chunk(b"IDAT", zlib.compress(b"".join(rows)))
    out += png_chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(out)


def exif_with_orientation(o):
    exif = Image.Exif()
    exif[0x0112] = o
    return exif.tobytes()


def full_sidecar(path, words, channels, top=65535):
    """v / top in float32 of 16-bit samples [H, W, C] (top: 65535, or a PNM's maxval): RGB (gray
    replicated), then 1 - alpha."""
    f = words.astype(np.float32) / np.float32(top)
    colors = f[..., :3] if channels >= 3 else np.repeat(f[..., :1], 3, axis=2)
    if channels in (2, 4):
        mask = np.float32(1.0) - f[..., channels - 1]
    else:
        mask = np.zeros((64, 64), dtype=np.float32)
    with open(path, "wb") as out:
        out.write(struct.pack("<ii", *mask.shape))
        colors.astype("<f4").tofile(out)
        mask.astype("<f4").tofile(out)


def cmd_make(folder):
    os.makedirs(folder, exist_ok=True)
    made = []

    def add(name, kind, full=None):
        made.append({"file": os.path.join(folder, name), "kind": kind,
                     "full": os.path.join(folder, full) if full else None})

    r = rng(1)
    rgb = r.integers(0, 256, (H, W, 3), dtype=np.uint8)
    gray = r.integers(0, 256, (H, W), dtype=np.uint8)
    alpha = soft_alpha(2)

    # PNG, every 8-bit mode PIL writes
    Image.fromarray(gray, "L").save(os.path.join(folder, "l.png"))
    add("l.png", "png L")
    Image.fromarray(np.dstack([gray, alpha]), "LA").save(os.path.join(folder, "la.png"))
    add("la.png", "png LA")
    Image.fromarray(rgb, "RGB").save(os.path.join(folder, "rgb.png"))
    add("rgb.png", "png RGB")
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(os.path.join(folder, "rgba.png"))
    add("rgba.png", "png RGBA")
    Image.fromarray(gray > 127).save(os.path.join(folder, "bilevel.png"))
    add("bilevel.png", "png 1-bit")
    pal = Image.fromarray(rgb, "RGB").quantize(64)
    pal.save(os.path.join(folder, "p.png"))
    add("p.png", "png P")
    pal.save(os.path.join(folder, "p-trns.png"), transparency=5)
    add("p-trns.png", "png P + tRNS index")
    Image.fromarray(gray, "L").save(os.path.join(folder, "l-trns.png"), transparency=int(gray[3, 3]))
    add("l-trns.png", "png L + tRNS key (LoadImage ignores it)")
    key = tuple(int(v) for v in rgb[4, 4])
    Image.fromarray(rgb, "RGB").save(os.path.join(folder, "rgb-trns.png"), transparency=key)
    add("rgb-trns.png", "png RGB + tRNS key (LoadImage ignores it)")
    # PNG below 8 bits: gray 2 and 4 bits, palette 4 bits (plain writer)
    for depth in (2, 4):
        g = (gray >> (8 - depth)).astype(np.uint8)
        write_png(os.path.join(folder, f"l{depth}.png"), g, 0, depth)
        add(f"l{depth}.png", f"png gray {depth}-bit")
    palette = r.integers(0, 256, (16, 3), dtype=np.uint8)
    write_png(os.path.join(folder, "p4-trns.png"), (gray >> 4).astype(np.uint8), 3, 4,
              trns=bytes(r.integers(0, 256, 16, dtype=np.uint8)), palette=palette)
    add("p4-trns.png", "png palette 4-bit + tRNS alpha")

    # PNG 16-bit (plain writer): every 16-bit value appears in the gray file
    every = np.arange(65536, dtype=np.uint32).reshape(256, 256).astype(np.uint16)
    write_png(os.path.join(folder, "l16-every.png"), every[..., None], 0, 16)
    full_sidecar(os.path.join(folder, "l16-every.full"), every[..., None], 1)
    add("l16-every.png", "png gray 16-bit, all 65536 values (mode I)", "l16-every.full")
    w16 = r.integers(0, 65536, (H, W, 4), dtype=np.int64).astype(np.uint16)
    w16[..., 3] = soft_alpha(3, 16)
    write_png(os.path.join(folder, "rgb16.png"), w16[..., :3], 2, 16)
    full_sidecar(os.path.join(folder, "rgb16.full"), w16[..., :3], 3)
    add("rgb16.png", "png RGB 16-bit", "rgb16.full")
    write_png(os.path.join(folder, "rgba16.png"), w16, 6, 16)
    full_sidecar(os.path.join(folder, "rgba16.full"), w16, 4)
    add("rgba16.png", "png RGBA 16-bit", "rgba16.full")
    la16 = np.dstack([w16[..., 0], w16[..., 3]])
    write_png(os.path.join(folder, "la16.png"), la16, 4, 16)
    full_sidecar(os.path.join(folder, "la16.full"), la16, 2)
    add("la16.png", "png gray+alpha 16-bit", "la16.full")
    write_png(os.path.join(folder, "l16-trns.png"), w16[..., :1], 0, 16,
              trns=struct.pack(">H", int(w16[5, 5, 0])))
    add("l16-trns.png", "png gray 16-bit + tRNS key (mode I)")

    # JPEG: subsamplings, gray, CMYK, every EXIF orientation
    smooth = np.clip(np.add.outer(np.arange(H) * 9, np.arange(W) * 5)[..., None]
                     + np.array([0, 60, 120]), 0, 255).astype(np.uint8)
    for sub, name in ((0, "444"), (1, "422"), (2, "420")):
        Image.fromarray(smooth, "RGB").save(os.path.join(folder, f"rgb{name}.jpg"),
                                            quality=90, subsampling=sub)
        add(f"rgb{name}.jpg", f"jpeg RGB {name}")
    Image.fromarray(gray, "L").save(os.path.join(folder, "l.jpg"), quality=90)
    add("l.jpg", "jpeg gray")
    Image.fromarray(smooth, "RGB").convert("CMYK").save(os.path.join(folder, "cmyk.jpg"),
                                                        quality=90)
    add("cmyk.jpg", "jpeg CMYK")
    for o in range(1, 9):
        Image.fromarray(smooth, "RGB").save(os.path.join(folder, f"exif{o}.jpg"), quality=90,
                                            exif=exif_with_orientation(o))
        add(f"exif{o}.jpg", f"jpeg EXIF orientation {o}")
    for o in (3, 6, 8):
        Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(
            os.path.join(folder, f"exif{o}.png"), exif=exif_with_orientation(o))
        add(f"exif{o}.png", f"png RGBA EXIF orientation {o}")

    # WebP, TIFF, BMP, GIF, TGA, PNM
    Image.fromarray(rgb, "RGB").save(os.path.join(folder, "rgb.webp"), lossless=True)
    add("rgb.webp", "webp RGB lossless")
    opaque_edges = np.dstack([rgb, np.maximum(alpha, 1)])  # libwebp may recolor a = 0
    Image.fromarray(opaque_edges, "RGBA").save(os.path.join(folder, "rgba.webp"), lossless=True)
    add("rgba.webp", "webp RGBA lossless")
    for mode, arr in (("L", gray), ("RGB", rgb), ("RGBA", np.dstack([rgb, alpha]))):
        Image.fromarray(arr, mode).save(os.path.join(folder, f"{mode.lower()}.tif"))
        add(f"{mode.lower()}.tif", f"tiff {mode}")
    Image.fromarray(smooth, "RGB").convert("CMYK").save(os.path.join(folder, "cmyk.tif"))
    add("cmyk.tif", "tiff CMYK")
    Image.fromarray(rgb, "RGB").save(os.path.join(folder, "rgb.bmp"))
    add("rgb.bmp", "bmp RGB")
    pal.save(os.path.join(folder, "p.gif"))
    add("p.gif", "gif")
    pal.save(os.path.join(folder, "p-trns.gif"), transparency=5)
    add("p-trns.gif", "gif + transparency")
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(os.path.join(folder, "rgba.tga"))
    add("rgba.tga", "tga RGBA")
    Image.fromarray(rgb, "RGB").save(os.path.join(folder, "rgb.ppm"))
    add("rgb.ppm", "ppm 8-bit")

    # 32-bit BMP without bit fields: PIL writes RGBA so and reads it back as BGRX (no alpha)
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(os.path.join(folder, "rgbx32.bmp"))
    add("rgbx32.bmp", "bmp 32-bit BI_RGB (fourth byte unused)")

    # PNM of 16 bits and of maxvals PIL rescales (binary P5/P6 and plain P2/P3)
    def write_pnm(name, magic, top, samples, kind):
        h, w = samples.shape[:2]
        head = b"%s\n# made by pil_loadimage.py\n%d %d\n%d\n" % (magic, w, h, top)
        if magic in (b"P2", b"P3"):
            body = "\n".join(" ".join(str(int(v)) for v in row.reshape(-1))
                             for row in samples).encode() + b"\n"
        else:
            body = samples.astype(">u2" if top > 255 else np.uint8).tobytes()
        with open(os.path.join(folder, name), "wb") as f:
            f.write(head + body)
        full = None
        if top > 255:
            full = name.replace(".", "-") + ".full"
            channels = 1 if samples.ndim == 2 else samples.shape[2]
            full_sidecar(os.path.join(folder, full), samples.reshape(h, w, channels), channels,
                         top)
        add(name, kind, full)

    Image.fromarray(gray > 127).save(os.path.join(folder, "bilevel.pbm"))
    add("bilevel.pbm", "pbm 1-bit")
    write_pnm("l16-every.pgm", b"P5", 65535, every, "pgm 16-bit, all 65536 values (mode I)")
    write_pnm("rgb16.ppm", b"P6", 65535, w16[..., :3], "ppm 16-bit")
    m1000 = r.integers(0, 1001, (H, W), dtype=np.int64)
    write_pnm("l1000.pgm", b"P5", 1000, m1000, "pgm maxval 1000 (mode I, rounded)")
    write_pnm("l1000-plain.pgm", b"P2", 1000, m1000, "pgm plain maxval 1000")
    write_pnm("rgb16-plain.ppm", b"P3", 65535, w16[..., :3], "ppm plain 16-bit")
    write_pnm("rgb300.ppm", b"P6", 300, r.integers(0, 301, (H, W, 3), dtype=np.int64),
              "ppm maxval 300 (rounded)")
    write_pnm("l100.pgm", b"P5", 100, r.integers(0, 101, (H, W), dtype=np.int64),
              "pgm maxval 100 (8-bit, rounded)")

    # 16-bit gray TIFF: mode I;16, which LoadImage converts to RGB clipped at 255
    Image.fromarray(every, "I;16").save(os.path.join(folder, "l16-every.tif"))
    full_sidecar(os.path.join(folder, "l16-every-tif.full"), every[..., None], 1)
    add("l16-every.tif", "tiff gray 16-bit, all 65536 values (mode I;16)", "l16-every-tif.full")

    print(json.dumps({"pil": PIL.__version__, "files": made}))
    return 0


# ---- ComfyUI (tests/common/comfy_node_mirrors.py) ----------------------------------------------

def full_mask(full, channel, shape):
    """The sidecar's full-precision values of `channel` (alpha: 1 - alpha; else red), [1, H, W]."""
    colors, alpha_mask, _ = read_full(full)
    if channel[0].upper() == 'A':
        return torch.from_numpy(alpha_mask.copy())
    return torch.from_numpy(colors.reshape(shape[0], shape[1], 3)[..., 0].copy())[None,]


def cmd_mask(path, channel, out, full=None):
    mask = load_image_mask(path, channel)
    if full:
        mask = full_mask(full, channel, mask.shape[1:])
    mask.contiguous().numpy().astype("<f4").tofile(f"{out}.mask.f32")
    print(json.dumps({"mask": list(mask.shape)}))
    return 0


def cmd_inpaint(path, mask_path, channel, grow, d, out, full=None):
    image, _, _ = load_image(path)
    mask = load_image_mask(mask_path, channel)
    if full:
        mask = full_mask(full, channel, mask.shape[1:])
    pixels, noise_mask = inpaint_encode_inputs(image, mask, int(grow), int(d))
    for name, t in (("pixels", pixels), ("noise_mask", noise_mask)):
        t.contiguous().numpy().astype("<f4").tofile(f"{out}.{name}.f32")
    print(json.dumps({"pixels": list(pixels.shape), "noise_mask": list(noise_mask.shape)}))
    return 0


def read_full(path):
    with open(path, "rb") as f:
        mh, mw = struct.unpack("<ii", f.read(8))
        data = np.frombuffer(f.read(), dtype="<f4")
    count = data.size - mh * mw
    h_w = count // 3
    return data[:count], data[count:].reshape(1, mh, mw), h_w


def cmd_load(path, grow, d, out, full=None):
    image, mask, source = load_image(path)
    if full:
        colors, full_mask, _ = read_full(full)
        image = torch.from_numpy(colors.copy()).reshape(image.shape)
        mask = torch.from_numpy(full_mask.copy())
    pixels, noise_mask = inpaint_encode_inputs(image, mask, int(grow), int(d))
    for name, t in (("image", image), ("mask", mask), ("pixels", pixels),
                    ("noise_mask", noise_mask)):
        t.contiguous().numpy().astype("<f4").tofile(f"{out}.{name}.f32")
    print(json.dumps({"mask_source": source, "image": list(image.shape), "mask": list(mask.shape),
                      "pixels": list(pixels.shape), "noise_mask": list(noise_mask.shape)}))
    return 0


def main(argv):
    if argv[1] == "make":
        return cmd_make(argv[2])
    if argv[1] == "load":
        return cmd_load(argv[2], argv[3], argv[4], argv[5], argv[6] if len(argv) > 6 else None)
    if argv[1] == "mask":
        return cmd_mask(argv[2], argv[3], argv[4], argv[5] if len(argv) > 5 else None)
    if argv[1] == "inpaint":
        return cmd_inpaint(*argv[2:8], argv[8] if len(argv) > 8 else None)
    raise SystemExit("unknown command " + argv[1])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
