// LibTorch tensors over safetensors entries (zero-copy where aligned) and the tensor writer
// (see SafetensorsTorch.h). c10 errors are caught here and returned as messages.
#include "latentbrush/SafetensorsTorch.h"

#include <cstdint>
#include <cstring>
#include <exception>
#include <string>

namespace lb {
namespace {

struct DTypeMapping {
    DType dtype;
    c10::ScalarType scalarType;
};

constexpr DTypeMapping kTorchTypes[] = {
    {DType::F64, c10::ScalarType::Double}, {DType::F32, c10::ScalarType::Float},
    {DType::F16, c10::ScalarType::Half},   {DType::BF16, c10::ScalarType::BFloat16},
    {DType::I64, c10::ScalarType::Long},   {DType::I32, c10::ScalarType::Int},
    {DType::I16, c10::ScalarType::Short},  {DType::I8, c10::ScalarType::Char},
    {DType::U8, c10::ScalarType::Byte},    {DType::BOOL, c10::ScalarType::Bool},
};

bool scalarTypeFromDType(DType dtype, c10::ScalarType* out) {
    for (const DTypeMapping& m : kTorchTypes) {
        if (m.dtype == dtype) {
            *out = m.scalarType;
            return true;
        }
    }
    return false;
}

// c10's messages can span several lines; ours are one.
std::string oneLine(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    for (char& c : text)
        if (c == '\n' || c == '\r') c = ' ';
    return text;
}

} // namespace

bool dtypeFromScalarType(c10::ScalarType type, DType* out) {
    for (const DTypeMapping& m : kTorchTypes) {
        if (m.scalarType == type) {
            *out = m.dtype;
            return true;
        }
    }
    return false;
}

Result<torch::Tensor> toTensor(const std::shared_ptr<SafetensorsFile>& file,
                               const TensorView& view) {
    const std::string where =
        (file ? file->path() : std::string("<no file>")) + ": tensor '" + view.name + "'";
    if (!file) return makeError(where + ": no file given");
    c10::ScalarType scalarType{};
    if (!scalarTypeFromDType(view.dtype, &scalarType))
        return makeError(where + " has dtype " + dtypeName(view.dtype) +
                         ", which LibTorch tensors cannot hold here");
    try {
        const auto options = at::TensorOptions().dtype(scalarType).device(at::kCPU);
        const auto address = reinterpret_cast<std::uintptr_t>(view.data);
        if (view.data && address % dtypeSize(view.dtype) == 0) {
            // The deleter owns a reference to the file: the mapping outlives every view of it.
            std::shared_ptr<SafetensorsFile> keepAlive = file;
            return at::from_blob(
                const_cast<std::uint8_t*>(view.data), view.shape,
                [keepAlive](void*) mutable { keepAlive.reset(); }, options);
        }
        at::Tensor copy = at::empty(view.shape, options);
        if (view.byteSize > 0) std::memcpy(copy.data_ptr(), view.data, view.byteSize);
        return copy;
    } catch (const c10::Error& e) {
        return makeError(where + ": " + oneLine(e.what_without_backtrace()));
    } catch (const std::exception& e) {
        return makeError(where + ": " + oneLine(e.what()));
    }
}

Status writeTensors(const std::string& path,
                    const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                    const std::map<std::string, std::string>& metadata) {
    std::vector<at::Tensor> cpuTensors; // keeps the contiguous copies alive while writing
    std::vector<TensorToWrite> toWrite;
    cpuTensors.reserve(tensors.size());
    toWrite.reserve(tensors.size());
    try {
        for (const auto& [name, tensor] : tensors) {
            if (!tensor.defined()) return makeError(path + ": tensor '" + name + "' is undefined");
            DType dtype{};
            if (!dtypeFromScalarType(tensor.scalar_type(), &dtype))
                return makeError(path + ": tensor '" + name + "' has type " +
                                 c10::toString(tensor.scalar_type()) +
                                 ", which safetensors files written here cannot hold");
            at::Tensor cpu = tensor.detach().to(at::kCPU).contiguous();
            cpuTensors.push_back(cpu);
            TensorToWrite entry;
            entry.name = name;
            entry.dtype = dtype;
            entry.shape.assign(cpu.sizes().begin(), cpu.sizes().end());
            entry.data = cpu.data_ptr();
            entry.byteSize = static_cast<std::size_t>(cpu.numel()) * cpu.element_size();
            toWrite.push_back(std::move(entry));
        }
    } catch (const c10::Error& e) {
        return makeError(path + ": " + oneLine(e.what_without_backtrace()));
    } catch (const std::exception& e) {
        return makeError(path + ": " + oneLine(e.what()));
    }
    return writeSafetensors(path, toWrite, metadata);
}

} // namespace lb
