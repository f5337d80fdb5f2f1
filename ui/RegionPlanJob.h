// RegionPlanJob: the region planning RegionPlanner runs off the GUI thread. It keeps the planner's
// full-size copy of the mask up to date from the rectangles edited since the last job (copied on
// the GUI thread: only what changed), grows it when the mask or the grow changed, and plans.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/regions/RegionPlan.h"

#include <QRect>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace lbui {

// Mask pixels of one edited rectangle, row-major, as the document held them when the job started.
struct MaskPatch {
    QRect rect;
    std::vector<float> pixels;
};

struct RegionPlanJobInput {
    quint64 revision = 0; // RegionPlanner's request count when the job started
    // The copy of the mask the previous job left (never changed while someone else holds it: a
    // shared one is copied first); `patches` bring it up to date. With `reset`, `replacement` is
    // the whole mask instead.
    std::shared_ptr<lb::MaskBuffer> mask;
    bool reset = false;
    lb::MaskBuffer replacement;
    std::vector<MaskPatch> patches;
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
    std::shared_ptr<lb::MaskBuffer> mask;
    std::shared_ptr<const lb::BinaryMask> grown; // null when regions are off
    std::optional<lb::regions::RegionPlan> plan;
    QString error;
};

// Runs on any thread; touches nothing but its input.
RegionPlanJobOutput runRegionPlanJob(RegionPlanJobInput input);

} // namespace lbui
