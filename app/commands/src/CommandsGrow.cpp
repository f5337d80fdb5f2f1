// The checks shared by every command, and `grow`'s PNG fast path (CommandsLean.h): no
// OpenImageIO and no LibTorch in here, so that latentbrush-cli, which links only this, starts in
// milliseconds.
#include "latentbrush/AtomicFile.h"
#include "latentbrush/CommandsLean.h"

#include "CommandSupport.h"
#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/MaskPng.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <exception>
#include <filesystem>
#include <new>

namespace lb {
namespace cmd {

std::string lowerExtension(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext;
}

void say(const std::function<void(const std::string&)>& f, const std::string& s) {
    if (f) f(s);
}

std::string joinExtensions(const std::vector<std::string>& extensions) {
    std::string s;
    for (std::size_t i = 0; i < extensions.size(); ++i)
        s += (i ? ", " : "") + extensions[i];
    return s;
}

Status checkInputFile(const std::string& path, const std::string& what) {
    if (path.empty()) return makeError("no " + what + " given");
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return makeError(path + ": no such file");
    if (std::filesystem::is_directory(path, ec))
        return makeError(path + ": is a folder, not a file");
    return {};
}

Status checkGrowOptions(const GrowOptions& o) {
    if (o.grow < 0 || o.grow > kMaxGrow)
        return makeError("--grow " + std::to_string(o.grow) + " is outside 0.." +
                         std::to_string(kMaxGrow));
    if (o.multiple < 1 || o.multiple > 4096)
        return makeError("--multiple " + std::to_string(o.multiple) + " is outside 1..4096");
    if (Status st = checkInputFile(o.mask, "--mask"); !st) return st;
    return checkOutputPath(o.output, {".png"}, "mask");
}

Status checkGrowSize(const GrowOptions& o, int height, int width) {
    if (std::int64_t(height) * width > o.maxPixels)
        return makeError("--size " + std::to_string(width) + "x" + std::to_string(height) +
                         " exceeds the limit of " + std::to_string(o.maxPixels) + " pixels");
    return {};
}

std::string growAspectWarning(const GrowOptions& o, int maskHeight, int maskWidth, int height,
                              int width) {
    if (o.height > 0 && (std::abs(double(maskHeight) / maskWidth - double(height) / width) >
                         0.01 * double(height) / width))
        return "warning: " + o.mask + ": the mask is " + std::to_string(maskWidth) + "x" +
               std::to_string(maskHeight) + ", its aspect differs from " + std::to_string(width) +
               "x" + std::to_string(height) + "; it is stretched as the reference does";
    return {};
}

} // namespace cmd

using cmd::joinExtensions;
using cmd::lowerExtension;

Status checkOutputPath(const std::string& path, const std::vector<std::string>& extensions,
                       const std::string& what) {
    if (path.empty()) return makeError("no " + what + " file given");
    const std::string ext = lowerExtension(path);
    if (!extensions.empty() &&
        std::find(extensions.begin(), extensions.end(), ext) == extensions.end())
        return makeError(path + ": unsupported " + what + " file extension '" + ext + "' (use " +
                         joinExtensions(extensions) + ")");
    return checkOutputLocation(path);
}

namespace {

LeanOutcome growPng(const GrowOptions& o, const CommandOutput& io, std::string* why) {
    auto decline = [&](const std::string& reason) {
        if (why) *why = reason;
        return LeanOutcome::Declined;
    };
    if (Status st = cmd::checkGrowOptions(o); !st) return decline(st.message());
    if (lowerExtension(o.mask) != ".png") return decline(o.mask + ": not a .png file");
    Result<png::PngPixels> pixels = png::readPngPixels(o.mask, o.maxPixels);
    if (!pixels) return decline(pixels.message());
    const int height = o.height > 0 ? o.height : pixels->height;
    const int width = o.width > 0 ? o.width : pixels->width;
    if (Status st = cmd::checkGrowSize(o, height, width); !st) return decline(st.message());
    // Printed only once the output is written: a declined run prints nothing.
    const std::string warning =
        cmd::growAspectWarning(o, pixels->height, pixels->width, height, width);

    Result<BinaryMask> grown = makeError("");
    if (height == pixels->height && width == pixels->width) {
        // noiseMaskForSize without a resize: round the crop straight from the samples.
        if (height < o.multiple || width < o.multiple)
            return decline(o.mask + ": smaller than the multiple");
        const CropRect rect = centreCrop(height, width, o.multiple);
        Result<BinaryMask> rounded = png::roundedMaskFromPixels(*pixels, o.channel, rect, o.mask);
        if (!rounded) return decline(rounded.message());
        *pixels = {}; // the samples are no longer needed
        grown = growBinary(*rounded, o.grow);
    } else {
        Result<MaskBuffer> mask = png::maskFromPixels(*pixels, o.channel, o.mask);
        if (!mask) return decline(mask.message());
        *pixels = {};
        grown = noiseMaskForSize(*mask, height, width, o.grow, o.multiple);
        if (!grown) return decline(o.mask + ": " + grown.message());
    }
    if (Status st = png::writeBinaryMaskPng(o.output, *grown); !st) return decline(st.message());
    if (!warning.empty()) cmd::say(io.warn, warning);
    return LeanOutcome::Done;
}

} // namespace

LeanOutcome runGrowPng(const GrowOptions& o, const CommandOutput& io, std::string* why) {
    try {
        return growPng(o, io, why);
    } catch (const std::bad_alloc&) {
        if (why) *why = "out of memory";
    } catch (const std::exception& e) {
        if (why) *why = e.what();
    }
    return LeanOutcome::Declined;
}

} // namespace lb
