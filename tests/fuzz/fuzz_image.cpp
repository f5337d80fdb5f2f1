// libFuzzer target: the image and mask loaders (OpenImageIO underneath) on arbitrary file bytes.
// The first byte picks the file's extension, the reader (readImage or readMask with a channel)
// and the pixel limit; the rest is the file. Accepted images have a consistent buffer, values in
// 0..1 for integer files and finite ones for float files; masks lie in 0..1; errors are one line.
#include "FuzzSupport.h"

#include "latentbrush/ImageIO.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace {

const char* const kExtensions[] = {".png", ".jpg", ".exr", ".tif", ".webp", ".bmp", ".tga", ".hdr"};
// Netpbm, chosen by the selector's bit 6 (unused before, so the older corpus keeps its meaning):
// PGM/PPM with a maxval other than 255 and 16-bit maps go through the project's own parser
// (PnmSamples.cpp), which must refuse what is malformed rather than read past it.
const char* const kNetpbmExtensions[] = {".pgm", ".ppm", ".pbm", ".pnm"};

// Models kept apart from the header checks (HeaderChecks.cpp) on purpose, so that the target checks
// the library rather than itself. The canvas size a WebP file declares (RIFF....WEBP with a VP8,
// VP8L or VP8X first chunk), or 0 when the bytes are not one.
std::int64_t webpDeclaredPixels(const std::uint8_t* d, std::size_t n) {
    if (n < 30 || std::memcmp(d, "RIFF", 4) != 0 || std::memcmp(d + 8, "WEBP", 4) != 0) return 0;
    auto le16 = [&](std::size_t i) { return std::int64_t(d[i] | (d[i + 1] << 8)); };
    auto le24 = [&](std::size_t i) { return le16(i) | (std::int64_t(d[i + 2]) << 16); };
    if (std::memcmp(d + 12, "VP8X", 4) == 0) return (le24(24) + 1) * (le24(27) + 1);
    if (std::memcmp(d + 12, "VP8L", 4) == 0 && d[20] == 0x2f) {
        const std::uint32_t bits = std::uint32_t(d[21]) | (std::uint32_t(d[22]) << 8) |
                                   (std::uint32_t(d[23]) << 16) | (std::uint32_t(d[24]) << 24);
        return std::int64_t((bits & 0x3fff) + 1) * std::int64_t(((bits >> 14) & 0x3fff) + 1);
    }
    if (std::memcmp(d + 12, "VP8 ", 4) == 0) return (le16(26) & 0x3fff) * (le16(28) & 0x3fff);
    return 0;
}

// True when an OpenEXR header would make OpenEXR 3.1 allocate more than the file holds. It walks
// the attributes as Imf::Header::readFrom does: fixed-size types and channel lists are read by
// their own layout (their size field is not used), strings, string vectors, previews and
// unknown (opaque) types allocate what they declare.
bool exrHeaderClaimsTooMuch(const std::uint8_t* d, std::size_t n) {
    if (n < 8 || std::memcmp(d, "\x76\x2f\x31\x01", 4) != 0) return false;
    auto le32 = [&](std::size_t i) {
        return std::uint32_t(d[i]) | (std::uint32_t(d[i + 1]) << 8) |
               (std::uint32_t(d[i + 2]) << 16) | (std::uint32_t(d[i + 3]) << 24);
    };
    const bool multipart = (le32(4) & 0x1000) != 0;
    static const struct {
        const char* type;
        std::size_t size;
    } kFixed[] = {{"box2i", 16},   {"box2f", 16},    {"compression", 1}, {"deepImageState", 1},
                  {"double", 8},   {"envmap", 1},    {"float", 4},       {"int", 4},
                  {"keycode", 28}, {"lineOrder", 1}, {"m33f", 36},       {"m33d", 72},
                  {"m44f", 64},    {"m44d", 128},    {"rational", 8},    {"tiledesc", 9},
                  {"timecode", 8}, {"v2i", 8},       {"v2f", 8},         {"v2d", 16},
                  {"v3i", 12},     {"v3f", 12},      {"v3d", 24},        {"chromaticities", 32}};
    constexpr std::uint64_t kCap = 64u << 20;
    std::size_t i = 8;
    auto readString = [&](std::string& out) {
        const void* end = i < n ? std::memchr(d + i, 0, n - i) : nullptr;
        if (!end) return false;
        const std::size_t e = std::size_t(static_cast<const std::uint8_t*>(end) - d);
        out.assign(reinterpret_cast<const char*>(d + i), e - i);
        i = e + 1;
        return true;
    };
    for (int header = 0; header < 64; ++header) {
        for (;;) {
            std::string name, type;
            if (!readString(name)) return false; // truncated: OpenEXR fails before allocating
            if (name.empty()) break;
            if (!readString(type) || i + 4 > n) return false;
            const std::int32_t size = std::int32_t(le32(i));
            i += 4;
            const std::uint64_t left = n - i;
            bool fixed = false;
            for (const auto& f : kFixed)
                if (type == f.type) {
                    i += f.size;
                    fixed = true;
                }
            if (fixed) continue;
            if (type == "chlist") { // name\0 + 16 bytes per channel, until an empty name
                std::string channel;
                while (readString(channel) && !channel.empty())
                    i += 16;
                continue;
            }
            if (type == "preview") {
                if (i + 8 > n) return false;
                const std::uint64_t bytes = std::uint64_t(le32(i)) * le32(i + 4) * 4;
                if (bytes > std::min<std::uint64_t>(left, kCap)) return true;
                i += 8 + std::size_t(bytes);
                continue;
            }
            if (size < 0 || std::uint64_t(size) > std::min<std::uint64_t>(left, kCap)) return true;
            i += std::size_t(size); // string, stringvector, opaque and the rest
        }
        if (!multipart || i >= n || d[i] == 0) return false;
    }
    return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const unsigned selector = data[0];
    const char* ext =
        (selector & 0x40) ? kNetpbmExtensions[selector % 4] : kExtensions[selector % 8];
    const int mode = int((selector >> 3) % 8); // 0..1 readImage, 2..7 readMask with a channel
    const std::string path = lbfuzz::writeScratch(std::string("in") + ext, data + 1, size - 1);
    lb::ImageReadOptions options;
    // Small enough that a legal image decodes quickly; a bomb must be refused from its header.
    options.maxPixels = (selector & 0x80) ? 4096 : 1 << 20;
    // Allocation bombs (an EXR attribute claiming gigabytes, a WebP canvas over the limit) must
    // be refused by the loaders' own header checks (HeaderChecks.cpp) before OpenEXR or OpenImageIO
    // allocate: libFuzzer's -malloc_limit_mb catches any that get through. Independently of
    // ImageIO's walk, the two models below say which inputs must be refused.
    const bool mustRefuse = webpDeclaredPixels(data + 1, size - 1) > options.maxPixels ||
                            exrHeaderClaimsTooMuch(data + 1, size - 1);

    if (mode < 2) {
        auto r = lb::readImage(path, options);
        if (!r) {
            lbfuzz::checkOneLine(r.error(), "readImage");
            return 0;
        }
        FUZZ_CHECK(!mustRefuse, "an image whose header claims too much was accepted (%s)",
                   r->format.c_str());
        const lb::ImageBuffer& im = r->image;
        FUZZ_CHECK(im.height > 0 && im.width > 0 && im.channels >= 1 && im.channels <= 4,
                   "%dx%dx%d image accepted", im.width, im.height, im.channels);
        FUZZ_CHECK(std::int64_t(im.height) * im.width <= options.maxPixels,
                   "%dx%d image accepted over the limit of %lld pixels", im.width, im.height,
                   (long long)options.maxPixels);
        FUZZ_CHECK(im.data.size() == im.pixelCount() * std::size_t(im.channels),
                   "buffer of %zu values for %dx%dx%d", im.data.size(), im.width, im.height,
                   im.channels);
        FUZZ_CHECK(r->hasAlpha == (r->alphaChannel >= 0) && r->alphaChannel < im.channels,
                   "alpha channel %d of %d", r->alphaChannel, im.channels);
        for (float v : im.data) {
            FUZZ_CHECK(std::isfinite(v), "non-finite pixel accepted (%s)", r->format.c_str());
            if (!r->isFloat && r->bitsPerSample <= 16)
                FUZZ_CHECK(v >= 0.0f && v <= 1.0f, "%d-bit pixel value %g outside 0..1",
                           r->bitsPerSample, double(v));
        }
        const lb::ImageBuffer rgb = lb::toRgb(im);
        FUZZ_CHECK(rgb.channels == 3 && rgb.data.size() == im.pixelCount() * 3, "toRgb");
        const lb::MaskBuffer alpha = lb::maskFromAlpha(*r);
        FUZZ_CHECK(alpha.empty() != r->hasAlpha, "maskFromAlpha and hasAlpha disagree");
        return 0;
    }
    const lb::MaskChannel channels[] = {lb::MaskChannel::Auto, lb::MaskChannel::Alpha,
                                        lb::MaskChannel::Red,  lb::MaskChannel::Green,
                                        lb::MaskChannel::Blue, lb::MaskChannel::Luma};
    auto m = lb::readMask(path, channels[mode - 2], options);
    if (!m) {
        lbfuzz::checkOneLine(m.error(), "readMask");
        return 0;
    }
    FUZZ_CHECK(!mustRefuse, "a mask whose header claims too much was accepted");
    FUZZ_CHECK(m->height > 0 && m->width > 0 &&
                   m->data.size() == std::size_t(m->height) * std::size_t(m->width),
               "%dx%d mask with %zu values", m->width, m->height, m->data.size());
    for (float v : m->data)
        FUZZ_CHECK(v >= 0.0f && v <= 1.0f, "mask value %g outside 0..1", double(v));
    return 0;
}
