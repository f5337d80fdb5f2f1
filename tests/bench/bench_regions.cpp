// latentbrush-bench-regions: the region workflow's CPU steps on a 8000x6000 photo-sized image:
// auto-region planning (mask at image size, grow, bounding box) + crop + resize to 1024x1024 with
// each method, and the stitch (distance transform, scale back, blend) of one 1024x1024 result.
// Prints figures only (docs/PERFORMANCE.md).
#include "latentbrush/Parallel.h"
#include "latentbrush/regions/RegionPixels.h"
#include "latentbrush/regions/RegionPlan.h"
#include "latentbrush/regions/Stitch.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

template <class F> double medianMs(int reps, F&& f) {
    std::vector<double> t;
    for (int i = 0; i < reps; ++i) {
        const auto t0 = Clock::now();
        f();
        t.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

} // namespace

int main() {
    using namespace lb::regions;
    const int W = 8000, H = 6000;
    lb::ImageBuffer image;
    image.width = W;
    image.height = H;
    image.channels = 3;
    image.data.resize(std::size_t(W) * H * 3);
    std::mt19937 rng(8000);
    for (float& v : image.data)
        v = float(rng() & 255) / 255.0f;
    lb::MaskBuffer mask{H, W, std::vector<float>(std::size_t(W) * H, 0.0f)};
    for (int y = 2500; y < 3300; ++y)
        for (int x = 3000; x < 4200; ++x)
            if ((y - 2900) * (y - 2900) / 4 + (x - 3600) * (x - 3600) / 9 < 40000)
                mask.data[std::size_t(y) * W + x] = 1.0f;
    std::printf("regions benchmark: %dx%d image, %d threads\n", W, H, lb::cpuThreadCount());

    RegionRequest req;
    req.target.kind = TargetSpec::Kind::Area;
    req.target.area = 1048576;
    RegionPlan plan;
    lb::BinaryMask grown;
    const double planMs = medianMs(3, [&] {
        grown = grownMaskOfImage(maskAtImageSize(mask, H, W), 6);
        plan = planRegions(req, grown, 16).value();
    });
    std::printf(
        "  auto-region planning (grow 6 at full size + bounding box): %.0f ms -> %s, %dx%d\n",
        planMs, formatRect(plan.rects[0]).c_str(), plan.scaledWidth, plan.scaledHeight);
    for (ResizeMethod m : {ResizeMethod::Area, ResizeMethod::Bicubic, ResizeMethod::Bilinear,
                           ResizeMethod::NearestExact}) {
        const double ms = medianMs(3, [&] {
            cropAndScale(image, plan.rects[0], plan.scaledWidth, plan.scaledHeight, m);
            cropMaskRect(mask, plan.rects[0]);
        });
        std::printf("  crop + resize (%s): %.0f ms\n", resizeMethodName(m), ms);
    }
    const lb::ImageBuffer result =
        cropAndScale(image, plan.rects[0], plan.scaledWidth, plan.scaledHeight, ResizeMethod::Area);
    const double stitchMs =
        medianMs(3, [&] { stitch(image, {result}, plan, grown, 3.0f).value(); });
    std::printf("  stitch (blend mask with the distance transform, scale back, blend into a copy): "
                "%.0f ms\n",
                stitchMs);
    return 0;
}
