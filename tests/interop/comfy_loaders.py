#!/usr/bin/python3
"""ComfyUI's file loaders and the diffusers snippet of docs/DIFFUSERS.md, for the interop tests.

Runs with Debian's /usr/bin/python3 and python3-numpy; python3-torch and python3-pil are used
when present (else the command that needs them exits 77 = skipped). The `safetensors` package is
used when importable; it is not packaged in Debian 12, so otherwise a hand-written parser (numpy)
stands in for it, applying the package's validation rules.

  comfy_loaders.py loadlatent LATENT OUT.f32      LoadLatent.load: samples -> OUT.f32, JSON out
  comfy_loaders.py loadimagemask PNG CHANNEL OUT.f32   LoadImageMask.load_image (needs PIL)
  comfy_loaders.py loadimage PNG OUT.f32          LoadImage.load_image's mask (needs PIL)
  comfy_loaders.py snippet DOC.md LATENT SHIFT SCALE   runs the doc's snippet (needs torch)
"""
import json
import os
import struct
import sys
import types

import numpy as np

SKIP = 77

_DTYPES = {
    "F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
    "I8": "i1", "U8": "u1", "BOOL": "?", "U16": "<u2", "U32": "<u4", "U64": "<u8",
}


def load_numpy(path):
    """safetensors.numpy.load_file, hand-written: validates as the Rust crate does."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError("header too small")
    (n,) = struct.unpack("<Q", data[:8])
    if n > 100_000_000 or 8 + n > len(data):
        raise ValueError("invalid header length")
    header_bytes = data[8:8 + n]
    if not header_bytes.startswith(b"{"):
        raise ValueError("invalid header start")
    header = json.loads(header_bytes.decode("utf-8"))
    buffer = data[8 + n:]
    header.pop("__metadata__", None)
    entries = sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"]))
    expected = 0
    out = {}
    for name, info in entries:
        begin, end = info["data_offsets"]
        if begin != expected or end < begin:
            raise ValueError(f"{name}: invalid offset")
        expected = end
        shape = [int(d) for d in info["shape"]]
        dtype = info["dtype"]
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        raw = buffer[begin:end]
        if dtype == "BF16":
            if len(raw) != count * 2:
                raise ValueError(f"{name}: invalid tensor info")
            words = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            arr = words.view(np.float32)
        else:
            if dtype not in _DTYPES:
                raise ValueError(f"{name}: unsupported dtype {dtype}")
            dt = np.dtype(_DTYPES[dtype])
            if len(raw) != count * dt.itemsize:
                raise ValueError(f"{name}: invalid tensor info")
            arr = np.frombuffer(raw, dtype=dt)
        out[name] = arr.reshape(shape).copy()
    if expected != len(buffer):
        raise ValueError("metadata incomplete buffer")
    return out


def have(module):
    try:
        __import__(module)
        return True
    except ImportError:
        return False


def safetensors_torch():
    """The real safetensors.torch, or a stand-in module over load_numpy; and which one."""
    try:
        import safetensors.torch as st  # noqa: F401
        return st, "safetensors " + __import__("safetensors").__version__
    except ImportError:
        import torch
        pkg = types.ModuleType("safetensors")
        mod = types.ModuleType("safetensors.torch")
        mod.load_file = lambda path, device="cpu": {
            k: torch.from_numpy(v) for k, v in load_numpy(path).items()}
        pkg.torch = mod
        sys.modules["safetensors"] = pkg
        sys.modules["safetensors.torch"] = mod
        return mod, "hand-written numpy parser (python3-safetensors is not in Debian 12)"


def cmd_loadlatent(latent_path, out_path):
    # ComfyUI nodes.py, LoadLatent.load:
    #   latent = safetensors.torch.load_file(latent_path, device="cpu")
    #   multiplier = 1.0
    #   if "latent_format_version_0" not in latent: multiplier = 1.0 / 0.18215
    #   samples = {"samples": latent["latent_tensor"].float() * multiplier}
    if have("torch"):
        st, reader = safetensors_torch()
        latent = st.load_file(latent_path, device="cpu")
        multiplier = 1.0
        if "latent_format_version_0" not in latent:
            multiplier = 1.0 / 0.18215
        samples = (latent["latent_tensor"].float() * multiplier).numpy()
        tensors = {k: (str(v.dtype).replace("torch.", ""), list(v.shape))
                   for k, v in latent.items()}
    else:
        reader = "hand-written numpy parser"
        latent = load_numpy(latent_path)
        multiplier = 1.0
        if "latent_format_version_0" not in latent:
            multiplier = 1.0 / 0.18215
        samples = latent["latent_tensor"].astype(np.float32) * np.float32(multiplier)
        tensors = {k: (str(v.dtype), list(v.shape)) for k, v in latent.items()}
    samples.astype("<f4").tofile(out_path)
    print(json.dumps({"reader": reader, "multiplier": multiplier, "tensors": tensors,
                      "samples_shape": list(samples.shape), "samples_dtype": str(samples.dtype)}))


def comfy_node_mirrors():
    """tests/common/comfy_node_mirrors.py (LoadImage, LoadImageMask), or None without PIL or
    torch (the command then exits SKIP)."""
    if not have("PIL") or not have("torch"):
        print("PIL (python3-pil) or torch (python3-torch) is not installed")
        return None
    sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
    import comfy_node_mirrors as mirrors
    return mirrors


def cmd_loadimagemask(path, channel, out_path):
    mirrors = comfy_node_mirrors()
    if mirrors is None:
        return SKIP
    mask = mirrors.load_image_mask(path, channel).numpy()
    mask.astype("<f4").tofile(out_path)
    print(json.dumps({"shape": list(mask.shape), "dtype": str(mask.dtype)}))
    return 0


def cmd_loadimage(path, out_path):
    mirrors = comfy_node_mirrors()
    if mirrors is None:
        return SKIP
    image, mask, _ = mirrors.load_image(path)
    mask = mask.numpy()
    mask.astype("<f4").tofile(out_path)
    print(json.dumps({"shape": list(mask.shape), "image_size": [image.shape[2], image.shape[1]]}))
    return 0


def extract_snippet(doc_path):
    """The ```python block after the line `<!-- tested: diffusers-snippet -->`."""
    lines = open(doc_path, encoding="utf-8").read().splitlines()
    start = lines.index("<!-- tested: diffusers-snippet -->")
    begin = next(i for i in range(start, len(lines)) if lines[i].startswith("```python")) + 1
    end = next(i for i in range(begin, len(lines)) if lines[i].startswith("```"))
    return lines[begin:end]


def cmd_snippet(doc_path, latent_path, shift, scale):
    if not have("torch"):
        print("torch (python3-torch) is not installed")
        return SKIP
    import torch
    _, reader = safetensors_torch()
    code = extract_snippet(doc_path)
    if len([line for line in code if line.strip()]) != 3:
        raise SystemExit(f"the snippet has {len(code)} lines, not three")
    env = {"shift": float(shift), "scale": float(scale)}
    exec("\n".join(code).replace('"photo.latent"', repr(latent_path)), env)
    latents, mask = env["latents"], env["mask"]
    raw = load_numpy(latent_path)
    expected = (torch.from_numpy(raw["latent_tensor"]) - float(shift)) * float(scale)
    result = {
        "reader": reader,
        "latents_type": type(latents).__name__,
        "latents_dtype": str(latents.dtype),
        "latents_shape": list(latents.shape),
        "mask_dtype": str(mask.dtype),
        "mask_shape": list(mask.shape),
        "latents_equal": bool(torch.equal(latents, expected)),
        "mask_equal": bool(torch.equal(mask, torch.from_numpy(raw["noise_mask"]))),
    }
    print(json.dumps(result))
    return 0


def main(argv):
    cmd = argv[1]
    if cmd == "loadlatent":
        cmd_loadlatent(argv[2], argv[3])
        return 0
    if cmd == "loadimagemask":
        return cmd_loadimagemask(argv[2], argv[3], argv[4])
    if cmd == "loadimage":
        return cmd_loadimage(argv[2], argv[3])
    if cmd == "snippet":
        return cmd_snippet(argv[2], argv[3], argv[4], argv[5])
    raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
