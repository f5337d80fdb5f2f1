"""Latentbrush's ComfyUI nodes: read what latentbrush-cli and the Latentbrush editor write.

Stock LoadLatent keeps only `latent_tensor`; "Latentbrush Load Latent" also returns the file's
`noise_mask` (inside the LATENT and as a MASK) and its metadata (the region information a stitch
node needs). Pure Python + torch: the .latent (safetensors) file is parsed here, so the package
needs nothing ComfyUI does not already have. Install: link or copy this folder into
ComfyUI/custom_nodes/ (docs/COMFYUI.md).
"""
from .nodes import NODE_CLASS_MAPPINGS, NODE_DISPLAY_NAME_MAPPINGS

__all__ = ["NODE_CLASS_MAPPINGS", "NODE_DISPLAY_NAME_MAPPINGS"]
