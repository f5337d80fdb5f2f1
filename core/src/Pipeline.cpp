// InpaintEncode: the VAEEncodeForInpaint node as one call: the exact preprocessing of MaskOps
// (resize, crop, grow, gray fill) with the VAE's multiple, then the VAE's encode.
#include "latentbrush/Pipeline.h"

namespace lb {

Result<InpaintEncodeResult> inpaintEncode(Vae& vae, const ImageBuffer& image,
                                          const MaskBuffer& mask, int grow,
                                          const Progress& progress) {
    if (progress.cancelled()) return makeError("cancelled");
    progress(0.0, "preparing the mask and pixels");
    Result<InpaintInputs> prepared = prepareInpaint(image, mask, grow, vae.info().downscale);
    if (!prepared) return prepared.error();
    InpaintInputs& inputs = prepared.value();
    if (progress.cancelled()) return makeError("cancelled");

    // The encoder's progress fills the rest of the range.
    Progress encodeProgress;
    encodeProgress.cancel = progress.cancel;
    if (progress.report)
        encodeProgress.report = [&progress](double fraction, const std::string& stage) {
            progress(0.05 + 0.95 * fraction, stage);
        };
    Result<LatentBuffer> samples = vae.encode(inputs.pixels, encodeProgress);
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

} // namespace lb
