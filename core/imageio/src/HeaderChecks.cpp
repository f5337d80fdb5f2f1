// The checks of HeaderChecks.h: a readable path, and the OpenEXR and WebP headers read by hand
// (refusing what would make a decoder allocate more than the pixel limit allows).
#include "HeaderChecks.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace lb::imageio {
namespace {

namespace fs = std::filesystem;

// A name from a file, safe in a one-line message.
std::string printable(const std::string& text) {
    std::string out = "'";
    for (std::size_t i = 0; i < text.size() && i < 64; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        out += (c < 0x20 || c >= 0x7f) ? '?' : char(c);
    }
    return out + (text.size() > 64 ? "...'" : "'");
}

// width * height > maxPixels, without overflow (both positive).
bool overLimit(std::int64_t width, std::int64_t height, std::int64_t maxPixels) {
    std::int64_t pixels = 0;
    return __builtin_mul_overflow(width, height, &pixels) || pixels > maxPixels;
}

constexpr std::uint64_t kMaxExrAttributeBytes = 16u << 20;

// Walks an OpenEXR file's header(s) the way Imf::Header::readFrom reads them: fixed-size types
// and channel lists by their own layout, strings, string vectors, float vectors, previews and
// unknown (opaque) types by the size they declare, which OpenEXR allocates before reading it.
// Refuses a declared size that is negative, beyond the end of the file or over 16 MiB, a data
// window or tile over the pixel limit, and an offset table that cannot be in the file.
Status checkExrHeader(const std::string& path, const FileBytes& file, std::int64_t maxPixels) {
    const std::uint64_t n = file.size();
    const std::string start = file.read(0, 8);
    if (start.size() < 8) return {}; // OpenEXR fails on it before allocating anything
    const std::uint32_t flags = le32(start, 4);
    const bool tiledSinglePart = (flags & 0x200) != 0;
    const bool multipart = (flags & 0x1000) != 0;
    static const struct {
        const char* type;
        std::uint64_t size;
    } kFixed[] = {{"box2i", 16},   {"box2f", 16},    {"compression", 1}, {"deepImageState", 1},
                  {"double", 8},   {"envmap", 1},    {"float", 4},       {"int", 4},
                  {"keycode", 28}, {"lineOrder", 1}, {"m33f", 36},       {"m33d", 72},
                  {"m44f", 64},    {"m44d", 128},    {"rational", 8},    {"tiledesc", 9},
                  {"timecode", 8}, {"v2i", 8},       {"v2f", 8},         {"v2d", 16},
                  {"v3i", 12},     {"v3f", 12},      {"v3d", 24},        {"chromaticities", 32}};
    std::uint64_t i = 8;
    // A NUL-terminated string of at most 255 characters at i; false when truncated or longer.
    auto readString = [&](std::string& out) {
        const std::string chunk = file.read(i, 256);
        const std::size_t end = chunk.find('\0');
        if (end == std::string::npos) return false;
        out = chunk.substr(0, end);
        i += end + 1;
        return true;
    };
    auto refuse = [&](const std::string& what) {
        return makeError(path + ": corrupt OpenEXR header: " + what + ", refused before decoding");
    };
    for (int part = 0; part < 100000; ++part) {
        std::int64_t width = 0, height = 0; // of the data window, 0 when not seen
        std::uint32_t tileX = 0, tileY = 0;
        std::int64_t chunkCount = -1;
        int compression = 0;
        bool tiled = tiledSinglePart;
        for (;;) {
            std::string name, type;
            if (!readString(name)) return {}; // truncated: OpenEXR fails before allocating
            if (name.empty()) break;
            if (!readString(type)) return {};
            const std::string sizeBytes = file.read(i, 4);
            if (sizeBytes.size() < 4) return {};
            const std::int32_t size = std::int32_t(le32(sizeBytes, 0));
            i += 4;
            const std::uint64_t left = n - std::min(n, i);
            if (size < 0 || std::uint64_t(size) > left)
                return refuse("attribute " + printable(name) + " claims " + std::to_string(size) +
                              " bytes, more than the file holds");
            const std::string value = file.read(i, std::size_t(std::min<std::int32_t>(size, 64)));
            bool fixed = false;
            for (const auto& f : kFixed) {
                if (type != f.type) continue;
                fixed = true;
                if (value.size() >= f.size) {
                    if (type == "box2i" && name == "dataWindow") {
                        const std::int64_t xMin = std::int32_t(le32(value, 0));
                        const std::int64_t yMin = std::int32_t(le32(value, 4));
                        const std::int64_t xMax = std::int32_t(le32(value, 8));
                        const std::int64_t yMax = std::int32_t(le32(value, 12));
                        width = xMax - xMin + 1;
                        height = yMax - yMin + 1;
                    } else if (type == "tiledesc" && name == "tiles") {
                        tileX = le32(value, 0);
                        tileY = le32(value, 4);
                    } else if (type == "compression" && name == "compression") {
                        compression = std::uint8_t(value[0]);
                    } else if (type == "int" && name == "chunkCount") {
                        chunkCount = std::int32_t(le32(value, 0));
                    }
                }
                i += f.size;
            }
            if (name == "type" && type == "string")
                tiled = value.find("tiled") != std::string::npos;
            if (fixed) continue;
            if (type == "chlist") { // name\0 + 16 bytes per channel, until an empty name
                std::string channel;
                while (readString(channel) && !channel.empty())
                    i += 16;
                continue;
            }
            if (type == "preview") { // width, height, then width * height RGBA bytes
                if (value.size() < 8) return {};
                const std::uint64_t bytes = std::uint64_t(le32(value, 0)) * le32(value, 4) * 4;
                if (bytes > left)
                    return refuse("preview image " + printable(name) + " claims " +
                                  std::to_string(bytes) + " bytes, more than the file holds");
                i += 8 + bytes;
                continue;
            }
            if (std::uint64_t(size) > kMaxExrAttributeBytes)
                return refuse("attribute " + printable(name) + " claims " + std::to_string(size) +
                              " bytes (at most " + std::to_string(kMaxExrAttributeBytes) + ")");
            if (type == "stringvector") { // strings of an int32 length each, within `size`
                std::uint64_t read = 0;
                while (read + 4 <= std::uint64_t(size)) {
                    const std::string length = file.read(i + read, 4);
                    if (length.size() < 4) return {};
                    const std::int32_t strSize = std::int32_t(le32(length, 0));
                    read += 4;
                    if (strSize < 0 || std::uint64_t(strSize) > std::uint64_t(size) - read)
                        return refuse("a string of attribute " + printable(name) + " claims " +
                                      std::to_string(strSize) + " bytes, more than it holds");
                    read += std::uint64_t(strSize);
                }
            }
            i += std::uint64_t(size); // string, stringvector, floatvector, opaque and the rest
        }
        if (width != 0 || height != 0) {
            if (width <= 0 || height <= 0)
                return refuse("empty data window (" + std::to_string(width) + "x" +
                              std::to_string(height) + ")");
            if (overLimit(width, height, maxPixels))
                return makeError(pixelLimitMessage(path, width, height, maxPixels));
            // The offset table OpenEXR allocates must be in the file: 8 bytes a chunk.
            std::int64_t chunks = chunkCount;
            if (chunks < 0 && !multipart) {
                if (tiled && tileX > 0 && tileY > 0) {
                    chunks = ((width + tileX - 1) / tileX) * ((height + tileY - 1) / tileY);
                } else if (!tiled) {
                    static const int kLinesPerChunk[] = {1, 1, 1, 16, 32, 16, 32, 32, 32, 256};
                    const int lines =
                        compression >= 0 && compression < 10 ? kLinesPerChunk[compression] : 1;
                    chunks = (height + lines - 1) / lines;
                }
            }
            if (chunks >= 0 && std::uint64_t(chunks) > n / 8)
                return refuse(std::to_string(chunks) + " chunks cannot fit in a file of " +
                              std::to_string(n) + " bytes");
        }
        if (tiled && tileX > 0 && tileY > 0 && overLimit(tileX, tileY, maxPixels))
            return refuse("tiles of " + std::to_string(tileX) + "x" + std::to_string(tileY) +
                          " pixels");
        if (!multipart) return {};
        const std::string next = file.read(i, 1);
        if (next.empty() || next[0] == '\0') return {}; // the end of the headers
    }
    return refuse("too many parts");
}

// The canvas a WebP file declares (RIFF....WEBP with a VP8, VP8L or VP8X first chunk); false
// when the bytes are not one that can be read that way.
bool webpCanvas(const std::string& d, std::int64_t* width, std::int64_t* height) {
    if (d.size() < 30 || d.compare(0, 4, "RIFF") != 0 || d.compare(8, 4, "WEBP") != 0) return false;
    auto byte = [&](std::size_t i) { return std::int64_t(std::uint8_t(d[i])); };
    auto le16 = [&](std::size_t i) { return byte(i) | (byte(i + 1) << 8); };
    auto le24 = [&](std::size_t i) { return le16(i) | (byte(i + 2) << 16); };
    const std::string chunk = d.substr(12, 4);
    if (chunk == "VP8X") {
        *width = le24(24) + 1;
        *height = le24(27) + 1;
        return true;
    }
    if (chunk == "VP8L" && byte(20) == 0x2f) {
        const std::int64_t bits = le16(21) | (le16(23) << 16);
        *width = (bits & 0x3fff) + 1;
        *height = ((bits >> 14) & 0x3fff) + 1;
        return true;
    }
    if (chunk == "VP8 ") {
        *width = le16(26) & 0x3fff;
        *height = le16(28) & 0x3fff;
        return true;
    }
    return false;
}

} // namespace

FileBytes::FileBytes(const std::string& path)
    : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) {
    struct stat info {};
    if (fd_ >= 0 && ::fstat(fd_, &info) == 0 && S_ISREG(info.st_mode))
        size_ = std::uint64_t(info.st_size);
}

FileBytes::~FileBytes() {
    if (fd_ >= 0) ::close(fd_);
}

std::string FileBytes::read(std::uint64_t offset, std::size_t length) const {
    std::string out;
    if (offset >= size_) return out;
    length = std::size_t(std::min<std::uint64_t>(length, size_ - offset));
    out.resize(length);
    std::size_t done = 0;
    while (done < length) {
        const ssize_t n = ::pread(fd_, out.data() + done, length - done, off_t(offset + done));
        if (n <= 0) break;
        done += std::size_t(n);
    }
    out.resize(done);
    return out;
}

std::uint32_t le32(const std::string& b, std::size_t i) {
    return std::uint32_t(std::uint8_t(b[i])) | (std::uint32_t(std::uint8_t(b[i + 1])) << 8) |
           (std::uint32_t(std::uint8_t(b[i + 2])) << 16) |
           (std::uint32_t(std::uint8_t(b[i + 3])) << 24);
}

std::string pixelLimitMessage(const std::string& path, std::int64_t width, std::int64_t height,
                              std::int64_t maxPixels) {
    return path + ": " + std::to_string(width) + "x" + std::to_string(height) +
           " pixels exceeds the limit of " + std::to_string(maxPixels) +
           " pixels (--max-pixels raises it)";
}

// What can be said about the path before any decoder sees it.
Status checkReadablePath(const std::string& path) {
    if (path.empty()) return makeError("no image file name given");
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) return makeError(path + ": no such file");
    if (fs::is_directory(status)) return makeError(path + ": is a folder, not an image file");
    if (!fs::is_regular_file(status)) return makeError(path + ": is not a regular file");
    if (fs::file_size(path, ec) == 0 && !ec) return makeError(path + ": empty file");
    return {};
}

Status checkHeaderBeforeDecoding(const std::string& path, const ImageReadOptions& options) {
    const FileBytes file(path);
    if (!file.ok()) return {}; // OpenImageIO reports it
    const std::string start = file.read(0, 64);
    if (start.size() >= 4 && start.compare(0, 4, "\x76\x2f\x31\x01") == 0)
        return checkExrHeader(path, file, options.maxPixels);
    std::int64_t width = 0, height = 0;
    if (webpCanvas(start, &width, &height) && overLimit(width, height, options.maxPixels))
        return makeError(pixelLimitMessage(path, width, height, options.maxPixels));
    return {};
}

} // namespace lb::imageio
