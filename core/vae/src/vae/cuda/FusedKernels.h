// FusedKernels: CUDA kernels of the fast path, compiled by nvcc without any LibTorch header
// (raw pointers and a cudaStream_t passed as void*), so that they build wherever nvcc is, even
// next to a CPU-only LibTorch. CudaGlue.cpp wraps them for at::Tensor.
#pragma once

#include <cstdint>

namespace lb::cuda {

enum class DType : int { F32 = 0, F16 = 1, BF16 = 2 };
enum class Act : int { None = 0, Silu = 1, Relu = 2 };

// Elements one thread reads at a time (16 bytes).
constexpr int vectorWidth(DType t) {
    return t == DType::F32 ? 4 : 8;
}

// Whether groupNormAct handles this shape: channels a multiple of the vector width and of the
// groups, a vector of channels within one 256-thread block.
bool groupNormActSupported(DType t, std::int64_t channels, std::int64_t groups);

// Blocks of the statistics pass for `pixels` positions of `channels` (the `partial` buffer holds
// batch * statsBlocks * groups * 2 floats).
int groupNormStatsBlocks(DType t, std::int64_t pixels, std::int64_t channels);

// GroupNorm over an NHWC tensor [batch, pixels, channels] (channels-last [B, C, H, W]), then an
// optional activation: y = act((x - mean_g) * rstd_g * gamma_c + beta_c). Statistics in float
// (sums of x - x[first pixel] per group, combined in double); y may alias x. gamma and beta are
// of the same dtype as x. `coef` holds batch * channels * 2 floats. Returns a cudaError_t.
int groupNormAct(DType t, const void* x, void* y, const void* gamma, const void* beta,
                 std::int64_t batch, std::int64_t pixels, std::int64_t channels,
                 std::int64_t groups, float eps, Act act, float* partial, int statsBlocks,
                 float* coef, void* stream);

// The two halves of groupNormAct, for large tensors processed in bands: the per-channel
// (scale, offset) of every (batch, channel) into `coef`, then y = act(x * scale + offset) over
// any run of whole pixels of one batch entry (`coefBatch` picks its coefficients).
int groupNormCoef(DType t, const void* x, const void* gamma, const void* beta, std::int64_t batch,
                  std::int64_t pixels, std::int64_t channels, std::int64_t groups, float eps,
                  float* partial, int statsBlocks, float* coef, void* stream);
int groupNormApplyCoef(DType t, const void* x, void* y, std::int64_t pixels, std::int64_t channels,
                       const float* coef, Act act, void* stream);

// y = act(y + x) elementwise over n elements (in place on y): residual adds with an activation.
int addAct(DType t, void* y, const void* x, std::int64_t n, Act act, void* stream);

} // namespace lb::cuda
