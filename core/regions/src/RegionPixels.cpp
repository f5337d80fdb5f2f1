// The torch-free pixel steps of a region encode (RegionPixels.h).
#include "latentbrush/regions/RegionPixels.h"

#include "latentbrush/InpaintPreprocess.h"

#include <cstring>

namespace lb::regions {

MaskBuffer maskAtImageSize(const MaskBuffer& mask, int imageHeight, int imageWidth) {
    if (mask.empty()) {
        MaskBuffer zero;
        zero.height = imageHeight;
        zero.width = imageWidth;
        zero.data.assign(std::size_t(imageHeight) * imageWidth, 0.0f);
        return zero;
    }
    return resizeBilinear(mask, imageHeight, imageWidth);
}

BinaryMask grownMaskOfImage(const MaskBuffer& maskAtImageSize, int grow) {
    return growBinary(roundMask(maskAtImageSize), grow);
}

ImageBuffer cropAndScale(const ImageBuffer& image, const RegionRect& rect, int scaledWidth,
                         int scaledHeight, ResizeMethod method) {
    CropRect c;
    c.top = rect.y;
    c.left = rect.x;
    c.height = rect.h;
    c.width = rect.w;
    const ImageBuffer cropped = cropImage(image, c);
    if (rect.w == scaledWidth && rect.h == scaledHeight) return cropped;
    return toInterleaved(resizeExact(toPlanar(cropped), scaledHeight, scaledWidth, method));
}

MaskBuffer cropMaskRect(const MaskBuffer& mask, const RegionRect& rect) {
    CropRect c;
    c.top = rect.y;
    c.left = rect.x;
    c.height = rect.h;
    c.width = rect.w;
    return cropMask(mask, c);
}

} // namespace lb::regions
