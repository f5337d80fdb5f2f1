#!/usr/bin/python3
"""Runs the Latentbrush Stitch node (comfyui/latentbrush_nodes) under Debian's python3 on the
files that `latentbrush-cli stitch` was given, and compares its output with the CLI's.

  comfy_stitch_check.py SOURCE_DIR CASES.json

CASES.json: [{"name", "original", "latent", "results": [...], "feather": null | F,
"mask": null | MASK.png, "expected": CLI_OUTPUT.png}, ...]. The images are read as ComfyUI's
LoadImage reads them (PIL, RGB, v / 255 in float32) and the mask as LoadImageMask (red) does;
the latent through Latentbrush Load Latent (region_info). The node's float output rounded the
way the CLI writes 8-bit samples (round half to even of clamp(v, 0, 1) * 255) must equal the
CLI's PNG byte for byte (the CLI keeps no float for an 8-bit original, so the float distance to
its bytes is only reported: at most half a step, 0.00196, when the rounding agrees).
Then bad inputs must give one ValueError each. Prints a JSON summary; exits 1 on a failure.
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree


def main(argv):
    source_dir, cases_file = argv[1], argv[2]
    with open(cases_file) as f:
        cases = json.load(f)
    import numpy as np
    import torch
    from PIL import Image
    sys.path.insert(0, os.path.join(source_dir, "tests", "interop"))
    from comfy_nodes_check import folder_paths_stand_in
    sys.modules["folder_paths"] = folder_paths_stand_in(os.path.dirname(cases_file))
    sys.path.insert(0, os.path.join(source_dir, "comfyui"))
    import latentbrush_nodes
    from latentbrush_nodes.nodes import load_latent_file

    stitch_node = latentbrush_nodes.NODE_CLASS_MAPPINGS["LatentbrushStitch"]()

    sys.path.insert(0, os.path.join(source_dir, "tests", "common"))
    import comfy_node_mirrors

    def load_image(path):  # ComfyUI's LoadImage, one frame: the IMAGE
        return comfy_node_mirrors.load_image(path)[0]

    def load_mask(path):  # ComfyUI's LoadImageMask, channel red
        return comfy_node_mirrors.load_image_mask(path, "red")

    summary = {"cases": [], "failures": []}
    first = None
    for case in cases:
        original = load_image(case["original"])
        samples = torch.cat([load_image(p) for p in case["results"]], 0)
        _, _, info = load_latent_file(case["latent"])
        mask = load_mask(case["mask"]) if case.get("mask") else None
        feather = -1 if case.get("feather") is None else case["feather"]
        (out,) = stitch_node.stitch(original, samples, info, feather, mask)
        if first is None:
            first = (original, samples, info)
        got = torch.round(out[0].clamp(0.0, 1.0) * 255.0).to(torch.uint8).numpy()
        want = np.array(Image.open(case["expected"]).convert("RGB"))
        differ = int((got != want).sum())
        float_diff = float((out[0] - torch.from_numpy(want.astype(np.float32) / 255.0))
                           .abs().max())
        changed = int((want != (original[0] * 255).round().to(torch.uint8).numpy()).sum())
        summary["cases"].append({"name": case["name"], "samples": int(got.size),
                                 "changed_by_stitch": changed, "bytes_differing": differ,
                                 "max_float_to_cli_bytes": float_diff})
        if got.shape != want.shape or differ:
            summary["failures"].append(f"{case['name']}: {differ} bytes differ from the CLI's")
        if changed == 0:
            summary["failures"].append(f"{case['name']}: the stitch changed nothing")

    # Bad inputs: one ValueError each, naming what is wrong.
    original, samples, info = first
    bad = [
        ("fewer samples", lambda: stitch_node.stitch(original, samples[:-1] if samples.shape[0]
                                                     > 1 else samples[:0], info), "region"),
        ("wrong sample size", lambda: stitch_node.stitch(original, samples[:, 1:], info),
         "scaled to"),
        ("another original", lambda: stitch_node.stitch(1.0 - original, samples, info),
         "not the image"),
        ("smaller original", lambda: stitch_node.stitch(original[:, 1:], samples, info),
         "was made from"),
        ("not a region latent", lambda: stitch_node.stitch(
            original, samples, {"encode.mode": "inpaint"}), "not a region latent"),
        ("no mask runs", lambda: stitch_node.stitch(
            original, samples, {k: v for k, v in info.items() if k != "stitch.mask_runs"}),
         "connect the mask"),
        ("bad mask runs", lambda: stitch_node.stitch(
            original, samples, dict(info, **{"stitch.mask_runs": "5,7"})), "does not cover"),
    ]
    for name, call, words in bad:
        try:
            call()
            summary["failures"].append(f"bad input '{name}' was accepted")
        except ValueError as e:
            if words not in str(e) or "\n" in str(e):
                summary["failures"].append(f"bad input '{name}': unexpected error '{e}'")
            summary.setdefault("errors", []).append(str(e))
    print(json.dumps(summary, indent=1))
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
