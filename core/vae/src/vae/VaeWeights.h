// WeightStore: a VAE's tensors under canonical names, from one or two files, handed to the model
// code with shape and finiteness checks, converted to the compute dtype and device, for the
// kernels the model will run (the layers read kernels() when they load and keep it).
#pragma once

#include "latentbrush/Safetensors.h"
#include "latentbrush/Vae.h"
#include "vae/VaeKeys.h"

#include <torch/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace lb::vae {

class WeightStore {
public:
    WeightStore(at::Device device, at::ScalarType dtype, Kernels kernels)
        : device_(device), dtype_(dtype), kernels_(kernels) {}

    // Adds every VAE tensor of `file` under its canonical name (throws LoadError when two names
    // map to the same tensor).
    void addFile(const std::shared_ptr<SafetensorsFile>& file, const KeyMap& keys);

    bool has(const std::string& name) const { return entries_.count(name) != 0; }
    // Whether any canonical name starts with `prefix`.
    bool hasPrefix(const std::string& prefix) const;
    // The shape stored in the file; throws LoadError naming the tensor when it is missing.
    std::vector<std::int64_t> shape(const std::string& name) const;
    // The tensor in the compute dtype on the device, after checking that it exists, has
    // `expected` shape (a linear [O, I] stands for a 1x1 convolution [O, I, 1, 1]) and holds
    // only finite values. Marks it used.
    at::Tensor take(const std::string& name, const std::vector<std::int64_t>& expected);
    // The same, kept in float32 (statistics such as a batch-norm's running mean).
    at::Tensor takeFloat(const std::string& name, const std::vector<std::int64_t>& expected);
    // Marks a tensor as known without loading it (e.g. bn.num_batches_tracked).
    void markUsed(const std::string& name);

    // Throws LoadError listing the tensors nothing took (unexpected for this architecture).
    void requireAllUsed(const std::string& architecture) const;

    // "file: tensor 'name-as-in-the-file'"
    std::string where(const std::string& name) const;
    // Parameters taken (running statistics excluded).
    std::int64_t parameterCount() const { return parameters_; }
    // "F32", "F16", or "mixed BF16/F32" over the tensors added.
    std::string fileDTypes() const;
    // Metadata and path of the first file added (family decisions).
    const SafetensorsFile& primaryFile() const { return *files_.front(); }
    at::Device device() const { return device_; }
    at::ScalarType dtype() const { return dtype_; }
    // The kernels the layers loaded from this store run (their weights' layout depends on it).
    Kernels kernels() const { return kernels_; }

private:
    struct Entry {
        std::shared_ptr<SafetensorsFile> file;
        const TensorView* view = nullptr;
        bool used = false;
    };
    at::Tensor load(const std::string& name, const std::vector<std::int64_t>& expected,
                    at::ScalarType dtype);

    at::Device device_;
    at::ScalarType dtype_;
    Kernels kernels_;
    std::map<std::string, Entry> entries_;
    std::vector<std::shared_ptr<SafetensorsFile>> files_;
    std::vector<KeyMap> keyMaps_; // parallel to files_
    std::int64_t parameters_ = 0;
};

std::string shapeText(const std::vector<std::int64_t>& shape);

} // namespace lb::vae
