// VaeDevice: the device and compute-dtype policy (auto/cpu/cuda[:N], auto/fp32/fp16/bf16),
// memory available for an encode, and recognising out-of-memory errors.
#pragma once

#include "latentbrush/Vae.h"

#include <torch/types.h>

#include <exception>
#include <string>
#include <vector>

namespace lb::vae {

struct ComputeTarget {
    at::Device device = at::Device(at::kCPU);
    at::ScalarType dtype = at::kFloat;
    std::string deviceName;         // "cpu", "cuda:0"
    std::string dtypeName;          // "fp32", "fp16", "bf16"
    std::vector<std::string> notes; // what "auto" chose, for info().inferred
};

// Resolves --device and --dtype; throws LoadError (without a file name) when the device does not
// exist, LibTorch has no CUDA, or the dtype has no kernels on that device.
ComputeTarget resolveTarget(const std::string& device, ComputeDType dtype);

// Bytes a working set may use on the device now (CPU: MemAvailable; CUDA: free memory after
// releasing the cache); negative when unknown.
double availableBytes(const at::Device& device);
// Returns cached device memory to the driver (after an out-of-memory error).
void releaseCachedMemory(const at::Device& device);
bool isOutOfMemory(const std::exception& error);

// c10 messages span several lines; errors of the core are one.
std::string oneLine(std::string text);

} // namespace lb::vae
