#!/usr/bin/python3
"""Runs the ComfyUI node package (comfyui/latentbrush_nodes) under Debian's python3 with a minimal
stand-in for ComfyUI's folder_paths module, on the .latent files of a folder, and compares it with
stock LoadLatent (its code, as in comfy_loaders.py) and with the files' raw tensors.

  comfy_nodes_check.py SOURCE_DIR INPUT_DIR

Every *.latent of INPUT_DIR whose name starts with "bad_" must be refused with a ValueError naming
the file; every other one must load: samples bit for bit LoadLatent's (version scaling included),
noise_mask and MASK bit for bit the file's, region_info the file's metadata. Prints a JSON summary;
exits 1 with the failures listed.
"""
import hashlib
import json
import os
import sys
import types

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree


def folder_paths_stand_in(input_dir):
    """The part of ComfyUI's folder_paths that LoadLatent and our node use."""
    fp = types.ModuleType("folder_paths")

    def annotated(name):
        for suffix in (" [input]", " [output]", " [temp]"):
            if name.endswith(suffix):
                name = name[:-len(suffix)]
        return os.path.join(input_dir, name)

    fp.get_input_directory = lambda: input_dir
    fp.get_annotated_filepath = annotated
    fp.exists_annotated_filepath = lambda name: os.path.exists(annotated(name))
    return fp


def bits(t):
    """A float tensor's bit patterns, for comparisons that tell -0.0 from 0.0."""
    import torch
    return t.contiguous().view(torch.int32)


def main(argv):
    source_dir, input_dir = argv[1], argv[2]
    sys.modules["folder_paths"] = folder_paths_stand_in(input_dir)
    sys.path.insert(0, os.path.join(source_dir, "comfyui"))
    import latentbrush_nodes
    import torch
    if "safetensors" in sys.modules:
        raise SystemExit("the node package imported the safetensors module")
    sys.path.insert(0, os.path.join(source_dir, "tests", "interop"))
    import comfy_loaders
    st, reader = comfy_loaders.safetensors_torch()

    failures = []
    checked = []

    def check(cond, what):
        if not cond:
            failures.append(what)

    node_class = latentbrush_nodes.NODE_CLASS_MAPPINGS["LatentbrushLoadLatent"]
    check(latentbrush_nodes.NODE_DISPLAY_NAME_MAPPINGS["LatentbrushLoadLatent"] ==
          "Latentbrush Load Latent", "display name")
    check(node_class.RETURN_TYPES == ("LATENT", "MASK", "LATENTBRUSH_REGION_INFO"),
          "return types")
    # The file list: LoadLatent's (files of the input folder ending in .latent, sorted).
    listed = node_class.INPUT_TYPES()["required"]["latent"][0]
    expected = sorted(f for f in os.listdir(input_dir)
                      if os.path.isfile(os.path.join(input_dir, f)) and f.endswith(".latent"))
    check(listed == expected, f"file list {listed} != {expected}")
    check(node_class.VALIDATE_INPUTS("missing.latent") is not True, "missing file validates")
    node = node_class()

    for name in listed:
        path = os.path.join(input_dir, name)
        if name.startswith("bad_"):
            try:
                node.load(name)
                failures.append(f"{name}: loaded, but it is a bad file")
            except ValueError as e:
                check(path in str(e), f"{name}: the error does not name the file: {e}")
                checked.append({"file": name, "refused": str(e)})
            continue
        check(node_class.VALIDATE_INPUTS(name) is True, f"{name}: does not validate")
        check(node_class.VALIDATE_INPUTS(name + " [input]") is True,
              f"{name}: annotated name does not validate")
        check(node_class.IS_CHANGED(name) == hashlib.sha256(open(path, "rb").read()).hexdigest(),
              f"{name}: IS_CHANGED")
        latent, mask, region_info = node.load(name)

        # Stock LoadLatent.load, as ComfyUI's nodes.py has it.
        stock = st.load_file(path, device="cpu")
        multiplier = 1.0
        if "latent_format_version_0" not in stock:
            multiplier = 1.0 / 0.18215
        stock_samples = stock["latent_tensor"].float() * multiplier
        samples = latent["samples"]
        check(samples.dtype == torch.float32, f"{name}: samples dtype {samples.dtype}")
        check(samples.shape == stock_samples.shape, f"{name}: samples shape")
        check(torch.equal(bits(samples), bits(stock_samples)),
              f"{name}: samples differ from LoadLatent's")

        raw = comfy_loaders.load_numpy(path)
        header_len = int.from_bytes(open(path, "rb").read(8), "little")
        header = json.loads(open(path, "rb").read()[8:8 + header_len])
        check(region_info == header.get("__metadata__", {}), f"{name}: region_info")
        if "noise_mask" in raw:
            file_mask = torch.from_numpy(raw["noise_mask"]).float()
            nm = latent.get("noise_mask")
            check(nm is not None, f"{name}: no noise_mask in the LATENT")
            if nm is not None:
                check(nm.dtype == torch.float32 and nm.dim() == 4 and nm.shape[1] == 1,
                      f"{name}: noise_mask layout {nm.dtype} {list(nm.shape)}")
                check(torch.equal(bits(nm), bits(file_mask)), f"{name}: noise_mask differs")
            check(list(mask.shape) == [file_mask.shape[0]] + list(file_mask.shape[2:]),
                  f"{name}: MASK shape {list(mask.shape)}")
            check(torch.equal(bits(mask), bits(file_mask.reshape(mask.shape))),
                  f"{name}: MASK differs")
        else:
            check("noise_mask" not in latent, f"{name}: a noise_mask appeared")
            d = int(region_info.get("vae.downscale", "8"))
            check(list(mask.shape) == [samples.shape[0], samples.shape[2] * d,
                                       samples.shape[3] * d] and bool((mask == 1).all()),
                  f"{name}: the MASK of a file without noise_mask is not all ones")
        checked.append({"file": name, "multiplier": multiplier,
                        "samples": list(samples.shape),
                        "noise_mask": list(latent["noise_mask"].shape)
                        if "noise_mask" in latent else None,
                        "mode": region_info.get("encode.mode")})

    print(json.dumps({"reader": reader, "torch": torch.__version__, "files": checked,
                      "failures": failures}, indent=1))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
