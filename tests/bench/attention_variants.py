"""Times single-head attention over the mid-block latent of a 4096x4096 SD-VAE encode
(n = 262144 positions, d = 512 channels, bf16) with each SDPA backend and with a chunked
matmul/softmax/matmul path, to choose the fast path's attention (run on the GPU machine)."""
import sys, time, torch
import torch.nn.functional as F
from torch.nn.attention import sdpa_kernel, SDPBackend

n = int(sys.argv[1]) if len(sys.argv) > 1 else 262144
d = 512
q, k, v = (torch.randn(1, 1, n, d, device="cuda", dtype=torch.bfloat16) for _ in range(3))

def timeit(name, fn, reps=2):
    try:
        torch.cuda.synchronize(); fn(); torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        t = time.perf_counter()
        for _ in range(reps): out = fn()
        torch.cuda.synchronize()
        ms = (time.perf_counter() - t) / reps * 1e3
        print(f"{name}: {ms:.1f} ms, peak {torch.cuda.max_memory_allocated()/2**30:.2f} GiB", flush=True)
        return out
    except Exception as e:
        print(f"{name}: failed: {str(e).splitlines()[0][:150]}", flush=True)

ref = None
for b in [SDPBackend.EFFICIENT_ATTENTION, SDPBackend.CUDNN_ATTENTION, SDPBackend.FLASH_ATTENTION]:
    def f(b=b):
        with sdpa_kernel(b):
            return F.scaled_dot_product_attention(q, k, v)
    o = timeit(str(b), f)
    if ref is None and o is not None: ref = o.float()

def chunked(rows, logits_fp32):
    out = torch.empty_like(q)
    kt = k[0, 0].t()
    scale = d ** -0.5
    for i in range(0, n, rows):
        qc = q[0, 0, i:i + rows]
        if logits_fp32:
            s = torch.mm(qc, kt, out_dtype=torch.float32)
        else:
            s = torch.mm(qc, kt)
        p = torch.softmax(s * scale, dim=-1, dtype=torch.float32).to(torch.bfloat16)
        out[0, 0, i:i + rows] = p @ v[0, 0]
    return out

for rows in (2048, 4096):
    for fp32 in (False, True):
        o = timeit(f"chunked rows={rows} fp32 logits={fp32}", lambda: chunked(rows, fp32))
        if o is not None and ref is not None:
            print("   rel L2 vs first SDPA:", ((o.float() - ref).norm() / ref.norm()).item())
