// Safetensors entries as LibTorch tensors: zero-copy views over a mapped file, and a writer for
// named tensors. The torch side of Safetensors.h (latentbrush_core only).
#pragma once

#include "latentbrush/Result.h"
#include "latentbrush/Safetensors.h"

#include <torch/types.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace lb {

// The tensor stored in `view` (an entry of `file`), on the CPU, in the file's dtype. When the
// data is aligned for its dtype the tensor shares the file's read-only mapping (no copy) and
// keeps `file` alive until the tensor's storage is freed: never modify it in place (clone
// first). Otherwise the data is copied into a fresh, aligned tensor. U16/U32/U64 and F8 entries
// are an error naming the tensor.
Result<torch::Tensor> toTensor(const std::shared_ptr<SafetensorsFile>& file,
                               const TensorView& view);

// The safetensors dtype of a LibTorch scalar type; false for types the format cannot hold here.
bool dtypeFromScalarType(c10::ScalarType type, DType* out);

// Writes the tensors (any device, any layout: made contiguous on the CPU first) in the order
// given, with `metadata` as __metadata__, atomically (see writeSafetensors).
Status writeTensors(const std::string& path,
                    const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                    const std::map<std::string, std::string>& metadata = {});

} // namespace lb
