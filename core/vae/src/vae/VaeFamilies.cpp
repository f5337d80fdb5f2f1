// VaeFamilies: the per-family constants table (docs/NUMERICS.md's VAE families) and the names used
// by
// --vae-family, --dtype and --kernels.
#include "vae/VaeModel.h"

#include <array>

namespace lb {
namespace vae {
namespace {

// family, name, tiny, scale, shift, packed 2x2, channels the network produces (0: any),
// pool blocks, latent batch-norm eps (0: none)
constexpr std::array<FamilySpec, 7> kFamilies{{
    {VaeFamily::AutoencoderKL, "autoencoderkl", false, 1.0, 0.0, false, 0, false, 0.0},
    {VaeFamily::Flux2, "flux2", false, 1.0, 0.0, true, 0, false, 1e-4},
    {VaeFamily::Taesd, "taesd", true, 0.18215, 0.0, false, 4, false, 0.0},
    {VaeFamily::Taesdxl, "taesdxl", true, 0.13025, 0.0, false, 4, false, 0.0},
    {VaeFamily::Taesd3, "taesd3", true, 1.5305, 0.0609, false, 16, false, 0.0},
    {VaeFamily::Taef1, "taef1", true, 0.3611, 0.1159, false, 16, false, 0.0},
    {VaeFamily::Taef2, "taef2", true, 1.0, 0.0, true, 32, true, 0.0},
}};

} // namespace

struct DTypeName {
    ComputeDType type;
    const char* name;
};
constexpr DTypeName kDTypeNames[] = {
    {ComputeDType::Auto, "auto"},
    {ComputeDType::F32, "fp32"},
    {ComputeDType::F16, "fp16"},
    {ComputeDType::BF16, "bf16"},
};

std::span<const FamilySpec> familyTable() {
    return kFamilies;
}

const FamilySpec& familySpec(VaeFamily family) {
    for (const FamilySpec& spec : kFamilies)
        if (spec.family == family) return spec;
    return kFamilies.front();
}

std::string joinInts(const std::vector<std::int64_t>& values, const char* separator) {
    std::string text;
    for (std::size_t i = 0; i < values.size(); ++i)
        text += (i ? separator : "") + std::to_string(values[i]);
    return text;
}

} // namespace vae

const char* vaeFamilyName(VaeFamily family) {
    return vae::familySpec(family).name;
}

bool parseVaeFamily(const std::string& name, VaeFamily* out) {
    for (const vae::FamilySpec& spec : vae::familyTable()) {
        if (name == spec.name) {
            if (out) *out = spec.family;
            return true;
        }
    }
    if (name == "kl") {
        if (out) *out = VaeFamily::AutoencoderKL;
        return true;
    }
    return false;
}

const char* computeDTypeName(ComputeDType t) {
    for (const vae::DTypeName& d : vae::kDTypeNames)
        if (d.type == t) return d.name;
    return "auto";
}

bool parseComputeDType(const std::string& name, ComputeDType* out) {
    for (const vae::DTypeName& d : vae::kDTypeNames) {
        if (name == d.name) {
            if (out) *out = d.type;
            return true;
        }
    }
    // Common spellings of the same types.
    const std::pair<const char*, ComputeDType> aliases[] = {
        {"float32", ComputeDType::F32}, {"f32", ComputeDType::F32},
        {"float16", ComputeDType::F16}, {"f16", ComputeDType::F16},
        {"half", ComputeDType::F16},    {"bfloat16", ComputeDType::BF16}};
    for (const auto& [alias, type] : aliases) {
        if (name == alias) {
            if (out) *out = type;
            return true;
        }
    }
    return false;
}

const char* kernelsName(Kernels k) {
    return k == Kernels::Reference ? "reference" : "fast";
}

bool parseKernels(const std::string& name, Kernels* out) {
    for (Kernels k : {Kernels::Reference, Kernels::Fast}) {
        if (name == kernelsName(k)) {
            if (out) *out = k;
            return true;
        }
    }
    return false;
}

} // namespace lb
