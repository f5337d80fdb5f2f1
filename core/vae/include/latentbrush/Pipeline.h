// InpaintEncode: the whole VAEEncodeForInpaint node as one core call:
// image + mask + VAE + grow_mask_by -> {samples, noise_mask}.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/NoiseMaskOps.h"
#include "latentbrush/Progress.h"
#include "latentbrush/Result.h"
#include "latentbrush/Vae.h"

namespace lb {

struct InpaintEncodeResult {
    LatentBuffer samples; // [1, C, X/d, Y/d]
    BinaryMask noiseMask; // X x Y, 0/1
    ImageBuffer pixels;   // X x Y x 3, the gray-filled encoder input
    CropRect crop;
    bool aspectDiffers = false;
};

// image: any channel count (RGB used); mask: any size, resized as the node does; an empty
// mask means "nothing masked".
Result<InpaintEncodeResult> inpaintEncode(Vae& vae, const ImageBuffer& image,
                                          const MaskBuffer& mask, int grow,
                                          const Progress& progress = {});

struct NoiseMaskEncodeResult {
    LatentBuffer samples; // [1, C, X/d, Y/d]
    MaskBuffer noiseMask; // the mask's own size, soft (after GrowMask and ImageBlur)
    ImageBuffer pixels;   // X x Y x 3, the encoder input (cropped, not gray-filled)
    CropRect crop;
};

// ComfyUI's VAEEncode(pixels) (the VAE's centred crop to multiples of d) followed by
// SetLatentNoiseMask(mask) after the options' GrowMask and ImageBlur (NoiseMaskOps.h).
Result<NoiseMaskEncodeResult> noiseMaskEncode(Vae& vae, const ImageBuffer& image,
                                              const MaskBuffer& mask,
                                              const NoiseMaskOptions& options,
                                              const Progress& progress = {});

} // namespace lb
