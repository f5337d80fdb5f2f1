// VaeGraphs: CUDA-graph replay of a whole encode for repeated image sizes (the editor and batches
// encode the same size again and again; at 512x512 launching ~200 operations one by one costs
// as much as running them).
#pragma once

#include "vae/VaeModel.h"

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace lb::vae {

class EncodeGraphs {
public:
    EncodeGraphs();
    ~EncodeGraphs();
    EncodeGraphs(const EncodeGraphs&) = delete;
    EncodeGraphs& operator=(const EncodeGraphs&) = delete;

    // The model's encode of x (a CUDA tensor) through a graph: the first call with a size runs
    // nothing (returns an undefined tensor: the caller encodes eagerly, which also fills cuDNN's
    // algorithm cache), the second captures a graph of that size, later ones replay it. Sizes
    // whose estimated working set exceeds `maxBytes` (the graph keeps its memory) and any
    // capture failure return an undefined tensor too; a failed capture turns graphs off.
    at::Tensor encode(const VaeModel& model, const at::Tensor& x, double maxBytes);

private:
    struct Captured;
    std::mutex mutex_;
    std::vector<std::int64_t> seen_;
    std::unique_ptr<Captured> captured_;
    bool disabled_ = false;
};

} // namespace lb::vae
