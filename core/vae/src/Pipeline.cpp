// The encode modes as one call each: VAEEncodeForInpaint (InpaintPreprocess' resize, crop, grow,
// gray fill, then the VAE's encode) and VAEEncode + SetLatentNoiseMask (NoiseMaskOps, then the
// encode).
#include "latentbrush/Pipeline.h"

namespace lb {
namespace {

// The encoder's progress fills the range after the preparation.
Progress encoderProgress(const Progress& progress) {
    Progress encodeProgress;
    encodeProgress.cancel = progress.cancel;
    if (progress.report)
        encodeProgress.report = [&progress](double fraction, const std::string& stage) {
            progress(0.05 + 0.95 * fraction, stage);
        };
    return encodeProgress;
}

} // namespace

Result<InpaintEncodeResult> inpaintEncode(Vae& vae, const ImageBuffer& image,
                                          const MaskBuffer& mask, int grow,
                                          const Progress& progress) {
    if (progress.cancelled()) return makeError("cancelled");
    progress(0.0, "preparing the mask and pixels");
    Result<InpaintInputs> prepared = prepareInpaint(image, mask, grow, vae.info().downscale);
    if (!prepared) return prepared.error();
    InpaintInputs& inputs = prepared.value();
    if (progress.cancelled()) return makeError("cancelled");

    Result<LatentBuffer> samples = vae.encode(inputs.pixels, encoderProgress(progress));
    if (!samples) return samples.error();

    InpaintEncodeResult result;
    result.samples = std::move(samples.value());
    result.noiseMask = std::move(inputs.noiseMask);
    result.pixels = std::move(inputs.pixels);
    result.crop = inputs.crop;
    result.aspectDiffers = inputs.aspectDiffers;
    progress(1.0, "done");
    return result;
}

Result<NoiseMaskEncodeResult> noiseMaskEncode(Vae& vae, const ImageBuffer& image,
                                              const MaskBuffer& mask,
                                              const NoiseMaskOptions& options,
                                              const Progress& progress) {
    if (progress.cancelled()) return makeError("cancelled");
    progress(0.0, "preparing the mask and pixels");
    Result<NoiseMaskInputs> prepared = prepareNoiseMask(image, mask, options, vae.info().downscale);
    if (!prepared) return prepared.error();
    NoiseMaskInputs& inputs = prepared.value();
    if (progress.cancelled()) return makeError("cancelled");
    Result<LatentBuffer> samples = vae.encode(inputs.pixels, encoderProgress(progress));
    if (!samples) return samples.error();

    NoiseMaskEncodeResult result;
    result.samples = std::move(samples.value());
    result.noiseMask = std::move(inputs.noiseMask);
    result.pixels = std::move(inputs.pixels);
    result.crop = inputs.crop;
    progress(1.0, "done");
    return result;
}

} // namespace lb
