// PNG masks through libpng alone (see MaskPng.h): the fast path of `latentbrush-cli grow`.
//
// The reader repeats what OpenImageIO 2.4's PNG plugin does with libpng (png_set_expand, 16-bit
// samples swapped to native order, interlacing resolved) and what ImageIO.h's readMask then
// does with the samples (float(v) / 255.0f or / 65535.0f, alpha as 1 - a, luma, clamped to
// 0..1); tests/cli/tst_grow_png.cpp checks both against OpenImageIO on the same files. libpng
// reports errors by longjmp: the functions that call into it hold no C++ objects of their own.
#include "latentbrush/MaskPng.h"

#include "latentbrush/AtomicFile.h"
#include "latentbrush/Parallel.h"

#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>
#include <system_error>

namespace lb::png {
namespace {

// What libpng said, kept in plain storage (the error handler leaves by longjmp).
struct Diagnostics {
    char error[256] = {};
    char warning[256] = {};
    bool failed = false;
    bool warned = false;
};

void onError(png_structp png, png_const_charp message) {
    auto* d = static_cast<Diagnostics*>(png_get_error_ptr(png));
    d->failed = true;
    std::snprintf(d->error, sizeof d->error, "%s", message ? message : "libpng error");
    png_longjmp(png, 1);
}

void onWarning(png_structp png, png_const_charp message) {
    auto* d = static_cast<Diagnostics*>(png_get_error_ptr(png));
    if (d->warned) return;
    d->warned = true;
    std::snprintf(d->warning, sizeof d->warning, "%s", message ? message : "libpng warning");
}

struct FileCloser {
    void operator()(std::FILE* f) const {
        if (f) std::fclose(f);
    }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// --- reading ----------------------------------------------------------------------------------

struct ReadHeader {
    png_uint_32 width = 0;
    png_uint_32 height = 0;
    int channels = 0;
    int bitDepth = 0;
    std::size_t rowBytes = 0;
};

// png_read_info and OpenImageIO's transforms. No C++ objects in this frame (longjmp).
bool readInfo(png_structp png, png_infop info, std::FILE* file, ReadHeader* header) {
    if (setjmp(png_jmpbuf(png))) return false;
    png_init_io(png, file);
    png_set_sig_bytes(png, 8);
    png_read_info(png, info);
    if (png_get_interlace_type(png, info) != PNG_INTERLACE_NONE) png_set_interlace_handling(png);
    // OpenImageIO: 1/2/4-bit gray to 8, palette to RGB, tRNS to alpha; PNG is big-endian.
    png_set_expand(png);
    if constexpr (std::endian::native == std::endian::little) png_set_swap(png);
    png_read_update_info(png, info);
    header->width = png_get_image_width(png, info);
    header->height = png_get_image_height(png, info);
    header->channels = png_get_channels(png, info);
    header->bitDepth = png_get_bit_depth(png, info);
    header->rowBytes = png_get_rowbytes(png, info);
    return true;
}

// The whole image, then the chunks after it (their CRCs, a late eXIf or text).
bool readRows(png_structp png, png_infop info, png_bytepp rows) {
    if (setjmp(png_jmpbuf(png))) return false;
    png_read_image(png, rows);
    png_read_end(png, info);
    return true;
}

// Whether OpenImageIO could find an orientation (or other metadata it acts on) in the file:
// an eXIf chunk, or a text chunk named after EXIF, XMP or orientation.
bool mayBeOriented(png_structp png, png_infop info) {
#ifdef PNG_eXIf_SUPPORTED
    if (png_get_valid(png, info, PNG_INFO_eXIf)) return true;
#endif
    png_textp text = nullptr;
    int count = 0;
    png_get_text(png, info, &text, &count);
    for (int i = 0; i < count; ++i) {
        std::string key = text[i].key ? text[i].key : "";
        for (char& c : key)
            c = char(std::tolower(static_cast<unsigned char>(c)));
        if (key.find("exif") != std::string::npos || key.find("xmp") != std::string::npos ||
            key.find("orient") != std::string::npos)
            return true;
    }
    return false;
}

struct ReadStructs {
    png_structp png = nullptr;
    png_infop info = nullptr;
    ~ReadStructs() {
        if (png) png_destroy_read_struct(&png, info ? &info : nullptr, nullptr);
    }
};

Result<PngPixels> readUnchecked(const std::string& path, std::int64_t maxPixels) {
    auto refuse = [&](const std::string& why) -> Result<PngPixels> {
        return makeError(path + ": " + why);
    };
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return refuse("not a regular file");
    FilePtr file(std::fopen(path.c_str(), "rbe"));
    if (!file) return refuse("cannot open the file");
    png_byte signature[8] = {};
    if (std::fread(signature, 1, 8, file.get()) != 8 || png_sig_cmp(signature, 0, 8) != 0)
        return refuse("not a PNG file");

    Diagnostics diagnostics;
    ReadStructs s;
    s.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &diagnostics, onError, onWarning);
    if (!s.png) return refuse("cannot start libpng");
    s.info = png_create_info_struct(s.png);
    if (!s.info) return refuse("cannot start libpng");

    ReadHeader header;
    if (!readInfo(s.png, s.info, file.get(), &header))
        return refuse(std::string("libpng: ") + diagnostics.error);
    if (diagnostics.warned) return refuse(std::string("libpng warning: ") + diagnostics.warning);
    if (mayBeOriented(s.png, s.info)) return refuse("EXIF or XMP metadata");
    if (header.width == 0 || header.height == 0 || header.channels < 1 || header.channels > 4 ||
        (header.bitDepth != 8 && header.bitDepth != 16))
        return refuse("unexpected layout");
    const std::int64_t pixels = std::int64_t(header.width) * std::int64_t(header.height);
    if (pixels > maxPixels) return refuse("more pixels than allowed");
    const std::size_t sampleBytes = std::size_t(header.bitDepth / 8);
    if (header.rowBytes != std::size_t(header.width) * std::size_t(header.channels) * sampleBytes)
        return refuse("unexpected row size");

    PngPixels out;
    out.width = int(header.width);
    out.height = int(header.height);
    out.channels = header.channels;
    out.bitsPerSample = header.bitDepth;
    const std::size_t samples = std::size_t(pixels) * std::size_t(header.channels);
    png_bytep base = nullptr;
    if (header.bitDepth == 8) {
        out.bytes.resize(samples);
        base = out.bytes.data();
    } else {
        out.words.resize(samples);
        base = reinterpret_cast<png_bytep>(out.words.data());
    }
    std::vector<png_bytep> rows(header.height);
    for (png_uint_32 y = 0; y < header.height; ++y)
        rows[y] = base + std::size_t(y) * header.rowBytes;
    if (!readRows(s.png, s.info, rows.data()))
        return refuse(std::string("libpng: ") + diagnostics.error);
    if (diagnostics.warned) return refuse(std::string("libpng warning: ") + diagnostics.warning);
    if (mayBeOriented(s.png, s.info)) return refuse("EXIF or XMP metadata");
    return out;
}

// --- the mask's values ------------------------------------------------------------------------

float clampUnit(float v) {
    return std::min(std::max(v, 0.0f), 1.0f);
}

float sampleToFloat(const PngPixels& p, std::size_t index) {
    return p.bitsPerSample == 8 ? byteToFloat(p.bytes[index]) : wordToFloat(p.words[index]);
}

// ImageRead.cpp's readMask: which sample (or luma) makes the value, and whether it is 1 - alpha.
struct Selection {
    enum Kind { Sample, Alpha, Luma } kind = Sample;
    int channel = 0;
};

Result<Selection> select(const PngPixels& p, MaskChannel channel, const std::string& path) {
    if (channel == MaskChannel::Auto)
        channel = p.hasAlpha() ? MaskChannel::Alpha : MaskChannel::Red;
    Selection s;
    if (channel == MaskChannel::Alpha) {
        if (!p.hasAlpha())
            return makeError(path + ": the mask has no alpha channel (--mask-channel alpha)");
        s.kind = Selection::Alpha;
        s.channel = p.channels - 1;
        return s;
    }
    if (p.channels < 3) return s; // gray: every channel choice is the gray value
    switch (channel) {
    case MaskChannel::Green:
        s.channel = 1;
        break;
    case MaskChannel::Blue:
        s.channel = 2;
        break;
    case MaskChannel::Luma:
        s.kind = Selection::Luma;
        break;
    default:
        break;
    }
    return s;
}

// The mask value of pixel i, as readMask computes it.
float maskValue(const PngPixels& p, const Selection& s, std::size_t i) {
    const std::size_t at = i * std::size_t(p.channels);
    switch (s.kind) {
    case Selection::Alpha:
        return clampUnit(1.0f - sampleToFloat(p, at + std::size_t(s.channel)));
    case Selection::Luma: {
        const float r = sampleToFloat(p, at), g = sampleToFloat(p, at + 1),
                    b = sampleToFloat(p, at + 2);
        return clampUnit(0.299f * r + 0.587f * g + 0.114f * b);
    }
    default:
        return clampUnit(sampleToFloat(p, at + std::size_t(s.channel)));
    }
}

// InpaintPreprocess.cpp's rounding of a value in [0, 1]: round half to even is 1 exactly when
// v > 0.5.
std::uint8_t rounded(float v) {
    return v > 0.5f ? 1 : 0;
}

template <class T>
std::vector<std::uint8_t> roundedTable(std::size_t size, bool alpha, float (*toFloat)(T)) {
    std::vector<std::uint8_t> table(size);
    for (std::size_t v = 0; v < size; ++v) {
        const float f = toFloat(T(v));
        table[v] = rounded(clampUnit(alpha ? 1.0f - f : f));
    }
    return table;
}

// --- writing ----------------------------------------------------------------------------------

struct WriteLayout {
    int width = 0;
    int height = 0;
    // fillRow(context, y, row): the 8-bit gray samples of row y, width bytes.
    void (*fillRow)(const void* context, int y, png_bytep row) = nullptr;
    const void* context = nullptr;
};

// The whole file through libpng, 8-bit gray with OpenCV's default PNG settings. `row` holds one
// row. No C++ objects in this frame (longjmp).
bool writeAll(png_structp png, png_infop info, std::FILE* file, const WriteLayout* l,
              png_bytep row) {
    if (setjmp(png_jmpbuf(png))) return false;
    png_init_io(png, file);
    png_set_compression_level(png, Z_BEST_SPEED);
    png_set_compression_strategy(png, Z_RLE);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
    png_set_IHDR(png, info, png_uint_32(l->width), png_uint_32(l->height), 8, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < l->height; ++y) {
        l->fillRow(l->context, y, row);
        png_write_row(png, row);
    }
    png_write_end(png, info);
    return true;
}

struct WriteStructs {
    png_structp png = nullptr;
    png_infop info = nullptr;
    ~WriteStructs() {
        if (png) png_destroy_write_struct(&png, info ? &info : nullptr);
    }
};

Status writeFile(const std::string& path, const WriteLayout& layout, std::size_t rowBytes) {
    return writeFileAtomically(path, [&](const std::string& temp) -> Status {
        FilePtr file(std::fopen(temp.c_str(), "wbe"));
        if (!file)
            return makeError(path + ": cannot create the file (" + std::strerror(errno) + ")");
        Diagnostics diagnostics;
        WriteStructs s;
        s.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &diagnostics, onError, onWarning);
        if (s.png) s.info = png_create_info_struct(s.png);
        if (!s.png || !s.info) return makeError(path + ": cannot start libpng");
        std::vector<png_byte> row(rowBytes);
        if (!writeAll(s.png, s.info, file.get(), &layout, row.data()))
            return makeError(path + ": cannot write the image (" + diagnostics.error + ")");
        std::FILE* f = file.release();
        const bool flushed = std::fflush(f) == 0 && !std::ferror(f);
        const int err = errno;
        if (std::fclose(f) != 0 || !flushed)
            return makeError(path + ": cannot write the image (" + std::strerror(err) + ")");
        return {};
    });
}

template <class Body> Status guardedStatus(const std::string& path, Body body) {
    try {
        return body();
    } catch (const std::bad_alloc&) {
        return makeError(path + ": out of memory");
    } catch (const std::exception& e) {
        return makeError(path + ": " + e.what());
    }
}

} // namespace

Result<PngPixels> readPngPixels(const std::string& path, std::int64_t maxPixels) {
    try {
        return readUnchecked(path, maxPixels);
    } catch (const std::bad_alloc&) {
        return makeError(path + ": out of memory");
    } catch (const std::exception& e) {
        return makeError(path + ": " + e.what());
    }
}

Result<MaskBuffer> maskFromPixels(const PngPixels& pixels, MaskChannel channel,
                                  const std::string& path) {
    Result<Selection> s = select(pixels, channel, path);
    if (!s) return s.error();
    MaskBuffer mask;
    mask.height = pixels.height;
    mask.width = pixels.width;
    mask.data.resize(std::size_t(pixels.height) * std::size_t(pixels.width));
    parallelFor(0, pixels.height, 64, [&](std::int64_t y0, std::int64_t y1) {
        for (std::size_t i = std::size_t(y0) * std::size_t(mask.width);
             i < std::size_t(y1) * std::size_t(mask.width); ++i)
            mask.data[i] = maskValue(pixels, *s, i);
    });
    return mask;
}

std::vector<std::uint8_t> roundedByteTable(bool alpha) {
    return roundedTable<std::uint8_t>(256, alpha, byteToFloat);
}

Result<BinaryMask> roundedMaskFromPixels(const PngPixels& pixels, MaskChannel channel,
                                         const CropRect& rect, const std::string& path) {
    Result<Selection> s = select(pixels, channel, path);
    if (!s) return s.error();
    if (rect.top < 0 || rect.left < 0 || rect.height < 0 || rect.width < 0 ||
        rect.top + rect.height > pixels.height || rect.left + rect.width > pixels.width)
        return makeError(path + ": the crop lies outside the mask");
    BinaryMask out;
    out.height = rect.height;
    out.width = rect.width;
    out.data.resize(std::size_t(rect.height) * std::size_t(rect.width));
    const bool alpha = s->kind == Selection::Alpha;
    std::vector<std::uint8_t> table;
    if (s->kind != Selection::Luma)
        table = pixels.bitsPerSample == 8 ? roundedByteTable(alpha)
                                          : roundedTable<std::uint16_t>(65536, alpha, wordToFloat);
    const std::size_t nc = std::size_t(pixels.channels);
    const std::size_t channelOffset = std::size_t(s->channel);
    parallelFor(0, rect.height, 64, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            std::uint8_t* dst = out.row(int(y));
            const std::size_t first =
                std::size_t(y + rect.top) * std::size_t(pixels.width) + std::size_t(rect.left);
            if (s->kind == Selection::Luma) {
                for (int x = 0; x < rect.width; ++x)
                    dst[x] = rounded(maskValue(pixels, *s, first + std::size_t(x)));
            } else if (pixels.bitsPerSample == 8) {
                const std::uint8_t* src = pixels.bytes.data() + first * nc + channelOffset;
                const std::uint8_t* t = table.data();
                if (nc == 1)
                    for (int x = 0; x < rect.width; ++x)
                        dst[x] = t[src[x]];
                else
                    for (int x = 0; x < rect.width; ++x)
                        dst[x] = t[src[std::size_t(x) * nc]];
            } else {
                const std::uint16_t* src = pixels.words.data() + first * nc + channelOffset;
                for (int x = 0; x < rect.width; ++x)
                    dst[x] = table[src[std::size_t(x) * nc]];
            }
        }
    });
    return out;
}

Status writeBinaryMaskPng(const std::string& path, const BinaryMask& mask) {
    return guardedStatus(path, [&]() -> Status {
        if (mask.height <= 0 || mask.width <= 0)
            return makeError(path + ": nothing to write (" +
                             std::to_string(std::max(mask.width, 0)) + "x" +
                             std::to_string(std::max(mask.height, 0)) + " image)");
        if (mask.data.size() != std::size_t(mask.height) * std::size_t(mask.width))
            return makeError(path + ": the pixel buffer does not match its " +
                             std::to_string(mask.width) + "x" + std::to_string(mask.height) +
                             " size");
        WriteLayout l;
        l.width = mask.width;
        l.height = mask.height;
        l.context = &mask;
        l.fillRow = [](const void* context, int y, png_bytep row) {
            const auto* m = static_cast<const BinaryMask*>(context);
            const std::uint8_t* src = m->row(y);
            for (int x = 0; x < m->width; ++x)
                row[x] = std::uint8_t(src[x] ? 255 : 0);
        };
        return writeFile(path, l, std::size_t(mask.width));
    });
}

} // namespace lb::png
