"""ComfyUI's LoadImage, LoadImageMask and VAEEncodeForInpaint's steps before vae.encode, written
out once from ComfyUI's nodes.py for every Python reference of the tests (tests/cli/pil_loadimage.py,
tests/ui/comfy_region_workflow.py, tests/interop/comfy_loaders.py and comfy_stitch_check.py), so
that they all mirror the same node code. Debian's /usr/bin/python3 with python3-numpy,
python3-torch and python3-pil.

Import it with the folder on sys.path and sys.dont_write_bytecode set (no __pycache__ in the
source tree):

    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
    import comfy_node_mirrors
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps, ImageSequence


def load_image(path):
    """nodes.py LoadImage.load_image for one frame (node_helpers.pillow retries truncated files):
    the IMAGE [1, H, W, 3], the MASK [1, H, W] (1 - alpha, or 64 x 64 zeros) and where the mask
    came from ("alpha", "palette transparency" or "none")."""
    img = Image.open(path)
    for i in ImageSequence.Iterator(img):
        i = ImageOps.exif_transpose(i)
        if i.mode == 'I':
            i = i.point(lambda i: i * (1 / 255))
        image = i.convert("RGB")
        image = np.array(image).astype(np.float32) / 255.0
        image = torch.from_numpy(image)[None,]
        if 'A' in i.getbands():
            mask = np.array(i.getchannel('A')).astype(np.float32) / 255.0
            mask = 1. - torch.from_numpy(mask)
            source = "alpha"
        elif i.mode == 'P' and 'transparency' in i.info:
            mask = np.array(i.convert('RGBA').getchannel('A')).astype(np.float32) / 255.0
            mask = 1. - torch.from_numpy(mask)
            source = "palette transparency"
        else:
            mask = torch.zeros((64, 64), dtype=torch.float32, device="cpu")
            source = "none"
        return image, mask.unsqueeze(0), source


def load_image_mask(path, channel):
    """nodes.py LoadImageMask.load_image: the MASK [1, H, W] of `channel` (alpha, red, green,
    blue; alpha inverted)."""
    i = Image.open(path)
    i = ImageOps.exif_transpose(i)
    if i.getbands() != ("R", "G", "B", "A"):
        if i.mode == 'I':
            i = i.point(lambda i: i * (1 / 255))
        i = i.convert("RGBA")
    mask = None
    c = channel[0].upper()
    if c in i.getbands():
        mask = np.array(i.getchannel(c)).astype(np.float32) / 255.0
        mask = torch.from_numpy(mask)
        if c == 'A':
            mask = 1. - mask
    else:
        mask = torch.zeros((64, 64), dtype=torch.float32, device="cpu")
    return mask.unsqueeze(0)


def inpaint_encode_inputs(pixels, mask, grow_mask_by, downscale):
    """nodes.py VAEEncodeForInpaint.encode up to vae.encode (downscale_ratio = `downscale`): the
    gray-filled pixels the VAE receives [B, H', W', 3] and the noise_mask [B, 1, H', W']."""
    x = (pixels.shape[1] // downscale) * downscale
    y = (pixels.shape[2] // downscale) * downscale
    mask = F.interpolate(mask.reshape((-1, 1, mask.shape[-2], mask.shape[-1])),
                         size=(pixels.shape[1], pixels.shape[2]), mode="bilinear")
    pixels = pixels.clone()
    if pixels.shape[1] != x or pixels.shape[2] != y:
        x_offset = (pixels.shape[1] % downscale) // 2
        y_offset = (pixels.shape[2] % downscale) // 2
        pixels = pixels[:, x_offset:x + x_offset, y_offset:y + y_offset, :]
        mask = mask[:, :, x_offset:x + x_offset, y_offset:y + y_offset]
    if grow_mask_by == 0:
        mask_erosion = mask
    else:
        kernel_tensor = torch.ones((1, 1, grow_mask_by, grow_mask_by))
        padding = math.ceil((grow_mask_by - 1) / 2)
        mask_erosion = torch.clamp(F.conv2d(mask.round(), kernel_tensor, padding=padding), 0, 1)
    m = (1.0 - mask.round()).squeeze(1)
    for i in range(3):
        pixels[:, :, :, i] -= 0.5
        pixels[:, :, :, i] *= m
        pixels[:, :, :, i] += 0.5
    return pixels, mask_erosion[:, :, :x, :y].round()
