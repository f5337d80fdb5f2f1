// The .latent contents of an encode result (samples, noise_mask and docs/FILES.md's metadata),
// built once here for `latentbrush-cli encode` / `batch` and the editor's Export, so that both
// write the same file. Also the encode modes those files record (encode.mode).
#pragma once

#include "latentbrush/InputPrecision.h"
#include "latentbrush/LatentFile.h"
#include "latentbrush/NoiseMaskOps.h"
#include "latentbrush/Pipeline.h"
#include "latentbrush/Vae.h"

#include <string>

namespace lb {

// What encode computes: ComfyUI's VAEEncodeForInpaint (rounded, grown mask; gray-filled pixels;
// for denoise 1.0) or VAEEncode + SetLatentNoiseMask with a soft mask (denoise below 1,
// Differential Diffusion), optionally after GrowMask and ImageBlur on the mask.
enum class EncodeMode { Inpaint, NoiseMask };
const char* encodeModeName(EncodeMode mode); // "inpaint", "noise-mask"
bool parseEncodeMode(const std::string& text, EncodeMode* mode);

// The .latent contents of an encode result, with the metadata keys of docs/FILES.md and
// source.precision (how the image's 16-bit samples were read: "reference" or "full").
LatentFileContents makeLatentFileContents(InpaintEncodeResult&& result, const VaeInfo& info,
                                          int grow, const std::string& vaeFile,
                                          const std::string& imageFile,
                                          const std::string& maskSource,
                                          InputPrecision precision = InputPrecision::Reference);

// The same for the noise-mask mode: noise_mask is the soft mask at its own size; the metadata
// add encode.mode=noise-mask and mask.expand, mask.tapered_corners, mask.blur_radius,
// mask.blur_sigma (and leave out grow_mask_by, which this mode does not use).
LatentFileContents
makeNoiseMaskLatentFileContents(NoiseMaskEncodeResult&& result, const VaeInfo& info,
                                const NoiseMaskOptions& options, const std::string& vaeFile,
                                const std::string& imageFile, const std::string& maskSource,
                                InputPrecision precision);

} // namespace lb
