// The torch-free pixel steps of a region encode (RegionPixels.h).
#include "latentbrush/regions/RegionPixels.h"

#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/Parallel.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace lb::regions {

MaskBuffer maskAtImageSize(const MaskBuffer& mask, int imageHeight, int imageWidth) {
    if (mask.empty()) {
        MaskBuffer zero;
        zero.height = imageHeight;
        zero.width = imageWidth;
        zero.data.assign(std::size_t(imageHeight) * imageWidth, 0.0f);
        return zero;
    }
    // the same size: a copy (resizeBilinear would zero a new buffer first, then copy)
    if (mask.height == imageHeight && mask.width == imageWidth) return mask;
    return resizeBilinear(mask, imageHeight, imageWidth);
}

BinaryMask grownMaskOfImage(const MaskBuffer& maskAtImageSize, int grow) {
    // Only the box of the set pixels (round(v) = 1, i.e. v > 0.5), widened by the grow window,
    // can be set after the grow: round and grow that box alone. Exact: the pixels around it are
    // 0 and the grow reads 0 there as it reads the image's outside. On a 48-megapixel photo
    // with a brush-sized mask this is one scan of the mask instead of three full-size passes.
    const MaskBuffer& m = maskAtImageSize;
    const int H = m.height, W = m.width;
    std::vector<int> left(std::size_t(std::max(H, 0)), W), right(std::size_t(std::max(H, 0)), -1);
    parallelFor(0, H, 64, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const float* row = m.row(int(y));
            int x = 0;
            while (x < W && !(row[x] > 0.5f))
                ++x;
            if (x == W) continue;
            int r = W - 1;
            while (!(row[r] > 0.5f))
                --r;
            left[std::size_t(y)] = x;
            right[std::size_t(y)] = r;
        }
    });
    int top = H, bottom = -1, x0 = W, x1 = -1;
    for (int y = 0; y < H; ++y)
        if (right[std::size_t(y)] >= 0) {
            top = std::min(top, y);
            bottom = y;
            x0 = std::min(x0, left[std::size_t(y)]);
            x1 = std::max(x1, right[std::size_t(y)]);
        }
    BinaryMask out;
    out.height = H;
    out.width = W;
    out.data.assign(std::size_t(std::max(H, 0)) * std::size_t(std::max(W, 0)), 0);
    if (bottom < 0) return out;
    const int pad = std::max(grow, 0);
    CropRect box;
    box.top = std::max(0, top - pad);
    box.left = std::max(0, x0 - pad);
    box.height = std::min(H, bottom + pad + 1) - box.top;
    box.width = std::min(W, x1 + pad + 1) - box.left;
    BinaryMask rounded;
    rounded.height = box.height;
    rounded.width = box.width;
    rounded.data.resize(std::size_t(box.height) * std::size_t(box.width));
    for (int y = 0; y < box.height; ++y) {
        const float* src = m.row(box.top + y) + box.left;
        std::uint8_t* dst = rounded.row(y);
        for (int x = 0; x < box.width; ++x)
            dst[x] = src[x] > 0.5f; // round half to even on 0..1, as roundMask
    }
    const BinaryMask grown = growBinary(rounded, grow);
    for (int y = 0; y < box.height; ++y)
        std::memcpy(out.row(box.top + y) + box.left, grown.row(y), std::size_t(box.width));
    return out;
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
