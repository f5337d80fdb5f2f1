// WeightStore: canonical-name lookup over mapped safetensors files, with the checks that make
// a bad file fail at load with one line naming the file and the tensor.
#include "vae/VaeWeights.h"

#include "latentbrush/SafetensorsTorch.h"
#include "vae/VaeModel.h"

#include <algorithm>
#include <functional>
#include <set>

namespace lb::vae {

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string text = "[";
    text += joinInts(shape, ", ");
    return text + "]";
}

void WeightStore::addFile(const std::shared_ptr<SafetensorsFile>& file, const KeyMap& keys) {
    files_.push_back(file);
    keyMaps_.push_back(keys);
    for (const TensorView& view : file->tensors()) {
        const std::string name = keys.toCanonical(view.name);
        if (name.empty()) continue;
        auto [it, inserted] = entries_.emplace(name, Entry{file, &view, false});
        if (!inserted)
            throw LoadError(file->path() + ": tensors '" + it->second.view->name + "' and '" +
                            view.name + "' are the same VAE tensor ('" + name + "')");
    }
}

bool WeightStore::hasPrefix(const std::string& prefix) const {
    auto it = entries_.lower_bound(prefix);
    return it != entries_.end() && it->first.rfind(prefix, 0) == 0;
}

std::string WeightStore::where(const std::string& name) const {
    auto it = entries_.find(name);
    if (it != entries_.end())
        return it->second.file->path() + ": tensor '" + it->second.view->name + "'";
    // Missing: name it as the file holding that half (encoder./decoder.) would.
    std::size_t index = 0;
    const std::string half = name.substr(0, name.find('.') + 1);
    for (std::size_t i = 0; i < files_.size(); ++i) {
        const KeyMap& keys = keyMaps_[i];
        const bool holdsHalf = std::any_of(
            files_[i]->tensors().begin(), files_[i]->tensors().end(),
            [&](const TensorView& t) { return keys.toCanonical(t.name).rfind(half, 0) == 0; });
        if (holdsHalf) {
            index = i;
            break;
        }
    }
    if (files_.empty()) return "tensor '" + name + "'";
    return files_[index]->path() + ": tensor '" + keyMaps_[index].toOriginal(name) + "'";
}

std::vector<std::int64_t> WeightStore::shape(const std::string& name) const {
    auto it = entries_.find(name);
    if (it == entries_.end()) throw LoadError(where(name) + " is missing");
    return it->second.view->shape;
}

at::Tensor WeightStore::load(const std::string& name, const std::vector<std::int64_t>& expected,
                             at::ScalarType dtype) {
    auto it = entries_.find(name);
    if (it == entries_.end()) throw LoadError(where(name) + " is missing");
    Entry& entry = it->second;
    const TensorView& view = *entry.view;
    // A linear layer [O, I] stands for the 1x1 convolution [O, I, 1, 1] (diffusers attention).
    const bool linearForConv = expected.size() == 4 && expected[2] == 1 && expected[3] == 1 &&
                               view.shape == std::vector<std::int64_t>{expected[0], expected[1]};
    if (view.shape != expected && !linearForConv)
        throw LoadError(where(name) + " has shape " + shapeText(view.shape) + ", expected " +
                        shapeText(expected));
    if (view.dtype != DType::F32 && view.dtype != DType::F16 && view.dtype != DType::BF16 &&
        view.dtype != DType::F64)
        throw LoadError(where(name) + " has dtype " + dtypeName(view.dtype) +
                        ", expected F32, F16 or BF16");
    Result<at::Tensor> raw = toTensor(entry.file, view);
    if (!raw) throw LoadError(raw.message());
    at::Tensor value = raw.value().to(at::kFloat);
    if (linearForConv) value = value.reshape(expected);
    if (!at::isfinite(value).all().item<bool>())
        throw LoadError(where(name) + " holds NaN or infinite values");
    entry.used = true;
    return value.to(device_, dtype).contiguous();
}

at::Tensor WeightStore::take(const std::string& name, const std::vector<std::int64_t>& expected) {
    at::Tensor t = load(name, expected, dtype_);
    parameters_ += t.numel();
    return t;
}

at::Tensor WeightStore::takeFloat(const std::string& name,
                                  const std::vector<std::int64_t>& expected) {
    return load(name, expected, at::kFloat);
}

void WeightStore::markUsed(const std::string& name) {
    auto it = entries_.find(name);
    if (it != entries_.end()) it->second.used = true;
}

void WeightStore::requireAllUsed(const std::string& architecture) const {
    std::vector<const Entry*> unused;
    for (const auto& [name, entry] : entries_)
        if (!entry.used) unused.push_back(&entry);
    if (unused.empty()) return;
    // In file order, so the message names the first stray tensor as a reader would see it.
    std::sort(unused.begin(), unused.end(),
              [](const Entry* a, const Entry* b) { return std::less<>()(a->view, b->view); });
    std::string list;
    const std::size_t shown = std::min<std::size_t>(unused.size(), 3);
    for (std::size_t i = 0; i < shown; ++i)
        list +=
            (i ? ", '" : "'") + unused[i]->view->name + "' " + shapeText(unused[i]->view->shape);
    if (unused.size() > shown) list += " and " + std::to_string(unused.size() - shown) + " more";
    throw LoadError(unused.front()->file->path() + ": unexpected tensor" +
                    (unused.size() > 1 ? "s " : " ") + list + " (not part of " + architecture +
                    ")");
}

std::string WeightStore::fileDTypes() const {
    std::set<std::string> names;
    for (const auto& [name, entry] : entries_) {
        const DType t = entry.view->dtype;
        if (t == DType::F32 || t == DType::F16 || t == DType::BF16 || t == DType::F64)
            names.insert(dtypeName(t));
    }
    if (names.empty()) return "none";
    if (names.size() == 1) return *names.begin();
    std::string text = "mixed ";
    for (const std::string& n : names)
        text += (text == "mixed " ? "" : "/") + n;
    return text;
}

} // namespace lb::vae
