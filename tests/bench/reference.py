#!/usr/bin/env python3
"""PyTorch eager baselines for latentbrush-bench: ComfyUI's AutoencoderKL encoder (the SD VAE
shape) and the TAEF2 encoder, with weights read from the same .safetensors file the C++ side
uses. Times eager and torch.compile (where available) with CUDA events or wall clock, and prints
one JSON object per measurement.

  reference.py --weights sd.safetensors --family sd --sizes 512,1024 --dtype bf16 --device cuda
  reference.py --weights taef2_encoder.safetensors --family taef2 --sizes 512 --device cpu --threads 2
"""
import argparse
import json
import math
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64,
          "I64": torch.int64, "I32": torch.int32, "U8": torch.uint8}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, v in header.items():
        if name == "__metadata__":
            continue
        b, e = v["data_offsets"]
        t = torch.frombuffer(bytearray(data[b:e]), dtype=DTYPES[v["dtype"]]) if e > b else \
            torch.empty(0, dtype=DTYPES[v["dtype"]])
        out[name] = t.reshape(v["shape"])
    return out


# --- ComfyUI's AutoencoderKL encoder (comfy/ldm/modules/diffusionmodules/model.py) -------------
def Normalize(c):
    return nn.GroupNorm(32, c, eps=1e-6, affine=True)


class ResnetBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.norm1 = Normalize(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, 1, 1)
        self.norm2 = Normalize(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1)
        self.nin_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return (self.nin_shortcut(x) if self.nin_shortcut is not None else x) + h


class AttnBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.norm = Normalize(c)
        self.q, self.k, self.v, self.proj_out = (nn.Conv2d(c, c, 1) for _ in range(4))

    def forward(self, x):
        h = self.norm(x)
        q, k, v = self.q(h), self.k(h), self.v(h)
        b, c, hh, ww = q.shape
        q, k, v = (t.reshape(b, 1, c, hh * ww).transpose(2, 3).contiguous() for t in (q, k, v))
        if hasattr(F, "scaled_dot_product_attention"):
            o = F.scaled_dot_product_attention(q, k, v)
        else:
            o = torch.softmax(q @ k.transpose(2, 3) / math.sqrt(c), dim=-1) @ v
        o = o.transpose(2, 3).reshape(b, c, hh, ww)
        return x + self.proj_out(o)


class Downsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, 2, 0)

    def forward(self, x):
        return self.conv(F.pad(x, (0, 1, 0, 1), mode="constant", value=0))


class Level(nn.Module):
    pass


class Encoder(nn.Module):
    def __init__(self, ch, ch_mult, num_res_blocks, z2):
        super().__init__()
        self.conv_in = nn.Conv2d(3, ch, 3, 1, 1)
        self.down = nn.ModuleList()
        cin = ch
        for i, m in enumerate(ch_mult):
            level = Level()
            level.block = nn.ModuleList()
            for _ in range(num_res_blocks):
                level.block.append(ResnetBlock(cin, ch * m))
                cin = ch * m
            if i != len(ch_mult) - 1:
                level.downsample = Downsample(cin)
            self.down.append(level)
        self.mid = Level()
        self.mid.block_1 = ResnetBlock(cin, cin)
        self.mid.attn_1 = AttnBlock(cin)
        self.mid.block_2 = ResnetBlock(cin, cin)
        self.norm_out = Normalize(cin)
        self.conv_out = nn.Conv2d(cin, z2, 3, 1, 1)

    def forward(self, x):
        h = self.conv_in(x)
        for level in self.down:
            for b in level.block:
                h = b(h)
            if hasattr(level, "downsample"):
                h = level.downsample(h)
        h = self.mid.block_2(self.mid.attn_1(self.mid.block_1(h)))
        return self.conv_out(F.silu(self.norm_out(h)))


class KLEncode(nn.Module):
    def __init__(self, weights):
        super().__init__()
        levels = sorted({int(k.split(".")[2]) for k in weights if k.startswith("encoder.down.")})
        blocks = sorted({int(k.split(".")[4]) for k in weights if k.startswith("encoder.down.0.block.")})
        ch = weights["encoder.conv_in.weight"].shape[0]
        mult = [weights[f"encoder.down.{i}.block.0.conv1.weight"].shape[0] // ch for i in levels]
        z2 = weights["encoder.conv_out.weight"].shape[0]
        self.encoder = Encoder(ch, mult, len(blocks), z2)
        self.quant_conv = nn.Conv2d(z2, z2, 1) if "quant_conv.weight" in weights else None
        sd = {k: v for k, v in weights.items() if k.startswith("encoder.") or k.startswith("quant_conv.")}
        self.load_state_dict(sd, strict=True)

    def forward(self, p):
        h = self.encoder(2.0 * p - 1.0)
        if self.quant_conv is not None:
            h = self.quant_conv(h)
        return h[:, : h.shape[1] // 2]


# --- TAESD encoder with the TAEF2 pool branch (madebyollin/taesd) -------------------------------
def conv(n_in, n_out, **kwargs):
    return nn.Conv2d(n_in, n_out, 3, padding=1, **kwargs)


class Block(nn.Module):
    def __init__(self, n_in, n_out, pool=False):
        super().__init__()
        self.conv = nn.Sequential(conv(n_in, n_out), nn.ReLU(), conv(n_out, n_out), nn.ReLU(), conv(n_out, n_out))
        self.skip = nn.Conv2d(n_in, n_out, 1, bias=False) if n_in != n_out else nn.Identity()
        self.fuse = nn.ReLU()
        self.pool = nn.Sequential(nn.Conv2d(n_out, 256, 1, bias=False), nn.GroupNorm(4, 256), nn.ReLU(),
                                  nn.Conv2d(256, n_out, 1, bias=False)) if pool else None

    def forward(self, x):
        if self.pool is not None:
            x = x + self.pool(x)
        return self.fuse(self.conv(x) + self.skip(x))


def taesd_encoder(latent, pooled):
    return nn.Sequential(conv(3, 64), Block(64, 64), conv(64, 64, stride=2, bias=False),
                         Block(64, 64), Block(64, 64), Block(64, 64), conv(64, 64, stride=2, bias=False),
                         Block(64, 64), Block(64, 64), Block(64, 64), conv(64, 64, stride=2, bias=False),
                         Block(64, 64, pooled), Block(64, 64, pooled), Block(64, 64, pooled), conv(64, latent))


class TaeEncode(nn.Module):
    def __init__(self, weights):
        super().__init__()
        latent = weights["14.weight"].shape[0]
        pooled = any(".pool." in k for k in weights)
        self.net = taesd_encoder(latent, pooled)
        self.net.load_state_dict({k: v.float() for k, v in weights.items()}, strict=True)
        self.packed = pooled

    def forward(self, p):
        z = self.net(p)
        if self.packed:  # TAEF2: 2x2 packing to 128 channels at 16x
            b, c, h, w = z.shape
            z = z.reshape(b, c, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4).reshape(b, c * 4, h // 2, w // 2)
        return z


class Clamp(nn.Module):
    def forward(self, x):
        return torch.tanh(x / 3) * 3


def taesd_decoder(latent, pooled):
    return nn.Sequential(Clamp(), conv(latent, 64), nn.ReLU(),
                         Block(64, 64, pooled), Block(64, 64, pooled), Block(64, 64, pooled),
                         nn.Upsample(scale_factor=2), conv(64, 64, bias=False),
                         Block(64, 64), Block(64, 64), Block(64, 64),
                         nn.Upsample(scale_factor=2), conv(64, 64, bias=False),
                         Block(64, 64), Block(64, 64), Block(64, 64),
                         nn.Upsample(scale_factor=2), conv(64, 64, bias=False), Block(64, 64), conv(64, 3))


class TaeRoundTrip(nn.Module):
    """The live view's network work: encode, then decode the (packed, for TAEF2) latent."""

    def __init__(self, encoder_weights, decoder_weights):
        super().__init__()
        self.encode = TaeEncode(encoder_weights)
        latent = decoder_weights["1.weight"].shape[1]
        pooled = any(".pool." in k for k in decoder_weights)
        self.net = taesd_decoder(latent, pooled)
        self.net.load_state_dict({k: v.float() for k, v in decoder_weights.items()}, strict=True)

    def forward(self, p):
        z = self.encode(p)
        if self.encode.packed:  # unpack 2x2 back to the decoder's channels
            b, c, h, w = z.shape
            z = z.reshape(b, c // 4, 2, 2, h, w).permute(0, 1, 4, 2, 5, 3).reshape(b, c // 4, h * 2, w * 2)
        return self.net(z).clamp(0, 1)


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    names = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        raw = t.view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for b in blobs:
            f.write(b)


def make_sd_weights(path, seed=0):
    """Random weights of the SD VAE encoder's shape (128 base channels, multipliers 1,2,4,4, two
    res blocks per level, 4 latent channels, quant_conv), scaled so activations stay O(1)."""
    torch.manual_seed(seed)
    enc = Encoder(128, [1, 2, 4, 4], 2, 8)
    qc = nn.Conv2d(8, 8, 1)
    with torch.no_grad():
        for m in list(enc.modules()) + [qc]:
            if isinstance(m, nn.Conv2d):
                fan_in = m.weight[0].numel()
                m.weight.normal_(0.0, 1.0 / math.sqrt(fan_in))
                m.bias.normal_(0.0, 0.02)
            elif isinstance(m, nn.GroupNorm):
                m.weight.normal_(1.0, 0.05)
                m.bias.normal_(0.0, 0.05)
    tensors = {"encoder." + k: v for k, v in enc.state_dict().items()}
    tensors.update({"quant_conv." + k: v for k, v in qc.state_dict().items()})
    write_safetensors(path, tensors)


def measure(model, x, reps, device):
    with torch.inference_mode():
        for _ in range(3):
            y = model(x)
        times = []
        for _ in range(reps):
            if device.type == "cuda":
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                y = model(x)
                end.record()
                torch.cuda.synchronize()
                times.append(start.elapsed_time(end))
            else:
                t0 = time.perf_counter()
                y = model(x)
                times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    return times[len(times) // 2], y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--make-sd-weights", action="store_true",
                    help="first write random SD-VAE-shaped encoder weights to --weights")
    ap.add_argument("--family", choices=["sd", "taef2"], required=True)
    ap.add_argument("--sizes", default="512")
    ap.add_argument("--dtype", default="fp32", choices=["fp32", "fp16", "bf16"])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--compile", action="store_true", help="also time torch.compile")
    ap.add_argument("--channels-last", action="store_true")
    ap.add_argument("--decoder", default="",
                    help="taef2 only: time encode + decode (the live view's round trip) with this decoder")
    ap.add_argument("--save-output", default="", help="write the last output (F32) for comparison")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    dtype = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[args.dtype]
    if args.make_sd_weights:
        make_sd_weights(args.weights)
    weights = read_safetensors(args.weights)
    if args.decoder:
        model = TaeRoundTrip(weights, read_safetensors(args.decoder))
    else:
        model = (KLEncode if args.family == "sd" else TaeEncode)(weights)
    model = model.to(device=device, dtype=dtype).eval()
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    variants = [("eager", model)]
    if args.compile and hasattr(torch, "compile"):
        variants.append(("compile", torch.compile(model)))
    for size in [int(s) for s in args.sizes.split(",")]:
        g = torch.Generator().manual_seed(size)
        x = torch.rand(1, 3, size, size, generator=g).to(device=device, dtype=dtype)
        if args.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        for name, m in variants:
            if device.type == "cuda":
                torch.cuda.reset_peak_memory_stats()
            try:
                ms, y = measure(m, x, args.reps, device)
            except RuntimeError as e:  # out of memory and the like: report, go on
                print(json.dumps({"impl": "pytorch-" + name, "family": args.family, "size": size,
                                  "error": str(e).splitlines()[0]}), flush=True)
                continue
            peak = torch.cuda.max_memory_allocated() / 2**30 if device.type == "cuda" else None
            print(json.dumps({"impl": "pytorch-" + name, "torch": torch.__version__, "family": args.family,
                              "size": size, "dtype": args.dtype, "device": str(device),
                              "threads": torch.get_num_threads(), "median_ms": round(ms, 3),
                              "peak_gib": None if peak is None else round(peak, 3),
                              "channels_last": args.channels_last,
                              "roundtrip": bool(args.decoder)}), flush=True)
            if args.save_output:
                y.float().cpu().numpy().tofile(args.save_output)


if __name__ == "__main__":
    sys.exit(main())
