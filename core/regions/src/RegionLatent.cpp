// The region .latent and the per-region file names of RegionLatent.h.
#include "latentbrush/regions/RegionLatent.h"

#include <filesystem>

namespace lb::regions {

std::string indexedPath(const std::string& path, std::size_t index) {
    const std::filesystem::path p(path);
    return (p.parent_path() /
            (p.stem().string() + "_" + std::to_string(index) + p.extension().string()))
        .string();
}

LatentFileContents regionLatentContents(const RegionEncodeResult& result, const ImageBuffer& image,
                                        const MaskBuffer& mask, ResizeMethod method, int grow,
                                        const VaeInfo& info, const std::string& vaeFile,
                                        const std::string& imageName, const std::string& maskSource,
                                        InputPrecision precision) {
    const RegionPlan& plan = result.plan;
    LatentFileContents latent;
    latent.samples = result.samples;
    latent.hasNoiseMask = true;
    latent.noiseMask = stackNoiseMasks(result.noiseMasks);
    latent.metadata = regionMetadata(result, image, mask, method, grow);
    latent.metadata.insert({
        {"latentbrush.version", LATENTBRUSH_VERSION},
        {"grow_mask_by", std::to_string(grow)},
        {"vae.family", vaeFamilyName(info.family)},
        {"vae.file", vaeFile},
        {"vae.latent_channels", std::to_string(info.latentChannels)},
        {"vae.downscale", std::to_string(info.downscale)},
        {"vae.kernels", kernelsName(info.kernels)},
        {"source.image", imageName},
        {"source.mask", maskSource},
        {"source.precision", inputPrecisionName(precision)},
        {"crop.offset", "0,0"},
        {"crop.size", std::to_string(plan.scaledHeight) + "," + std::to_string(plan.scaledWidth)},
    });
    return latent;
}

} // namespace lb::regions
