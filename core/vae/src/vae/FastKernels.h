// FastKernels: the fused operations of the fast kernel path, for at::Tensor. Each returns false
// when it does not handle the case (wrong device, layout or dtype; kernels not built), and the
// caller then runs the plain ATen operations.
#pragma once

#include <torch/types.h>

#include <cstdint>

namespace lb::vae {

enum class Activation { None, Silu, Relu };

// CUDA (CudaGlue.cpp, built when LibTorch has CUDA and nvcc is present): GroupNorm + activation
// of a channels-last CUDA tensor into `out` (allocated here when undefined; may be x itself).
bool cudaGroupNormAct(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                      std::int64_t groups, double eps, Activation act, at::Tensor& out);
// GroupNorm in two steps for tensors processed in bands (batch 1): the per-channel coefficients
// of the whole of x, then act(norm(band)) of any band of rows of x into `out` (allocated here
// when undefined).
bool cudaGroupNormCoef(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                       std::int64_t groups, double eps, at::Tensor& coef);
bool cudaGroupNormApply(const at::Tensor& band, const at::Tensor& coef, Activation act,
                        at::Tensor& out);
// y = act(y + x) in place, both channels-last CUDA tensors of one shape and dtype.
bool cudaAddAct(at::Tensor& y, const at::Tensor& x, Activation act);
// Whether the CUDA kernels were compiled in.
bool cudaKernelsBuilt();

// CPU (CpuKernels.cpp): GroupNorm + activation of a float32 CPU tensor into `out` (allocated here
// when undefined; may be x itself).
bool cpuGroupNormAct(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                     std::int64_t groups, double eps, Activation act, at::Tensor& out);
// A float32 or bfloat16 CPU convolution weight in the layout the fast path convolves with
// (channels-last: oneDNN then takes channels-last activations without converting the weight on
// every call; in bf16 this is what lets a CPU with native bf16 (AVX-512 BF16, AMX) run its bf16
// kernels: TAEF2's encode + decode at 512x512 on 2 cores went 1.65x faster than float32 instead of
// no faster). Other weights are left as they are.
void cpuPrepareConv(at::Tensor& weight);
// Single-head attention of [B, C, H, W] float32 CPU q, k, v over the H*W positions,
// softmax(q^T k / sqrt(C)) as ComfyUI's AttnBlock computes it, into `out` (channels-last).
bool cpuAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, at::Tensor& out);

} // namespace lb::vae
