// PNG files for tests that make reader inputs, in any layout the format allows (the product itself
// writes only 8-bit gray masks, MaskPng.h). Linked by the tests as latentbrush_test_png.
#pragma once

#include "latentbrush/MaskPng.h"
#include "latentbrush/Result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lbtest {

// A PNG of `pixels` as they are (8-bit `bytes` or 16-bit `words`, 1..4 channels). grayBitDepth
// 1, 2 or 4 packs 1-channel 8-bit samples (values below 2^depth) to that depth; transparentGray
// >= 0 adds a tRNS chunk for that gray value.
struct PngWriteOptions {
    bool interlaced = false;
    int grayBitDepth = 0;
    int transparentGray = -1;
    int compressionLevel = 6;
};
lb::Status writePixelsPng(const std::string& path, const lb::png::PngPixels& pixels,
                          const PngWriteOptions& options = {});
// A palette PNG (`bitDepth` 1, 2, 4 or 8) of indices into `rgb` (3 bytes an entry), with a
// tRNS alpha per entry when `alpha` is not empty.
lb::Status writePalettePng(const std::string& path, int width, int height, int bitDepth,
                           const std::vector<std::uint8_t>& indices,
                           const std::vector<std::uint8_t>& rgb,
                           const std::vector<std::uint8_t>& alpha);

} // namespace lbtest
