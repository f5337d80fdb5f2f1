// VaeLayers: the layers of ComfyUI's comfy/ldm/modules/diffusionmodules/model.py as plain ATen
// calls, in the reference's order of operations (the goldens are float32-exact to it).
#include "vae/VaeLayers.h"

#include "vae/VaeDevice.h"
#include "vae/VaeModel.h"

#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace lb::vae {
namespace {

// Attention scores are computed for this many bytes of query rows at a time.
constexpr double kAttentionChunkBytes = 256.0 * 1024 * 1024;

std::int64_t attentionRows(std::int64_t positions, std::size_t elementSize) {
    // scores, their softmax and a transposed copy, at least 4 bytes each
    const double perRow = double(positions) * double(std::max<std::size_t>(elementSize, 4)) * 3.0;
    return std::clamp<std::int64_t>(std::int64_t(kAttentionChunkBytes / perRow), 1, positions);
}

// Fast CUDA path: res blocks whose activation is larger than this run in bands of rows of about
// kBandBytes (a 4096x4096 SD-VAE encode: 4 GiB tensors at the first level).
constexpr double kBandedBytes = 1.0 * double(1ull << 30);
constexpr double kBandBytes = 256.0 * double(1ull << 20);

bool fastCuda(Kernels kernels, const at::Tensor& x) {
    return kernels == Kernels::Fast && x.is_cuda();
}

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 9)
// From this many positions (a 2048x2048 SD-VAE encode) single-head attention with C = 512 runs
// faster as row chunks of two cuBLAS products than in SDPA's memory-efficient kernel (the flash
// and cuDNN kernels do not take a head of 512); docs/PERFORMANCE.md has the measurement.
constexpr std::int64_t kLargeAttentionPositions = 65536;
// Bytes of scores (float32 logits and softmax, half-precision probabilities) per chunk.
constexpr double kLargeAttentionChunkBytes = 2.0 * double(1ull << 30);

// softmax(q k^T / sqrt(C)) v for [B, 1, n, C] half-precision q, k, v (any row strides): the
// logits come out of cuBLAS in float32 (mm with out_dtype), the softmax runs in float32, the
// probabilities go back to the input dtype for the product with v, as SDPA's kernels keep them.
at::Tensor largeAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
    const std::int64_t b = q.size(0), n = q.size(2), c = q.size(3);
    const double scale = 1.0 / std::sqrt(double(c));
    const std::int64_t rows = std::clamp<std::int64_t>(
        std::int64_t(kLargeAttentionChunkBytes / (double(n) * 10.0)) / 64 * 64, 64, n);
    at::Tensor out = at::empty({b, 1, n, c}, q.options());
    for (std::int64_t bi = 0; bi < b; ++bi) {
        const at::Tensor qm = q.select(0, bi).select(0, 0);
        const at::Tensor kt = k.select(0, bi).select(0, 0).t();
        const at::Tensor vm = v.select(0, bi).select(0, 0);
        const at::Tensor om = out.select(0, bi).select(0, 0);
        for (std::int64_t i = 0; i < n; i += rows) {
            const std::int64_t len = std::min(rows, n - i);
            at::Tensor logits = at::mm(qm.narrow(0, i, len), kt, at::kFloat);
            logits.mul_(scale);
            const at::Tensor p = at::softmax(logits, 1).to(q.scalar_type());
            logits.reset();
            om.narrow(0, i, len).copy_(at::mm(p, vm));
        }
    }
    return out;
}
#endif

#if TORCH_VERSION_MAJOR >= 2
// softmax(q k^T / sqrt(C)) v of [B, 1, n, C] heads through scaled_dot_product_attention, in
// chunks of `rows` query rows where the scores of all of them would not fit.
at::Tensor chunkedSdpa(const at::Tensor& qh, const at::Tensor& kh, const at::Tensor& vh,
                       std::int64_t rows) {
    const std::int64_t b = qh.size(0), n = qh.size(2), c = qh.size(3);
    if (rows >= n) return at::scaled_dot_product_attention(qh, kh, vh);
    if (qh.is_cuda()) {
        // The fused CUDA kernels need O(n) memory: try them on all rows first. Only the math
        // fallback needs the n x n scores, and it runs out of memory at once.
        try {
            return at::scaled_dot_product_attention(qh, kh, vh);
        } catch (const c10::OutOfMemoryError&) {
            releaseCachedMemory(qh.device());
        }
    }
    at::Tensor out = at::empty({b, 1, n, c}, qh.options());
    for (std::int64_t i = 0; i < n; i += rows) {
        const std::int64_t len = std::min(rows, n - i);
        out.narrow(2, i, len).copy_(at::scaled_dot_product_attention(qh.narrow(2, i, len), kh, vh));
    }
    return out;
}
#endif

} // namespace

at::Tensor addAct(at::Tensor& y, const at::Tensor& x, Activation a, Kernels kernels) {
    if (fastCuda(kernels, y) && cudaAddAct(y, x, a)) return y;
    y.add_(x);
    if (a == Activation::Silu) at::silu_(y);
    if (a == Activation::Relu) at::relu_(y);
    return y;
}

at::Tensor Conv2d::operator()(const at::Tensor& x) const {
    const std::vector<std::int64_t> s{stride, stride};
    const std::vector<std::int64_t> p{padding, padding};
    if (padIn > 0 && x.size(1) + padIn == weight.size(1)) {
        const at::Tensor padded = at::constant_pad_nd(x, {0, 0, 0, 0, 0, padIn}, 0)
                                      .contiguous(at::MemoryFormat::ChannelsLast);
        return at::conv2d(padded, weight, bias, at::IntArrayRef(s), at::IntArrayRef(p));
    }
    return at::conv2d(x, weight, bias, at::IntArrayRef(s), at::IntArrayRef(p));
}

Conv2d Conv2d::load(WeightStore& w, const std::string& name, std::int64_t in, std::int64_t out,
                    std::int64_t kernel, bool withBias, std::int64_t stride, std::int64_t padding) {
    const std::vector<std::int64_t> shape = w.shape(name + ".weight");
    if (out < 0) out = shape.empty() ? 0 : shape[0];
    Conv2d conv;
    conv.weight = w.take(name + ".weight", {out, in, kernel, kernel});
    if (withBias) conv.bias = w.take(name + ".bias", {out});
    conv.stride = stride;
    conv.padding = padding < 0 ? kernel / 2 : padding;
    // cuDNN's fastest convolutions (tensor cores, fused epilogues) are the NHWC ones. Its NHWC
    // kernels for 3 input channels are slow (docs/PERFORMANCE.md): those inputs get zero channels
    // up to 8, with zero weights, the same sums.
    const Kernels kernels = w.kernels();
    if (fastCuda(kernels, conv.weight)) {
        if (in < 8 && kernel > 1) {
            conv.padIn = 8 - in;
            conv.weight = at::constant_pad_nd(conv.weight, {0, 0, 0, 0, 0, conv.padIn}, 0);
        }
        conv.weight = conv.weight.contiguous(at::MemoryFormat::ChannelsLast);
    }
    // CPU fast path (CpuKernels.cpp): float32 and bf16 weights in oneDNN's preferred layout.
    if (kernels == Kernels::Fast && conv.weight.is_cpu()) cpuPrepareConv(conv.weight);
    return conv;
}

at::Tensor GroupNorm::operator()(const at::Tensor& x) const {
    // LibTorch 1.13's CPU GroupNorm is wrong for bf16/fp16 channels-last input (relative error
    // ~0.4): give it a contiguous tensor there. float32 keeps the layout (bit-exact goldens).
    if (x.device().is_cpu() && x.scalar_type() != at::kFloat && !x.is_contiguous())
        return at::group_norm(x.contiguous(), groups, weight, bias, eps);
    return at::group_norm(x, groups, weight, bias, eps);
}

at::Tensor GroupNorm::act(const at::Tensor& x, Activation a, bool inPlace) const {
    if (kernels == Kernels::Fast) {
        at::Tensor out = inPlace ? x : at::Tensor();
        if (x.is_cuda() && cudaGroupNormAct(x, weight, bias, groups, eps, a, out)) return out;
        if (x.is_cpu() && cpuGroupNormAct(x, weight, bias, groups, eps, a, out)) return out;
    }
    at::Tensor y = (*this)(x);
    if (a == Activation::Silu) return siluInPlace(y);
    if (a == Activation::Relu) return reluInPlace(y);
    return y;
}

GroupNorm GroupNorm::load(WeightStore& w, const std::string& name, std::int64_t channels,
                          std::int64_t groups, double eps) {
    if (channels <= 0 || channels % groups != 0)
        throw LoadError(w.where(name + ".weight") + ": " + std::to_string(channels) +
                        " channels cannot form " + std::to_string(groups) + " groups");
    GroupNorm norm;
    norm.weight = w.take(name + ".weight", {channels});
    norm.bias = w.take(name + ".bias", {channels});
    norm.groups = groups;
    norm.eps = eps;
    norm.kernels = w.kernels();
    return norm;
}

at::Tensor ResnetBlock::banded(const at::Tensor& x) const {
    at::Tensor coef;
    if (!cudaGroupNormCoef(x, norm1.weight, norm1.bias, norm1.groups, norm1.eps, coef)) return {};
    const std::int64_t c = x.size(1), height = x.size(2), width = x.size(3);
    const std::int64_t rows = std::max<std::int64_t>(
        1, std::int64_t(kBandBytes / (double(c) * double(width) * double(x.element_size()))));
    // Each band of output rows [r0, r1) reads input rows [a, e): one more on each side, or the
    // image's edge (where the convolution's zero padding is the right answer).
    auto bands = [&](auto&& body) {
        for (std::int64_t r0 = 0; r0 < height; r0 += rows) {
            const std::int64_t r1 = std::min(height, r0 + rows);
            const std::int64_t a = std::max<std::int64_t>(0, r0 - 1);
            const std::int64_t e = std::min(height, r1 + 1);
            body(r0, r1, a, e);
        }
    };
    at::Tensor h = at::empty({1, conv1.outChannels(), height, width},
                             x.options().memory_format(at::MemoryFormat::ChannelsLast));
    bands([&](std::int64_t r0, std::int64_t r1, std::int64_t a, std::int64_t e) {
        at::Tensor t;
        if (!cudaGroupNormApply(x.narrow(2, a, e - a), coef, Activation::Silu, t))
            throw std::runtime_error("GroupNorm band declined");
        h.narrow(2, r0, r1 - r0).copy_(conv1(t).narrow(2, r0 - a, r1 - r0));
    });
    h = norm2.act(h, Activation::Silu, /*inPlace=*/true);
    at::Tensor out = x; // the block's own input: the residual sum lands in it
    bands([&](std::int64_t r0, std::int64_t r1, std::int64_t a, std::int64_t e) {
        at::Tensor dst = out.narrow(2, r0, r1 - r0);
        addAct(dst, conv2(h.narrow(2, a, e - a)).narrow(2, r0 - a, r1 - r0), Activation::None,
               Kernels::Fast);
    });
    return out;
}

at::Tensor ResnetBlock::operator()(const at::Tensor& x) const {
    if (fastCuda(kernels, x) && !shortcut.weight.defined() && x.size(0) == 1 &&
        double(x.numel()) * double(x.element_size()) > kBandedBytes) {
        at::Tensor out = banded(x);
        if (out.defined()) return out;
    }
    at::Tensor h = norm1.act(x, Activation::Silu, /*inPlace=*/false);
    h = conv1(h);
    h = norm2.act(h, Activation::Silu, /*inPlace=*/true);
    h = conv2(h);
    // The same float sums either way. Fast: added into h, which saves a buffer. Reference: the
    // reference's own expressions, because the result takes the layout of the first operand and
    // the next GroupNorm reduces in the order of that layout: the goldens' bits depend on it.
    if (kernels == Kernels::Reference)
        return shortcut.weight.defined() ? shortcut(x).add_(h) : x + h;
    return addAct(h, shortcut.weight.defined() ? shortcut(x) : x, Activation::None, kernels);
}

ResnetBlock ResnetBlock::load(WeightStore& w, const std::string& prefix, std::int64_t in) {
    ResnetBlock b;
    b.kernels = w.kernels();
    b.norm1 = GroupNorm::load(w, prefix + "norm1", in, 32, 1e-6);
    b.conv1 = Conv2d::load(w, prefix + "conv1", in, -1, 3, true);
    const std::int64_t out = b.conv1.outChannels();
    b.norm2 = GroupNorm::load(w, prefix + "norm2", out, 32, 1e-6);
    b.conv2 = Conv2d::load(w, prefix + "conv2", out, out, 3, true);
    if (in != out) {
        // use_conv_shortcut (3x3) is rare; the usual shortcut is the 1x1 nin_shortcut.
        if (w.has(prefix + "conv_shortcut.weight"))
            b.shortcut = Conv2d::load(w, prefix + "conv_shortcut", in, out, 3, true);
        else
            b.shortcut = Conv2d::load(w, prefix + "nin_shortcut", in, out, 1, true);
    }
    return b;
}

at::Tensor AttnBlock::operator()(const at::Tensor& x) const {
    const at::Tensor h = norm.act(x, Activation::None, /*inPlace=*/false);
    if (kernels == Kernels::Reference) {
        at::Tensor y = projOut(referenceAttention(q(h), k(h), v(h)));
        // x + y keeps x's (channels-last) layout where y (from LibTorch 1.13's attention) is
        // NCHW; the next block's GroupNorm and convolutions then run as in the reference.
        return x + y;
    }
    at::Tensor out;
    if (qkv.weight.defined() && h.is_cuda()) {
        const at::Tensor all = qkv(h); // channels-last: q, k, v side by side per position
        const std::int64_t c = x.size(1);
        out = fastAttention(all.narrow(1, 0, c), all.narrow(1, c, c), all.narrow(1, 2 * c, c));
    } else {
        out = fastAttention(q(h), k(h), v(h));
    }
    at::Tensor y = projOut(out);
    return addAct(y, x, Activation::None, kernels);
}

AttnBlock AttnBlock::load(WeightStore& w, const std::string& prefix, std::int64_t channels) {
    AttnBlock a;
    a.kernels = w.kernels();
    a.norm = GroupNorm::load(w, prefix + "norm", channels, 32, 1e-6);
    a.q = Conv2d::load(w, prefix + "q", channels, channels, 1, true);
    a.k = Conv2d::load(w, prefix + "k", channels, channels, 1, true);
    a.v = Conv2d::load(w, prefix + "v", channels, channels, 1, true);
    a.projOut = Conv2d::load(w, prefix + "proj_out", channels, channels, 1, true);
    if (fastCuda(a.kernels, a.q.weight)) {
        a.qkv = a.q;
        a.qkv.weight = at::cat({a.q.weight, a.k.weight, a.v.weight}, 0)
                           .contiguous(at::MemoryFormat::ChannelsLast);
        a.qkv.bias = at::cat({a.q.bias, a.k.bias, a.v.bias}, 0);
    }
    return a;
}

at::Tensor referenceAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
    const std::int64_t b = q.size(0), c = q.size(1), h = q.size(2), w = q.size(3);
    const std::int64_t n = h * w;
    const std::int64_t rows = attentionRows(n, q.element_size());
#if TORCH_VERSION_MAJOR >= 2
    // ComfyUI's pytorch_attention: one head of dimension C over the H*W positions.
    auto heads = [&](const at::Tensor& t) {
        return t.reshape({b, 1, c, n}).transpose(2, 3).contiguous();
    };
    const at::Tensor out = chunkedSdpa(heads(q), heads(k), heads(v), rows);
    return out.transpose(2, 3).reshape({b, c, h, w});
#else
    // ComfyUI's normal_attention / slice_attention, the path PyTorch 1.13 takes.
    const at::Tensor qt = q.reshape({b, c, n}).permute({0, 2, 1}); // b, hw, c
    const at::Tensor kt = k.reshape({b, c, n});                    // b, c, hw
    const at::Tensor vt = v.reshape({b, c, n});
    const double scale = std::pow(double(c), -0.5);
    auto rowsOf = [&](const at::Tensor& queries) {
        at::Tensor s = at::bmm(queries, kt) * scale;
        s = at::softmax(s, 2).permute({0, 2, 1});
        return at::bmm(vt, s); // b, c, rows
    };
    if (rows >= n) return rowsOf(qt).reshape({b, c, h, w});
    at::Tensor out = at::empty({b, c, n}, q.options());
    for (std::int64_t i = 0; i < n; i += rows) {
        const std::int64_t len = std::min(rows, n - i);
        out.narrow(2, i, len).copy_(rowsOf(qt.narrow(1, i, len)));
    }
    return out.reshape({b, c, h, w});
#endif
}

at::Tensor fastAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
    if (q.is_cpu()) {
        at::Tensor out;
        if (cpuAttention(q, k, v, out)) return out;
        return referenceAttention(q, k, v);
    }
#if TORCH_VERSION_MAJOR >= 2
    if (!q.is_cuda()) return referenceAttention(q, k, v);
    // Channels-last tensors already hold each position's C values together: the heads are
    // views, no copies.
    const std::int64_t b = q.size(0), c = q.size(1), h = q.size(2), w = q.size(3);
    const std::int64_t n = h * w;
    auto heads = [&](const at::Tensor& t) { return t.permute({0, 2, 3, 1}).reshape({b, 1, n, c}); };
    const at::Tensor qh = heads(q), kh = heads(k), vh = heads(v);
    at::Tensor out;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 9)
    if (n >= kLargeAttentionPositions && q.scalar_type() != at::kFloat)
        out = largeAttention(qh, kh, vh);
#endif
    if (!out.defined()) out = chunkedSdpa(qh, kh, vh, attentionRows(n, q.element_size()));
    return out.reshape({b, h, w, c}).permute({0, 3, 1, 2});
#else
    return referenceAttention(q, k, v);
#endif
}

double attentionBytes(std::int64_t positions, std::int64_t channels, std::size_t elementSize) {
    const std::int64_t rows = attentionRows(positions, elementSize);
    return double(rows) * double(positions) * double(std::max<std::size_t>(elementSize, 4)) * 3.0 +
           double(positions) * double(channels) * double(elementSize) * 4.0;
}

at::Tensor downsample(const Conv2d& conv, const at::Tensor& x) {
    const std::vector<std::int64_t> pad{0, 1, 0, 1};
    return conv(at::constant_pad_nd(x, at::IntArrayRef(pad), 0));
}

at::Tensor upsampleNearest2x(const at::Tensor& x, Kernels kernels) {
    // The same values; ATen's kernel keeps a channels-last layout where the reshape would not.
    if (fastCuda(kernels, x)) return at::upsample_nearest2d(x, {x.size(2) * 2, x.size(3) * 2});
    const std::int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    return x.reshape({b, c, h, 1, w, 1}).expand({b, c, h, 2, w, 2}).reshape({b, c, h * 2, w * 2});
}

at::Tensor pack2x2(const at::Tensor& z) {
    const std::int64_t b = z.size(0), c = z.size(1), h = z.size(2) / 2, w = z.size(3) / 2;
    return z.reshape({b, c, h, 2, w, 2}).permute({0, 1, 3, 5, 2, 4}).reshape({b, c * 4, h, w});
}

at::Tensor unpack2x2(const at::Tensor& z) {
    const std::int64_t b = z.size(0), c = z.size(1) / 4, h = z.size(2), w = z.size(3);
    return z.reshape({b, c, 2, 2, h, w}).permute({0, 1, 4, 2, 5, 3}).reshape({b, c, h * 2, w * 2});
}

} // namespace lb::vae
