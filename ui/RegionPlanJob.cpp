// RegionPlanJob: the mask copy's update, the grow and the planning off the GUI thread
// (RegionPlanJob.h).
#include "RegionPlanJob.h"

#include "latentbrush/regions/RegionPixels.h"

#include <cstring>

namespace lbui {

RegionPlanJobOutput runRegionPlanJob(RegionPlanJobInput input) {
    RegionPlanJobOutput out;
    out.revision = input.revision;
    std::shared_ptr<lb::MaskBuffer> mask = std::move(input.mask);
    if (input.reset) {
        mask = std::make_shared<lb::MaskBuffer>(std::move(input.replacement));
    } else if (!input.patches.empty() && mask) {
        // Someone else (an encode's source) still reads this copy: write into a copy of it.
        if (mask.use_count() > 1) mask = std::make_shared<lb::MaskBuffer>(*mask);
        for (const MaskPatch& p : input.patches) {
            const QRect r = p.rect & QRect(0, 0, mask->width, mask->height);
            if (r != p.rect) continue; // not of this mask (the document changed meanwhile)
            for (int y = 0; y < r.height(); ++y)
                std::memcpy(mask->row(r.top() + y) + r.left(),
                            p.pixels.data() + std::size_t(y) * std::size_t(r.width()),
                            sizeof(float) * std::size_t(r.width()));
        }
    }
    out.mask = mask;
    if (!input.plan || !mask) return out;
    std::shared_ptr<const lb::BinaryMask> grown = std::move(input.grown);
    if (input.regrow || !grown)
        grown = std::make_shared<const lb::BinaryMask>(
            lb::regions::grownMaskOfImage(*mask, input.grow));
    out.grown = grown;
    lb::Result<lb::regions::RegionPlan> plan =
        lb::regions::planRegions(input.request, *grown, input.multiple);
    if (plan)
        out.plan = std::move(plan.value());
    else
        out.error = QString::fromStdString(plan.message());
    return out;
}

} // namespace lbui
