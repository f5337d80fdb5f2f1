// Selection-tool algorithms for the editor's mask tools: anti-aliased polygon and ellipse
// coverage, color distance (RGB or CIE Lab), scanline flood fill, select by color, and binary
// mask adjustments (expand, contract, fill holes). Torch-free, no Qt.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/InpaintPreprocess.h"

#include <cstdint>
#include <vector>

namespace lb {

struct PointD {
    double x = 0.0;
    double y = 0.0;
};

// Per-pixel coverage of a shape inside `rect` (image coordinates), row-major, 0..1.
struct Coverage {
    CropRect rect;
    std::vector<float> values; // rect.height * rect.width
    bool empty() const { return rect.height <= 0 || rect.width <= 0; }
    float at(int x, int y) const {
        return values[std::size_t(y - rect.top) * rect.width + std::size_t(x - rect.left)];
    }
};

// The polygon's coverage (nonzero winding; pixel (x, y) is the unit square [x, x+1) x [y, y+1)),
// clipped to a height x width image. antialias: the exact area of each pixel inside the polygon
// (for a simple polygon), values within 1e-6 of 0 or 1 snapped to 0 or 1; otherwise 1 where the
// pixel's centre is inside, else 0.
Coverage rasterizePolygon(const std::vector<PointD>& polygon, int height, int width,
                          bool antialias);

// The ellipse with centre (cx, cy) and radii rx, ry as a polygon whose edges stay within
// `maxError` pixels of the curve (vertices placed so the polygon's area matches closely).
std::vector<PointD> ellipsePolygon(double cx, double cy, double rx, double ry,
                                   double maxError = 0.002);

// Color distance in 8-bit units: Rgb is the largest channel difference * 255 (0..255), Lab
// is CIE76 Delta E of sRGB (D65) colors. Distances are quantized as
// q = clamp(ceil((d - 1e-3) * 256), 0, 65535), so that q <= tolerance * 256 exactly when
// d <= tolerance + 1e-3 (the 1e-3 absorbs float rounding of 8-bit values).
enum class ColorMetric { Rgb, Lab };

class ColorDistance {
public:
    ColorDistance(const float* seedRgb, ColorMetric metric);
    std::uint16_t quantized(const float* rgb) const;
    static std::uint16_t threshold(int tolerance) { return std::uint16_t(tolerance * 256); }
    // sRGB (0..1) to CIE Lab (D65), in double precision (for reference and tests).
    static void srgbToLab(const double* rgb, double* lab);

private:
    void labOf(const float* rgb, float* lab) const;
    ColorMetric metric_;
    float seed_[3];
    float seedLab_[3];
};

// A set of pixels: an image-sized 0/1 mask and the bounding box of its ones (empty box: none).
struct Region {
    BinaryMask mask;
    CropRect bounds;
    std::int64_t count = 0;
};

// Scanline flood fill from (x, y) over pixels whose color is within `tolerance` of the seed's
// (ColorDistance), 4- or 8-connected; pixels where `blocked` (image-sized, optional) is 1 are
// never entered. The image has 1 or more channels (gray is used for all three).
Region floodFill(const ImageBuffer& image, int x, int y, ColorMetric metric, int tolerance,
                 int connectivity, const BinaryMask* blocked = nullptr);

// Every pixel's quantized distance to the seed color (parallel), for select by color, and the
// pixels within a tolerance of it.
std::vector<std::uint16_t> colorDistanceMap(const ImageBuffer& image, const float* seedRgb,
                                            ColorMetric metric);
Region selectByDistance(const std::vector<std::uint16_t>& distances, int height, int width,
                        int tolerance);

// Morphology on binary masks. Footprint Round: Euclidean disc of radius r (dx^2 + dy^2 <= r^2);
// Square: (2r+1) x (2r+1) box. Expand: pixels within the footprint of a 1 become 1. Contract:
// pixels whose footprint reaches a 0 of the image become 0 (outside the image counts as 1,
// so a mask touching the border stays there).
enum class Footprint { Round, Square };
BinaryMask expandBinary(const BinaryMask& mask, int radius, Footprint footprint);
BinaryMask contractBinary(const BinaryMask& mask, int radius, Footprint footprint);
// Enclosed holes (4-connected components of 0 that do not touch the image border) with fewer
// than `maxArea` pixels become 1.
BinaryMask fillHoles(const BinaryMask& mask, std::int64_t maxArea);

// The bounding box of the ones of `mask` (empty when there are none).
CropRect binaryBounds(const BinaryMask& mask);

} // namespace lb
