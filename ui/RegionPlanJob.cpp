// RegionPlanJob: the grow and the planning off the GUI thread (RegionPlanJob.h).
#include "RegionPlanJob.h"

#include "latentbrush/regions/RegionPixels.h"

namespace lbui {

RegionPlanJobOutput runRegionPlanJob(RegionPlanJobInput input) {
    RegionPlanJobOutput out;
    out.revision = input.revision;
    if (!input.plan) return out;
    std::shared_ptr<const lb::BinaryMask> grown = std::move(input.grown);
    if (input.regrow || !grown) {
        const std::shared_ptr<const lb::MaskBuffer> mask = input.mask.get();
        input.mask = {}; // a later snapshot may reuse its buffer once `mask` is released
        if (!mask) return out;
        grown = std::make_shared<const lb::BinaryMask>(
            lb::regions::grownMaskOfImage(*mask, input.grow));
    }
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
