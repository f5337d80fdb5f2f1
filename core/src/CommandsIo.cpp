// The CLI's commands that need no VAE (grow, rgba) and the shared checks, as library calls: the
// torch-free part of latentbrush-cli, which starts without loading LibTorch.
#include "latentbrush/Commands.h"

#include "CommandSupport.h"
#include "latentbrush/MaskOps.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

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

} // namespace cmd

using cmd::checkInputFile;
using cmd::joinExtensions;
using cmd::lowerExtension;
using cmd::say;

Status checkOutputPath(const std::string& path, const std::vector<std::string>& extensions,
                       const std::string& what) {
    if (path.empty()) return makeError("no " + what + " file given");
    const std::string ext = lowerExtension(path);
    if (!extensions.empty() &&
        std::find(extensions.begin(), extensions.end(), ext) == extensions.end())
        return makeError(path + ": unsupported " + what + " file extension '" + ext + "' (use " +
                         joinExtensions(extensions) + ")");
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec))
        return makeError(path + ": the folder " + dir.string() + " does not exist");
    if (std::filesystem::is_directory(path, ec))
        return makeError(path + ": is a folder, not a file");
    return {};
}

Status runGrow(const GrowOptions& o, const CommandOutput& io) {
    if (o.grow < 0 || o.grow > kMaxGrow)
        return makeError("--grow " + std::to_string(o.grow) + " is outside 0.." +
                         std::to_string(kMaxGrow));
    if (o.multiple < 1 || o.multiple > 4096)
        return makeError("--multiple " + std::to_string(o.multiple) + " is outside 1..4096");
    if (Status st = checkInputFile(o.mask, "--mask"); !st) return st;
    if (Status st = checkOutputPath(o.output, {".png"}, "mask"); !st) return st;
    ImageReadOptions readOptions;
    readOptions.maxPixels = o.maxPixels;
    auto mask = readMask(o.mask, o.channel, readOptions);
    if (!mask) return mask.error();
    const int height = o.height > 0 ? o.height : mask->height;
    const int width = o.width > 0 ? o.width : mask->width;
    if (std::int64_t(height) * width > o.maxPixels)
        return makeError("--size " + std::to_string(width) + "x" + std::to_string(height) +
                         " exceeds the limit of " + std::to_string(o.maxPixels) + " pixels");
    if (o.height > 0 && (std::abs(double(mask->height) / mask->width - double(height) / width) >
                         0.01 * double(height) / width))
        say(io.warn, "warning: " + o.mask + ": the mask is " + std::to_string(mask->width) + "x" +
                         std::to_string(mask->height) + ", its aspect differs from " +
                         std::to_string(width) + "x" + std::to_string(height) +
                         "; it is stretched as the reference does");
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
