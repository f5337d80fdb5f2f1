// Test-only PNG files (PngTestFiles.h), encoded here with zlib alone rather than libpng: every
// layout the readers must handle (interlaced, packed gray, a gray transparency key, palettes with
// alpha, 16-bit samples), made independently of the libpng code under test.
#include "PngTestFiles.h"

#include "latentbrush/AtomicFile.h"

#include <zlib.h>

#include <cstddef>
#include <functional>

namespace lbtest {
namespace {

void put32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out += char((v >> shift) & 0xff);
}

std::string chunk(const char* type, const std::string& data) {
    std::string out;
    put32(out, std::uint32_t(data.size()));
    const std::string body = std::string(type, 4) + data;
    out += body;
    put32(out, std::uint32_t(
                   ::crc32(0, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size()))));
    return out;
}

struct Layout {
    int width = 0;
    int height = 0;
    int bitDepth = 8;  // of a sample in the file: 1, 2, 4, 8 or 16
    int colorType = 0; // 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA
    int samplesPerPixel = 1;
    bool interlaced = false;
    int level = 6;
    std::string chunksBeforeData; // PLTE, tRNS
    std::function<unsigned(int x, int y, int c)> sample;
};

// Adam7: the first column and row of each pass and its steps.
struct Pass {
    int x0, y0, dx, dy;
};
constexpr Pass kAdam7[] = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4},
                           {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};
constexpr Pass kWhole = {0, 0, 1, 1};

// The filtered scanlines of one pass (filter type 0), samples packed most significant bits
// first below 8 bits, big-endian at 16.
void appendPass(const Layout& l, const Pass& p, std::string& raw) {
    for (int y = p.y0; y < l.height; y += p.dy) {
        if (p.x0 >= l.width) return; // an empty pass has no scanlines
        raw += '\0';
        unsigned bits = 0;
        int used = 0;
        for (int x = p.x0; x < l.width; x += p.dx)
            for (int c = 0; c < l.samplesPerPixel; ++c) {
                const unsigned v = l.sample(x, y, c);
                if (l.bitDepth == 16) {
                    raw += char(v >> 8);
                    raw += char(v & 0xff);
                } else if (l.bitDepth == 8) {
                    raw += char(v);
                } else {
                    bits = (bits << l.bitDepth) | v;
                    used += l.bitDepth;
                    if (used == 8) {
                        raw += char(bits);
                        bits = 0;
                        used = 0;
                    }
                }
            }
        if (used > 0) raw += char(bits << (8 - used));
    }
}

lb::Status writePng(const std::string& path, const Layout& l) {
    std::string raw;
    if (l.interlaced)
        for (const Pass& p : kAdam7)
            appendPass(l, p, raw);
    else
        appendPass(l, kWhole, raw);
    uLongf packedSize = ::compressBound(uLong(raw.size()));
    std::string packed(packedSize, '\0');
    if (::compress2(reinterpret_cast<Bytef*>(packed.data()), &packedSize,
                    reinterpret_cast<const Bytef*>(raw.data()), uLong(raw.size()), l.level) != Z_OK)
        return lb::makeError(path + ": zlib cannot compress the image");
    packed.resize(packedSize);
    std::string header;
    put32(header, std::uint32_t(l.width));
    put32(header, std::uint32_t(l.height));
    header += char(l.bitDepth);
    header += char(l.colorType);
    header += std::string("\0\0", 2); // deflate, adaptive filtering
    header += char(l.interlaced ? 1 : 0);
    const std::string file = std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", header) +
                             l.chunksBeforeData + chunk("IDAT", packed) + chunk("IEND", {});
    return lb::writeBytesAtomically(path, file.data(), file.size());
}

} // namespace

lb::Status writePixelsPng(const std::string& path, const lb::png::PngPixels& pixels,
                          const PngWriteOptions& options) {
    if (pixels.width <= 0 || pixels.height <= 0 || pixels.channels < 1 || pixels.channels > 4 ||
        (pixels.bitsPerSample != 8 && pixels.bitsPerSample != 16))
        return lb::makeError(path + ": cannot write this layout");
    const std::size_t samples =
        std::size_t(pixels.width) * std::size_t(pixels.height) * std::size_t(pixels.channels);
    if ((pixels.bitsPerSample == 8 ? pixels.bytes.size() : pixels.words.size()) != samples)
        return lb::makeError(path + ": the pixel buffer does not match its size");
    static constexpr int kColorTypes[] = {0, 4, 2, 6};
    Layout l;
    l.width = pixels.width;
    l.height = pixels.height;
    l.bitDepth = pixels.bitsPerSample;
    l.colorType = kColorTypes[pixels.channels - 1];
    l.samplesPerPixel = pixels.channels;
    l.interlaced = options.interlaced;
    l.level = options.compressionLevel;
    if (options.grayBitDepth > 0) {
        if (pixels.channels != 1 || pixels.bitsPerSample != 8)
            return lb::makeError(path + ": packed gray needs one 8-bit channel");
        l.bitDepth = options.grayBitDepth;
    }
    if (options.transparentGray >= 0) {
        std::string gray;
        gray += char((options.transparentGray >> 8) & 0xff);
        gray += char(options.transparentGray & 0xff);
        l.chunksBeforeData = chunk("tRNS", gray);
    }
    l.sample = [&pixels](int x, int y, int c) -> unsigned {
        const std::size_t i = (std::size_t(y) * std::size_t(pixels.width) + std::size_t(x)) *
                                  std::size_t(pixels.channels) +
                              std::size_t(c);
        return pixels.bitsPerSample == 8 ? pixels.bytes[i] : pixels.words[i];
    };
    return writePng(path, l);
}

lb::Status writePalettePng(const std::string& path, int width, int height, int bitDepth,
                           const std::vector<std::uint8_t>& indices,
                           const std::vector<std::uint8_t>& rgb,
                           const std::vector<std::uint8_t>& alpha) {
    if (width <= 0 || height <= 0 || indices.size() != std::size_t(width) * std::size_t(height) ||
        rgb.empty() || rgb.size() % 3 || rgb.size() / 3 > 256 || alpha.size() > rgb.size() / 3)
        return lb::makeError(path + ": bad palette image");
    Layout l;
    l.width = width;
    l.height = height;
    l.bitDepth = bitDepth;
    l.colorType = 3;
    l.chunksBeforeData = chunk("PLTE", std::string(rgb.begin(), rgb.end()));
    if (!alpha.empty())
        l.chunksBeforeData += chunk("tRNS", std::string(alpha.begin(), alpha.end()));
    l.sample = [&indices, width](int x, int y, int) -> unsigned {
        return indices[std::size_t(y) * std::size_t(width) + std::size_t(x)];
    };
    return writePng(path, l);
}

} // namespace lbtest
