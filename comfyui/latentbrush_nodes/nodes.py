"""Latentbrush Load Latent: stock LoadLatent (the same file list, the same latent-format scaling)
that also returns the file's noise_mask, inside the LATENT and as a MASK, and its metadata as the
region information; Latentbrush Stitch: the sampled regions blended back into the original as
`latentbrush-cli stitch` does it (stitch.py)."""
import hashlib
import os

import torch

import folder_paths

from .latent_file import read_safetensors
from .stitch import stitch

# LoadLatent divides the samples of files without this marker (ComfyUI before 2023) by 0.18215.
_VERSION_MARKER = "latent_format_version_0"
_OLD_FORMAT_SCALE = 0.18215


def load_latent_file(path):
    """(LATENT, MASK, region_info) of a .latent file; ValueError naming the file on bad input."""
    tensors, metadata = read_safetensors(path)
    if "latent_tensor" not in tensors:
        raise ValueError(f"{path}: no latent_tensor in the file (not a .latent file?)")
    # LoadLatent.load: samples = latent["latent_tensor"].float() * multiplier
    multiplier = 1.0
    if _VERSION_MARKER not in tensors:
        multiplier = 1.0 / _OLD_FORMAT_SCALE
    samples = tensors["latent_tensor"].float() * multiplier
    if samples.dim() < 3:
        raise ValueError(f"{path}: latent_tensor has shape {list(samples.shape)}, "
                         "expected [B, C, h, w]")
    latent = {"samples": samples}
    if "noise_mask" in tensors:
        noise_mask = tensors["noise_mask"].float()
        if noise_mask.dim() != 4 or noise_mask.shape[1] != 1 or \
                noise_mask.shape[0] not in (1, samples.shape[0]):
            raise ValueError(f"{path}: noise_mask has shape {list(noise_mask.shape)}, expected "
                             f"[{samples.shape[0]}, 1, H, W]")
        # SetLatentNoiseMask's layout: [B, 1, H, W]; a batch of regions keeps one mask each.
        latent["noise_mask"] = noise_mask
        mask = noise_mask.reshape((-1, noise_mask.shape[-2], noise_mask.shape[-1]))
    else:
        # No noise_mask: the sampler regenerates everything, which a mask of ones says.
        try:
            d = int(metadata.get("vae.downscale", "8"))
        except ValueError:
            d = 8
        mask = torch.ones((samples.shape[0], samples.shape[-2] * d, samples.shape[-1] * d),
                          dtype=torch.float32)
    return latent, mask, dict(metadata)


class LatentbrushLoadLatent:
    @classmethod
    def INPUT_TYPES(s):
        input_dir = folder_paths.get_input_directory()
        files = [f for f in os.listdir(input_dir)
                 if os.path.isfile(os.path.join(input_dir, f)) and f.endswith(".latent")]
        return {"required": {"latent": [sorted(files), ]}, }

    CATEGORY = "latentbrush"

    RETURN_TYPES = ("LATENT", "MASK", "LATENTBRUSH_REGION_INFO")
    RETURN_NAMES = ("latent", "mask", "region_info")
    FUNCTION = "load"
    DESCRIPTION = ("Loads a .latent written by Latentbrush: the samples as LoadLatent gives "
                   "them, with the file's noise_mask in the LATENT and as a MASK, and the "
                   "file's metadata (mode, crop, regions) as region_info.")

    def load(self, latent):
        latent_path = folder_paths.get_annotated_filepath(latent)
        return load_latent_file(latent_path)

    @classmethod
    def IS_CHANGED(s, latent):
        path = folder_paths.get_annotated_filepath(latent)
        m = hashlib.sha256()
        with open(path, "rb") as f:
            m.update(f.read())
        return m.digest().hex()

    @classmethod
    def VALIDATE_INPUTS(s, latent):
        if not folder_paths.exists_annotated_filepath(latent):
            return "Invalid latent file: {}".format(latent)
        return True


class LatentbrushStitch:
    @classmethod
    def INPUT_TYPES(s):
        return {
            "required": {
                "image": ("IMAGE",),
                "samples": ("IMAGE",),
                "region_info": ("LATENTBRUSH_REGION_INFO",),
            },
            "optional": {
                # -1: the latent's stitch.feather (max(1, grow_mask_by // 2))
                "feather": ("INT", {"default": -1, "min": -1, "max": 1000000}),
                "mask": ("MASK",),
            },
        }

    CATEGORY = "latentbrush"

    RETURN_TYPES = ("IMAGE",)
    RETURN_NAMES = ("image",)
    FUNCTION = "stitch"
    DESCRIPTION = ("Blends the sampled regions (one image per region, in batch order) back into "
                   "the original as latentbrush-cli stitch does: each scaled back to its "
                   "rectangle, B = min(1, distance / feather) inside the grown mask, the "
                   "original everywhere else. feather -1 takes the latent's; the mask input "
                   "replaces the grown mask the latent carries. Float output (the CLI rounds "
                   "to the original's bit depth).")

    def stitch(self, image, samples, region_info, feather=-1, mask=None):
        return (stitch(image, samples, region_info, None if feather < 0 else feather, mask),)


NODE_CLASS_MAPPINGS = {
    "LatentbrushLoadLatent": LatentbrushLoadLatent,
    "LatentbrushStitch": LatentbrushStitch,
}

NODE_DISPLAY_NAME_MAPPINGS = {
    "LatentbrushLoadLatent": "Latentbrush Load Latent",
    "LatentbrushStitch": "Latentbrush Stitch",
}
