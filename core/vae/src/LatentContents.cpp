// The .latent builders of LatentContents.h: the metadata of docs/FILES.md for each encode mode.
#include "latentbrush/LatentContents.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

namespace lb {

const char* encodeModeName(EncodeMode mode) {
    return mode == EncodeMode::NoiseMask ? "noise-mask" : "inpaint";
}

bool parseEncodeMode(const std::string& text, EncodeMode* mode) {
    if (text == "inpaint") {
        *mode = EncodeMode::Inpaint;
        return true;
    }
    if (text == "noise-mask") {
        *mode = EncodeMode::NoiseMask;
        return true;
    }
    return false;
}

namespace {

// The metadata both modes write (docs/FILES.md).
std::map<std::string, std::string> encodeMetadata(EncodeMode mode, const VaeInfo& info,
                                                  const CropRect& c, const std::string& vaeFile,
                                                  const std::string& imageFile,
                                                  const std::string& maskSource,
                                                  InputPrecision precision) {
    auto pair = [](int a, int b) {
        std::string s = std::to_string(a);
        s += ',';
        s += std::to_string(b);
        return s;
    };
    return {
        {"latentbrush.version", LATENTBRUSH_VERSION},
        {"encode.mode", encodeModeName(mode)},
        {"vae.family", vaeFamilyName(info.family)},
        {"vae.file", std::filesystem::path(vaeFile).filename().string()},
        {"vae.latent_channels", std::to_string(info.latentChannels)},
        {"vae.downscale", std::to_string(info.downscale)},
        {"vae.kernels", kernelsName(info.kernels)},
        {"source.image", std::filesystem::path(imageFile).filename().string()},
        {"source.mask", maskSource},
        {"source.precision", inputPrecisionName(precision)},
        {"crop.offset", pair(c.top, c.left)},
        {"crop.size", pair(c.height, c.width)},
    };
}

// A number as the shortest text that reads back as the same double.
std::string numberText(double v) {
    char buffer[64];
    for (int digits = 1; digits <= 17; ++digits) {
        std::snprintf(buffer, sizeof buffer, "%.*g", digits, v);
        if (std::strtod(buffer, nullptr) == v) break;
    }
    return buffer;
}

} // namespace

LatentFileContents makeLatentFileContents(InpaintEncodeResult&& result, const VaeInfo& info,
                                          int grow, const std::string& vaeFile,
                                          const std::string& imageFile,
                                          const std::string& maskSource, InputPrecision precision) {
    LatentFileContents latent;
    latent.samples = std::move(result.samples);
    latent.hasNoiseMask = true;
    latent.noiseMask.shape = {1, 1, result.noiseMask.height, result.noiseMask.width};
    latent.noiseMask.data.assign(result.noiseMask.data.begin(), result.noiseMask.data.end());
    latent.metadata = encodeMetadata(EncodeMode::Inpaint, info, result.crop, vaeFile, imageFile,
                                     maskSource, precision);
    latent.metadata["grow_mask_by"] = std::to_string(grow);
    return latent;
}

LatentFileContents
makeNoiseMaskLatentFileContents(NoiseMaskEncodeResult&& result, const VaeInfo& info,
                                const NoiseMaskOptions& options, const std::string& vaeFile,
                                const std::string& imageFile, const std::string& maskSource,
                                InputPrecision precision) {
    LatentFileContents latent;
    latent.samples = std::move(result.samples);
    latent.hasNoiseMask = true;
    latent.noiseMask.shape = {1, 1, result.noiseMask.height, result.noiseMask.width};
    latent.noiseMask.data = std::move(result.noiseMask.data);
    latent.metadata = encodeMetadata(EncodeMode::NoiseMask, info, result.crop, vaeFile, imageFile,
                                     maskSource, precision);
    latent.metadata["mask.expand"] = std::to_string(options.expand);
    latent.metadata["mask.tapered_corners"] = options.taperedCorners ? "true" : "false";
    latent.metadata["mask.blur_radius"] = std::to_string(options.blurRadius);
    latent.metadata["mask.blur_sigma"] = numberText(options.blurSigma);
    return latent;
}

} // namespace lb
