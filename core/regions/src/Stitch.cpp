// The stitch: scale back, blend with the distance-based feather (Stitch.h).
#include "latentbrush/regions/Stitch.h"

#include "latentbrush/Parallel.h"
#include "latentbrush/regions/DistanceTransform.h"
#include "latentbrush/regions/ExactResize.h"
#include "latentbrush/regions/PlanarImage.h"

#include <algorithm>
#include <string>

namespace lb::regions {

std::vector<float> blendMask(const BinaryMask& grown, float feather) {
    std::vector<float> b(grown.data.size());
    if (feather <= 0.0f) {
        for (std::size_t i = 0; i < b.size(); ++i)
            b[i] = grown.data[i] ? 1.0f : 0.0f;
        return b;
    }
    const std::vector<float> dist = distanceToOutside(grown);
    for (std::size_t i = 0; i < b.size(); ++i)
        b[i] = std::min(1.0f, dist[i] / feather);
    return b;
}

ImageBuffer scaleBack(const ImageBuffer& result, int width, int height) {
    if (result.width == width && result.height == height) return result;
    const bool down = result.width >= width && result.height >= height;
    PlanarImage p = resizeExact(toPlanar(result), height, width,
                                down ? ResizeMethod::Area : ResizeMethod::Bicubic);
    if (!down)
        for (float& v : p.data)
            v = std::clamp(v, 0.0f, 1.0f);
    return toInterleaved(p);
}

Result<ImageBuffer> stitch(const ImageBuffer& original, const std::vector<ImageBuffer>& results,
                           const RegionPlan& plan, const BinaryMask& grown, float feather) {
    if (results.size() != plan.rects.size())
        return makeError(std::to_string(results.size()) + " results for " +
                         std::to_string(plan.rects.size()) + " regions");
    if (grown.width != original.width || grown.height != original.height)
        return makeError("the grown mask is " + std::to_string(grown.width) + "x" +
                         std::to_string(grown.height) + " but the original is " +
                         std::to_string(original.width) + "x" + std::to_string(original.height));
    const int C = original.channels;
    const int colour = C >= 3 ? 3 : 1;
    const std::vector<float> B = blendMask(grown, feather);
    ImageBuffer out = original;
    for (std::size_t i = 0; i < results.size(); ++i) {
        const RegionRect& r = plan.rects[i];
        const ImageBuffer& res = results[i];
        if (res.width != plan.scaledWidth || res.height != plan.scaledHeight)
            return makeError("result " + std::to_string(i) + " is " + std::to_string(res.width) +
                             "x" + std::to_string(res.height) + " but the regions were scaled to " +
                             std::to_string(plan.scaledWidth) + "x" +
                             std::to_string(plan.scaledHeight));
        const ImageBuffer back = scaleBack(res, r.w, r.h);
        const int rc = back.channels;
        parallelFor(0, r.h, 16, [&](std::int64_t y0, std::int64_t y1) {
            for (std::int64_t yy = y0; yy < y1; ++yy) {
                const int y = r.y + int(yy);
                const float* src = back.row(int(yy));
                const float* orig = original.row(y);
                float* dst = out.row(y);
                for (int xx = 0; xx < r.w; ++xx) {
                    const int x = r.x + xx;
                    const float b = B[std::size_t(y) * original.width + x];
                    if (b == 0.0f) continue;
                    const float* s = src + std::size_t(xx) * rc;
                    float value[3];
                    if (colour == 3) {
                        for (int c = 0; c < 3; ++c)
                            value[c] = s[rc >= 3 ? c : 0];
                    } else {
                        value[0] = rc >= 3 ? s[0] * 299.0f / 1000.0f + s[1] * 587.0f / 1000.0f +
                                                 s[2] * 114.0f / 1000.0f
                                           : s[0];
                    }
                    for (int c = 0; c < colour; ++c) {
                        const float o = orig[std::size_t(x) * C + c];
                        dst[std::size_t(x) * C + c] = b * value[c] + (1.0f - b) * o;
                    }
                }
            }
        });
    }
    return out;
}

} // namespace lb::regions
