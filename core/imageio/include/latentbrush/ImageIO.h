// Image and mask files through OpenImageIO: 8/16-bit and float PNG, JPEG, TIFF, EXR, WebP,
// BMP...; EXIF orientation applied; alpha read unassociated (associated alpha un-premultiplied);
// images read as PIL gives them to ComfyUI's LoadImage. Built when LATENTBRUSH_WITH_OIIO.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/InputPrecision.h"
#include "latentbrush/MaskChannel.h"
#include "latentbrush/Result.h"

#include <cstdint>
#include <string>

namespace lb {

// The largest image read or written unless a caller raises it (the CLI's --max-pixels): 16384^2.
inline constexpr std::int64_t kDefaultMaxPixels = 16384ll * 16384ll;

struct ImageReadOptions {
    std::int64_t maxPixels = kDefaultMaxPixels;           // checked from the header before decoding
    InputPrecision precision = InputPrecision::Reference; // 16-bit samples of readImage, readMask
};

// A decoded image, values converted to float exactly as the reference does:
// 8-bit v -> float(v) / 255.0f, 16-bit v -> see InputPrecision, float files as they are
// (non-finite values are an error). Channels: 1 (gray), 2 (gray+alpha), 3 (RGB), 4 (RGBA).
// Colors stored premultiplied by alpha (TIFF with associated alpha, EXR) are divided by it as PIL
// does for 8-bit samples (integer c * 255 / a, clipped; a = 0 makes the pixel 0) and as
// OpenImageIO's unpremult does for the others (c / a where 0 < a != 1).
struct LoadedImage {
    ImageBuffer image; // all channels of the file, unassociated alpha
    bool hasAlpha = false;
    int alphaChannel = -1;
    int bitsPerSample = 8; // of the file
    bool isFloat = false;
    bool reducedTo8Bits = false;  // 16-bit samples given as PIL's 8-bit values
    bool unpremultiplied = false; // the file stored associated (premultiplied) alpha
    std::string format;           // "png", "jpeg", ...
};

// An image file as ComfyUI's LoadImage gets it from PIL: 16-bit samples as options.precision
// says, and no alpha from a PNG transparency key (tRNS) of a gray or RGB image, which PIL keeps
// aside and LoadImage ignores (palette transparency is alpha, as in LoadImage).
Result<LoadedImage> readImage(const std::string& path, const ImageReadOptions& options = {});

// The file's samples as OpenImageIO decodes them: every bit of 16-bit samples (options.precision
// is not used) and a PNG transparency key as alpha; associated alpha un-premultiplied and the
// unused fourth byte of a 32-bit BMP dropped as in readImage.
Result<LoadedImage> readImageSamples(const std::string& path, const ImageReadOptions& options = {});

// The encoder's input: RGB only (alpha dropped, gray replicated to three channels).
ImageBuffer toRgb(const ImageBuffer& image);

// ComfyUI's LoadImage: mask = 1 - alpha (1.0f - float(a)/255.0f for 8-bit); an image without
// alpha gives an empty MaskBuffer.
MaskBuffer maskFromAlpha(const LoadedImage& loaded);

// A mask file (any size): Auto = one gray channel -> its value; gray+alpha or RGBA -> 1 - alpha;
// RGB -> red. Float values are clamped to [0, 1]. 16-bit samples as options.precision says (the
// default gives PIL's 8-bit values, as ComfyUI's LoadImageMask and LoadImage's alpha get them;
// grow asks for InputPrecision::Full, as its libpng path reads them) and a PNG transparency key
// is alpha, as in ComfyUI's LoadImageMask.
Result<MaskBuffer> readMask(const std::string& path, MaskChannel channel = MaskChannel::Auto,
                            const ImageReadOptions& options = {});

// Writers, atomic (temporary file in the same folder, then rename).
// 8-bit gray PNG of 0/255 from a binary mask.
Status writeBinaryMaskPng(const std::string& path, const BinaryMask& mask);
// 8-bit gray PNG of a soft mask, round(v * 255).
Status writeMaskPng(const std::string& path, const MaskBuffer& mask);
// An image: 8-bit for PNG/JPEG/BMP/WebP (round(v * 255), clamped), float for TIFF/EXR (EXR colors
// premultiplied by alpha, as OpenEXR defines them). A BMP's alpha goes where OpenImageIO puts it,
// the fourth byte of 32 bits without bit fields, which PIL (and so readImage) leaves unused.
// depth: Default as just said; U8, U16 (round(v * 65535), PNG and TIFF; 8-bit elsewhere) or F32
// (TIFF/EXR; 16-bit PNG; 8-bit elsewhere) writes the samples at that depth, rounding to nearest:
// the stitch writes at the original's depth.
enum class SampleDepth { Default, U8, U16, F32 };
Status writeImage(const std::string& path, const ImageBuffer& image,
                  SampleDepth depth = SampleDepth::Default);

} // namespace lb
