// Choosing the regions of a region encode (docs/REGIONS.md, "How regions are chosen"): an explicit
// rectangle, or `auto` around the grown mask with context and a target size or area, one region
// or one per 8-connected component (merged where their context boxes overlap). Every choice the
// contract leaves open is made here and listed below (also in docs/REGIONS.md).
//
// Choices:
// - Sizes: W' and H' are multiples of d. A target area N gives W' = round_d(sqrt(N * a)),
//   H' = round_d(sqrt(N / a)), a = w / h of the context box, round_d = nearest multiple of d,
//   at least d. `--target WxH` must be multiples of d (an error otherwise, not a silent change).
// - Context: `--context N` adds N px on every side, `N%` adds N% of the box's larger side
//   (rounded to nearest); the default is 25% but at least 32 px (the minimum applies to the
//   default only). A context box larger than the image is clipped to the image's size.
// - Auto, no target: C is the context box widened to the next multiples of d (W' = w, H' = h:
//   no scaling); where the image is smaller, to the largest multiple of d that fits.
// - Auto with a target: C is the context box widened on its short side (never narrowed) to the
//   aspect W':H' (to the nearest pixel), then placed centred on the context box and shifted to lie
//   inside the image; where the image is too small C is clipped to it and the scale stretches.
// - Explicit `--region X,Y,W,H`: must lie inside the image (an error otherwise). No target: C is
//   widened to the next multiples of d around its centre and shifted inside (no scaling). With
//   `--target WxH` C is kept as given and scaled to WxH (stretched if the aspects differ); with
//   `--target-area N` C is kept and W',H' follow its aspect.
// - Separate: components of the grown mask, 8-connected; each gets the context of its own box;
//   components whose context boxes overlap are merged (box union, context recomputed) until none
//   overlap. The common (W', H') is that of the region with the largest context box (as a single
//   auto region would get it); every other region is widened to that aspect and scaled to it.
//   Regions are ordered by the top, then the left, of their mask box.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/Result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lb::regions {

// A rectangle in image pixels: columns x..x+w-1, rows y..y+h-1.
struct RegionRect {
    int x = 0, y = 0, w = 0, h = 0;
    bool operator==(const RegionRect&) const = default;
};

struct ContextSpec {
    int amount = 25;
    bool percent = true;
    bool isDefault = true; // the default 25%, at least 32 px
};

struct TargetSpec {
    enum class Kind { None, Size, Area } kind = Kind::None;
    int width = 0, height = 0; // Size
    std::int64_t area = 0;     // Area
};

struct RegionRequest {
    bool automatic = true;
    RegionRect rect;       // when !automatic
    bool separate = false; // one region per component (auto only)
    ContextSpec context;
    TargetSpec target;
};

struct RegionPlan {
    std::vector<RegionRect> rects; // C of each region, in batch order
    int scaledWidth = 0;           // W'
    int scaledHeight = 0;          // H'
};

// `grown` is the grown mask of the whole image (the node's grow on round(mask) at the image's
// size); `multiple` is the VAE's d. One error line on bad requests (empty mask with auto, a
// rectangle outside the image, a target that is not a multiple of d, an image smaller than d).
Result<RegionPlan> planRegions(const RegionRequest& request, const BinaryMask& grown, int multiple);

// Bounding box of the set pixels; nullopt when none is set.
std::optional<RegionRect> maskBoundingBox(const BinaryMask& mask);
// Bounding boxes of the 8-connected components, in raster order of their first pixel.
std::vector<RegionRect> componentBoxes(const BinaryMask& mask);

// Option values: "X,Y,W,H", "N" or "N%", "WxH", "N". nullopt on a malformed value.
std::optional<RegionRect> parseRegionRect(const std::string& text);
std::optional<ContextSpec> parseContext(const std::string& text);
std::optional<TargetSpec> parseTargetSize(const std::string& text);
std::optional<TargetSpec> parseTargetArea(const std::string& text);

std::string formatRect(const RegionRect& r); // "x,y,w,h"

} // namespace lb::regions
