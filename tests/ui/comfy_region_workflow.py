#!/usr/bin/python3
"""Runs the region workflow the editor exports (ui/ComfyWorkflow comfyRegionWorkflowFor) without
ComfyUI: interprets its UI-format graph, link by link, with plain torch mirrors of the stock
nodes it uses (the node code of ComfyUI's nodes.py / comfy_extras/nodes_mask.py /
comfy.utils.common_upscale, written out here; LoadImage, LoadImageMask and VAEEncodeForInpaint
from tests/common/comfy_node_mirrors.py), up to KSampler's latent_image. The VAE is left
out: VAEEncodeForInpaint's mirror returns what its vae.encode receives (the gray-filled pixels)
in place of the samples, so that the test can compare the encoder's input and noise_mask with
what `latentbrush-cli encode --region ... --save-pixels --save-mask` writes.
Debian's /usr/bin/python3 with python3-torch, python3-numpy and python3-pil.

  comfy_region_workflow.py WORKFLOW.json INPUT_DIR DOWNSCALE OUT_DIR

INPUT_DIR plays ComfyUI's input/ folder. Writes OUT_DIR/pixels.f32 ([B, H, W, 3], float32
little-endian), OUT_DIR/noise_mask.f32 ([B, 1, H, W]) and prints a JSON summary: the shapes, the
nodes run, and for each VAEEncodeForInpaint (in batch order) whether its own noise_mask equals
the batch's noise_mask at its index (LatentBatch drops all but the first; SetLatentNoiseMask
puts the exported ones back). Exits 1 with a message on a node or input it does not know.
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import comfy_node_mirrors  # noqa: E402 (LoadImage, LoadImageMask, VAEEncodeForInpaint)


class WorkflowError(Exception):
    pass


# --- ComfyUI node mirrors (inputs in the node's own argument order) ---

def load_image(input_dir, image, _upload=None):
    """nodes.py LoadImage.load_image, one frame: the IMAGE and the MASK."""
    rgb, mask, _ = comfy_node_mirrors.load_image(os.path.join(input_dir, image))
    return rgb, mask


def load_image_mask(input_dir, image, channel, _upload=None):
    """nodes.py LoadImageMask.load_image."""
    return (comfy_node_mirrors.load_image_mask(os.path.join(input_dir, image), channel),)


def common_upscale(samples, width, height, upscale_method, crop):
    """comfy.utils.common_upscale for the F.interpolate methods."""
    if crop == "center":
        old_width, old_height = samples.shape[3], samples.shape[2]
        old_aspect = old_width / old_height
        new_aspect = width / height
        x = y = 0
        if old_aspect > new_aspect:
            x = round((old_width - old_width * (new_aspect / old_aspect)) / 2)
        elif old_aspect < new_aspect:
            y = round((old_height - old_height * (old_aspect / new_aspect)) / 2)
        s = samples[:, :, y:old_height - y, x:old_width - x]
    else:
        s = samples
    if upscale_method not in ("nearest-exact", "bilinear", "area", "bicubic"):
        raise WorkflowError(f"upscale_method {upscale_method} is not mirrored here")
    return F.interpolate(s, size=(height, width), mode=upscale_method)


def image_crop(image, width, height, x, y):
    """ImageCrop.crop."""
    x = min(x, image.shape[2] - 1)
    y = min(y, image.shape[1] - 1)
    return (image[:, y:y + height, x:x + width, :],)


def image_scale(image, upscale_method, width, height, crop):
    """ImageScale.upscale."""
    if width == 0 and height == 0:
        return (image,)
    samples = image.movedim(-1, 1)
    if width == 0:
        width = max(1, round(samples.shape[3] * height / samples.shape[2]))
    elif height == 0:
        height = max(1, round(samples.shape[2] * width / samples.shape[3]))
    return (common_upscale(samples, width, height, upscale_method, crop).movedim(1, -1),)


def crop_mask(mask, x, y, width, height):
    """comfy_extras/nodes_mask.py CropMask.crop."""
    mask = mask.reshape((-1, mask.shape[-2], mask.shape[-1]))
    return (mask[:, y:y + height, x:x + width],)


def mask_to_image(mask):
    """MaskToImage.mask_to_image."""
    return (mask.reshape((-1, 1, mask.shape[-2], mask.shape[-1])).movedim(1, -1).expand(-1, -1, -1, 3),)


def image_to_mask(image, channel):
    """ImageToMask.image_to_mask."""
    return (image[:, :, :, ["red", "green", "blue", "alpha"].index(channel)],)


def image_batch(image1, image2):
    """ImageBatch.batch."""
    if image1.shape[1:] != image2.shape[1:]:
        image2 = common_upscale(image2.movedim(-1, 1), image1.shape[2], image1.shape[1],
                                "bilinear", "center").movedim(1, -1)
    return (torch.cat((image1, image2), dim=0),)


def vae_encode_for_inpaint(downscale, pixels, vae, mask, grow_mask_by):
    """VAEEncodeForInpaint.encode up to vae.encode: `samples` holds the encoder's input."""
    pixels, noise_mask = comfy_node_mirrors.inpaint_encode_inputs(pixels, mask, grow_mask_by,
                                                                  downscale)
    return ({"samples": pixels, "noise_mask": noise_mask},)


def latent_batch(samples1, samples2):
    """LatentBatch.batch (the shapes agree here: every region has the same W' x H')."""
    samples_out = samples1.copy()
    s1, s2 = samples1["samples"], samples2["samples"]
    if s1.shape[1:] != s2.shape[1:]:
        raise WorkflowError("LatentBatch of latents of different sizes")
    samples_out["samples"] = torch.cat((s1, s2), dim=0)
    samples_out["batch_index"] = (samples1.get("batch_index", list(range(s1.shape[0]))) +
                                  samples2.get("batch_index", list(range(s2.shape[0]))))
    return (samples_out,)


def set_latent_noise_mask(samples, mask):
    """SetLatentNoiseMask.set_mask."""
    s = samples.copy()
    s["noise_mask"] = mask.reshape((-1, 1, mask.shape[-2], mask.shape[-1]))
    return (s,)


# --- the graph ---

class Graph:
    def __init__(self, workflow, input_dir, downscale):
        self.nodes = {n["id"]: n for n in workflow["nodes"]}
        self.links = {l[0]: l for l in workflow["links"]}
        self.input_dir = input_dir
        self.downscale = downscale
        self.cache = {}
        self.run = []
        self.encodes = []  # VAEEncodeForInpaint outputs, in the order they ran

    def input(self, node, name):
        for slot in node["inputs"]:
            if slot["name"] == name:
                link = self.links.get(slot["link"])
                if link is None or link[3] != node["id"]:
                    raise WorkflowError(f"node {node['id']} ({node['type']}): input {name} is not linked")
                return self.output(link[1], link[2])
        raise WorkflowError(f"node {node['id']} ({node['type']}) has no input {name}")

    def output(self, node_id, slot):
        if node_id not in self.cache:
            self.cache[node_id] = self.evaluate(self.nodes[node_id])
            self.run.append(self.nodes[node_id]["type"])
        return self.cache[node_id][slot]

    def evaluate(self, node):
        t, w = node["type"], node.get("widgets_values", [])
        if t == "CheckpointLoaderSimple":
            return ("MODEL", "CLIP", "VAE")  # the VAE itself is not run
        if t == "LoadImage":
            return load_image(self.input_dir, *w)
        if t == "LoadImageMask":
            return load_image_mask(self.input_dir, *w)
        if t == "ImageCrop":
            return image_crop(self.input(node, "image"), *w)
        if t == "ImageScale":
            return image_scale(self.input(node, "image"), *w)
        if t == "CropMask":
            return crop_mask(self.input(node, "mask"), *w)
        if t == "MaskToImage":
            return mask_to_image(self.input(node, "mask"))
        if t == "ImageToMask":
            return image_to_mask(self.input(node, "image"), *w)
        if t == "ImageBatch":
            return image_batch(self.input(node, "image1"), self.input(node, "image2"))
        if t == "VAEEncodeForInpaint":
            if self.input(node, "vae") != "VAE":
                raise WorkflowError("VAEEncodeForInpaint's vae is not the checkpoint's VAE")
            out = vae_encode_for_inpaint(self.downscale, self.input(node, "pixels"), "VAE",
                                         self.input(node, "mask"), *w)
            self.encodes.append(out[0])
            return out
        if t == "LatentBatch":
            return latent_batch(self.input(node, "samples1"), self.input(node, "samples2"))
        if t == "SetLatentNoiseMask":
            return set_latent_noise_mask(self.input(node, "samples"), self.input(node, "mask"))
        raise WorkflowError(f"node type {t} is not mirrored here")


def main(argv):
    workflow_path, input_dir, downscale, out_dir = argv[1], argv[2], int(argv[3]), argv[4]
    workflow = json.load(open(workflow_path, encoding="utf-8"))
    graph = Graph(workflow, input_dir, downscale)
    samplers = [n for n in workflow["nodes"] if n["type"] == "KSampler"]
    if len(samplers) != 1:
        raise WorkflowError(f"{len(samplers)} KSampler nodes, expected 1")
    latent = graph.input(samplers[0], "latent_image")
    pixels, noise_mask = latent["samples"], latent["noise_mask"]
    pixels.contiguous().numpy().astype("<f4").tofile(os.path.join(out_dir, "pixels.f32"))
    noise_mask.contiguous().numpy().astype("<f4").tofile(os.path.join(out_dir, "noise_mask.f32"))
    own_masks_match = [bool(torch.equal(e["noise_mask"][0], noise_mask[i]))
                       for i, e in enumerate(graph.encodes)]
    print(json.dumps({"pixels": list(pixels.shape), "noise_mask": list(noise_mask.shape),
                      "batch_index": latent.get("batch_index"), "nodes_run": graph.run,
                      "own_masks_match": own_masks_match, "torch": torch.__version__}))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except WorkflowError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
