// VaeLayers: the building blocks ComfyUI's VAE classes are made of (conv, GroupNorm, ResnetBlock,
// single-head AttnBlock, Downsample, Upsample) as small structs loaded from a WeightStore.
#pragma once

#include "vae/FastKernels.h"
#include "vae/VaeWeights.h"

#include <torch/types.h>

#include <cstdint>
#include <string>

namespace lb::vae {

// Each layer that behaves differently per Kernels (see latentbrush/Vae.h) keeps the kernels it
// was loaded for (WeightStore::kernels()), fixed from then on: its weights' layout depends on
// them. Layers built by hand default to Reference.
// - Reference: ComfyUI's ATen calls in its order and layouts.
// - Fast: channels-last weights and activations on CUDA, fused GroupNorm + activation and
//   residual kernels, q/k/v as one convolution; oneDNN layouts and attention on the CPU.

// In-place activations on a tensor the caller no longer needs (SiLU(inplace=True),
// ReLU(inplace=True)).
inline at::Tensor siluInPlace(at::Tensor x) {
    at::silu_(x);
    return x;
}
inline at::Tensor reluInPlace(at::Tensor x) {
    at::relu_(x);
    return x;
}

// act(y + x), in place on y (a result the caller owns), through the fused CUDA kernel with Fast
// kernels. Float sums are commutative: the same numbers as x + y.
at::Tensor addAct(at::Tensor& y, const at::Tensor& x, Activation a, Kernels kernels);

// nn.Conv2d: weight [O, I, k, k], optional bias [O].
struct Conv2d {
    at::Tensor weight;
    at::Tensor bias; // undefined when the layer has none
    std::int64_t stride = 1;
    std::int64_t padding = 0;
    std::int64_t padIn = 0; // fast CUDA path: zero input channels appended to the weight

    at::Tensor operator()(const at::Tensor& x) const;
    std::int64_t outChannels() const { return weight.size(0); }
    std::int64_t inChannels() const { return weight.size(1) - padIn; }

    // Loads `<name>.weight` (and `<name>.bias` when `withBias`). `out` < 0 reads the output
    // channels from the file; `in` is always checked.
    static Conv2d load(WeightStore& w, const std::string& name, std::int64_t in, std::int64_t out,
                       std::int64_t kernel, bool withBias, std::int64_t stride = 1,
                       std::int64_t padding = -1);
};

// nn.GroupNorm(groups, channels, eps, affine=True).
struct GroupNorm {
    at::Tensor weight;
    at::Tensor bias;
    std::int64_t groups = 32;
    double eps = 1e-6;
    Kernels kernels = Kernels::Reference; // Fast: act() through the fused kernels

    at::Tensor operator()(const at::Tensor& x) const;
    // act(norm(x)); `inPlace`: x is not needed afterwards and may be overwritten.
    at::Tensor act(const at::Tensor& x, Activation a, bool inPlace) const;
    static GroupNorm load(WeightStore& w, const std::string& name, std::int64_t channels,
                          std::int64_t groups, double eps);
};

// model.py ResnetBlock (no timestep embedding, dropout 0):
// x + conv2(silu(norm2(conv1(silu(norm1(x)))))), x through nin_shortcut when channels change.
struct ResnetBlock {
    GroupNorm norm1;
    Conv2d conv1;
    GroupNorm norm2;
    Conv2d conv2;
    Conv2d shortcut; // weight undefined when in == out
    Kernels kernels = Kernels::Reference;

    at::Tensor operator()(const at::Tensor& x) const;
    std::int64_t outChannels() const { return conv2.outChannels(); }
    // Fast CUDA path for large activations (batch 1, no shortcut): the convolutions run over
    // bands of rows (GroupNorm statistics of the whole tensor first) and the result is added
    // into x itself, so that the block holds two full tensors instead of three. x must be the
    // block's own input, which no one reads afterwards (always so inside the networks).
    // Returns an undefined tensor when the kernels decline.
    at::Tensor banded(const at::Tensor& x) const;
    static ResnetBlock load(WeightStore& w, const std::string& prefix, std::int64_t in);
};

// model.py AttnBlock: GroupNorm, 1x1 q/k/v convs, single-head softmax(q k^T / sqrt(C)) v over
// all positions, 1x1 proj_out, residual.
struct AttnBlock {
    GroupNorm norm;
    Conv2d q, k, v, projOut;
    Conv2d qkv; // fast path: q, k, v stacked into one 1x1 convolution (weight undefined otherwise)
    Kernels kernels = Kernels::Reference;

    at::Tensor operator()(const at::Tensor& x) const;
    static AttnBlock load(WeightStore& w, const std::string& prefix, std::int64_t channels);
};

// Single-head attention softmax(q k^T / sqrt(C)) v of [B, C, H, W] q, k, v over the H*W
// positions (ComfyUI's optimized_attention for VAEs), chunked over query rows so that large
// latents fit in memory.
// Reference: LibTorch 2.x scaled_dot_product_attention on NCHW heads; 1.13 matmul + softmax
// (ComfyUI's normal_attention / slice_attention).
at::Tensor referenceAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v);
// Fast: on the CPU float32 through oneDNN (CpuKernels.cpp); on CUDA SDPA over channels-last
// views (no copies), from 65536 positions in half precision row chunks of two cuBLAS products.
// Elsewhere, and for what those decline, referenceAttention.
at::Tensor fastAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v);
// Bytes the attention of n positions of c channels needs beyond q, k, v and the output.
double attentionBytes(std::int64_t positions, std::int64_t channels, std::size_t elementSize);

// model.py Downsample: pad (0, 1, 0, 1) with zeros, then a 3x3 stride-2 convolution.
at::Tensor downsample(const Conv2d& conv, const at::Tensor& x);
// Nearest-neighbour 2x upsampling (F.interpolate(scale_factor=2.0, mode="nearest")); with Fast
// kernels on CUDA through ATen's kernel, which keeps a channels-last layout.
at::Tensor upsampleNearest2x(const at::Tensor& x, Kernels kernels);

// [B, c, 2i, 2j] -> [B, 4c, i, j], channel 4c' + 2*pi + pj
// (reshape(B,c,i,2,j,2).permute(0,1,3,5,2,4)).
at::Tensor pack2x2(const at::Tensor& z);
at::Tensor unpack2x2(const at::Tensor& z);

} // namespace lb::vae
