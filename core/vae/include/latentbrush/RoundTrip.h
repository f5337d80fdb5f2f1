// RoundTrip: what a VAE keeps of the region it encodes. The node's input (cropped to the VAE's
// multiple, gray-filled inside the grown mask) is encoded and decoded, and the decode compared
// with the original pixels of the crop: where detail is lost outside the mask, and where the gray
// fill bleeds past it. The editor's live view and its benchmark run this.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/NoiseMaskOps.h"
#include "latentbrush/Progress.h"
#include "latentbrush/Result.h"

namespace lb {

class Vae;

struct RoundTrip {
    ImageBuffer original;  // the crop of the image, RGB, X x Y x 3
    ImageBuffer decoded;   // the VAE's decode of the node's latent, RGB, X x Y x 3
    MaskBuffer difference; // mean over RGB of |decoded - original|, X x Y
    BinaryMask noiseMask;  // the grown mask (1 = regenerated), X x Y
    CropRect crop;
    // Peak signal-to-noise ratio of `decoded` against `original` over the pixels the sampler
    // keeps (noise mask 0), in dB; infinite when they are equal, NaN when every pixel is masked.
    double psnrKept = 0.0;
    double encodeSeconds = 0.0;
    double decodeSeconds = 0.0;
};

// `vae` needs a decoder. Exactly lb::inpaintEncode followed by vae.decode: the decode equals
// what Encode and a decode of its latent give for the same inputs.
Result<RoundTrip> vaeRoundTrip(Vae& vae, const ImageBuffer& image, const MaskBuffer& mask, int grow,
                               const Progress& progress = {});

// The noise-mask mode's round trip: exactly lb::noiseMaskEncode (VAEEncode of the crop, no gray
// fill) followed by vae.decode. `noiseMask` is the pixels the soft mask (after GrowMask and
// ImageBlur) touches at all, so the PSNR is over the pixels left wholly to the latent.
Result<RoundTrip> vaeRoundTripNoiseMask(Vae& vae, const ImageBuffer& image, const MaskBuffer& mask,
                                        const NoiseMaskOptions& options,
                                        const Progress& progress = {});

} // namespace lb
