// VaeTiling: the tiled encode: tile positions, latent-space linear blending of the overlaps,
// and the tile size a memory budget allows.
#include "vae/VaeTiling.h"

#include <algorithm>
#include <vector>

namespace lb::vae {
namespace {

constexpr std::int64_t kOverlapPixels = 64;

std::int64_t roundDown(std::int64_t v, std::int64_t m) {
    return std::max(m, v / m * m);
}
std::int64_t roundUp(std::int64_t v, std::int64_t m) {
    return (v + m - 1) / m * m;
}

std::int64_t defaultOverlap(std::int64_t d) {
    return roundUp(std::max(kOverlapPixels, 4 * d), d);
}

// Tile origins along one axis: from 0 in steps of tile - overlap, the last one flush with the end.
std::vector<std::int64_t> tileStarts(std::int64_t length, std::int64_t tile, std::int64_t overlap) {
    std::vector<std::int64_t> starts;
    if (tile >= length) return {0};
    for (std::int64_t s = 0;;) {
        starts.push_back(s);
        if (s + tile >= length) break;
        s = std::min(s + tile - overlap, length - tile);
    }
    return starts;
}

// Blend weights along one axis of a tile: linear ramps over `ramp` latent pixels towards the
// sides that have a neighbour, 1 elsewhere.
at::Tensor ramp(std::int64_t length, std::int64_t ramp, bool before, bool after,
                const at::TensorOptions& options) {
    std::vector<float> w(std::size_t(length), 1.0f);
    for (std::int64_t i = 0; i < length; ++i) {
        if (before) w[std::size_t(i)] = std::min(w[std::size_t(i)], float(i + 1) / float(ramp + 1));
        if (after)
            w[std::size_t(i)] = std::min(w[std::size_t(i)], float(length - i) / float(ramp + 1));
    }
    return at::tensor(w, at::TensorOptions().dtype(at::kFloat)).to(options.device());
}

} // namespace

TilePlan fixedTiles(const VaeModel& model, std::int64_t tile) {
    const std::int64_t d = model.downscale;
    TilePlan plan;
    plan.tile = roundDown(std::max(tile, 4 * d), d);
    plan.overlap = std::min(defaultOverlap(d), std::max<std::int64_t>(0, plan.tile / 4 / d * d));
    return plan;
}

TilePlan planTiles(const VaeModel& model, std::int64_t height, std::int64_t width,
                   double budgetBytes) {
    const std::int64_t d = model.downscale;
    TilePlan plan;
    plan.overlap = defaultOverlap(d);
    const std::int64_t smallest = 2 * plan.overlap + 4 * d;
    std::int64_t tile = roundDown(std::max(height, width), d);
    while (tile > smallest &&
           model.encodeBytes(std::min(tile, height), std::min(tile, width)) > budgetBytes)
        tile = std::max(smallest, roundDown(tile * 3 / 4, d));
    plan.tile = tile;
    return plan;
}

at::Tensor encodeTiled(const VaeModel& model, const at::Tensor& pixels, const TilePlan& plan,
                       const StepHook& hook) {
    const std::int64_t d = model.downscale;
    const std::int64_t height = pixels.size(2), width = pixels.size(3);
    const std::int64_t th = std::min(plan.tile, height), tw = std::min(plan.tile, width);
    const std::vector<std::int64_t> ys = tileStarts(height, th, plan.overlap);
    const std::vector<std::int64_t> xs = tileStarts(width, tw, plan.overlap);
    const auto options = pixels.options().dtype(at::kFloat);
    at::Tensor sum =
        at::zeros({pixels.size(0), model.latentChannels, height / d, width / d}, options);
    at::Tensor weight = at::zeros({1, 1, height / d, width / d}, options);
    const double count = double(ys.size() * xs.size());
    std::size_t index = 0;
    for (std::int64_t y : ys) {
        for (std::int64_t x : xs) {
            const at::Tensor tile = pixels.narrow(2, y, th).narrow(3, x, tw);
            const at::Tensor z =
                model.encode(tile, hook.sub(double(index) / count, double(index + 1) / count));
            ++index;
            const at::Tensor wy = ramp(th / d, plan.overlap / d, y > 0, y + th < height, options);
            const at::Tensor wx = ramp(tw / d, plan.overlap / d, x > 0, x + tw < width, options);
            const at::Tensor w = wy.view({1, 1, -1, 1}) * wx.view({1, 1, 1, -1});
            sum.narrow(2, y / d, th / d).narrow(3, x / d, tw / d).add_(z * w);
            weight.narrow(2, y / d, th / d).narrow(3, x / d, tw / d).add_(w);
        }
    }
    return sum / weight;
}

} // namespace lb::vae
