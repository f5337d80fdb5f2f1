// VAEEncodeForInpaint's grow written out directly, pixel by pixel (an independent check of the
// bit-packed grow in core/mask): the region suites compare the grown masks the CLI writes with it.
#pragma once

#include "latentbrush/Buffers.h"

#include <algorithm>
#include <cstdint>

namespace lbtest {

// The node's grow on an image-sized 0/1 mask: out(y, x) = 1 where the window rows y-a..y+b,
// columns x-a..x+b (a = g / 2, b = g - 1 - a) hold a 1; g = 0 leaves the mask as it is.
inline lb::BinaryMask growBruteForce(const lb::BinaryMask& m, int g) {
    if (g == 0) return m;
    const int a = g / 2, b = g - 1 - g / 2;
    lb::BinaryMask out = m;
    for (int y = 0; y < m.height; ++y)
        for (int x = 0; x < m.width; ++x) {
            std::uint8_t v = 0;
            for (int yy = std::max(0, y - a); yy <= std::min(m.height - 1, y + b) && !v; ++yy)
                for (int xx = std::max(0, x - a); xx <= std::min(m.width - 1, x + b) && !v; ++xx)
                    v = m.row(yy)[xx];
            out.row(y)[x] = v;
        }
    return out;
}

} // namespace lbtest
