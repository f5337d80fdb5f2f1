// Image and mask files through OpenImageIO: 8/16-bit and float PNG, JPEG, TIFF, EXR, WebP,
// BMP...; EXIF orientation applied; alpha read unassociated. Built when LATENTBRUSH_WITH_OIIO.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/Result.h"

#include <cstdint>
#include <string>

namespace lb {

struct ImageReadOptions {
    std::int64_t maxPixels = 16384ll * 16384ll; // checked from the header before decoding
};

// A decoded image, values converted to float exactly as the reference does:
// 8-bit v -> float(v) / 255.0f, 16-bit v -> float(v) / 65535.0f, float files as they are
// (non-finite values are an error). Channels: 1 (gray), 2 (gray+alpha), 3 (RGB), 4 (RGBA).
struct LoadedImage {
    ImageBuffer image; // all channels of the file, unassociated alpha
    bool hasAlpha = false;
    int alphaChannel = -1;
    int bitsPerSample = 8;
    bool isFloat = false;
    std::string format; // "png", "jpeg", ...
};

Result<LoadedImage> readImage(const std::string& path, const ImageReadOptions& options = {});

// The encoder's input: RGB only (alpha dropped, gray replicated to three channels).
ImageBuffer toRgb(const ImageBuffer& image);

// ComfyUI's LoadImage: mask = 1 - alpha (1.0f - float(a)/255.0f for 8-bit); an image without
// alpha gives an empty MaskBuffer.
MaskBuffer maskFromAlpha(const LoadedImage& loaded);

enum class MaskChannel { Auto, Alpha, Red, Green, Blue, Luma };
bool parseMaskChannel(const std::string& name, MaskChannel* out);

// A mask file (any size): Auto = one gray channel -> its value; gray+alpha or RGBA -> 1 - alpha;
// RGB -> red. Float values are clamped to [0, 1].
Result<MaskBuffer> readMask(const std::string& path, MaskChannel channel = MaskChannel::Auto,
                            const ImageReadOptions& options = {});

// Writers, atomic (temporary file in the same folder, then rename).
// 8-bit gray PNG of 0/255 from a binary mask.
Status writeBinaryMaskPng(const std::string& path, const BinaryMask& mask);
// 8-bit gray PNG of a soft mask, round(v * 255).
Status writeMaskPng(const std::string& path, const MaskBuffer& mask);
// An image: 8-bit for PNG/JPEG/BMP/WebP (round(v * 255), clamped), float for TIFF/EXR.
Status writeImage(const std::string& path, const ImageBuffer& image);

} // namespace lb
