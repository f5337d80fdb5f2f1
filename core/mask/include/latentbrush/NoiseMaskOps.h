// The preprocessing of the noise-mask mode: ComfyUI's VAEEncode crop and SetLatentNoiseMask, with
// its GrowMask and ImageBlur nodes on the soft mask (no rounding, no gray fill, no mask resize).
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/Result.h"

namespace lb {

// GrowMask(expand, tapered_corners): scipy.ndimage grey_dilation (expand > 0) or grey_erosion
// (expand < 0) with a 3x3 footprint, |expand| times. Iterated, that is the max (min) over the
// pixels of the image within distance |expand|: L1 (Manhattan) for the tapered cross footprint,
// Chebyshev for the square one (scipy's reflect border repeats the edge pixel, which the window
// already holds). Computed as such a distance filter, O(1) per pixel whatever `expand` is; exact
// on soft values (a max or min of the inputs).
MaskBuffer growMaskComfy(const MaskBuffer& mask, int expand, bool taperedCorners);

// ImageBlur(blur_radius, sigma) on a mask (MaskToImage -> ImageBlur -> ImageToMask): the
// normalised (2r+1)^2 Gaussian exp(-d^2 / (2 sigma^2)) over linspace(-1, 1, 2r+1) coordinates
// (sigma is relative to the radius, not in pixels), reflect padding (no edge repeat). Computed
// separably in float64 and rounded once; radius 0 returns the mask. The node needs
// radius < height and radius < width (torch's reflect pad): an error otherwise.
Result<MaskBuffer> blurMaskComfy(const MaskBuffer& mask, int radius, double sigma);

// The noise-mask mode's mask steps, in ComfyUI's order: GrowMask, then ImageBlur.
struct NoiseMaskOptions {
    int expand = 0;             // GrowMask expand (negative shrinks)
    bool taperedCorners = true; // GrowMask tapered_corners (true: the node's default)
    int blurRadius = 0;         // ImageBlur blur_radius; 0 = no blur
    double blurSigma = 1.0;     // ImageBlur sigma
};
constexpr int kMaxMaskExpand = 16384; // ComfyUI's MAX_RESOLUTION
constexpr int kMaxMaskBlur = 1024;    // the node allows 1..31

// Checks the options' ranges; returns the problem as an error.
Status checkNoiseMaskOptions(const NoiseMaskOptions& options);

// VAEEncode + SetLatentNoiseMask's inputs: the image centre-cropped to multiples of `multiple`
// as the VAE does (3 channels, no gray fill) and the mask, at its own size, after the options'
// GrowMask and ImageBlur (soft values kept). An empty mask becomes an all-zero mask of the
// image's size.
struct NoiseMaskInputs {
    ImageBuffer pixels;   // X x Y x 3, the encoder's input
    MaskBuffer noiseMask; // the mask's own size
    CropRect crop;
};
Result<NoiseMaskInputs> prepareNoiseMask(const ImageBuffer& image, const MaskBuffer& mask,
                                         const NoiseMaskOptions& options, int multiple);

} // namespace lb
