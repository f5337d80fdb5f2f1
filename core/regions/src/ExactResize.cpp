// PyTorch 1.13's CPU F.interpolate on float32, reproduced step by step (aten/src/ATen/native/
// UpSample.h, cpu/UpSampleKernel.cpp, cpu/AdaptiveAvgPoolKernel.cpp): the same index and weight
// formulas in the same precision, and the same order of float operations. The linear and cubic
// kernels interpolate along the width first, then combine rows; since a row's value does not
// depend on the output row, the width pass is done once per source row (separable, same bits).
#include "latentbrush/regions/ExactResize.h"

#include "latentbrush/Parallel.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace lb::regions {
namespace {

// area_pixel_compute_scale<float>: input / output in float (no scale factor given).
float computeScale(int in, int out) {
    return static_cast<float>(in) / static_cast<float>(out);
}

// area_pixel_compute_source_index: scale * (dst + 0.5) - 0.5 with a float scale and double
// literals, kept in double (PyTorch's CPU accumulate type for float); weights rounded to float.
double sourceIndex(float scale, int dst) {
    return static_cast<double>(scale) * (dst + 0.5) - 0.5;
}

// Taps of one axis: `taps` source indices and weights per output index.
struct AxisTaps {
    int taps = 0;
    std::vector<int> index;    // out * taps
    std::vector<float> weight; // out * taps
};

AxisTaps linearTaps(int in, int out) {
    AxisTaps a;
    a.taps = 2;
    a.index.resize(std::size_t(out) * 2);
    a.weight.resize(std::size_t(out) * 2);
    const float scale = computeScale(in, out);
    for (int d = 0; d < out; ++d) {
        int i0, i1;
        float l0, l1;
        if (in == out) {
            i0 = i1 = d;
            l0 = 1.0f;
            l1 = 0.0f;
        } else {
            const double real = std::max(sourceIndex(scale, d), 0.0);
            i0 = static_cast<int>(real);
            i1 = i0 + ((i0 < in - 1) ? 1 : 0);
            l1 = static_cast<float>(std::min(std::max(real - i0, 0.0), 1.0));
            l0 = 1.0f - l1;
        }
        a.index[2 * d] = i0;
        a.index[2 * d + 1] = i1;
        a.weight[2 * d] = l0;
        a.weight[2 * d + 1] = l1;
    }
    return a;
}

constexpr float kCubicA = -0.75f;
// PyTorch's CPU kernels are built with FMA contraction: the coefficient polynomials (whose terms
// cancel to a small result for the outer taps) are evaluated as fused multiply-adds, which
// brings them from ~1e-6 to ~1e-7 of PyTorch's values.
float cubicConvolution1(float x, float A) {
    return std::fma(std::fma(A + 2, x, -(A + 3)) * x, x, 1.0f);
}
float cubicConvolution2(float x, float A) {
    return std::fma(std::fma(std::fma(A, x, -5 * A), x, 8 * A), x, -4 * A);
}

AxisTaps cubicTaps(int in, int out) {
    AxisTaps a;
    a.taps = 4;
    a.index.resize(std::size_t(out) * 4);
    a.weight.resize(std::size_t(out) * 4);
    const float scale = computeScale(in, out);
    for (int d = 0; d < out; ++d) {
        // the source index in double (float scale, double literals), t rounded to float
        const double real = sourceIndex(scale, d);
        const std::int64_t index = std::min(static_cast<std::int64_t>(std::floor(real)),
                                            static_cast<std::int64_t>(in - 1));
        const float t = static_cast<float>(std::min(std::max(real - double(index), 0.0), 1.0));
        const float x1 = t;
        const float x2 = static_cast<float>(1.0 - static_cast<double>(t));
        float* w = &a.weight[std::size_t(d) * 4];
        w[0] = cubicConvolution2(static_cast<float>(static_cast<double>(x1) + 1.0), kCubicA);
        w[1] = cubicConvolution1(x1, kCubicA);
        w[2] = cubicConvolution1(x2, kCubicA);
        w[3] = cubicConvolution2(static_cast<float>(static_cast<double>(x2) + 1.0), kCubicA);
        for (int j = 0; j < 4; ++j) {
            const std::int64_t i = index - 1 + j;
            a.index[std::size_t(d) * 4 + j] =
                static_cast<int>(std::max<std::int64_t>(std::min<std::int64_t>(i, in - 1), 0));
        }
    }
    return a;
}

// Separable interpolation with the generic kernel's order: output = sum_j t_j * w_j accumulated
// left to right, t_j the width-interpolated source rows.
PlanarImage interpolateSeparable(const PlanarImage& src, int outH, int outW, const AxisTaps& th,
                                 const AxisTaps& tw) {
    PlanarImage out;
    out.channels = src.channels;
    out.height = outH;
    out.width = outW;
    out.data.resize(std::size_t(out.channels) * out.planeSize());
    const int inH = src.height, inW = src.width;
    // width pass: every source row to outW columns
    std::vector<float> rows(std::size_t(src.channels) * inH * outW);
    parallelFor(0, std::int64_t(src.channels) * inH, 32, [&](std::int64_t r0, std::int64_t r1) {
        for (std::int64_t r = r0; r < r1; ++r) {
            const float* s = src.data.data() + std::size_t(r) * inW;
            float* d = rows.data() + std::size_t(r) * outW;
            for (int x = 0; x < outW; ++x) {
                const int* idx = &tw.index[std::size_t(x) * tw.taps];
                const float* w = &tw.weight[std::size_t(x) * tw.taps];
                float acc = s[idx[0]] * w[0];
                for (int j = 1; j < tw.taps; ++j)
                    acc = std::fma(s[idx[j]], w[j], acc);
                d[x] = acc;
            }
        }
    });
    // height pass
    parallelFor(0, std::int64_t(src.channels) * outH, 32, [&](std::int64_t r0, std::int64_t r1) {
        for (std::int64_t r = r0; r < r1; ++r) {
            const int c = int(r / outH), y = int(r % outH);
            const int* idx = &th.index[std::size_t(y) * th.taps];
            const float* w = &th.weight[std::size_t(y) * th.taps];
            const float* base = rows.data() + std::size_t(c) * inH * outW;
            float* d = out.plane(c) + std::size_t(y) * outW;
            const float* s0 = base + std::size_t(idx[0]) * outW;
            for (int x = 0; x < outW; ++x)
                d[x] = s0[x] * w[0];
            for (int j = 1; j < th.taps; ++j) {
                const float* sj = base + std::size_t(idx[j]) * outW;
                const float wj = w[j];
                for (int x = 0; x < outW; ++x)
                    d[x] = std::fma(sj[x], wj, d[x]);
            }
        }
    });
    return out;
}

// nearest_neighbor_exact_compute_source_index: floorf((dst + 0.5) * scale), the product in
// double converted to float before the floor, clamped to the last index.
std::vector<int> nearestExactIndex(int in, int out) {
    std::vector<int> idx(out);
    const float scale = computeScale(in, out);
    for (int d = 0; d < out; ++d) {
        const float v = static_cast<float>((d + 0.5) * static_cast<double>(scale));
        idx[d] = static_cast<int>(
            std::min<std::int64_t>(static_cast<std::int64_t>(std::floor(v)), in - 1));
    }
    return idx;
}

PlanarImage nearestExact(const PlanarImage& src, int outH, int outW) {
    PlanarImage out;
    out.channels = src.channels;
    out.height = outH;
    out.width = outW;
    out.data.resize(std::size_t(out.channels) * out.planeSize());
    const std::vector<int> iy = nearestExactIndex(src.height, outH);
    const std::vector<int> ix = nearestExactIndex(src.width, outW);
    parallelFor(0, std::int64_t(src.channels) * outH, 64, [&](std::int64_t r0, std::int64_t r1) {
        for (std::int64_t r = r0; r < r1; ++r) {
            const int c = int(r / outH), y = int(r % outH);
            const float* s = src.plane(c) + std::size_t(iy[y]) * src.width;
            float* d = out.plane(c) + std::size_t(y) * outW;
            for (int x = 0; x < outW; ++x)
                d[x] = s[ix[x]];
        }
    });
    return out;
}

// adaptive_avg_pool2d: window [floor(o*in/out), ceil((o+1)*in/out)), float sum in row-major
// order, then sum / kh / kw.
PlanarImage area(const PlanarImage& src, int outH, int outW) {
    PlanarImage out;
    out.channels = src.channels;
    out.height = outH;
    out.width = outW;
    out.data.resize(std::size_t(out.channels) * out.planeSize());
    auto start = [](std::int64_t a, std::int64_t b, std::int64_t c) {
        return (a / b) * c + ((a % b) * c) / b;
    };
    auto end = [](std::int64_t a, std::int64_t b, std::int64_t c) {
        return 1 + ((a + 1) * c - 1) / b;
    };
    std::vector<int> x0(outW), x1(outW);
    for (int x = 0; x < outW; ++x) {
        x0[x] = int(start(x, outW, src.width));
        x1[x] = int(end(x, outW, src.width));
    }
    parallelFor(0, std::int64_t(src.channels) * outH, 8, [&](std::int64_t r0, std::int64_t r1) {
        for (std::int64_t r = r0; r < r1; ++r) {
            const int c = int(r / outH), y = int(r % outH);
            const int y0 = int(start(y, outH, src.height)), y1 = int(end(y, outH, src.height));
            const float kh = static_cast<float>(y1 - y0);
            const float* p = src.plane(c);
            float* d = out.plane(c) + std::size_t(y) * outW;
            for (int x = 0; x < outW; ++x) {
                float sum = 0.0f;
                for (int iy = y0; iy < y1; ++iy) {
                    const float* s = p + std::size_t(iy) * src.width;
                    for (int ix = x0[x]; ix < x1[x]; ++ix)
                        sum += s[ix];
                }
                d[x] = sum / kh / static_cast<float>(x1[x] - x0[x]);
            }
        }
    });
    return out;
}

} // namespace

const char* resizeMethodName(ResizeMethod m) {
    switch (m) {
    case ResizeMethod::Area:
        return "area";
    case ResizeMethod::Bicubic:
        return "bicubic";
    case ResizeMethod::Bilinear:
        return "bilinear";
    case ResizeMethod::NearestExact:
        return "nearest-exact";
    }
    return "?";
}

std::optional<ResizeMethod> parseResizeMethod(const std::string& name) {
    for (ResizeMethod m : {ResizeMethod::Area, ResizeMethod::Bicubic, ResizeMethod::Bilinear,
                           ResizeMethod::NearestExact})
        if (name == resizeMethodName(m)) return m;
    return std::nullopt;
}

PlanarImage resizeExact(const PlanarImage& src, int outHeight, int outWidth, ResizeMethod method) {
    if (src.empty() || outHeight <= 0 || outWidth <= 0) {
        PlanarImage out;
        out.channels = src.channels;
        out.height = std::max(outHeight, 0);
        out.width = std::max(outWidth, 0);
        out.data.assign(std::size_t(out.channels) * out.planeSize(), 0.0f);
        return out;
    }
    switch (method) {
    case ResizeMethod::Area:
        return area(src, outHeight, outWidth);
    case ResizeMethod::NearestExact:
        return nearestExact(src, outHeight, outWidth);
    case ResizeMethod::Bilinear:
        return interpolateSeparable(src, outHeight, outWidth, linearTaps(src.height, outHeight),
                                    linearTaps(src.width, outWidth));
    case ResizeMethod::Bicubic:
        return interpolateSeparable(src, outHeight, outWidth, cubicTaps(src.height, outHeight),
                                    cubicTaps(src.width, outWidth));
    }
    return src;
}

} // namespace lb::regions
