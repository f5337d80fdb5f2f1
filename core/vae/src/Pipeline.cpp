// The encode modes as one call each: VAEEncodeForInpaint (InpaintPreprocess' resize, crop, grow,
// gray fill, then the VAE's encode) and VAEEncode + SetLatentNoiseMask (NoiseMaskOps, then the
// encode).
#include "latentbrush/Pipeline.h"

#include <utility>

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

// Either encode mode: `prepare()` gives the encoder's inputs (InpaintInputs or NoiseMaskInputs),
// the VAE encodes their pixels, and the result keeps the inputs' noise mask, pixels and crop.
template <class Out, class Prepare>
Result<Out> encodePrepared(Vae& vae, const Progress& progress, Prepare prepare) {
    if (progress.cancelled()) return makeError("cancelled");
    progress(0.0, "preparing the mask and pixels");
    auto prepared = prepare();
    if (!prepared) return prepared.error();
    auto& inputs = prepared.value();
    if (progress.cancelled()) return makeError("cancelled");

    Result<LatentBuffer> samples = vae.encode(inputs.pixels, encoderProgress(progress));
    if (!samples) return samples.error();

    Out result;
    result.samples = std::move(samples.value());
    result.noiseMask = std::move(inputs.noiseMask);
    result.pixels = std::move(inputs.pixels);
    result.crop = inputs.crop;
    if constexpr (requires { result.aspectDiffers = inputs.aspectDiffers; })
        result.aspectDiffers = inputs.aspectDiffers;
    progress(1.0, "done");
    return result;
}

} // namespace

Result<InpaintEncodeResult> inpaintEncode(Vae& vae, const ImageBuffer& image,
                                          const MaskBuffer& mask, int grow,
                                          const Progress& progress) {
    return encodePrepared<InpaintEncodeResult>(
        vae, progress, [&] { return prepareInpaint(image, mask, grow, vae.info().downscale); });
}

Result<NoiseMaskEncodeResult> noiseMaskEncode(Vae& vae, const ImageBuffer& image,
                                              const MaskBuffer& mask,
                                              const NoiseMaskOptions& options,
                                              const Progress& progress) {
    return encodePrepared<NoiseMaskEncodeResult>(vae, progress, [&] {
        return prepareNoiseMask(image, mask, options, vae.info().downscale);
    });
}

} // namespace lb
