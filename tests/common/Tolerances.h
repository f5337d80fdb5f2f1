// The numeric contract's tolerances (docs/NUMERICS.md, "Tolerances") in one place, and the
// relative L2 error that several of them are stated in. Every suite reads them from here, so that
// a tolerance is changed once, where the contract says it, and never loosened in one test alone.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace lbtest {

// The gray-filled encoder input against the reference: |out - ref| <= 1e-6.
inline constexpr double kPixelTolerance = 1e-6;
// Samples against the goldens, element-wise: |out - ref| <= 1e-4 x max(1, |ref|).
inline constexpr double kElementTolerance = 1e-4;
// Float32 variants of the same computation (fused kernels, other summation orders): relative L2.
inline constexpr double kFloat32RelL2 = 1e-5;
// Reduced precision against the float32 path, relative L2.
inline constexpr double kFp16RelL2 = 1e-2;
inline constexpr double kBf16RelL2 = 3e-2;

// ||out - ref|| / ||ref|| in double over two equally long float sequences (vectors, spans);
// ||out - ref|| when ref is all zeros.
template <class Out, class Ref> double relativeL2(const Out& out, const Ref& ref) {
    double num = 0.0, den = 0.0;
    const std::size_t n = std::min<std::size_t>(out.size(), ref.size());
    for (std::size_t i = 0; i < n; ++i) {
        const double d = double(out[i]) - double(ref[i]);
        num += d * d;
        den += double(ref[i]) * double(ref[i]);
    }
    return den > 0.0 ? std::sqrt(num / den) : std::sqrt(num);
}

} // namespace lbtest
