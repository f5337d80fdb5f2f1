// What is checked of an image file before any decoder sees it (the path, and the headers of the
// formats whose decoders allocate from what a header claims), and the byte reader the reader
// also uses to look at a file's own header fields.
#pragma once

#include "latentbrush/ImageIO.h"
#include "latentbrush/Result.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace lb::imageio {

// Reads file bytes at any offset; short reads give fewer bytes.
class FileBytes {
public:
    explicit FileBytes(const std::string& path);
    ~FileBytes();
    FileBytes(const FileBytes&) = delete;
    FileBytes& operator=(const FileBytes&) = delete;

    bool ok() const { return fd_ >= 0 && size_ > 0; }
    std::uint64_t size() const { return size_; }
    std::string read(std::uint64_t offset, std::size_t length) const;

private:
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

// The little-endian 32-bit number at b[i..i+3].
std::uint32_t le32(const std::string& b, std::size_t i);

// "<path>: WxH pixels exceeds the limit of N pixels (--max-pixels raises it)".
std::string pixelLimitMessage(const std::string& path, std::int64_t width, std::int64_t height,
                              std::int64_t maxPixels);

// What can be said about the path before any decoder sees it.
Status checkReadablePath(const std::string& path);

// Some decoders allocate from what a header claims before OpenImageIO hands us the image's size:
// OpenEXR 3.1 allocates (and zeroes) what a string, vector or unknown attribute declares, and
// OpenImageIO 2.4's WebP reader allocates the whole canvas in ImageInput::open. Files of those
// formats (recognised by their bytes, whatever their name) are therefore checked here first.
Status checkHeaderBeforeDecoding(const std::string& path, const ImageReadOptions& options);

} // namespace lb::imageio
