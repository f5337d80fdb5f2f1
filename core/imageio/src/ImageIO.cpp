// Image and mask files through OpenImageIO (see ImageIO.h): header checks before decoding, the
// reference's exact byte-to-float conversion, PIL's 8-bit values of 16-bit files, EXIF
// orientation, unassociated alpha (associated alpha divided out as PIL and OpenImageIO do),
// atomic writes.
#include "latentbrush/ImageIO.h"

#include "PnmSamples.h"
#include "latentbrush/AtomicFile.h"
#include "latentbrush/MaskOps.h"

#include <OpenImageIO/filesystem.h>
#include <OpenImageIO/imagebuf.h>
#include <OpenImageIO/imagebufalgo.h>
#include <OpenImageIO/imageio.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <new>
#include <string>
#include <system_error>
#include <vector>

namespace lb {
namespace {

namespace fs = std::filesystem;

// OIIO messages can span several lines; errors of the core are one line.
std::string oneLine(const std::string& text) {
    std::string out;
    bool pendingBreak = false;
    for (char c : text) {
        if (c == '\n' || c == '\r') {
            pendingBreak = !out.empty();
            continue;
        }
        if (pendingBreak) {
            out += "; ";
            pendingBreak = false;
        }
        out += c;
    }
    while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back())))
        out.pop_back();
    return out;
}

// "<what> (<details>)", or just <what> when OIIO gave no details.
std::string withDetails(const std::string& what, const std::string& details) {
    std::string line = oneLine(details);
    return line.empty() ? what : what + " (" + line + ")";
}

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
    if (from.empty()) return text;
    for (std::size_t pos = text.find(from); pos != std::string::npos;
         pos = text.find(from, pos + to.size()))
        text.replace(pos, from.size(), to);
    return text;
}

std::string lowerExtension(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    for (char& c : ext)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext;
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

// ---- header checks made before any decoder sees the file ----------------------------------------
// Some decoders allocate from what a header claims before OpenImageIO hands us the image's size:
// OpenEXR 3.1 allocates (and zeroes) what a string, vector or unknown attribute declares, and
// OpenImageIO 2.4's WebP reader allocates the whole canvas in ImageInput::open. Files of those
// formats (recognised by their bytes, whatever their name) are therefore checked here first.

// Reads file bytes at any offset; short reads give fewer bytes.
class FileBytes {
public:
    explicit FileBytes(const std::string& path)
        : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) {
        struct stat info {};
        if (fd_ >= 0 && ::fstat(fd_, &info) == 0 && S_ISREG(info.st_mode))
            size_ = std::uint64_t(info.st_size);
    }
    ~FileBytes() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileBytes(const FileBytes&) = delete;
    FileBytes& operator=(const FileBytes&) = delete;

    bool ok() const { return fd_ >= 0 && size_ > 0; }
    std::uint64_t size() const { return size_; }
    std::string read(std::uint64_t offset, std::size_t length) const {
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

private:
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

std::uint32_t le32(const std::string& b, std::size_t i) {
    return std::uint32_t(std::uint8_t(b[i])) | (std::uint32_t(std::uint8_t(b[i + 1])) << 8) |
           (std::uint32_t(std::uint8_t(b[i + 2])) << 16) |
           (std::uint32_t(std::uint8_t(b[i + 3])) << 24);
}

// A name from a file, safe in a one-line message.
std::string printable(const std::string& text) {
    std::string out = "'";
    for (std::size_t i = 0; i < text.size() && i < 64; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        out += (c < 0x20 || c >= 0x7f) ? '?' : char(c);
    }
    return out + (text.size() > 64 ? "...'" : "'");
}

std::string pixelLimitMessage(const std::string& path, std::int64_t width, std::int64_t height,
                              std::int64_t maxPixels) {
    return path + ": " + std::to_string(width) + "x" + std::to_string(height) +
           " pixels exceeds the limit of " + std::to_string(maxPixels) +
           " pixels (--max-pixels raises it)";
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

// Which of the file's channels become the LoadedImage's, in order: up to three color channels
// (three if there are at least three, else one: gray) and then the alpha channel if any.
struct ChannelPlan {
    std::vector<int> source; // file channel of each output channel
    int alphaChannel = -1;   // output index of alpha, or -1
};

bool looksLikeAlphaName(std::string name) {
    for (char& c : name)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return name.empty() || name == "a" || name == "alpha" || name.rfind("channel", 0) == 0;
}

ChannelPlan planChannels(const OIIO::ImageSpec& spec) {
    const int n = spec.nchannels;
    int alpha = (spec.alpha_channel >= 0 && spec.alpha_channel < n) ? spec.alpha_channel : -1;
    if (n == 1) {
        alpha = -1; // a lone channel is gray, whatever its name
    } else if (alpha < 0 && (n == 2 || n == 4)) {
        // Gray+alpha and RGBA files whose reader did not flag the extra channel (TIFF with an
        // unspecified extra sample): the last channel is alpha unless its name says otherwise.
        const std::string name =
            n - 1 < int(spec.channelnames.size()) ? spec.channelnames[n - 1] : std::string();
        if (looksLikeAlphaName(name)) alpha = n - 1;
    }
    std::vector<int> colors;
    for (int c = 0; c < n; ++c)
        if (c != alpha) colors.push_back(c);
    ChannelPlan plan;
    const std::size_t colorCount = colors.size() >= 3 ? 3 : std::min<std::size_t>(colors.size(), 1);
    plan.source.assign(colors.begin(), colors.begin() + std::ptrdiff_t(colorCount));
    if (alpha >= 0) {
        plan.alphaChannel = int(plan.source.size());
        plan.source.push_back(alpha);
    }
    return plan;
}

// OpenImageIO 2.4's WebP plugin premultiplies alpha on read whatever the configuration asks,
// un-premultiplies (through a 2.2 gamma) on write and encodes lossy only. WebP files with alpha
// are therefore decoded, and WebP files encoded, by libwebp's simple API, which OpenImageIO links
// and which is looked up in the process (Debian ships no libwebp headers with OIIO).
struct WebpApi {
    using DecodeRgba = std::uint8_t* (*)(const std::uint8_t*, std::size_t, int*, int*);
    using EncodeLossless = std::size_t (*)(const std::uint8_t*, int, int, int, std::uint8_t**);
    using Free = void (*)(void*);
    DecodeRgba decodeRgba = nullptr;
    EncodeLossless encodeLosslessRgb = nullptr;
    EncodeLossless encodeLosslessRgba = nullptr;
    Free release = nullptr;

    bool canDecode() const { return decodeRgba && release; }
    bool canEncode() const { return encodeLosslessRgb && encodeLosslessRgba && release; }
};

const WebpApi& webpApi() {
    static const WebpApi api = [] {
        auto find = [](const char* name) { return ::dlsym(RTLD_DEFAULT, name); };
        WebpApi a;
        a.decodeRgba = reinterpret_cast<WebpApi::DecodeRgba>(find("WebPDecodeRGBA"));
        a.encodeLosslessRgb =
            reinterpret_cast<WebpApi::EncodeLossless>(find("WebPEncodeLosslessRGB"));
        a.encodeLosslessRgba =
            reinterpret_cast<WebpApi::EncodeLossless>(find("WebPEncodeLosslessRGBA"));
        a.release = reinterpret_cast<WebpApi::Free>(find("WebPFree"));
        return a;
    }();
    return api;
}

// The RGBA bytes of a WebP file as stored (unassociated), or an empty vector when libwebp is
// not reachable or cannot decode it (an animation, for one).
std::vector<std::uint8_t> decodeWebpRgba(const std::string& path, int width, int height) {
    const WebpApi& api = webpApi();
    if (!api.canDecode()) return {};
    std::ifstream file(path, std::ios::binary);
    const std::vector<std::uint8_t> encoded{std::istreambuf_iterator<char>(file),
                                            std::istreambuf_iterator<char>()};
    int w = 0;
    int h = 0;
    std::uint8_t* decoded = api.decodeRgba(encoded.data(), encoded.size(), &w, &h);
    if (!decoded) return {};
    std::vector<std::uint8_t> rgba;
    if (w == width && h == height)
        rgba.assign(decoded, decoded + std::size_t(w) * std::size_t(h) * 4);
    api.release(decoded);
    return rgba;
}

// out(x, y) = in(sourceX, sourceY) for EXIF orientation 1..8 (the transform that displays the
// stored pixels upright: 2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 clockwise,
// 7 transverse, 8 rotate 90 counter-clockwise).
ImageBuffer applyOrientation(const ImageBuffer& in, int orientation) {
    if (orientation < 2 || orientation > 8) return in;
    const bool swapsAxes = orientation >= 5;
    ImageBuffer out;
    out.width = swapsAxes ? in.height : in.width;
    out.height = swapsAxes ? in.width : in.height;
    out.channels = in.channels;
    out.data.resize(in.data.size());
    const int w = in.width;
    const int h = in.height;
    const std::size_t nc = std::size_t(in.channels);
    for (int y = 0; y < out.height; ++y) {
        float* dst = out.row(y);
        for (int x = 0; x < out.width; ++x) {
            int sx = x;
            int sy = y;
            switch (orientation) {
            case 2:
                sx = w - 1 - x;
                break;
            case 3:
                sx = w - 1 - x;
                sy = h - 1 - y;
                break;
            case 4:
                sy = h - 1 - y;
                break;
            case 5:
                sx = y;
                sy = x;
                break;
            case 6:
                sx = y;
                sy = h - 1 - x;
                break;
            case 7:
                sx = w - 1 - y;
                sy = h - 1 - x;
                break;
            case 8:
                sx = w - 1 - y;
                sy = x;
                break;
            default:
                break;
            }
            const float* src = in.row(sy) + std::size_t(sx) * nc;
            std::copy(src, src + nc, dst + std::size_t(x) * nc);
        }
    }
    return out;
}

// The planned channels of `raw` (`rawChannels` interleaved samples a pixel), converted.
template <class T, class Convert>
void convertPixels(const std::vector<T>& raw, int rawChannels, const ChannelPlan& plan,
                   ImageBuffer& image, Convert convert) {
    const std::size_t nc = std::size_t(image.channels);
    const std::size_t pixels = image.pixelCount();
    for (std::size_t i = 0; i < pixels; ++i) {
        const T* src = raw.data() + i * std::size_t(rawChannels);
        float* dst = image.data.data() + i * nc;
        for (std::size_t c = 0; c < nc; ++c)
            dst[c] = convert(src[plan.source[c]]);
    }
}

// Reads the first subimage's channels [0, channelEnd) as T, the type `type` describes.
template <class T>
Result<std::vector<T>> readSamples(OIIO::ImageInput& input, const std::string& path,
                                   OIIO::TypeDesc type, std::size_t pixels, int channelEnd) {
    std::vector<T> raw(pixels * std::size_t(channelEnd));
    input.geterror(); // only what decoding reports counts below
    const bool read = input.read_image(0, 0, 0, channelEnd, type, raw.data());
    // Some readers report damaged data (a truncated JPEG or TIFF) but still return true with
    // the missing part filled in: that is a failure too.
    const std::string problems = input.geterror();
    if (!read || !problems.empty())
        return makeError(withDetails(path + ": cannot decode the image", problems));
    return raw;
}

template <class T, class Convert>
Status decodePixels(OIIO::ImageInput& input, const std::string& path, OIIO::TypeDesc type,
                    const ChannelPlan& plan, ImageBuffer& image, Convert convert) {
    const int channelEnd = *std::max_element(plan.source.begin(), plan.source.end()) + 1;
    Result<std::vector<T>> raw = readSamples<T>(input, path, type, image.pixelCount(), channelEnd);
    if (!raw) return raw.error();
    convertPixels(*raw, channelEnd, plan, image, convert);
    return {};
}

// The planned channels of the file as T, tightly packed in the LoadedImage's channel order.
template <class T>
Result<std::vector<T>> readPlanned(OIIO::ImageInput& input, const std::string& path,
                                   OIIO::TypeDesc type, const ChannelPlan& plan,
                                   const ImageBuffer& image) {
    const int channelEnd = *std::max_element(plan.source.begin(), plan.source.end()) + 1;
    Result<std::vector<T>> raw = readSamples<T>(input, path, type, image.pixelCount(), channelEnd);
    if (!raw) return raw.error();
    const std::size_t nc = plan.source.size();
    bool identity = std::size_t(channelEnd) == nc;
    for (std::size_t c = 0; c < nc; ++c)
        identity = identity && plan.source[c] == int(c);
    if (identity) return raw; // the usual case: no second copy
    const std::size_t pixels = image.pixelCount();
    std::vector<T> planned(pixels * nc);
    for (std::size_t i = 0; i < pixels; ++i)
        for (std::size_t c = 0; c < nc; ++c)
            planned[i * nc + c] = (*raw)[i * std::size_t(channelEnd) + std::size_t(plan.source[c])];
    return planned;
}

// Samples already in the LoadedImage's channel order, converted.
template <class T, class Convert>
void convertSamples(const std::vector<T>& samples, ImageBuffer& image, Convert convert) {
    for (std::size_t i = 0; i < samples.size(); ++i)
        image.data[i] = convert(samples[i]);
}

// Premultiplied float colors divided by alpha with OpenImageIO's own ImageBufAlgo::unpremult
// (c / a where a is neither 0 nor 1), in place.
void unpremultiplyLikeOiio(ImageBuffer& image, int alpha) {
    OIIO::ImageSpec spec(image.width, image.height, image.channels, OIIO::TypeDesc::FLOAT);
    spec.alpha_channel = alpha;
    OIIO::ImageBuf wrapped(spec, image.data.data());
    OIIO::ImageBufAlgo::unpremult(wrapped, wrapped);
}

// The image without its alpha channel.
LoadedImage withoutAlpha(LoadedImage loaded) {
    ImageBuffer& in = loaded.image;
    ImageBuffer out;
    out.width = in.width;
    out.height = in.height;
    out.channels = in.channels - 1;
    out.data.resize(out.pixelCount() * std::size_t(out.channels));
    const std::size_t pixels = in.pixelCount();
    for (std::size_t i = 0; i < pixels; ++i)
        for (int c = 0, o = 0; c < in.channels; ++c)
            if (c != loaded.alphaChannel)
                out.data[i * std::size_t(out.channels) + std::size_t(o++)] =
                    in.data[i * std::size_t(in.channels) + std::size_t(c)];
    loaded.image = std::move(out);
    loaded.hasAlpha = false;
    loaded.alphaChannel = -1;
    return loaded;
}

// WebP with alpha (see WebpApi): libwebp's bytes when it can decode the file, else OIIO's
// premultiplied bytes divided by alpha again (exact colors are then lost where alpha < 255).
Status decodeWebpWithAlpha(OIIO::ImageInput& input, const std::string& path,
                           const ChannelPlan& plan, ImageBuffer& image) {
    std::vector<std::uint8_t> rgba = decodeWebpRgba(path, image.width, image.height);
    if (rgba.empty()) {
        Result<std::vector<std::uint8_t>> raw =
            readSamples<std::uint8_t>(input, path, OIIO::TypeDesc::UINT8, image.pixelCount(), 4);
        if (!raw) return raw.error();
        rgba = std::move(*raw);
        for (std::size_t i = 0; i < rgba.size(); i += 4) {
            const int alpha = rgba[i + 3];
            for (std::size_t c = 0; alpha > 0 && c < 3; ++c)
                rgba[i + c] = std::uint8_t(std::min(255, (rgba[i + c] * 255 + alpha / 2) / alpha));
        }
    }
    convertPixels(rgba, 4, plan, image, byteToFloat);
    return {};
}

Status checkFinite(const ImageBuffer& image, const std::string& path) {
    const std::size_t nc = std::size_t(image.channels);
    for (std::size_t i = 0; i < image.data.size(); ++i) {
        if (std::isfinite(image.data[i])) continue;
        const std::size_t pixel = i / nc;
        return makeError(path + ": non-finite pixel value (" +
                         (std::isnan(image.data[i]) ? "NaN" : "infinity") +
                         ") at x=" + std::to_string(pixel % std::size_t(image.width)) +
                         ", y=" + std::to_string(pixel / std::size_t(image.width)) + ", channel " +
                         std::to_string(i % nc));
    }
    return {};
}

// libpng and libjpeg print their own diagnostics ("libpng error: ...") on stderr before OIIO
// reports them to us; our message already carries that text, so the decoders' stderr is muted
// while a file is decoded (one decode at a time mutes; the descriptor is always restored).
class QuietStderr {
public:
    QuietStderr() {
        std::lock_guard<std::mutex> lock(mutex());
        if (depth()++ > 0) return;
        std::fflush(stderr);
        saved() = ::dup(STDERR_FILENO);
        const int devNull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (saved() >= 0 && devNull >= 0) ::dup2(devNull, STDERR_FILENO);
        if (devNull >= 0) ::close(devNull);
    }
    ~QuietStderr() {
        std::lock_guard<std::mutex> lock(mutex());
        if (--depth() > 0) return;
        std::fflush(stderr);
        if (saved() >= 0) {
            ::dup2(saved(), STDERR_FILENO);
            ::close(saved());
            saved() = -1;
        }
    }
    QuietStderr(const QuietStderr&) = delete;
    QuietStderr& operator=(const QuietStderr&) = delete;

private:
    static std::mutex& mutex() {
        static std::mutex m;
        return m;
    }
    static int& depth() {
        static int d = 0;
        return d;
    }
    static int& saved() {
        static int fd = -1;
        return fd;
    }
};

// ---- the values PIL gives ComfyUI's LoadImage ------------------------------------------------

// What is read for: an image (LoadImage's rules: PNG transparency keys of gray and RGB images
// ignored) or a mask file (LoadImageMask's: a transparency key is alpha). Both give 16-bit
// samples as ImageReadOptions::precision says.
enum class ReadPurpose { Image, Mask };

// The PNG color type of IHDR (0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA), or -1 when the
// file is not a PNG.
int pngColorType(const std::string& path) {
    static constexpr char kSignature[] = "\x89PNG\r\n\x1a\n";
    const FileBytes file(path);
    const std::string head = file.read(0, 26);
    if (head.size() < 26 || head.compare(0, 8, kSignature, 8) != 0 ||
        head.compare(12, 4, "IHDR") != 0)
        return -1;
    return std::uint8_t(head[25]);
}

// How PIL (9.4, Debian 12's) makes 8-bit values of a file's 16-bit samples on the way of
// LoadImage (and LoadImageMask): its PNG and TIFF decoders keep the high byte ("RGB;16B",
// "LA;16B", "RGBa;16L"...); a 16-bit gray PNG (and a PGM, see pnmAsPil) opens in mode I, which
// LoadImage turns to 8 bits with i.point(lambda i: i * (1 / 255)) (C: int(v * scale + offset),
// truncating) and convert("RGB") (clipped to 255); a 16-bit gray TIFF opens in mode I;16, which
// LoadImage converts to RGB directly: min(v, 255), every value from 255 up white.
enum class PilReduction { HighByte, ModeI, Clip };

PilReduction pilReduction(const std::string& format, int pngColor, int channels) {
    if (format == "png" && pngColor == 0) return PilReduction::ModeI;
    if (format == "tiff" && channels == 1) return PilReduction::Clip;
    return PilReduction::HighByte;
}

// Mode I's value v to LoadImage's 8 bits (the point step, then convert's clip).
std::uint8_t modeIByte(std::uint32_t v) {
    const double scaled = double(v) * (1.0 / 255.0) + 0.0; // ImagingPointTransform
    return std::uint8_t(std::min(255.0, scaled));          // i2rgb's CLIP8 of int(scaled)
}

std::uint8_t pilByte(std::uint16_t v, PilReduction rule) {
    switch (rule) {
    case PilReduction::ModeI:
        return modeIByte(v);
    case PilReduction::Clip:
        return std::uint8_t(std::min<std::uint16_t>(v, 255));
    default:
        return std::uint8_t(v >> 8);
    }
}

// A PNM file of a maxval other than 255 as PIL gives it to LoadImage: PIL scales each stored
// sample v with Python's round (half to even) of v / maxval * 255 (or * 65535 for a graymap of a
// maxval above 255, which opens in mode I and then goes as ModeI; maxval 65535 keeps v). 8-bit
// files have nothing more; 16-bit ones under InputPrecision::Full give v / maxval instead.
// OpenImageIO's own scaling truncates, so the stored samples are read again here.
Status pnmAsPil(const std::string& path, InputPrecision precision, LoadedImage& loaded) {
    const std::string magic = FileBytes(path).read(0, 2);
    if (magic != "P2" && magic != "P3" && magic != "P5" && magic != "P6")
        return {}; // a bitmap (P1, P4): as OpenImageIO decodes it
    Result<pnm::PnmSamples> samples = pnm::readPnmSamples(path);
    if (!samples) return samples.error();
    ImageBuffer& image = loaded.image;
    if (samples->width != image.width || samples->height != image.height ||
        samples->channels != image.channels || samples->values.size() != image.data.size())
        return makeError(path + ": the PNM samples do not match the decoded image");
    const double maxval = samples->maxval;
    if (samples->maxval == 255) return {};
    const bool wide = samples->maxval > 255;
    if (wide && precision == InputPrecision::Full) {
        for (std::size_t i = 0; i < image.data.size(); ++i)
            image.data[i] = float(samples->values[i]) / float(samples->maxval);
        return {};
    }
    const bool modeI = wide && samples->channels == 1;
    for (std::size_t i = 0; i < image.data.size(); ++i) {
        const double v = samples->values[i];
        const std::uint8_t byte =
            modeI ? modeIByte(std::uint32_t(std::nearbyint(v / maxval * 65535.0)))
                  : std::uint8_t(std::min(255.0, std::nearbyint(v / maxval * 255.0)));
        image.data[i] = byteToFloat(byte);
    }
    loaded.reducedTo8Bits = wide;
    return {};
}

// A 32-bit BMP without bit fields (BI_RGB): PIL reads its pixels as BGRX, the fourth byte
// unused (no alpha), where OpenImageIO gives it as alpha.
bool bmpFourthByteUnused(const std::string& path) {
    const FileBytes file(path);
    const std::string h = file.read(0, 34);
    if (h.size() < 34 || h.compare(0, 2, "BM") != 0 || le32(h, 14) < 40) return false;
    const unsigned bitsPerPixel = std::uint8_t(h[28]) | (unsigned(std::uint8_t(h[29])) << 8);
    return bitsPerPixel == 32 && le32(h, 30) == 0;
}

// Premultiplied 8-bit colors divided by alpha as PIL's "RGBa" unpacker does (Unpack.c,
// unpackRGBa): integer c * 255 / a clipped to 255, a = 255 kept, a = 0 makes the whole pixel 0.
void unpremultiplyLikePil(std::vector<std::uint8_t>& samples, int channels, int alpha) {
    const std::size_t nc = std::size_t(channels);
    for (std::size_t i = 0; i < samples.size(); i += nc) {
        const int a = samples[i + std::size_t(alpha)];
        if (a == 255) continue;
        for (std::size_t c = 0; c < nc; ++c) {
            if (int(c) == alpha) continue;
            samples[i + c] = a == 0 ? 0 : std::uint8_t(std::min(255, samples[i + c] * 255 / a));
        }
    }
}

// Whether the file stores colors premultiplied by alpha. OpenImageIO says so by leaving out
// oiio:UnassociatedAlpha when asked to keep stored values; only TIFF (ExtraSamples = 1) and
// OpenEXR (premultiplied by definition) are taken at their word: BMP, GIF and others leave the
// attribute out too, although their alpha is unassociated.
bool storesAssociatedAlpha(const std::string& format, const OIIO::ImageSpec& spec,
                           const ChannelPlan& plan) {
    // A TIFF extra sample of unspecified meaning (ExtraSamples = 0) is no flagged alpha: its
    // colors are stored as they are (PIL reads such a file as RGBX).
    if (plan.alphaChannel < 0 || spec.alpha_channel < 0) return false;
    if (format != "tiff" && format != "openexr") return false;
    return spec.get_int_attribute("oiio:UnassociatedAlpha", 0) == 0;
}

Result<LoadedImage> readImageUnchecked(const std::string& path, const ImageReadOptions& options,
                                       ReadPurpose purpose) {
    if (Status st = checkReadablePath(path); !st) return st.error();
    if (Status st = checkHeaderBeforeDecoding(path, options); !st) return st.error();
    const QuietStderr quiet;

    OIIO::ImageSpec config;
    config.attribute("oiio:UnassociatedAlpha", 1); // the file's own values, never premultiplied
    std::unique_ptr<OIIO::ImageInput> input = OIIO::ImageInput::open(path, &config);
    if (!input) return makeError(withDetails(path + ": not a readable image", OIIO::geterror()));

    const OIIO::ImageSpec& spec = input->spec(); // subimage 0, header only
    if (spec.deep) return makeError(path + ": deep images are not supported");
    if (spec.depth > 1) return makeError(path + ": volume images are not supported");
    if (spec.width <= 0 || spec.height <= 0)
        return makeError(path + ": " + std::to_string(std::max(spec.width, 0)) + "x" +
                         std::to_string(std::max(spec.height, 0)) + " image");
    if (spec.nchannels <= 0) return makeError(path + ": the image has no channels");
    const std::int64_t pixels = std::int64_t(spec.width) * std::int64_t(spec.height);
    if (pixels > options.maxPixels)
        return makeError(pixelLimitMessage(path, spec.width, spec.height, options.maxPixels));

    const ChannelPlan plan = planChannels(spec);
    LoadedImage loaded;
    loaded.format = input->format_name();
    loaded.alphaChannel = plan.alphaChannel;
    loaded.hasAlpha = plan.alphaChannel >= 0;
    ImageBuffer& image = loaded.image;
    image.width = spec.width;
    image.height = spec.height;
    image.channels = int(plan.source.size());
    image.data.resize(image.pixelCount() * std::size_t(image.channels));

    // 8-bit and 16-bit samples are converted here exactly as the reference does (never through
    // OIIO's own conversion); half/float/double are read as float; any other integer type
    // (32-bit TIFF, signed samples) goes through OIIO's conversion to float.
    const OIIO::TypeDesc::BASETYPE base = OIIO::TypeDesc::BASETYPE(spec.format.basetype);
    const bool associated = storesAssociatedAlpha(loaded.format, spec, plan);
    const int pngColor = loaded.format == "png" ? pngColorType(path) : -1;
    Status decoded;
    const bool premultipliedWebp = loaded.format == "webp" && spec.nchannels == 4 &&
                                   base == OIIO::TypeDesc::UINT8 &&
                                   spec.get_int_attribute("oiio:UnassociatedAlpha", 0) == 0;
    // 8-bit samples, and 16-bit ones reduced to PIL's 8-bit values: integers until the colors
    // are un-premultiplied (PIL does it on bytes), then floats.
    auto fromBytes = [&](std::vector<std::uint8_t> bytes) -> Status {
        if (associated) {
            unpremultiplyLikePil(bytes, image.channels, plan.alphaChannel);
            loaded.unpremultiplied = true;
        }
        convertSamples(bytes, image, byteToFloat);
        return {};
    };
    if (premultipliedWebp) {
        loaded.bitsPerSample = 8;
        decoded = decodeWebpWithAlpha(*input, path, plan, image);
    } else if (base == OIIO::TypeDesc::UINT8) {
        loaded.bitsPerSample = 8;
        Result<std::vector<std::uint8_t>> bytes =
            readPlanned<std::uint8_t>(*input, path, OIIO::TypeDesc::UINT8, plan, image);
        decoded = bytes ? fromBytes(std::move(*bytes)) : Status(bytes.error());
    } else if (base == OIIO::TypeDesc::UINT16) {
        loaded.bitsPerSample = 16;
        Result<std::vector<std::uint16_t>> words =
            readPlanned<std::uint16_t>(*input, path, OIIO::TypeDesc::UINT16, plan, image);
        if (!words) {
            decoded = words.error();
        } else if (options.precision == InputPrecision::Reference) {
            const PilReduction rule = pilReduction(loaded.format, pngColor, image.channels);
            std::vector<std::uint8_t> bytes(words->size());
            for (std::size_t i = 0; i < bytes.size(); ++i)
                bytes[i] = pilByte((*words)[i], rule);
            loaded.reducedTo8Bits = true;
            decoded = fromBytes(std::move(bytes));
        } else {
            convertSamples(*words, image, wordToFloat);
            if (associated) unpremultiplyLikeOiio(image, plan.alphaChannel);
            loaded.unpremultiplied = associated;
        }
    } else {
        const bool floatFile = base == OIIO::TypeDesc::HALF || base == OIIO::TypeDesc::FLOAT ||
                               base == OIIO::TypeDesc::DOUBLE;
        loaded.isFloat = floatFile;
        loaded.bitsPerSample = int(spec.format.basesize() * 8);
        decoded = decodePixels<float>(*input, path, OIIO::TypeDesc::FLOAT, plan, image,
                                      [](float v) { return v; });
        if (decoded && associated) unpremultiplyLikeOiio(image, plan.alphaChannel);
        loaded.unpremultiplied = associated;
    }
    if (!decoded) return decoded.error();
    if (loaded.format == "pnm" && !loaded.isFloat)
        if (Status st = pnmAsPil(path, options.precision, loaded); !st) return st.error();
    const int orientation = spec.get_int_attribute("Orientation", 1);
    input->close();
    input->geterror(); // nothing of this file stays pending in OIIO

    if (loaded.isFloat)
        if (Status st = checkFinite(image, path); !st) return st.error();
    if (orientation >= 2 && orientation <= 8) image = applyOrientation(image, orientation);
    // A gray or RGB PNG's alpha can only come from its transparency key (tRNS): PIL keeps that in
    // info["transparency"], which LoadImage ignores (LoadImageMask's convert("RGBA") applies it).
    if (purpose == ReadPurpose::Image && (pngColor == 0 || pngColor == 2) && loaded.hasAlpha)
        loaded = withoutAlpha(std::move(loaded));
    if (loaded.format == "bmp" && loaded.hasAlpha && bmpFourthByteUnused(path))
        loaded = withoutAlpha(std::move(loaded));
    return loaded;
}

float clampUnit(float v) {
    return std::min(std::max(v, 0.0f), 1.0f);
}

// 8-bit sample of v: round(clamp(v, 0, 1) * 255), NaN as 0.
std::uint8_t toByte(float v) {
    if (!(v > 0.0f)) return 0;
    if (v >= 1.0f) return 255;
    return std::uint8_t(roundHalfEven(v * 255.0f));
}

// The image formats writeImage knows, by extension.
// maxSide: checked before writing (libjpeg exits the process on larger JPEGs; 0 = no check).
struct WriteFormat {
    const char* extension;
    const char* plugin;
    bool floatSamples;
    int maxSide;
};
constexpr WriteFormat kWriteFormats[] = {
    {".png", "png", false, 0},  {".jpg", "jpeg", false, 65500},  {".jpeg", "jpeg", false, 65500},
    {".bmp", "bmp", false, 0},  {".webp", "webp", false, 16383}, {".tif", "tiff", true, 0},
    {".tiff", "tiff", true, 0}, {".exr", "openexr", true, 0},
};

std::string supportedWriteExtensions() {
    std::string list;
    for (const WriteFormat& f : kWriteFormats)
        list += (list.empty() ? "" : ", ") + std::string(f.extension);
    return list;
}

Status checkBufferShape(const std::string& path, int height, int width, int channels,
                        std::size_t size) {
    if (height <= 0 || width <= 0)
        return makeError(path + ": nothing to write (" + std::to_string(std::max(width, 0)) + "x" +
                         std::to_string(std::max(height, 0)) + " image)");
    if (channels < 1 || channels > 4)
        return makeError(path + ": cannot write an image of " + std::to_string(channels) +
                         " channels (1 to 4)");
    if (size != std::size_t(height) * std::size_t(width) * std::size_t(channels))
        return makeError(path + ": the pixel buffer does not match its " + std::to_string(width) +
                         "x" + std::to_string(height) + " size");
    return {};
}

// An OpenImageIO output proxy onto a file that checks every write, flush and close and keeps the
// first error (errno), so that a full disk fails the write even where an encoder (PNG) ignores
// what the proxy returns.
class CheckedFileOutput final : public OIIO::Filesystem::IOProxy {
public:
    explicit CheckedFileOutput(const std::string& path) : IOProxy(path, Write) {
        file_ = std::fopen(path.c_str(), "wb");
        if (!file_) failure_ = errno ? errno : EIO;
    }
    ~CheckedFileOutput() override { close(); }

    const char* proxytype() const override { return "lbcheckedfile"; }
    void close() override {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!file_) return;
        if (std::fflush(file_) != 0) fail(errno);
        if (std::fclose(file_) != 0) fail(errno);
        file_ = nullptr;
        m_mode = Closed;
    }
    bool seek(std::int64_t offset) override {
        if (offset < 0) return false;
        m_pos = offset;
        return true;
    }
    std::size_t write(const void* buf, std::size_t size) override {
        const std::size_t n = pwrite(buf, size, m_pos);
        m_pos += std::int64_t(n);
        return n;
    }
    std::size_t pwrite(const void* buf, std::size_t size, std::int64_t offset) override {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!file_ || failure_) return 0;
        if (offset != filePos_ && ::fseeko(file_, off_t(offset), SEEK_SET) != 0) {
            fail(errno);
            return 0;
        }
        errno = 0;
        const std::size_t n = size ? std::fwrite(buf, 1, size, file_) : 0;
        filePos_ = offset + std::int64_t(n);
        end_ = std::max(end_, std::uint64_t(filePos_));
        if (n != size) fail(errno);
        return n;
    }
    std::size_t read(void*, std::size_t) override { return 0; }
    std::size_t pread(void*, std::size_t, std::int64_t) override { return 0; }
    std::size_t size() const override { return std::size_t(end_); }
    void flush() const override {
        std::lock_guard<std::mutex> lock(mutex_);
        if (file_ && std::fflush(file_) != 0) const_cast<CheckedFileOutput*>(this)->fail(errno);
    }

    int failure() const { return failure_; }
    std::uint64_t written() const { return end_; }

private:
    void fail(int err) {
        if (!failure_) failure_ = err ? err : EIO;
    }

    mutable std::mutex mutex_;
    std::FILE* file_ = nullptr;
    std::int64_t filePos_ = 0;
    std::uint64_t end_ = 0;
    int failure_ = 0;
};

// Writes tightly packed samples of `type` atomically with the plugin named; channels 1..4 are
// gray, gray+alpha, RGB, RGBA (alpha unassociated, except in OpenEXR files).
Status writePixels(const std::string& path, const char* plugin, int width, int height, int channels,
                   OIIO::TypeDesc type, const void* data) {
    OIIO::ImageSpec spec(width, height, channels, type);
    switch (channels) {
    case 1:
        spec.channelnames = {"Y"};
        break;
    case 2:
        spec.channelnames = {"Y", "A"};
        break;
    case 3:
        spec.channelnames = {"R", "G", "B"};
        break;
    default:
        spec.channelnames = {"R", "G", "B", "A"};
        break;
    }
    spec.alpha_channel = (channels == 2 || channels == 4) ? channels - 1 : -1;
    const std::string format = plugin;
    // OpenEXR has no unassociated alpha: writeImage premultiplies what goes there.
    if (spec.alpha_channel >= 0 && format != "openexr") spec.attribute("oiio:UnassociatedAlpha", 1);
    if (format == "jpeg") spec.attribute("Compression", "jpeg:95");
    if (format == "tiff" || format == "openexr") spec.attribute("compression", "zip");
    // zlib's fastest level: masks and previews compress well at any level, and level 6 (the
    // default) takes several times longer on large images.
    if (format == "png") spec.attribute("png:compressionLevel", 1);

    auto fail = [&](const std::string& what, const std::string& details,
                    const std::string& temp) -> Status {
        return makeError(withDetails(path + ": " + what,
                                     temp.empty() ? details : replaceAll(details, temp, path)));
    };
    std::unique_ptr<OIIO::ImageOutput> output = OIIO::ImageOutput::create(plugin);
    if (!output) return fail("cannot write " + format + " files", OIIO::geterror(), {});

    // OpenImageIO 2.4's PNG writer does not report a failed write (a full disk, EFBIG), so
    // writing through it directly could rename a truncated file over the previous one. The
    // encoders therefore write through CheckedFileOutput, which records the first failed write,
    // flush or close; the size that reached the file is checked too.
    return writeFileAtomically(path, [&](const std::string& temp) -> Status {
        if (!output->supports("ioproxy")) {
            // A plugin without IOProxy support writes the file itself; 0 bytes is a failure
            // whatever the plugin said.
            if (!output->open(temp, spec))
                return fail("cannot create the file", output->geterror(), temp);
            if (!output->write_image(type, data)) {
                std::string details = output->geterror();
                output->close();
                return fail("cannot write the image", details, temp);
            }
            if (!output->close()) return fail("cannot finish the file", output->geterror(), temp);
            std::error_code ec;
            const auto size = fs::file_size(temp, ec);
            if (ec || size == 0) return makeError(path + ": write failed (nothing was written)");
            return {};
        }
        CheckedFileOutput file(temp);
        if (file.failure())
            return makeError(path + ": cannot create the file (" + std::strerror(file.failure()) +
                             ")");
        bool ok = output->set_ioproxy(&file) && output->open(temp, spec);
        std::string details = ok ? std::string() : output->geterror();
        if (ok && !output->write_image(type, data)) {
            ok = false;
            details = output->geterror();
        }
        if (!output->close() && ok) {
            ok = false;
            details = output->geterror();
        }
        output.reset();
        file.close();
        // A failed write is reported as such, whatever the encoder made of it.
        if (file.failure())
            return makeError(path + ": write failed (" + std::strerror(file.failure()) + ")");
        if (!ok) return fail("cannot write the image", details, temp);
        struct stat info {};
        if (::stat(temp.c_str(), &info) != 0 || info.st_size <= 0 ||
            std::uint64_t(info.st_size) != file.written())
            return makeError(path + ": write failed (the file is shorter than what was written)");
        return {};
    });
}

// A lossless WebP through libwebp (see WebpApi): 3 or 4 channels of bytes. libwebp's simple API
// may change the colors of fully transparent pixels.
Status writeWebpLossless(const std::string& path, int width, int height, int channels,
                         const std::vector<std::uint8_t>& bytes) {
    const WebpApi& api = webpApi();
    std::uint8_t* encoded = nullptr;
    const int stride = width * channels;
    const std::size_t size =
        channels == 4 ? api.encodeLosslessRgba(bytes.data(), width, height, stride, &encoded)
                      : api.encodeLosslessRgb(bytes.data(), width, height, stride, &encoded);
    if (size == 0 || !encoded) {
        if (encoded) api.release(encoded);
        return makeError(path + ": cannot encode the image as WebP");
    }
    Status written = writeBytesAtomically(path, encoded, size);
    api.release(encoded);
    return written;
}

// Runs `body`, turning any exception (out of memory, an OIIO or libc++ throw) into an error.
template <class R, class Body> R guarded(const std::string& path, Body body) {
    try {
        return body();
    } catch (const std::bad_alloc&) {
        return makeError(path + ": out of memory");
    } catch (const std::exception& e) {
        return makeError(path + ": " + oneLine(e.what()));
    } catch (...) {
        return makeError(path + ": unexpected error");
    }
}

} // namespace

const char* inputPrecisionName(InputPrecision precision) {
    return precision == InputPrecision::Full ? "full" : "reference";
}

bool parseInputPrecision(const std::string& name, InputPrecision* out) {
    InputPrecision p;
    if (name == "reference")
        p = InputPrecision::Reference;
    else if (name == "full")
        p = InputPrecision::Full;
    else
        return false;
    if (out) *out = p;
    return true;
}

Result<LoadedImage> readImage(const std::string& path, const ImageReadOptions& options) {
    return guarded<Result<LoadedImage>>(
        path, [&] { return readImageUnchecked(path, options, ReadPurpose::Image); });
}

Result<LoadedImage> readImageSamples(const std::string& path, const ImageReadOptions& options) {
    ImageReadOptions everyBit = options;
    everyBit.precision = InputPrecision::Full;
    return guarded<Result<LoadedImage>>(
        path, [&] { return readImageUnchecked(path, everyBit, ReadPurpose::Mask); });
}

ImageBuffer toRgb(const ImageBuffer& image) {
    ImageBuffer rgb;
    if (image.empty() || image.channels < 1) return rgb;
    rgb.height = image.height;
    rgb.width = image.width;
    rgb.channels = 3;
    const std::size_t pixels = image.pixelCount();
    rgb.data.resize(pixels * 3);
    const std::size_t nc = std::size_t(image.channels);
    const bool gray = image.channels < 3;
    for (std::size_t i = 0; i < pixels; ++i) {
        const float* src = image.data.data() + i * nc;
        float* dst = rgb.data.data() + i * 3;
        dst[0] = src[0];
        dst[1] = gray ? src[0] : src[1];
        dst[2] = gray ? src[0] : src[2];
    }
    return rgb;
}

MaskBuffer maskFromAlpha(const LoadedImage& loaded) {
    MaskBuffer mask;
    const ImageBuffer& image = loaded.image;
    if (!loaded.hasAlpha || loaded.alphaChannel < 0 || loaded.alphaChannel >= image.channels ||
        image.empty())
        return mask;
    mask.height = image.height;
    mask.width = image.width;
    const std::size_t pixels = image.pixelCount();
    mask.data.resize(pixels);
    const std::size_t nc = std::size_t(image.channels);
    for (std::size_t i = 0; i < pixels; ++i)
        mask.data[i] = clampUnit(1.0f - image.data[i * nc + std::size_t(loaded.alphaChannel)]);
    return mask;
}

Result<MaskBuffer> readMask(const std::string& path, MaskChannel channel,
                            const ImageReadOptions& options) {
    return guarded<Result<MaskBuffer>>(path, [&]() -> Result<MaskBuffer> {
        Result<LoadedImage> loaded = readImageUnchecked(path, options, ReadPurpose::Mask);
        if (!loaded) return loaded.error();
        const ImageBuffer& image = loaded->image;
        const bool color = image.channels >= 3; // else gray or gray+alpha

        // Auto: alpha if any, else red (for a gray file, red is its gray value).
        if (channel == MaskChannel::Auto)
            channel = loaded->hasAlpha ? MaskChannel::Alpha : MaskChannel::Red;
        if (channel == MaskChannel::Alpha) {
            if (!loaded->hasAlpha)
                return makeError(path + ": the mask has no alpha channel (--mask-channel alpha)");
            return maskFromAlpha(*loaded);
        }

        MaskBuffer mask;
        mask.height = image.height;
        mask.width = image.width;
        const std::size_t pixels = image.pixelCount();
        mask.data.resize(pixels);
        const std::size_t nc = std::size_t(image.channels);
        for (std::size_t i = 0; i < pixels; ++i) {
            const float* p = image.data.data() + i * nc;
            float v = p[0]; // gray: every channel choice is the gray value
            if (color) {
                switch (channel) {
                case MaskChannel::Green:
                    v = p[1];
                    break;
                case MaskChannel::Blue:
                    v = p[2];
                    break;
                case MaskChannel::Luma:
                    v = 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2];
                    break;
                default:
                    break;
                }
            }
            mask.data[i] = clampUnit(v);
        }
        return mask;
    });
}

Status writeBinaryMaskPng(const std::string& path, const BinaryMask& mask) {
    return guarded<Status>(path, [&]() -> Status {
        if (Status st = checkBufferShape(path, mask.height, mask.width, 1, mask.data.size()); !st)
            return st;
        std::vector<std::uint8_t> bytes(mask.data.size());
        for (std::size_t i = 0; i < bytes.size(); ++i)
            bytes[i] = mask.data[i] ? 255 : 0;
        return writePixels(path, "png", mask.width, mask.height, 1, OIIO::TypeDesc::UINT8,
                           bytes.data());
    });
}

Status writeMaskPng(const std::string& path, const MaskBuffer& mask) {
    return guarded<Status>(path, [&]() -> Status {
        if (Status st = checkBufferShape(path, mask.height, mask.width, 1, mask.data.size()); !st)
            return st;
        std::vector<std::uint8_t> bytes(mask.data.size());
        for (std::size_t i = 0; i < bytes.size(); ++i)
            bytes[i] = toByte(mask.data[i]);
        return writePixels(path, "png", mask.width, mask.height, 1, OIIO::TypeDesc::UINT8,
                           bytes.data());
    });
}

Status writeImage(const std::string& path, const ImageBuffer& image, SampleDepth depth) {
    return guarded<Status>(path, [&]() -> Status {
        const std::string ext = lowerExtension(path);
        const WriteFormat* format = nullptr;
        for (const WriteFormat& f : kWriteFormats)
            if (ext == f.extension) format = &f;
        if (!format)
            return makeError(path + ": unsupported image file extension" +
                             (ext.empty() ? std::string() : " \"" + ext + "\"") +
                             " (supported: " + supportedWriteExtensions() + ")");
        if (Status st = checkBufferShape(path, image.height, image.width, image.channels,
                                         image.data.size());
            !st)
            return st;
        if (format->maxSide && std::max(image.width, image.height) > format->maxSide)
            return makeError(path + ": " + std::to_string(image.width) + "x" +
                             std::to_string(image.height) + " is too large for " + format->plugin +
                             " (at most " + std::to_string(format->maxSide) + " pixels a side)");
        for (float v : image.data)
            if (!std::isfinite(v)) return makeError(path + ": non-finite pixel value, not written");

        // Channel layouts the format can hold: JPEG has no alpha (dropped), BMP no gray+alpha
        // and WebP no gray (both widened to RGB(A)).
        const std::string plugin = format->plugin;
        const int in = image.channels;
        const bool inAlpha = in == 2 || in == 4;
        int out = in;
        if (plugin == "jpeg") out = in >= 3 ? 3 : 1;
        if (plugin == "bmp" && in == 2) out = 4;
        if (plugin == "webp" && in < 3) out = inAlpha ? 4 : 3;
        const bool outAlpha = out == 2 || out == 4;
        const std::size_t pixels = image.pixelCount();
        std::vector<float> samples(pixels * std::size_t(out));
        for (std::size_t i = 0; i < pixels; ++i) {
            const float* src = image.data.data() + i * std::size_t(in);
            float* dst = samples.data() + i * std::size_t(out);
            const int colorsOut = outAlpha ? out - 1 : out;
            for (int c = 0; c < colorsOut; ++c)
                dst[c] = src[in >= 3 ? c : 0];
            if (outAlpha) dst[out - 1] = inAlpha ? src[in - 1] : 1.0f;
        }

        // OpenEXR colors are premultiplied by alpha (readers, ours included, divide them out).
        if (plugin == "openexr" && outAlpha)
            for (std::size_t i = 0; i < samples.size(); i += std::size_t(out))
                for (int c = 0; c < out - 1; ++c)
                    samples[i + std::size_t(c)] *= samples[i + std::size_t(out - 1)];
        const bool floatOut =
            format->floatSamples && (depth == SampleDepth::Default || depth == SampleDepth::F32);
        if (floatOut)
            return writePixels(path, format->plugin, image.width, image.height, out,
                               OIIO::TypeDesc::FLOAT, samples.data());
        const bool wordsOut = (plugin == "png" || plugin == "tiff") &&
                              (depth == SampleDepth::U16 || depth == SampleDepth::F32);
        if (wordsOut) {
            std::vector<std::uint16_t> words(samples.size());
            for (std::size_t i = 0; i < words.size(); ++i) {
                const float v = samples[i];
                words[i] = !(v > 0.0f) ? 0
                           : v >= 1.0f ? 65535
                                       : std::uint16_t(roundHalfEven(v * 65535.0f));
            }
            return writePixels(path, format->plugin, image.width, image.height, out,
                               OIIO::TypeDesc::UINT16, words.data());
        }
        std::vector<std::uint8_t> bytes(samples.size());
        for (std::size_t i = 0; i < bytes.size(); ++i)
            bytes[i] = toByte(samples[i]);
        if (plugin == "webp" && webpApi().canEncode())
            return writeWebpLossless(path, image.width, image.height, out, bytes);
        if (plugin == "webp" && outAlpha)
            return makeError(path + ": cannot write WebP with alpha: libwebp's encoder is not "
                                    "available and OpenImageIO 2.4 would alter the colors");
        return writePixels(path, format->plugin, image.width, image.height, out,
                           OIIO::TypeDesc::UINT8, bytes.data());
    });
}

} // namespace lb
