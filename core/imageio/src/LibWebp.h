// The libwebp glue: OpenImageIO 2.4's WebP plugin premultiplies alpha on read and encodes lossy
// only, so WebP files with alpha are decoded, and WebP files written, through libwebp's simple
// API, looked up in the process (OpenImageIO links libwebp; Debian ships no headers for it).
#pragma once

#include "latentbrush/Result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lb::imageio {

// The RGBA bytes of a WebP file as stored (unassociated), or an empty vector when libwebp is
// not reachable or cannot decode it (an animation, for one).
std::vector<std::uint8_t> decodeWebpRgba(const std::string& path, int width, int height);

// Whether libwebp's lossless encoder is reachable (writeWebpLossless can work).
bool canWriteWebpLossless();

// A lossless WebP through libwebp: 3 or 4 channels of bytes, written atomically. libwebp's simple
// API may change the colors of fully transparent pixels.
Status writeWebpLossless(const std::string& path, int width, int height, int channels,
                         const std::vector<std::uint8_t>& bytes);

} // namespace lb::imageio
