// The noise-mask mode's preprocessing (NoiseMaskOps.h): GrowMask as a distance max/min filter
// (sliding-window maxima, separable on the image grid for the square footprint and on the
// 45-degree-rotated grid for the cross), ImageBlur as a separable float64 Gaussian, VAEEncode's
// crop.
#include "latentbrush/NoiseMaskOps.h"

#include "latentbrush/Parallel.h"

#include "MaskCheck.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace lb {
namespace {

// out[i] = max(in[j] : |j - i| <= r, 0 <= j < n): a monotonic deque of indices, O(n).
void windowMax(const float* in, int n, int r, float* out, std::vector<int>& queue) {
    queue.resize(static_cast<std::size_t>(n));
    int head = 0, tail = 0, next = 0;
    for (int i = 0; i < n; ++i) {
        const int last = int(std::min<long long>(n - 1, (long long)i + r));
        for (; next <= last; ++next) {
            while (tail > head && in[queue[std::size_t(tail - 1)]] <= in[next])
                --tail;
            queue[std::size_t(tail++)] = next;
        }
        while (queue[std::size_t(head)] < i - r)
            ++head;
        out[i] = in[queue[std::size_t(head)]];
    }
}

// The max over the (2r+1) x (2r+1) window, clipped to the grid, in place (one line of scratch
// per thread): rows, then columns.
void maxFilterSeparable(std::vector<float>& grid, int rows, int cols, int r) {
    parallelFor(0, rows, 16, [&](std::int64_t y0, std::int64_t y1) {
        std::vector<int> queue;
        std::vector<float> line(static_cast<std::size_t>(cols));
        for (std::int64_t y = y0; y < y1; ++y) {
            float* row = grid.data() + y * cols;
            std::copy(row, row + cols, line.begin());
            windowMax(line.data(), cols, r, row, queue);
        }
    });
    parallelFor(0, cols, 16, [&](std::int64_t x0, std::int64_t x1) {
        std::vector<int> queue;
        std::vector<float> line(static_cast<std::size_t>(rows)), filtered(line.size());
        for (std::int64_t x = x0; x < x1; ++x) {
            for (int y = 0; y < rows; ++y)
                line[std::size_t(y)] = grid[std::size_t(y) * cols + std::size_t(x)];
            windowMax(line.data(), rows, r, filtered.data(), queue);
            for (int y = 0; y < rows; ++y)
                grid[std::size_t(y) * cols + std::size_t(x)] = filtered[std::size_t(y)];
        }
    });
}

// torch.nn.functional.pad(mode="reflect") index: -1 -> 1, n -> n - 2 (needs |overhang| < n).
int reflectIndex(int j, int n) {
    if (j < 0) return -j;
    if (j >= n) return 2 * n - 2 - j;
    return j;
}

} // namespace

MaskBuffer growMaskComfy(const MaskBuffer& mask, int expand, bool taperedCorners) {
    if (expand == 0 || mask.empty()) return mask;
    // Erosion is the dilation of the negated values (exact: negation only flips the sign bit).
    const float sign = expand > 0 ? 1.0f : -1.0f;
    const long long radius = std::llabs((long long)expand);
    const int h = mask.height, w = mask.width;
    MaskBuffer out = mask;
    if (!taperedCorners) {
        std::vector<float> grid(mask.data.size());
        for (std::size_t i = 0; i < grid.size(); ++i)
            grid[i] = sign * mask.data[i];
        maxFilterSeparable(grid, h, w, int(std::min<long long>(radius, std::max(h, w))));
        for (std::size_t i = 0; i < grid.size(); ++i)
            out.data[i] = sign * grid[i];
        return out;
    }
    // |dy| + |dx| <= r  <=>  max(|du|, |dv|) <= r with u = y + x, v = y - x: a square window on
    // the rotated grid, whose cells that are no pixel hold -inf. The grid has (h + w - 1)^2
    // cells: about 4 times the mask's pixels for a square mask (1 GiB for 8192 x 8192).
    const int side = h + w - 1;
    std::vector<float> grid(std::size_t(side) * std::size_t(side),
                            -std::numeric_limits<float>::infinity());
    auto cell = [&](int y, int x) {
        return std::size_t(y + x) * std::size_t(side) + std::size_t(y - x + w - 1);
    };
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            grid[cell(y, x)] = sign * mask.data[std::size_t(y) * w + std::size_t(x)];
    maxFilterSeparable(grid, side, side, int(std::min<long long>(radius, side)));
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            out.data[std::size_t(y) * w + std::size_t(x)] = sign * grid[cell(y, x)];
    return out;
}

Result<MaskBuffer> blurMaskComfy(const MaskBuffer& mask, int radius, double sigma) {
    if (radius < 0 || radius > kMaxMaskBlur)
        return makeError("the blur radius " + std::to_string(radius) + " is outside 0.." +
                         std::to_string(kMaxMaskBlur));
    if (!(sigma > 0.0) || !std::isfinite(sigma))
        return makeError("the blur sigma must be a positive number");
    if (radius == 0) return mask;
    const int h = mask.height, w = mask.width;
    if (radius >= h || radius >= w)
        return makeError("a blur radius of " + std::to_string(radius) +
                         " needs a mask larger than " + std::to_string(radius) +
                         " pixels on each side (this one is " + std::to_string(w) + "x" +
                         std::to_string(h) + "; ComfyUI's ImageBlur fails the same way)");
    // exp(-d^2 / (2 sigma^2)) with d^2 = x^2 + y^2 factors into x and y; the kernel, normalised
    // by its sum, is the outer product of the normalised 1-D kernel.
    std::vector<double> kernel(std::size_t(2 * radius + 1));
    double sum = 0.0;
    for (int t = -radius; t <= radius; ++t) {
        const double x = double(t) / double(radius); // linspace(-1, 1, 2r + 1)
        const double g = std::exp(-(x * x) / (2.0 * sigma * sigma));
        kernel[std::size_t(t + radius)] = g;
        sum += g;
    }
    for (double& k : kernel)
        k /= sum;
    std::vector<double> rowsPass(mask.data.size());
    parallelFor(0, h, 16, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const float* src = mask.row(int(y));
            double* dst = rowsPass.data() + y * w;
            for (int x = 0; x < w; ++x) {
                double acc = 0.0;
                for (int t = -radius; t <= radius; ++t)
                    acc += kernel[std::size_t(t + radius)] * double(src[reflectIndex(x + t, w)]);
                dst[x] = acc;
            }
        }
    });
    MaskBuffer out;
    out.height = h;
    out.width = w;
    out.data.resize(mask.data.size());
    parallelFor(0, h, 16, [&](std::int64_t y0, std::int64_t y1) {
        std::vector<double> acc(static_cast<std::size_t>(w));
        for (std::int64_t y = y0; y < y1; ++y) {
            std::fill(acc.begin(), acc.end(), 0.0);
            for (int t = -radius; t <= radius; ++t) {
                const double k = kernel[std::size_t(t + radius)];
                const double* src = rowsPass.data() + std::size_t(reflectIndex(int(y) + t, h)) * w;
                for (int x = 0; x < w; ++x)
                    acc[std::size_t(x)] += k * src[x];
            }
            float* dst = out.row(int(y));
            for (int x = 0; x < w; ++x)
                dst[x] = float(acc[std::size_t(x)]);
        }
    });
    return out;
}

Status checkNoiseMaskOptions(const NoiseMaskOptions& o) {
    if (o.expand < -kMaxMaskExpand || o.expand > kMaxMaskExpand)
        return makeError("the mask expand " + std::to_string(o.expand) + " is outside " +
                         std::to_string(-kMaxMaskExpand) + ".." + std::to_string(kMaxMaskExpand));
    if (o.blurRadius < 0 || o.blurRadius > kMaxMaskBlur)
        return makeError("the mask blur radius " + std::to_string(o.blurRadius) +
                         " is outside 0.." + std::to_string(kMaxMaskBlur));
    if (!(o.blurSigma > 0.0) || !std::isfinite(o.blurSigma))
        return makeError("the mask blur sigma must be a positive number");
    return {};
}

Result<NoiseMaskInputs> prepareNoiseMask(const ImageBuffer& image, const MaskBuffer& mask,
                                         const NoiseMaskOptions& options, int multiple) {
    if (Status st = checkNoiseMaskOptions(options); !st) return st.error();
    if (Status st = checkEncoderImage(image, multiple); !st) return st.error();
    if (Status st = checkMaskBuffer(mask); !st) return st.error();

    NoiseMaskInputs in;
    in.crop = centreCrop(image.height, image.width, multiple);
    in.pixels = rgbCrop(image, in.crop);
    MaskBuffer m;
    if (mask.empty()) {
        m.height = image.height;
        m.width = image.width;
        m.data.assign(image.pixelCount(), 0.0f);
    } else {
        m = growMaskComfy(mask, options.expand, options.taperedCorners);
    }
    Result<MaskBuffer> blurred = blurMaskComfy(m, options.blurRadius, options.blurSigma);
    if (!blurred) return blurred.error();
    in.noiseMask = std::move(blurred).value();
    return in;
}

} // namespace lb
