// The samples of a PNM file as it stores them, with its maxval: OpenImageIO scales samples of a
// maxval other than 255 or 65535 itself (truncating, and its plain-text reader not exactly),
// while PIL rounds v / maxval; ImageRead.cpp makes PIL's values (and v / maxval) from these.
#pragma once

#include "latentbrush/Result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lb::pnm {

struct PnmSamples {
    int width = 0;
    int height = 0;
    int channels = 0;                  // 1 (P2, P5) or 3 (P3, P6)
    int maxval = 0;                    // 1..65535
    std::vector<std::uint16_t> values; // interleaved, each at most maxval (larger ones clipped)
};

// The first image of a graymap or pixmap (P2, P3, P5, P6); bitmaps (P1, P4) and anything
// malformed or truncated are an error.
Result<PnmSamples> readPnmSamples(const std::string& path);

} // namespace lb::pnm
