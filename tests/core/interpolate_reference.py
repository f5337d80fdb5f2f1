#!/usr/bin/env python3
"""Reference for tests/core/tst_region_resize.cpp: reads planar float32 images [C,H,W] from a
safetensors file (tensor `in_N`, metadata `case_N` = "method,outH,outW"), runs PyTorch's
F.interpolate on each as an NCHW tensor, once contiguous (`out_N`) and once as the channels-last
view ComfyUI's ImageScale passes (`image.movedim(-1, 1)`, `outcl_N`), and writes them to a
safetensors file. Standard library + torch only (no safetensors package on Debian 12).

  interpolate_reference.py IN.safetensors OUT.safetensors
"""
import json
import struct
import sys

import torch
import torch.nn.functional as F


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    out = {}
    for name, v in header.items():
        assert v["dtype"] == "F32"
        b, e = v["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[b:e]), dtype=torch.float32).reshape(v["shape"])
    return out, meta


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        b = t.contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main():
    tensors, meta = read_safetensors(sys.argv[1])
    out = {}
    for key, spec in meta.items():
        if not key.startswith("case_"):
            continue
        n = key[len("case_"):]
        method, oh, ow = spec.split(",")
        x = tensors["in_" + n].unsqueeze(0)
        size = (int(oh), int(ow))
        out["out_" + n] = F.interpolate(x, size=size, mode=method)[0]
        cl = x.permute(0, 2, 3, 1).contiguous().movedim(-1, 1)  # ComfyUI: image.movedim(-1, 1)
        out["outcl_" + n] = F.interpolate(cl, size=size, mode=method)[0].contiguous()
    write_safetensors(sys.argv[2], out)
    print(torch.__version__)


if __name__ == "__main__":
    main()
