// The CLI's commands that need no VAE (grow, rgba) through OpenImageIO, as library calls: the
// torch-free part of latentbrush-cli-io, which starts without loading LibTorch. The shared checks
// and grow's PNG fast path are in CommandsGrow.cpp.
#include "latentbrush/Commands.h"

#include "CommandSupport.h"
#include "latentbrush/InpaintPreprocess.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

namespace lb {
using cmd::checkInputFile;
using cmd::lowerExtension;
using cmd::say;

Status runGrow(const GrowOptions& o, const CommandOutput& io) {
    if (Status st = cmd::checkGrowOptions(o); !st) return st;
    ImageReadOptions readOptions;
    readOptions.maxPixels = o.maxPixels;
    readOptions.precision = InputPrecision::Full; // every bit, as the PNG fast path reads masks
    auto mask = readMask(o.mask, o.channel, readOptions);
    if (!mask) return mask.error();
    const int height = o.height > 0 ? o.height : mask->height;
    const int width = o.width > 0 ? o.width : mask->width;
    if (Status st = cmd::checkGrowSize(o, height, width); !st) return st;
    if (std::string warning = cmd::growAspectWarning(o, mask->height, mask->width, height, width);
        !warning.empty())
        say(io.warn, warning);
    auto grown = noiseMaskForSize(*mask, height, width, o.grow, o.multiple);
    if (!grown) return makeError(o.mask + ": " + grown.message());
    return writeBinaryMaskPng(o.output, *grown);
}

std::uint64_t shardHash(const std::string& name) {
    std::uint64_t h = 1469598103934665603ull; // FNV-1a, 64-bit
    for (unsigned char c : name) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

Result<std::vector<std::string>> batchInputs(const std::string& folder, int shardIndex,
                                             int shardCount) {
    static const std::vector<std::string> kImageExtensions = {".png",  ".jpg", ".jpeg", ".tif",
                                                              ".tiff", ".exr", ".webp", ".bmp"};
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec)) return makeError(folder + ": not a folder");
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
        if (!entry.is_regular_file(ec)) continue;
        const std::string name = entry.path().filename().string();
        if (name.empty() || name[0] == '.') continue;
        if (std::find(kImageExtensions.begin(), kImageExtensions.end(), lowerExtension(name)) ==
            kImageExtensions.end())
            continue;
        if (shardCount > 1 && int(shardHash(name) % std::uint64_t(shardCount)) != shardIndex)
            continue;
        names.push_back(name);
    }
    if (ec) return makeError(folder + ": cannot list the folder (" + ec.message() + ")");
    std::sort(names.begin(), names.end());
    return names;
}

ImageBuffer imageWithMaskAsAlpha(const ImageBuffer& image, const MaskBuffer& mask) {
    const ImageBuffer rgb = toRgb(image);
    ImageBuffer out;
    out.height = rgb.height;
    out.width = rgb.width;
    out.channels = 4;
    const std::size_t pixels = rgb.pixelCount();
    out.data.resize(pixels * 4);
    for (std::size_t i = 0; i < pixels; ++i) {
        const float m = mask.data[i];
        const float wanted = roundHalfEven(m);
        // The byte nearest to 255 * (1 - m) whose LoadImage mask rounds as m does.
        int a = int(roundHalfEven((1.0f - m) * 255.0f));
        a = std::clamp(a, 0, 255);
        auto rounded = [](int alpha) { return roundHalfEven(1.0f - float(alpha) / 255.0f); };
        if (rounded(a) != wanted) a += wanted > rounded(a) ? -1 : 1;
        a = std::clamp(a, 0, 255);
        std::copy_n(rgb.data.data() + i * 3, 3, out.data.data() + i * 4);
        out.data[i * 4 + 3] = float(a) / 255.0f;
    }
    return out;
}

Status runRgba(const RgbaOptions& o, const CommandOutput& io) {
    if (Status st = checkInputFile(o.image, "--image"); !st) return st;
    if (Status st = checkInputFile(o.mask, "--mask"); !st) return st;
    if (Status st = checkOutputPath(o.output, {".png"}, "RGBA image"); !st) return st;
    ImageReadOptions readOptions;
    readOptions.maxPixels = o.maxPixels;
    auto image = readImage(o.image, readOptions);
    if (!image) return image.error();
    auto mask = readMask(o.mask, o.channel, readOptions);
    if (!mask) return mask.error();
    for (float v : image->image.data)
        if (!std::isfinite(v)) return makeError(o.image + ": the image contains non-finite values");
    MaskBuffer sized = std::move(*mask);
    if (sized.height != image->image.height || sized.width != image->image.width) {
        if (std::abs(double(sized.height) / sized.width -
                     double(image->image.height) / image->image.width) >
            0.01 * double(image->image.height) / image->image.width)
            say(io.warn, "warning: " + o.mask +
                             ": the mask's aspect ratio differs from the image's; it is "
                             "stretched as the reference does");
        sized = resizeBilinear(sized, image->image.height, image->image.width);
    }
    if (image->bitsPerSample > 8 || image->isFloat)
        say(io.warn,
            "warning: " + o.image + ": written as 8-bit (as ComfyUI's LoadImage reads it)");
    return writeImage(o.output, imageWithMaskAsAlpha(image->image, sized));
}

} // namespace lb
