// The node's preprocessing on plain buffers: bilinear resize (PyTorch semantics), centre crop,
// grow as a bit-packed O(1)-per-pixel box dilation (GrowBits.cpp), and the float32 gray fill.
#include "latentbrush/InpaintPreprocess.h"

#include "latentbrush/Parallel.h"

#include "GrowBits.h"
#include "MaskCheck.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace lb {
namespace {

// One axis of PyTorch 1.13's upsample_bilinear2d (align_corners=False, no scale given), as
// compute_source_index_and_lambda does it: ratio = float(in) / out in float; the source index
// ratio * (dst + 0.5) - 0.5 in double, clamped at 0; i0 = int(src), i1 = i0 + (i0 < in - 1);
// l1 = float(src - i0), l0 = 1 - l1 in float; identity weights when in == out.
struct AxisWeights {
    std::vector<int> i0, i1;
    std::vector<float> l0, l1;
};

AxisWeights axisWeights(int in, int out) {
    AxisWeights w;
    w.i0.resize(out);
    w.i1.resize(out);
    w.l0.resize(out);
    w.l1.resize(out);
    const float ratio = static_cast<float>(in) / static_cast<float>(out);
    for (int d = 0; d < out; ++d) {
        if (in == out) {
            w.i0[d] = w.i1[d] = d;
            w.l0[d] = 1.0f;
            w.l1[d] = 0.0f;
            continue;
        }
        double src = static_cast<double>(ratio) * (d + 0.5) - 0.5;
        if (src < 0.0) src = 0.0;
        const int i0 = static_cast<int>(src);
        w.i0[d] = i0;
        w.i1[d] = i0 + ((i0 < in - 1) ? 1 : 0);
        const float l1 = static_cast<float>(src - i0);
        w.l1[d] = l1;
        w.l0[d] = 1.0f - l1;
    }
    return w;
}

int windowBefore(int g) {
    return g / 2;
} // a = ceil((g-1)/2)
int windowAfter(int g) {
    return g - 1 - g / 2;
} // b = g-1-a

bool allFinite(const std::vector<float>& v) {
    for (float x : v)
        if (!std::isfinite(x)) return false;
    return true;
}

} // namespace

ImageBuffer rgbCrop(const ImageBuffer& image, const CropRect& rect) {
    ImageBuffer out;
    out.height = rect.height;
    out.width = rect.width;
    out.channels = 3;
    out.data.resize(std::size_t(rect.height) * rect.width * 3);
    const int c = image.channels;
    parallelFor(0, rect.height, 64, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const float* src = image.row(int(y) + rect.top) + std::size_t(rect.left) * c;
            float* dst = out.row(int(y));
            for (int x = 0; x < rect.width; ++x) {
                const float* p = src + std::size_t(x) * c;
                if (c >= 3) {
                    dst[3 * x] = p[0];
                    dst[3 * x + 1] = p[1];
                    dst[3 * x + 2] = p[2];
                } else {
                    dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = p[0];
                }
            }
        }
    });
    return out;
}

MaskBuffer resizeBilinear(const MaskBuffer& src, int outHeight, int outWidth) {
    MaskBuffer out;
    out.height = outHeight;
    out.width = outWidth;
    out.data.resize(std::size_t(outHeight) * std::size_t(outWidth));
    if (src.empty() || outHeight <= 0 || outWidth <= 0) return out;
    if (src.height == outHeight && src.width == outWidth) {
        out.data = src.data;
        return out;
    }
    const AxisWeights wh = axisWeights(src.height, outHeight);
    const AxisWeights ww = axisWeights(src.width, outWidth);
    parallelFor(0, outHeight, 16, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const float* r0 = src.row(wh.i0[y]);
            const float* r1 = src.row(wh.i1[y]);
            const float lh0 = wh.l0[y], lh1 = wh.l1[y];
            float* dst = out.row(int(y));
            for (int x = 0; x < outWidth; ++x) {
                const int x0 = ww.i0[x], x1 = ww.i1[x];
                const float lw0 = ww.l0[x], lw1 = ww.l1[x];
                // A [B,1,H,W] mask takes PyTorch's channels-last kernel: float weight products
                // w_hw = l_h * l_w, then the four-term sum in double, rounded once to float.
                const double w00 = static_cast<double>(lh0 * lw0);
                const double w01 = static_cast<double>(lh0 * lw1);
                const double w10 = static_cast<double>(lh1 * lw0);
                const double w11 = static_cast<double>(lh1 * lw1);
                const double sum = double(r0[x0]) * w00 + double(r0[x1]) * w01 +
                                   double(r1[x0]) * w10 + double(r1[x1]) * w11;
                const float v = static_cast<float>(sum);
                dst[x] = v;
            }
        }
    });
    return out;
}

CropRect centreCrop(int height, int width, int multiple) {
    CropRect r;
    if (multiple <= 0) multiple = 1;
    r.height = (height / multiple) * multiple;
    r.width = (width / multiple) * multiple;
    r.top = (height % multiple) / 2;
    r.left = (width % multiple) / 2;
    return r;
}

MaskBuffer cropMask(const MaskBuffer& mask, const CropRect& rect) {
    MaskBuffer out;
    out.height = rect.height;
    out.width = rect.width;
    out.data.resize(std::size_t(rect.height) * rect.width);
    for (int y = 0; y < rect.height; ++y)
        std::memcpy(out.row(y), mask.row(y + rect.top) + rect.left, sizeof(float) * rect.width);
    return out;
}

ImageBuffer cropImage(const ImageBuffer& image, const CropRect& rect) {
    ImageBuffer out;
    out.height = rect.height;
    out.width = rect.width;
    out.channels = image.channels;
    out.data.resize(std::size_t(rect.height) * rect.width * image.channels);
    const std::size_t rowBytes = sizeof(float) * std::size_t(rect.width) * image.channels;
    for (int y = 0; y < rect.height; ++y)
        std::memcpy(out.row(y), image.row(y + rect.top) + std::size_t(rect.left) * image.channels,
                    rowBytes);
    return out;
}

namespace {

// round() of the rectangle `rect` of `mask` as 0/1 bytes, without copying the floats first.
BinaryMask roundMaskRect(const MaskBuffer& mask, const CropRect& rect) {
    BinaryMask out;
    out.height = rect.height;
    out.width = rect.width;
    out.data.resize(std::size_t(rect.height) * rect.width);
    parallelFor(0, rect.height, 64, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const float* src = mask.row(int(y) + rect.top) + rect.left;
            std::uint8_t* dst = out.row(int(y));
            // For v in [0, 1], round half to even is 1 exactly when v > 0.5.
            for (int x = 0; x < rect.width; ++x)
                dst[x] = src[x] > 0.5f;
        }
    });
    return out;
}

} // namespace

BinaryMask roundMask(const MaskBuffer& mask) {
    return roundMaskRect(mask, CropRect{0, 0, mask.height, mask.width});
}

BinaryMask growBinary(const BinaryMask& mask, int g) {
    if (g <= 1 || mask.empty()) return mask; // a 1x1 window changes nothing
    const int h = mask.height, w = mask.width;
    BinaryMask out;
    out.height = h;
    out.width = w;
    out.data.resize(mask.data.size());
    // Row bands, one per thread; each band re-reads its g-row halo, so keep bands >= 2g rows.
    const std::int64_t grain = std::max<std::int64_t>(32, 2 * std::int64_t(g));
    parallelFor(0, h, grain, [&](std::int64_t y0, std::int64_t y1) {
        growbits::growRows(mask.data.data(), out.data.data(), h, w, g, int(y0), int(y1));
    });
    return out;
}

CropRect growBinaryRegion(const BinaryMask& mask, int g, const CropRect& changed, BinaryMask& out) {
    const int h = mask.height, w = mask.width;
    if (out.height != h || out.width != w) {
        out = growBinary(mask, g);
        return CropRect{0, 0, h, w};
    }
    const int a = g > 0 ? windowBefore(g) : 0, b = g > 0 ? windowAfter(g) : 0;
    // Input (r, c) reaches outputs rows r-b .. r+a and columns c-b .. c+a.
    const int top = std::max(0, changed.top - b);
    const int left = std::max(0, changed.left - b);
    const int bottom = std::min(h, changed.top + changed.height + a);
    const int right = std::min(w, changed.left + changed.width + a);
    if (top >= bottom || left >= right) return CropRect{0, 0, 0, 0};
    // The outputs in [top, bottom) x [left, right) read inputs up to a before and b after.
    const int inTop = std::max(0, top - a), inBottom = std::min(h, bottom + b);
    const int inLeft = std::max(0, left - a), inRight = std::min(w, right + b);
    BinaryMask block;
    block.height = inBottom - inTop;
    block.width = inRight - inLeft;
    block.data.resize(std::size_t(block.height) * block.width);
    for (int y = 0; y < block.height; ++y)
        std::memcpy(block.row(y), mask.row(y + inTop) + inLeft, std::size_t(block.width));
    const BinaryMask grown = growBinary(block, g);
    for (int y = top; y < bottom; ++y)
        std::memcpy(out.row(y) + left, grown.row(y - inTop) + (left - inLeft),
                    std::size_t(right - left));
    return CropRect{top, left, bottom - top, right - left};
}

BinaryMask noiseMask(const MaskBuffer& croppedMask, int g) {
    return growBinary(roundMask(croppedMask), g);
}

void grayFill(ImageBuffer& image, const MaskBuffer& croppedMask) {
    const int c = image.channels;
    const int colorChannels = std::min(c, 3);
    parallelFor(0, image.height, 32, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            float* p = image.row(int(y));
            const float* m = croppedMask.row(int(y));
            for (int x = 0; x < image.width; ++x) {
                const float keep = 1.0f - roundHalfEven(m[x]);
                float* px = p + std::size_t(x) * c;
                for (int k = 0; k < colorChannels; ++k) {
                    float v = px[k] - 0.5f;
                    v = v * keep;
                    px[k] = v + 0.5f;
                }
            }
        }
    });
}

namespace {

Status checkGrow(int grow) {
    if (grow < 0 || grow > kMaxGrow)
        return makeError("grow_mask_by " + std::to_string(grow) + " is outside 0.." +
                         std::to_string(kMaxGrow));
    return {};
}

bool aspectDiffers(int mh, int mw, int h, int w) {
    if (mh <= 0 || mw <= 0) return false;
    const double r1 = double(mh) / mw, r2 = double(h) / w;
    return std::fabs(r1 - r2) > 0.01 * r2;
}

} // namespace

Result<BinaryMask> noiseMaskForSize(const MaskBuffer& mask, int imageHeight, int imageWidth,
                                    int grow, int multiple, CropRect* cropOut) {
    if (Status st = checkGrow(grow); !st) return st.error();
    if (multiple <= 0) return makeError("the crop multiple must be positive");
    if (imageHeight < multiple || imageWidth < multiple)
        return makeError("a " + std::to_string(imageWidth) + "x" + std::to_string(imageHeight) +
                         " image is smaller than the multiple " + std::to_string(multiple));
    if (mask.empty()) return makeError("the mask is empty (0 pixels)");
    if (Status st = checkMaskBuffer(mask); !st) return st.error();
    const CropRect rect = centreCrop(imageHeight, imageWidth, multiple);
    if (cropOut) *cropOut = rect;
    if (mask.height == imageHeight && mask.width == imageWidth) // resize is the identity
        return growBinary(roundMaskRect(mask, rect), grow);
    const MaskBuffer resized = resizeBilinear(mask, imageHeight, imageWidth);
    return growBinary(roundMaskRect(resized, rect), grow);
}

Status checkEncoderImage(const ImageBuffer& image, int multiple) {
    if (multiple <= 0) return makeError("the crop multiple must be positive");
    if (image.empty() || image.channels < 1 || image.channels > 4 ||
        image.data.size() != image.pixelCount() * std::size_t(image.channels))
        return makeError("the image is empty or its buffer does not match its size");
    if (image.height < multiple || image.width < multiple)
        return makeError("a " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                         " image is smaller than the VAE's multiple " + std::to_string(multiple));
    if (!allFinite(image.data)) return makeError("the image contains non-finite values");
    return {};
}

Result<InpaintInputs> prepareInpaint(const ImageBuffer& image, const MaskBuffer& mask, int grow,
                                     int multiple) {
    if (Status st = checkGrow(grow); !st) return st.error();
    if (Status st = checkEncoderImage(image, multiple); !st) return st.error();
    if (Status st = checkMaskBuffer(mask); !st) return st.error();

    InpaintInputs in;
    in.crop = centreCrop(image.height, image.width, multiple);
    in.aspectDiffers = aspectDiffers(mask.height, mask.width, image.height, image.width);
    MaskBuffer resized;
    if (mask.empty()) {
        resized.height = image.height;
        resized.width = image.width;
        resized.data.assign(image.pixelCount(), 0.0f);
    } else {
        resized = resizeBilinear(mask, image.height, image.width);
    }
    const bool cropped = in.crop.height != image.height || in.crop.width != image.width;
    in.mask = cropped ? cropMask(resized, in.crop) : std::move(resized);
    in.pixels = rgbCrop(image, in.crop);
    in.noiseMask = noiseMask(in.mask, grow);
    grayFill(in.pixels, in.mask);
    return in;
}

} // namespace lb
