// Reading image and mask files through OpenImageIO (ImageIO.h): the reference's exact
// byte-to-float conversion, PIL's 8-bit values of 16-bit files, EXIF orientation, unassociated
// alpha (associated alpha divided out as PIL and OpenImageIO do), the mask channel rules.
#include "latentbrush/ImageIO.h"

#include "ErrorText.h"
#include "HeaderChecks.h"
#include "LibWebp.h"
#include "PnmSamples.h"
#include "latentbrush/SampleValues.h"

#include <OpenImageIO/imagebuf.h>
#include <OpenImageIO/imagebufalgo.h>
#include <OpenImageIO/imageio.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lb {
namespace {

using imageio::FileBytes;
using imageio::guarded;
using imageio::le32;
using imageio::pixelLimitMessage;
using imageio::withDetails;

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

// WebP with alpha (see LibWebp.h): libwebp's bytes when it can decode the file, else OIIO's
// premultiplied bytes divided by alpha again (exact colors are then lost where alpha < 255).
Status decodeWebpWithAlpha(OIIO::ImageInput& input, const std::string& path,
                           const ChannelPlan& plan, ImageBuffer& image) {
    std::vector<std::uint8_t> rgba = imageio::decodeWebpRgba(path, image.width, image.height);
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
    if (Status st = imageio::checkReadablePath(path); !st) return st.error();
    if (Status st = imageio::checkHeaderBeforeDecoding(path, options); !st) return st.error();

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

} // namespace

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

} // namespace lb
