// CpuKernels: fused CPU operations of the fast kernel path (float32 only; other dtypes decline).
//
// - GroupNorm + activation in two passes over x: per-channel shifted sums (float lanes over
//   short blocks, accumulated in double), combined per group exactly (Chan et al.), then one
//   normalise + activate pass. NCHW planes or channels-last rows, at::parallel_for over both.
// - Convolution weights in channels-last: with channels-last activations LibTorch 1.13 runs
//   oneDNN without reordering the weight to the activations' layout on every call.
// - Single-head attention as two 1x1 oneDNN convolutions (scores = q k^T, out = v p^T) with a
//   fused scale + softmax in between: Debian's LibTorch sends bmm to the reference BLAS, which
//   made the mid block's attention most of a 512x512 encode.
//
// The loops are plain C++ written so that GCC vectorises them; each hot loop is compiled for
// AVX-512F, AVX2 and baseline x86-64 (target_clones, chosen by CPU features at load time).
#include "vae/FastKernels.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/ops/mkldnn_convolution.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace lb::vae {
namespace {

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define LB_CPU_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define LB_CPU_CLONES
#endif

// Float lanes accumulate this many values each before they are added into doubles.
constexpr std::int64_t kLanes = 16;
constexpr std::int64_t kBlock = 16 * kLanes;

// exp(x) for float, branch-free (Cephes' expf: 2^n * p(r), |r| <= ln2/2), about 1 ulp; NaN in,
// NaN out. Inlined into the cloned loops so that they vectorise.
[[gnu::always_inline]] inline float expf_(float x) {
    x = x < -87.33654f ? -87.33654f : x;
    x = x > 88.72283f ? 88.72283f : x;
    // round(x / ln2) with the 1.5 * 2^23 trick (exact for |x / ln2| < 2^22)
    const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    const float y = p * (r * r) + r + 1.0f;
    // 2^n as float bits; n in [-126, 128]: split in two factors so that 2^128 does not overflow
    const std::int32_t ni = std::int32_t(n);
    const std::int32_t half = ni >> 1;
    const float s1 = std::bit_cast<float>((half + 127) << 23);
    const float s2 = std::bit_cast<float>((ni - half + 127) << 23);
    return y * s1 * s2;
}

[[gnu::always_inline]] inline float activate(float y, int act) {
    if (act == int(Activation::Silu)) return y / (1.0f + expf_(-y));
    if (act == int(Activation::Relu)) return y < 0.0f ? 0.0f : y;
    return y;
}

// Sums of (x - k) and (x - k)^2 over n contiguous floats.
LB_CPU_CLONES void shiftedSums(const float* x, std::int64_t n, float k, double& sum,
                               double& sumSq) {
    double s = 0.0, q = 0.0;
    std::int64_t i = 0;
    for (; i + kBlock <= n; i += kBlock) {
        float a[kLanes] = {}, b[kLanes] = {};
        for (std::int64_t j = 0; j < kBlock; j += kLanes)
            for (std::int64_t l = 0; l < kLanes; ++l) {
                const float d = x[i + j + l] - k;
                a[l] += d;
                b[l] += d * d;
            }
        for (std::int64_t l = 0; l < kLanes; ++l) {
            s += double(a[l]);
            q += double(b[l]);
        }
    }
    for (; i < n; ++i) {
        const double d = double(x[i]) - double(k);
        s += d;
        q += d * d;
    }
    sum += s;
    sumSq += q;
}

// Per-channel sums of (x - k[c]) and (x - k[c])^2 over `rows` rows of c contiguous floats, added
// to sum[c] and sumSq[c]. a and b: c floats of scratch.
LB_CPU_CLONES void shiftedSumsRows(const float* x, std::int64_t rows, std::int64_t c,
                                   const float* k, double* sum, double* sumSq, float* a, float* b) {
    constexpr std::int64_t kRows = 16;
    for (std::int64_t r0 = 0; r0 < rows; r0 += kRows) {
        const std::int64_t r1 = std::min(rows, r0 + kRows);
        for (std::int64_t j = 0; j < c; ++j) {
            a[j] = 0.0f;
            b[j] = 0.0f;
        }
        for (std::int64_t r = r0; r < r1; ++r) {
            const float* row = x + r * c;
            for (std::int64_t j = 0; j < c; ++j) {
                const float d = row[j] - k[j];
                a[j] += d;
                b[j] += d * d;
            }
        }
        for (std::int64_t j = 0; j < c; ++j) {
            sum[j] += double(a[j]);
            sumSq[j] += double(b[j]);
        }
    }
}

// y = act(x * a + b) over n contiguous floats (y may be x).
LB_CPU_CLONES void normActPlane(const float* x, float* y, std::int64_t n, float a, float b,
                                int act) {
    if (act == int(Activation::Silu)) {
        for (std::int64_t i = 0; i < n; ++i) {
            const float t = x[i] * a + b;
            y[i] = t / (1.0f + expf_(-t));
        }
    } else if (act == int(Activation::Relu)) {
        for (std::int64_t i = 0; i < n; ++i) {
            const float t = x[i] * a + b;
            y[i] = t < 0.0f ? 0.0f : t;
        }
    } else {
        for (std::int64_t i = 0; i < n; ++i)
            y[i] = x[i] * a + b;
    }
}

// Rows of c channels: y[r][j] = act(x[r][j] * a[j] + b[j]).
LB_CPU_CLONES void normActRows(const float* x, float* y, std::int64_t rows, std::int64_t c,
                               const float* a, const float* b, int act) {
    for (std::int64_t r = 0; r < rows; ++r) {
        const float* xr = x + r * c;
        float* yr = y + r * c;
        if (act == int(Activation::Silu)) {
            for (std::int64_t j = 0; j < c; ++j) {
                const float t = xr[j] * a[j] + b[j];
                yr[j] = t / (1.0f + expf_(-t));
            }
        } else if (act == int(Activation::Relu)) {
            for (std::int64_t j = 0; j < c; ++j) {
                const float t = xr[j] * a[j] + b[j];
                yr[j] = t < 0.0f ? 0.0f : t;
            }
        } else {
            for (std::int64_t j = 0; j < c; ++j)
                yr[j] = xr[j] * a[j] + b[j];
        }
    }
}

// row = softmax(row * scale) in place (scale > 0).
LB_CPU_CLONES void scaledSoftmaxRow(float* row, std::int64_t n, float scale) {
    float m[kLanes];
    for (std::int64_t l = 0; l < kLanes; ++l)
        m[l] = -INFINITY;
    std::int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
        for (std::int64_t l = 0; l < kLanes; ++l)
            m[l] = row[i + l] > m[l] ? row[i + l] : m[l];
    float mx = -INFINITY;
    for (std::int64_t l = 0; l < kLanes; ++l)
        mx = m[l] > mx ? m[l] : mx;
    for (; i < n; ++i)
        mx = row[i] > mx ? row[i] : mx;
    const float shift = mx * scale;
    float s[kLanes] = {};
    i = 0;
    for (; i + kLanes <= n; i += kLanes)
        for (std::int64_t l = 0; l < kLanes; ++l) {
            const float e = expf_(row[i + l] * scale - shift);
            row[i + l] = e;
            s[l] += e;
        }
    double total = 0.0;
    for (std::int64_t l = 0; l < kLanes; ++l)
        total += double(s[l]);
    for (; i < n; ++i) {
        const float e = expf_(row[i] * scale - shift);
        row[i] = e;
        total += double(e);
    }
    const float inv = float(1.0 / total);
    for (i = 0; i < n; ++i)
        row[i] *= inv;
}

bool isCpuFloat(const at::Tensor& t) {
    return t.defined() && t.device().is_cpu() && t.scalar_type() == at::kFloat && !t.is_mkldnn() &&
           t.layout() == at::kStrided;
}

// A float32 CPU parameter of n values, as a contiguous tensor (undefined: `fill`).
std::vector<float> param(const at::Tensor& t, std::int64_t n, float fill) {
    std::vector<float> out(std::size_t(n), fill);
    if (!t.defined()) return out;
    const at::Tensor c = t.to(at::kFloat).contiguous();
    std::memcpy(out.data(), c.data_ptr<float>(), std::size_t(n) * sizeof(float));
    return out;
}

} // namespace

bool cpuGroupNormAct(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                     std::int64_t groups, double eps, Activation act, at::Tensor& out) {
    if (!isCpuFloat(x) || x.dim() < 2 || groups <= 0) return false;
    const std::int64_t n = x.size(0), c = x.size(1);
    if (c % groups != 0) return false;
    if ((weight.defined() && weight.numel() != c) || (bias.defined() && bias.numel() != c))
        return false;
    const bool nchw = x.is_contiguous();
    const bool nhwc = !nchw && x.dim() == 4 && x.is_contiguous(at::MemoryFormat::ChannelsLast);
    if (!nchw && !nhwc) return false;
    if (out.defined()) {
        if (!isCpuFloat(out) || out.sizes() != x.sizes() || out.strides() != x.strides())
            return false;
    } else {
        out = at::empty_like(x); // the same strides as x (dense)
    }
    const std::int64_t hw = c == 0 || n == 0 ? 0 : x.numel() / (n * c);
    if (x.numel() == 0) return true;

    const float* xp = x.data_ptr<float>();
    float* yp = out.data_ptr<float>();
    const std::vector<float> gamma = param(weight, c, 1.0f);
    const std::vector<float> beta = param(bias, c, 0.0f);

    // Per (batch, channel): shift k, sum of (x - k), sum of (x - k)^2.
    std::vector<float> shift(static_cast<std::size_t>(n * c));
    std::vector<double> sum(std::size_t(n * c), 0.0), sumSq(std::size_t(n * c), 0.0);
    // The shift: the mean of a channel's first few values (keeps the sums of squares far from
    // cancellation).
    const std::int64_t probe = std::min<std::int64_t>(hw, 8);
    for (std::int64_t b = 0; b < n; ++b)
        for (std::int64_t j = 0; j < c; ++j) {
            double s = 0.0;
            for (std::int64_t i = 0; i < probe; ++i)
                s += nchw ? xp[(b * c + j) * hw + i] : xp[(b * hw + i) * c + j];
            shift[std::size_t(b * c + j)] = float(s / double(probe));
        }

    if (nchw) {
        at::parallel_for(0, n * c, 1, [&](std::int64_t b0, std::int64_t b1) {
            for (std::int64_t p = b0; p < b1; ++p)
                shiftedSums(xp + p * hw, hw, shift[std::size_t(p)], sum[std::size_t(p)],
                            sumSq[std::size_t(p)]);
        });
    } else {
        // Fixed chunks of positions (deterministic sums whatever the thread count).
        const std::int64_t chunkRows = std::max<std::int64_t>(16, (std::int64_t(1) << 16) / c);
        const std::int64_t chunks = (hw + chunkRows - 1) / chunkRows;
        std::vector<double> part(std::size_t(n * chunks * 2 * c), 0.0);
        at::parallel_for(0, n * chunks, 1, [&](std::int64_t t0, std::int64_t t1) {
            std::vector<float> a(static_cast<std::size_t>(c)), b(static_cast<std::size_t>(c));
            for (std::int64_t t = t0; t < t1; ++t) {
                const std::int64_t bi = t / chunks, r0 = (t % chunks) * chunkRows;
                const std::int64_t rows = std::min(chunkRows, hw - r0);
                double* ps = part.data() + t * 2 * c;
                shiftedSumsRows(xp + (bi * hw + r0) * c, rows, c, shift.data() + bi * c, ps, ps + c,
                                a.data(), b.data());
            }
        });
        for (std::int64_t t = 0; t < n * chunks; ++t) {
            const std::int64_t bi = t / chunks;
            const double* ps = part.data() + t * 2 * c;
            for (std::int64_t j = 0; j < c; ++j) {
                sum[std::size_t(bi * c + j)] += ps[j];
                sumSq[std::size_t(bi * c + j)] += ps[c + j];
            }
        }
    }

    // Group statistics (Chan et al.: channel means and M2s combined exactly), then the fused
    // per-channel scale and offset: y = x * a + b, a = rstd * gamma, b = beta - mean * a.
    const std::int64_t cpg = c / groups;
    std::vector<float> scale(std::size_t(n * c)), offset(std::size_t(n * c));
    std::vector<double> means(static_cast<std::size_t>(cpg));
    for (std::int64_t b = 0; b < n; ++b)
        for (std::int64_t g = 0; g < groups; ++g) {
            double meanSum = 0.0, m2 = 0.0;
            for (std::int64_t j = 0; j < cpg; ++j) {
                const std::size_t i = std::size_t(b * c + g * cpg + j);
                const double s = sum[i], mean = s / double(hw);
                m2 += std::max(0.0, sumSq[i] - s * mean);
                means[std::size_t(j)] = double(shift[i]) + mean;
                meanSum += means[std::size_t(j)];
            }
            const double mean = meanSum / double(cpg);
            for (std::int64_t j = 0; j < cpg; ++j) {
                const double d = means[std::size_t(j)] - mean;
                m2 += double(hw) * d * d;
            }
            const double var = std::max(0.0, m2 / double(hw * cpg));
            const double rstd = 1.0 / std::sqrt(var + eps);
            for (std::int64_t j = 0; j < cpg; ++j) {
                const std::size_t ch = std::size_t(g * cpg + j), i = std::size_t(b * c) + ch;
                const double a = rstd * double(gamma[ch]);
                scale[i] = float(a);
                offset[i] = float(double(beta[ch]) - mean * a);
            }
        }

    const int a = int(act);
    if (nchw) {
        // Planes split in pieces of at least 16K values.
        const std::int64_t piece = std::max<std::int64_t>(hw, 1);
        at::parallel_for(0, n * c, std::max<std::int64_t>(1, 16384 / piece),
                         [&](std::int64_t p0, std::int64_t p1) {
                             for (std::int64_t p = p0; p < p1; ++p)
                                 normActPlane(xp + p * hw, yp + p * hw, hw, scale[std::size_t(p)],
                                              offset[std::size_t(p)], a);
                         });
    } else {
        const std::int64_t grain = std::max<std::int64_t>(1, 16384 / c);
        for (std::int64_t b = 0; b < n; ++b)
            at::parallel_for(0, hw, grain, [&](std::int64_t r0, std::int64_t r1) {
                normActRows(xp + (b * hw + r0) * c, yp + (b * hw + r0) * c, r1 - r0, c,
                            scale.data() + b * c, offset.data() + b * c, a);
            });
    }
    return true;
}

void cpuPrepareConv(at::Tensor& weight) {
    const bool cpuBf16 = weight.defined() && weight.device().is_cpu() &&
                         weight.scalar_type() == at::kBFloat16 && weight.layout() == at::kStrided;
    if ((!isCpuFloat(weight) && !cpuBf16) || weight.dim() != 4) return;
    // The same values in another order: results are unchanged for float32 (the goldens) and bf16.
    weight = weight.contiguous(at::MemoryFormat::ChannelsLast);
}

bool cpuAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, at::Tensor& out) {
    if (!isCpuFloat(q) || !isCpuFloat(k) || !isCpuFloat(v) || q.dim() != 4) return false;
    if (k.sizes() != q.sizes() || v.sizes() != q.sizes()) return false;
    if (!at::hasMKLDNN() || !at::globalContext().userEnabledMkldnn()) return false;
    const std::int64_t b = q.size(0), c = q.size(1), h = q.size(2), w = q.size(3);
    const std::int64_t n = h * w;
    if (q.numel() == 0) return false;
    constexpr auto cl = at::MemoryFormat::ChannelsLast;
    // Each position's c values together: [b, n, c] in memory.
    const at::Tensor qc = q.contiguous(cl), kc = k.contiguous(cl), vc = v.contiguous(cl);
    out = at::empty({b, c, h, w}, q.options().memory_format(cl));
    // Query rows per step: the scores of a step stay under 256 MiB.
    const std::int64_t rows = std::clamp<std::int64_t>((std::int64_t(256) << 20) / (n * 4), 1, n);
    const float scale = float(std::pow(double(c), -0.5));
    const std::vector<std::int64_t> zero{0, 0}, one{1, 1};
    for (std::int64_t i = 0; i < b; ++i) {
        const std::int64_t base = i * n * c;
        // 1x1 convolutions over a [1, channels, positions, 1] image: weight rows are the keys,
        // then the value channels.
        const at::Tensor keys =
            kc.as_strided({n, c, 1, 1}, {c, 1, 1, 1}, kc.storage_offset() + base);
        const at::Tensor values = vc.as_strided({c, n}, {1, c}, vc.storage_offset() + base)
                                      .contiguous()
                                      .view({c, n, 1, 1});
        for (std::int64_t r0 = 0; r0 < n; r0 += rows) {
            const std::int64_t len = std::min(rows, n - r0);
            const at::Tensor queries = qc.as_strided({1, c, len, 1}, {len * c, 1, c, c},
                                                     qc.storage_offset() + base + r0 * c);
            at::Tensor scores = at::mkldnn_convolution(queries, keys, c10::nullopt, zero, one, one,
                                                       1); // [1, n, len, 1]: len rows of n
            if (!scores.is_contiguous(cl)) scores = scores.contiguous(cl);
            float* sp = scores.data_ptr<float>();
            at::parallel_for(0, len, 16, [&](std::int64_t a0, std::int64_t a1) {
                for (std::int64_t r = a0; r < a1; ++r)
                    scaledSoftmaxRow(sp + r * n, n, scale);
            });
            const at::Tensor o = at::mkldnn_convolution(scores, values, c10::nullopt, zero, one,
                                                        one, 1); // [1, c, len, 1]
            out.as_strided({1, c, len, 1}, {len * c, 1, c, c}, base + r0 * c).copy_(o);
        }
    }
    return true;
}

} // namespace lb::vae
