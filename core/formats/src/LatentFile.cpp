// .latent files: writes and reads ComfyUI's SaveLatent layout (latent_tensor,
// latent_format_version_0) plus Latentbrush's noise_mask and metadata (see LatentFile.h).
#include "latentbrush/LatentFile.h"

#include "latentbrush/Safetensors.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace lb {
namespace {

const char* kLatentName = "latent_tensor";
const char* kVersionMarkerName = "latent_format_version_0";
const char* kNoiseMaskName = "noise_mask";

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string out = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + "]";
}

// Checks that `buffer` is a rank-4 tensor with positive dimensions holding exactly its data and
// only finite values; returns the problem, or an empty string.
std::string checkBuffer(const char* name, const LatentBuffer& buffer) {
    if (buffer.shape.size() != 4)
        return std::string(name) + " must have 4 dimensions, not shape " + shapeText(buffer.shape);
    std::int64_t count = 1;
    for (std::int64_t d : buffer.shape)
        if (d < 1 || __builtin_mul_overflow(count, d, &count))
            return std::string(name) + " has an invalid shape " + shapeText(buffer.shape);
    if (static_cast<std::uint64_t>(count) != buffer.data.size())
        return std::string(name) + " has shape " + shapeText(buffer.shape) + " (" +
               std::to_string(count) + " values) but holds " + std::to_string(buffer.data.size()) +
               " values";
    for (std::size_t i = 0; i < buffer.data.size(); ++i)
        if (!std::isfinite(buffer.data[i]))
            return std::string(name) + " holds a non-finite value (" +
                   std::to_string(buffer.data[i]) + " at index " + std::to_string(i) + ")";
    return {};
}

// The noise mask must be [B, 1, X, Y] with the batch of the samples.
std::string checkNoiseMaskShape(const std::vector<std::int64_t>& mask,
                                const std::vector<std::int64_t>& samples) {
    if (mask.size() != 4 || mask[1] != 1 || mask[0] != samples[0])
        return std::string("noise_mask has shape ") + shapeText(mask) + ", expected [" +
               std::to_string(samples[0]) + ", 1, X, Y] for latent_tensor " + shapeText(samples);
    return {};
}

float halfToFloat(std::uint16_t half) {
    const std::uint32_t sign = static_cast<std::uint32_t>(half & 0x8000u) << 16;
    const std::uint32_t exponent = (half >> 10) & 0x1fu;
    std::uint32_t mantissa = half & 0x3ffu;
    std::uint32_t bits = 0;
    if (exponent == 0x1f) { // infinity or NaN
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else if (exponent != 0) { // normal
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa != 0) { // subnormal: normalise the mantissa
        std::uint32_t shift = 0;
        while (!(mantissa & 0x400u)) {
            mantissa <<= 1;
            ++shift;
        }
        bits = sign | ((113 - shift) << 23) | ((mantissa & 0x3ffu) << 13);
    } else {
        bits = sign; // zero
    }
    float value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

float bfloat16ToFloat(std::uint16_t bf16) {
    const std::uint32_t bits = static_cast<std::uint32_t>(bf16) << 16;
    float value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

// The values of a float tensor entry (F32, F16 or BF16) as float32; exact for each.
std::vector<float> toFloat32(const TensorView& view) {
    const auto count = static_cast<std::size_t>(view.numel());
    std::vector<float> values(count);
    if (view.dtype == DType::F32) {
        if (count) std::memcpy(values.data(), view.data, count * sizeof(float));
        return values;
    }
    for (std::size_t i = 0; i < count; ++i) {
        std::uint16_t bits;
        std::memcpy(&bits, view.data + 2 * i, 2); // the data need not be aligned
        values[i] = view.dtype == DType::F16 ? halfToFloat(bits) : bfloat16ToFloat(bits);
    }
    return values;
}

bool isFloatDType(DType t) {
    return t == DType::F32 || t == DType::F16 || t == DType::BF16;
}

// Reads one float tensor entry into a buffer and checks it.
Result<LatentBuffer> readBuffer(const std::string& path, const TensorView& view) {
    if (!isFloatDType(view.dtype))
        return makeError(path + ": " + view.name + " has dtype " + dtypeName(view.dtype) +
                         ", expected F32, F16 or BF16");
    LatentBuffer buffer;
    buffer.shape = view.shape;
    if (view.shape.size() == 4) buffer.data = toFloat32(view);
    std::string problem = checkBuffer(view.name.c_str(), buffer);
    if (!problem.empty()) return makeError(path + ": " + problem);
    return buffer;
}

} // namespace

Status writeLatentFile(const std::string& path, const LatentFileContents& contents) {
    std::string problem = checkBuffer(kLatentName, contents.samples);
    if (problem.empty() && contents.hasNoiseMask) {
        problem = checkBuffer(kNoiseMaskName, contents.noiseMask);
        if (problem.empty())
            problem = checkNoiseMaskShape(contents.noiseMask.shape, contents.samples.shape);
    }
    if (!problem.empty()) return makeError(path + ": " + problem);

    std::vector<TensorToWrite> tensors;
    tensors.push_back({kLatentName, DType::F32, contents.samples.shape,
                       contents.samples.data.data(), contents.samples.data.size() * sizeof(float)});
    tensors.push_back({kVersionMarkerName, DType::F32, {0}, nullptr, 0});
    if (contents.hasNoiseMask)
        tensors.push_back({kNoiseMaskName, DType::F32, contents.noiseMask.shape,
                           contents.noiseMask.data.data(),
                           contents.noiseMask.data.size() * sizeof(float)});
    std::map<std::string, std::string> metadata = contents.metadata;
    metadata.emplace("latentbrush.version", LATENTBRUSH_VERSION);
    return writeSafetensors(path, tensors, metadata);
}

Result<LatentFileContents> readLatentFile(const std::string& path) {
    auto file = SafetensorsFile::open(path);
    if (!file) return file.error();

    const TensorView* latent = (*file)->find(kLatentName);
    if (!latent) return makeError(path + ": no latent_tensor in the file (not a .latent file?)");
    LatentFileContents contents;
    Result<LatentBuffer> samples = readBuffer(path, *latent);
    if (!samples) return samples.error();
    contents.samples = std::move(samples).value();

    if (const TensorView* mask = (*file)->find(kNoiseMaskName)) {
        std::string problem = checkNoiseMaskShape(mask->shape, contents.samples.shape);
        if (!problem.empty()) return makeError(path + ": " + problem);
        Result<LatentBuffer> noiseMask = readBuffer(path, *mask);
        if (!noiseMask) return noiseMask.error();
        contents.noiseMask = std::move(noiseMask).value();
        contents.hasNoiseMask = true;
    }
    contents.hasFormatVersionMarker = (*file)->contains(kVersionMarkerName);
    contents.metadata = (*file)->metadata();
    return contents;
}

} // namespace lb
