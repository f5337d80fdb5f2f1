// Masks in PNG files through libpng alone, for `latentbrush-cli grow`'s fast path: a process that
// only reads and writes PNG masks then starts without OpenImageIO (about 260 shared libraries).
// The reader gives exactly the samples OpenImageIO's PNG reader gives, and the mask functions
// the values readMask (ImageIO.h) makes of them; files it cannot vouch for are refused (an
// error), and the caller then goes through readImage/readMask, which also words every error.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/MaskChannel.h"
#include "latentbrush/Result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lb::png {

// A decoded PNG as OpenImageIO 2.4 returns it: palette expanded to RGB, gray below 8 bits
// widened to 8, tRNS turned into an alpha channel; 8 or 16 bits a sample.
struct PngPixels {
    int width = 0;
    int height = 0;
    int channels = 0;                 // 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
    int bitsPerSample = 8;            // 8 or 16
    std::vector<std::uint8_t> bytes;  // 8-bit samples, interleaved
    std::vector<std::uint16_t> words; // 16-bit samples, interleaved
    bool hasAlpha() const { return channels == 2 || channels == 4; }
};

// Decodes `path` when it is a regular PNG file of at most maxPixels pixels that decodes without
// any libpng error or warning and carries nothing that could orient it (eXIf, EXIF or XMP text:
// OpenImageIO would rotate those). Any other file is an error, to be read through readImage.
Result<PngPixels> readPngPixels(const std::string& path, std::int64_t maxPixels);

// readMask(path, channel) of ImageIO.h computed from the decoded pixels: the same floats.
Result<MaskBuffer> maskFromPixels(const PngPixels& pixels, MaskChannel channel,
                                  const std::string& path);

// roundMask(cropMask(maskFromPixels(pixels, channel), rect)) without the float mask: a table of
// each sample's rounded value (made by the float formula itself), or the float formula per
// pixel for luma. The rectangle must lie inside the image.
Result<BinaryMask> roundedMaskFromPixels(const PngPixels& pixels, MaskChannel channel,
                                         const CropRect& rect, const std::string& path);

// The rounded values of the table above for every 8-bit sample (index = sample), for tests.
std::vector<std::uint8_t> roundedByteTable(bool alpha);

// writeBinaryMaskPng of ImageIO.h through libpng: 8-bit gray 0/255 (the same pixels), written
// atomically (AtomicFile.h), with OpenCV's default PNG settings (zlib level 1, Z_RLE, Sub filter).
Status writeBinaryMaskPng(const std::string& path, const BinaryMask& mask);

} // namespace lb::png
