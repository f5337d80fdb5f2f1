// The stitch (docs/REGIONS.md, "Stitch"): each sampled region result scaled back to its
// rectangle and blended into the original with B = min(1, dist / F), dist the exact Euclidean
// distance to the nearest pixel outside the grown mask of the whole image. Where B = 0 the
// original's values are kept as they are (the caller writes them back bit for bit).
//
// Choices: regions are pasted in batch order, a later region winning where rectangles overlap;
// a pixel of the grown mask that no rectangle covers (an explicit --region smaller than the mask)
// keeps the original. Colour channels only: an original's alpha is kept; a gray original takes
// the result's luma (PIL's L = R * 299/1000 + G * 587/1000 + B * 114/1000).
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/Result.h"
#include "latentbrush/regions/RegionPlan.h"

#include <vector>

namespace lb::regions {

// B per pixel of the image: min(1, dist / feather); feather 0 gives the grown mask itself.
std::vector<float> blendMask(const BinaryMask& grown, float feather);

// A sampled result (W' x H') back to w x h: area when W' >= w and H' >= h, else bicubic clamped
// to 0..1.
ImageBuffer scaleBack(const ImageBuffer& result, int width, int height);

// original: the original's samples as floats (any of 1..4 channels; alpha last when 2 or 4);
// results: one per rectangle of plan, each plan.scaledWidth x plan.scaledHeight, RGB or gray.
Result<ImageBuffer> stitch(const ImageBuffer& original, const std::vector<ImageBuffer>& results,
                           const RegionPlan& plan, const BinaryMask& grown, float feather);

} // namespace lb::regions
