// RegionPlanJob: the region planning RegionPlanner runs off the GUI thread. It reads the
// document's mask snapshot (built on the worker: MaskSnapshots), grows it when the mask or the
// grow changed, and plans.
#pragma once

#include "MaskSnapshots.h"

#include "latentbrush/Buffers.h"
#include "latentbrush/regions/RegionPlan.h"

#include <QRect>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace lbui {

struct RegionPlanJobInput {
    quint64 revision = 0; // RegionPlanner's request count when the job started
    MaskSnapshot mask;    // the document's mask when the job started, built on the worker
    // The grown mask of `mask` as it was; recomputed when null or when the mask or grow changed.
    std::shared_ptr<const lb::BinaryMask> grown;
    bool regrow = false;
    int grow = 0;
    bool plan = false; // regions on: plan `request` on the grown mask
    lb::regions::RegionRequest request;
    int multiple = 8;
};

struct RegionPlanJobOutput {
    quint64 revision = 0;
    std::shared_ptr<const lb::BinaryMask> grown; // null when regions are off
    std::optional<lb::regions::RegionPlan> plan;
    QString error;
};

// Runs on any thread; touches nothing but its input.
RegionPlanJobOutput runRegionPlanJob(RegionPlanJobInput input);

} // namespace lbui
