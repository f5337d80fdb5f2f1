// The exact Euclidean distance transform of the stitch (docs/REGIONS.md): for every pixel,
// the distance between pixel centres to the nearest pixel outside the mask (0 outside it, 1 for a
// pixel 4-adjacent to its edge). The image's border does not count as outside: a mask covering
// the whole image has no outside pixel, and every distance is +infinity. Felzenszwalb &
// Huttenlocher's lower envelope of parabolas, one pass over columns and one over rows: linear
// time, exact (squared distances are integers, computed in 64-bit integers).
#pragma once

#include "latentbrush/Buffers.h"

#include <cstdint>
#include <vector>

namespace lb::regions {

// Squared distances (height * width, row-major); kNoOutside where the mask has no outside pixel.
inline constexpr std::int64_t kNoOutside = INT64_MAX;
std::vector<std::int64_t> squaredDistanceToOutside(const BinaryMask& mask);

// sqrt of the above as float (+infinity for kNoOutside).
std::vector<float> distanceToOutside(const BinaryMask& mask);

} // namespace lb::regions
