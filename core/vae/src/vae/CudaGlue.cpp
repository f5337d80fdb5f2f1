// CudaGlue: at::Tensor wrappers of cuda/FusedKernels (the raw-pointer kernels) on the current
// CUDA stream. Without CUDA kernels every wrapper declines and the plain path runs.
#include "vae/FastKernels.h"

#if LATENTBRUSH_CUDA_KERNELS
#include "vae/cuda/FusedKernels.h"

#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

#include <stdexcept>
#include <string>

namespace lb::vae {

#if LATENTBRUSH_CUDA_KERNELS
namespace {

bool kernelDType(at::ScalarType s, cuda::DType* out) {
    switch (s) {
    case at::kFloat:
        *out = cuda::DType::F32;
        return true;
    case at::kHalf:
        *out = cuda::DType::F16;
        return true;
    case at::kBFloat16:
        *out = cuda::DType::BF16;
        return true;
    default:
        return false;
    }
}

cuda::Act kernelAct(Activation a) {
    return a == Activation::Silu   ? cuda::Act::Silu
           : a == Activation::Relu ? cuda::Act::Relu
                                   : cuda::Act::None;
}

bool channelsLast(const at::Tensor& t) {
    return t.dim() == 4 && t.is_contiguous(at::MemoryFormat::ChannelsLast);
}

void check(int error, const char* what) {
    if (error != 0)
        throw std::runtime_error(std::string(what) + ": CUDA error " + std::to_string(error));
}

} // namespace

bool cudaKernelsBuilt() {
    return true;
}

bool cudaGroupNormAct(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                      std::int64_t groups, double eps, Activation act, at::Tensor& out) {
    cuda::DType t{};
    if (!x.is_cuda() || !channelsLast(x) || !kernelDType(x.scalar_type(), &t)) return false;
    const std::int64_t b = x.size(0), c = x.size(1), pixels = x.size(2) * x.size(3);
    if (pixels == 0 || !cuda::groupNormActSupported(t, c, groups)) return false;
    if (weight.scalar_type() != x.scalar_type() || bias.scalar_type() != x.scalar_type() ||
        !weight.is_contiguous() || !bias.is_contiguous() || weight.device() != x.device())
        return false;
    if (reinterpret_cast<std::uintptr_t>(x.data_ptr()) % 16 != 0) return false;
    if (!out.defined()) out = at::empty_like(x, at::MemoryFormat::ChannelsLast);
    if (!channelsLast(out) || reinterpret_cast<std::uintptr_t>(out.data_ptr()) % 16 != 0)
        return false;
    const c10::cuda::CUDAGuard guard(x.device());
    const int blocks = cuda::groupNormStatsBlocks(t, pixels, c);
    const auto f32 = x.options().dtype(at::kFloat);
    at::Tensor partial = at::empty({b * blocks * groups * 2}, f32);
    at::Tensor coef = at::empty({b * c * 2}, f32);
    check(cuda::groupNormAct(t, x.data_ptr(), out.data_ptr(), weight.data_ptr(), bias.data_ptr(), b,
                             pixels, c, groups, float(eps), kernelAct(act),
                             partial.data_ptr<float>(), blocks, coef.data_ptr<float>(),
                             c10::cuda::getCurrentCUDAStream(x.device().index()).stream()),
          "GroupNorm");
    return true;
}

bool cudaGroupNormCoef(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                       std::int64_t groups, double eps, at::Tensor& coef) {
    cuda::DType t{};
    if (!x.is_cuda() || x.size(0) != 1 || !channelsLast(x) || !kernelDType(x.scalar_type(), &t))
        return false;
    const std::int64_t c = x.size(1), pixels = x.size(2) * x.size(3);
    if (pixels == 0 || !cuda::groupNormActSupported(t, c, groups)) return false;
    if (weight.scalar_type() != x.scalar_type() || bias.scalar_type() != x.scalar_type() ||
        !weight.is_contiguous() || !bias.is_contiguous() || weight.device() != x.device() ||
        reinterpret_cast<std::uintptr_t>(x.data_ptr()) % 16 != 0)
        return false;
    const c10::cuda::CUDAGuard guard(x.device());
    const int blocks = cuda::groupNormStatsBlocks(t, pixels, c);
    const auto f32 = x.options().dtype(at::kFloat);
    at::Tensor partial = at::empty({blocks * groups * 2}, f32);
    coef = at::empty({c * 2}, f32);
    check(cuda::groupNormCoef(t, x.data_ptr(), weight.data_ptr(), bias.data_ptr(), 1, pixels, c,
                              groups, float(eps), partial.data_ptr<float>(), blocks,
                              coef.data_ptr<float>(),
                              c10::cuda::getCurrentCUDAStream(x.device().index()).stream()),
          "GroupNorm");
    return true;
}

bool cudaGroupNormApply(const at::Tensor& band, const at::Tensor& coef, Activation act,
                        at::Tensor& out) {
    cuda::DType t{};
    if (!band.is_cuda() || band.size(0) != 1 || !channelsLast(band) ||
        !kernelDType(band.scalar_type(), &t) || coef.numel() != band.size(1) * 2 ||
        reinterpret_cast<std::uintptr_t>(band.data_ptr()) % 16 != 0)
        return false;
    if (!out.defined()) out = at::empty_like(band, at::MemoryFormat::ChannelsLast);
    if (!channelsLast(out) || out.sizes() != band.sizes() ||
        reinterpret_cast<std::uintptr_t>(out.data_ptr()) % 16 != 0)
        return false;
    const c10::cuda::CUDAGuard guard(band.device());
    check(cuda::groupNormApplyCoef(t, band.data_ptr(), out.data_ptr(), band.size(2) * band.size(3),
                                   band.size(1), coef.data_ptr<float>(), kernelAct(act),
                                   c10::cuda::getCurrentCUDAStream(band.device().index()).stream()),
          "GroupNorm");
    return true;
}

bool cudaAddAct(at::Tensor& y, const at::Tensor& x, Activation act) {
    cuda::DType t{};
    if (!y.is_cuda() || !kernelDType(y.scalar_type(), &t) || x.scalar_type() != y.scalar_type() ||
        x.sizes() != y.sizes() || x.device() != y.device())
        return false;
    const bool sameLayout =
        (channelsLast(x) && channelsLast(y)) || (x.is_contiguous() && y.is_contiguous());
    if (!sameLayout || reinterpret_cast<std::uintptr_t>(x.data_ptr()) % 16 != 0 ||
        reinterpret_cast<std::uintptr_t>(y.data_ptr()) % 16 != 0)
        return false;
    const c10::cuda::CUDAGuard guard(y.device());
    check(cuda::addAct(t, y.data_ptr(), x.data_ptr(), y.numel(), kernelAct(act),
                       c10::cuda::getCurrentCUDAStream(y.device().index()).stream()),
          "residual add");
    return true;
}

#else

bool cudaKernelsBuilt() {
    return false;
}
bool cudaGroupNormAct(const at::Tensor&, const at::Tensor&, const at::Tensor&, std::int64_t, double,
                      Activation, at::Tensor&) {
    return false;
}
bool cudaAddAct(at::Tensor&, const at::Tensor&, Activation) {
    return false;
}
bool cudaGroupNormCoef(const at::Tensor&, const at::Tensor&, const at::Tensor&, std::int64_t,
                       double, at::Tensor&) {
    return false;
}
bool cudaGroupNormApply(const at::Tensor&, const at::Tensor&, Activation, at::Tensor&) {
    return false;
}

#endif

} // namespace lb::vae
