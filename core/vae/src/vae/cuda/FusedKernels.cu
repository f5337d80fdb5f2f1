// FusedKernels: GroupNorm + activation over channels-last tensors in two memory passes (eager
// PyTorch makes five: a layout copy, the statistics, the normalisation, the activation's read and
// write), and residual add + activation in one.
#include "FusedKernels.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>

namespace lb::cuda {
namespace {

constexpr int kThreads = 256;

template <typename T> struct Traits;
template <> struct Traits<float> {
    static __device__ float toFloat(float v) { return v; }
    static __device__ float fromFloat(float v) { return v; }
};
template <> struct Traits<__half> {
    static __device__ float toFloat(__half v) { return __half2float(v); }
    static __device__ __half fromFloat(float v) { return __float2half_rn(v); }
};
template <> struct Traits<__nv_bfloat16> {
    static __device__ float toFloat(__nv_bfloat16 v) { return __bfloat162float(v); }
    static __device__ __nv_bfloat16 fromFloat(float v) { return __float2bfloat16_rn(v); }
};

// 16 bytes of T.
template <typename T> struct alignas(16) Vec {
    static constexpr int N = 16 / int(sizeof(T));
    T v[N];
};

__device__ inline float activate(float y, Act act) {
    if (act == Act::Silu) return y / (1.0f + expf(-y));
    if (act == Act::Relu) return y > 0.0f ? y : 0.0f;
    return y;
}

// grid (statsBlocks, batch). Thread t reads vectors of channels lane*N .. lane*N+N-1 of pixels
// row, row + rows, ... of this block's pixel range; sums of (x - shift_g) and their squares per
// channel, then per group, go to partial[b][block][g].
template <typename T>
__global__ void groupNormStats(const T* __restrict__ x, std::int64_t pixels, int channels,
                               int groups, float* __restrict__ partial) {
    using V = Vec<T>;
    constexpr int N = V::N;
    const int lanes = channels / N;
    const int rows = kThreads / lanes;
    const int lane = int(threadIdx.x) % lanes;
    const int row = int(threadIdx.x) / lanes;
    const int b = int(blockIdx.y);
    const int cg = channels / groups;
    const T* xb = x + std::int64_t(b) * pixels * channels;

    float shift[N];
    for (int i = 0; i < N; ++i)
        shift[i] = Traits<T>::toFloat(xb[((lane * N + i) / cg) * cg]);

    const std::int64_t per = (pixels + gridDim.x - 1) / gridDim.x;
    const std::int64_t p0 = std::int64_t(blockIdx.x) * per;
    const std::int64_t p1 = min(pixels, p0 + per);
    float s1[N] = {}, s2[N] = {};
    if (row < rows) {
        for (std::int64_t p = p0 + row; p < p1; p += rows) {
            const V v = *reinterpret_cast<const V*>(xb + p * channels + lane * N);
            for (int i = 0; i < N; ++i) {
                const float d = Traits<T>::toFloat(v.v[i]) - shift[i];
                s1[i] += d;
                s2[i] += d * d;
            }
        }
    }
    // Per channel over the rows of the block, then per group.
    __shared__ float red1[kThreads * 8];
    __shared__ float red2[kThreads * 8];
    for (int i = 0; i < N; ++i) {
        red1[threadIdx.x * N + i] = row < rows ? s1[i] : 0.0f;
        red2[threadIdx.x * N + i] = row < rows ? s2[i] : 0.0f;
    }
    __syncthreads();
    // red[(row * lanes + lane) * N + i] holds channel lane * N + i of `row`.
    for (int g = int(threadIdx.x); g < groups; g += kThreads) {
        float a = 0.0f, q = 0.0f;
        for (int r = 0; r < rows; ++r)
            for (int c = g * cg; c < (g + 1) * cg; ++c) {
                a += red1[r * channels + c];
                q += red2[r * channels + c];
            }
        float* out = partial + ((std::int64_t(b) * gridDim.x + blockIdx.x) * groups + g) * 2;
        out[0] = a;
        out[1] = q;
    }
}

// One thread per (b, c): the group's mean and variance from the partial sums (in double), then
// coef[b][c] = (scale, offset) with y = x * scale + offset.
template <typename T>
__global__ void groupNormFinalize(const T* __restrict__ x, const T* __restrict__ gamma,
                                  const T* __restrict__ beta, std::int64_t batch,
                                  std::int64_t pixels, int channels, int groups, int statsBlocks,
                                  float eps, const float* __restrict__ partial,
                                  float* __restrict__ coef) {
    const std::int64_t i = std::int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= batch * channels) return;
    const int b = int(i / channels);
    const int c = int(i % channels);
    const int cg = channels / groups;
    const int g = c / cg;
    double s1 = 0.0, s2 = 0.0;
    for (int k = 0; k < statsBlocks; ++k) {
        const float* p = partial + ((std::int64_t(b) * statsBlocks + k) * groups + g) * 2;
        s1 += double(p[0]);
        s2 += double(p[1]);
    }
    const double n = double(pixels) * double(cg);
    const double shift =
        double(Traits<T>::toFloat(x[std::int64_t(b) * pixels * channels + g * cg]));
    const double dm = s1 / n;
    const double var = fmax(s2 / n - dm * dm, 0.0);
    const double mean = shift + dm;
    const float rstd = float(1.0 / sqrt(var + double(eps)));
    const float scale = rstd * Traits<T>::toFloat(gamma[c]);
    coef[i * 2] = scale;
    coef[i * 2 + 1] = Traits<T>::toFloat(beta[c]) - float(mean) * scale;
}

template <typename T>
__global__ void groupNormApply(const T* __restrict__ x, T* y, std::int64_t vectors,
                               std::int64_t pixels, int channels, const float* __restrict__ coef,
                               Act act) {
    using V = Vec<T>;
    constexpr int N = V::N;
    const int lanes = channels / N;
    for (std::int64_t i = std::int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < vectors;
         i += std::int64_t(gridDim.x) * blockDim.x) {
        const int lane = int(i % lanes);
        const std::int64_t b = i / (pixels * lanes);
        const float* k = coef + (b * channels + lane * N) * 2;
        V v = reinterpret_cast<const V*>(x)[i];
        for (int j = 0; j < N; ++j) {
            const float f = Traits<T>::toFloat(v.v[j]) * k[2 * j] + k[2 * j + 1];
            v.v[j] = Traits<T>::fromFloat(activate(f, act));
        }
        reinterpret_cast<V*>(y)[i] = v;
    }
}

template <typename T>
__global__ void addActKernel(T* y, const T* __restrict__ x, std::int64_t n, Act act) {
    using V = Vec<T>;
    constexpr int N = V::N;
    const std::int64_t vectors = n / N;
    const std::int64_t stride = std::int64_t(gridDim.x) * blockDim.x;
    for (std::int64_t i = std::int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < vectors;
         i += stride) {
        V a = reinterpret_cast<V*>(y)[i];
        const V b = reinterpret_cast<const V*>(x)[i];
        for (int j = 0; j < N; ++j)
            a.v[j] = Traits<T>::fromFloat(
                activate(Traits<T>::toFloat(a.v[j]) + Traits<T>::toFloat(b.v[j]), act));
        reinterpret_cast<V*>(y)[i] = a;
    }
    for (std::int64_t i = vectors * N + std::int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
         i += stride)
        y[i] = Traits<T>::fromFloat(
            activate(Traits<T>::toFloat(y[i]) + Traits<T>::toFloat(x[i]), act));
}

int gridFor(std::int64_t work) {
    return int(std::clamp<std::int64_t>((work + kThreads - 1) / kThreads, 1, 132 * 16));
}

template <typename T>
int runGroupNormCoef(const void* x, const void* gamma, const void* beta, std::int64_t batch,
                     std::int64_t pixels, std::int64_t channels, std::int64_t groups, float eps,
                     float* partial, int statsBlocks, float* coef, cudaStream_t stream) {
    const T* xt = static_cast<const T*>(x);
    groupNormStats<T><<<dim3(unsigned(statsBlocks), unsigned(batch)), kThreads, 0, stream>>>(
        xt, pixels, int(channels), int(groups), partial);
    const std::int64_t bc = batch * channels;
    groupNormFinalize<T><<<unsigned((bc + kThreads - 1) / kThreads), kThreads, 0, stream>>>(
        xt, static_cast<const T*>(gamma), static_cast<const T*>(beta), batch, pixels, int(channels),
        int(groups), statsBlocks, eps, partial, coef);
    return int(cudaGetLastError());
}

template <typename T>
int runApplyCoef(const void* x, void* y, std::int64_t batch, std::int64_t pixels,
                 std::int64_t channels, const float* coef, Act act, cudaStream_t stream) {
    const std::int64_t vectors = batch * pixels * channels / Vec<T>::N;
    groupNormApply<T><<<unsigned(gridFor(vectors)), kThreads, 0, stream>>>(
        static_cast<const T*>(x), static_cast<T*>(y), vectors, pixels, int(channels), coef, act);
    return int(cudaGetLastError());
}

template <typename T>
int runGroupNormAct(const void* x, void* y, const void* gamma, const void* beta, std::int64_t batch,
                    std::int64_t pixels, std::int64_t channels, std::int64_t groups, float eps,
                    Act act, float* partial, int statsBlocks, float* coef, cudaStream_t stream) {
    const int e = runGroupNormCoef<T>(x, gamma, beta, batch, pixels, channels, groups, eps, partial,
                                      statsBlocks, coef, stream);
    if (e != 0) return e;
    return runApplyCoef<T>(x, y, batch, pixels, channels, coef, act, stream);
}

} // namespace

bool groupNormActSupported(DType t, std::int64_t channels, std::int64_t groups) {
    const int n = vectorWidth(t);
    if (groups <= 0 || channels <= 0 || channels % groups != 0 || channels % n != 0) return false;
    const std::int64_t lanes = channels / n;
    return lanes <= kThreads; // rows * lanes <= kThreads: the reduction fits its shared memory
}

int groupNormStatsBlocks(DType t, std::int64_t pixels, std::int64_t channels) {
    // about 32 vectors per thread, at most 1024 blocks
    const std::int64_t vectors = pixels * channels / vectorWidth(t);
    return int(std::clamp<std::int64_t>(vectors / (std::int64_t(kThreads) * 32), 1, 1024));
}

int groupNormAct(DType t, const void* x, void* y, const void* gamma, const void* beta,
                 std::int64_t batch, std::int64_t pixels, std::int64_t channels,
                 std::int64_t groups, float eps, Act act, float* partial, int statsBlocks,
                 float* coef, void* stream) {
    const auto s = static_cast<cudaStream_t>(stream);
    switch (t) {
    case DType::F32:
        return runGroupNormAct<float>(x, y, gamma, beta, batch, pixels, channels, groups, eps, act,
                                      partial, statsBlocks, coef, s);
    case DType::F16:
        return runGroupNormAct<__half>(x, y, gamma, beta, batch, pixels, channels, groups, eps, act,
                                       partial, statsBlocks, coef, s);
    case DType::BF16:
        return runGroupNormAct<__nv_bfloat16>(x, y, gamma, beta, batch, pixels, channels, groups,
                                              eps, act, partial, statsBlocks, coef, s);
    }
    return int(cudaErrorInvalidValue);
}

int groupNormCoef(DType t, const void* x, const void* gamma, const void* beta, std::int64_t batch,
                  std::int64_t pixels, std::int64_t channels, std::int64_t groups, float eps,
                  float* partial, int statsBlocks, float* coef, void* stream) {
    const auto s = static_cast<cudaStream_t>(stream);
    switch (t) {
    case DType::F32:
        return runGroupNormCoef<float>(x, gamma, beta, batch, pixels, channels, groups, eps,
                                       partial, statsBlocks, coef, s);
    case DType::F16:
        return runGroupNormCoef<__half>(x, gamma, beta, batch, pixels, channels, groups, eps,
                                        partial, statsBlocks, coef, s);
    case DType::BF16:
        return runGroupNormCoef<__nv_bfloat16>(x, gamma, beta, batch, pixels, channels, groups, eps,
                                               partial, statsBlocks, coef, s);
    }
    return int(cudaErrorInvalidValue);
}

int groupNormApplyCoef(DType t, const void* x, void* y, std::int64_t pixels, std::int64_t channels,
                       const float* coef, Act act, void* stream) {
    const auto s = static_cast<cudaStream_t>(stream);
    switch (t) {
    case DType::F32:
        return runApplyCoef<float>(x, y, 1, pixels, channels, coef, act, s);
    case DType::F16:
        return runApplyCoef<__half>(x, y, 1, pixels, channels, coef, act, s);
    case DType::BF16:
        return runApplyCoef<__nv_bfloat16>(x, y, 1, pixels, channels, coef, act, s);
    }
    return int(cudaErrorInvalidValue);
}

int addAct(DType t, void* y, const void* x, std::int64_t n, Act act, void* stream) {
    const auto s = static_cast<cudaStream_t>(stream);
    const unsigned grid = unsigned(gridFor(n / vectorWidth(t) + 1));
    switch (t) {
    case DType::F32:
        addActKernel<float><<<grid, kThreads, 0, s>>>(static_cast<float*>(y),
                                                      static_cast<const float*>(x), n, act);
        break;
    case DType::F16:
        addActKernel<__half><<<grid, kThreads, 0, s>>>(static_cast<__half*>(y),
                                                       static_cast<const __half*>(x), n, act);
        break;
    case DType::BF16:
        addActKernel<__nv_bfloat16><<<grid, kThreads, 0, s>>>(
            static_cast<__nv_bfloat16*>(y), static_cast<const __nv_bfloat16*>(x), n, act);
        break;
    }
    return int(cudaGetLastError());
}

} // namespace lb::cuda
