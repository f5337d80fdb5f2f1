// Felzenszwalb & Huttenlocher's exact squared Euclidean distance transform ("Distance Transforms
// of Sampled Functions", 2012): a 1-D lower envelope of parabolas per column, then per row.
// Squared distances are integers; the envelope's breakpoints are compared as exact fractions in
// 64-bit integers, so the result is exact. Pixels with no finite parabola stay kNoOutside.
#include "latentbrush/regions/DistanceTransform.h"

#include "latentbrush/Parallel.h"

#include <cmath>
#include <limits>

namespace lb::regions {
namespace {

// One line: f[i] (kNoOutside = +inf) -> d[i] = min_q (i - q)^2 + f[q]. v/zNum/zDen are scratch.
// The breakpoint between parabolas at q and p (q > p) is
//   s = ((f[q] + q^2) - (f[p] + p^2)) / (2q - 2p); s is kept as numerator/denominator.
void envelope1d(const std::int64_t* f, std::int64_t* d, int n, std::ptrdiff_t stride,
                std::vector<int>& v, std::vector<std::int64_t>& num,
                std::vector<std::int64_t>& den) {
    v.resize(n);
    num.resize(n);
    den.resize(n);
    int k = -1;
    auto at = [&](int i) { return f[std::ptrdiff_t(i) * stride]; };
    for (int q = 0; q < n; ++q) {
        const std::int64_t fq = at(q);
        if (fq == kNoOutside) continue;
        const std::int64_t hq = fq + std::int64_t(q) * q;
        while (k >= 0) {
            const int p = v[k];
            const std::int64_t sNum = hq - (at(p) + std::int64_t(p) * p);
            const std::int64_t sDen = 2 * std::int64_t(q - p);
            // drop p when s <= z[k] (z[k] the breakpoint where p began; -inf for k == 0)
            if (k > 0 && sNum * den[k] <= num[k] * sDen) {
                --k;
                continue;
            }
            ++k;
            v[k] = q;
            num[k] = sNum;
            den[k] = sDen;
            break;
        }
        if (k < 0) {
            k = 0;
            v[0] = q;
        }
    }
    if (k < 0) {
        for (int i = 0; i < n; ++i)
            d[std::ptrdiff_t(i) * stride] = kNoOutside;
        return;
    }
    int j = 0;
    for (int i = 0; i < n; ++i) {
        // advance while the next parabola's start z[j+1] < i (i.e. num < i * den)
        while (j < k && num[j + 1] < std::int64_t(i) * den[j + 1])
            ++j;
        const std::int64_t dq = std::int64_t(i) - v[j];
        d[std::ptrdiff_t(i) * stride] = dq * dq + at(v[j]);
    }
}

} // namespace

std::vector<std::int64_t> squaredDistanceToOutside(const BinaryMask& mask) {
    const int H = mask.height, W = mask.width;
    std::vector<std::int64_t> f(std::size_t(H) * W), g(std::size_t(H) * W);
    for (std::size_t i = 0; i < f.size(); ++i)
        f[i] = mask.data[i] ? kNoOutside : 0;
    // columns
    parallelFor(0, W, 64, [&](std::int64_t x0, std::int64_t x1) {
        std::vector<int> v;
        std::vector<std::int64_t> num, den;
        for (std::int64_t x = x0; x < x1; ++x)
            envelope1d(f.data() + x, g.data() + x, H, W, v, num, den);
    });
    // rows
    parallelFor(0, H, 64, [&](std::int64_t y0, std::int64_t y1) {
        std::vector<int> v;
        std::vector<std::int64_t> num, den;
        for (std::int64_t y = y0; y < y1; ++y)
            envelope1d(g.data() + y * W, f.data() + y * W, W, 1, v, num, den);
    });
    return f;
}

std::vector<float> distanceToOutside(const BinaryMask& mask) {
    const std::vector<std::int64_t> d2 = squaredDistanceToOutside(mask);
    std::vector<float> d(d2.size());
    for (std::size_t i = 0; i < d2.size(); ++i)
        d[i] = d2[i] == kNoOutside ? std::numeric_limits<float>::infinity()
                                   : static_cast<float>(std::sqrt(static_cast<double>(d2[i])));
    return d;
}

} // namespace lb::regions
