// The torch-free pixel steps of a region encode, shared by the encode, the stitch and the
// editor's preview: the grown mask of the whole image, ImageCrop + ImageScale of the pixels and
// CropMask of the mask at the image's size.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/regions/ExactResize.h"
#include "latentbrush/regions/RegionPlan.h"

namespace lb::regions {

// The mask brought to the image's size by the node's step 2 (bilinear; the identity when the
// sizes match; all zero for an empty mask).
MaskBuffer maskAtImageSize(const MaskBuffer& mask, int imageHeight, int imageWidth);

// The node's grow applied to round(mask) at full resolution (no crop): what auto regions frame
// and what the stitch's blend mask is made from.
BinaryMask grownMaskOfImage(const MaskBuffer& maskAtImageSize, int grow);

// ImageCrop(image, w, h, x, y) -> ImageScale(method, W', H', crop=disabled); channels kept.
ImageBuffer cropAndScale(const ImageBuffer& image, const RegionRect& rect, int scaledWidth,
                         int scaledHeight, ResizeMethod method);

// CropMask(mask, x, y, w, h).
MaskBuffer cropMaskRect(const MaskBuffer& mask, const RegionRect& rect);

} // namespace lb::regions
