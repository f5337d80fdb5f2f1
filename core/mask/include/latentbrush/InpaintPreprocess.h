// The exact preprocessing of ComfyUI's VAEEncodeForInpaint (spec/VAEEncodeForInpaint.md):
// bilinear mask resize, centre crop to the VAE's multiple, grow (box dilation), gray fill.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/Result.h"
#include "latentbrush/SampleValues.h" // roundHalfEven, byteToFloat, wordToFloat

#include <cmath>
#include <cstdint>

namespace lb {

// torch.nn.functional.interpolate(mode="bilinear", align_corners=False, antialias=False)
// on one float32 plane, bit-identical to PyTorch 1.13's CPU kernel.
MaskBuffer resizeBilinear(const MaskBuffer& src, int outHeight, int outWidth);

// The node's centre crop: X = (H // d) * d rows from (H % d) // 2, same for columns.
struct CropRect {
    int top = 0;
    int left = 0;
    int height = 0; // X
    int width = 0;  // Y
    bool operator==(const CropRect&) const = default;
};
CropRect centreCrop(int height, int width, int multiple);

MaskBuffer cropMask(const MaskBuffer& mask, const CropRect& rect);
ImageBuffer cropImage(const ImageBuffer& image, const CropRect& rect);
// The encoder's input crop: the first three channels (alpha dropped, gray replicated).
ImageBuffer rgbCrop(const ImageBuffer& image, const CropRect& rect);

// round(mask) as 0/1 bytes (values must lie in [0, 1]).
BinaryMask roundMask(const MaskBuffer& mask);

// The node's grow on an already rounded mask: g == 0 returns it unchanged; otherwise
// clamp(conv2d(m, ones(g, g), padding=ceil((g-1)/2)), 0, 1)[:X, :Y].round(), computed as a
// separable box dilation of the window rows i-a..i+b, a = ceil((g-1)/2), b = g-1-a
// (off-centre for even g). O(1) per pixel, multi-threaded.
BinaryMask growBinary(const BinaryMask& mask, int g);

// Incremental grow for live previews: `out` holds growBinary(previousMask, g); `mask` differs
// from previousMask only inside `changed` (in mask coordinates). Recomputes only the pixels of
// `out` that the change can reach (changed grown by the window) and returns that rectangle.
CropRect growBinaryRegion(const BinaryMask& mask, int g, const CropRect& changed, BinaryMask& out);

// The whole noise_mask step on a cropped soft mask: round, then grow.
BinaryMask noiseMask(const MaskBuffer& croppedMask, int g);

// Gray fill in place on the first three channels, in float32 and in the reference's order:
// p = ((p - 0.5f) * (1.0f - round(m))) + 0.5f. The image and mask must have the same size.
void grayFill(ImageBuffer& image, const MaskBuffer& croppedMask);

// An image an encoder can take: 1..4 channels, a buffer matching its size, at least `multiple`
// pixels a side, finite values. Shared by the inpaint and noise-mask preprocessing.
Status checkEncoderImage(const ImageBuffer& image, int multiple);

// The preprocessing of the node up to the VAE: resize the mask to the image, crop both,
// grow, gray-fill. `pixels` keeps 3 channels (alpha dropped, gray replicated).
struct InpaintInputs {
    ImageBuffer pixels;   // X x Y x 3, gray-filled
    BinaryMask noiseMask; // X x Y, 0/1
    MaskBuffer mask;      // X x Y, the resized and cropped (un-grown) soft mask
    CropRect crop;
    bool aspectDiffers = false; // the mask's aspect ratio differs from the image's
};
Result<InpaintInputs> prepareInpaint(const ImageBuffer& image, const MaskBuffer& mask, int grow,
                                     int multiple);

// The noise mask of an image of the given size, from a mask of any size (the grow CLI and
// the mask-only golden case): resize, crop, round, grow.
Result<BinaryMask> noiseMaskForSize(const MaskBuffer& mask, int imageHeight, int imageWidth,
                                    int grow, int multiple, CropRect* cropOut = nullptr);

// Limits shared by the CLI and the editor.
constexpr int kMaxGrow = 1024;

} // namespace lb
