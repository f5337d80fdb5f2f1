// `encode --region ...` and `stitch` (RegionCommands.h).
#include "latentbrush/regions/RegionCommands.h"

#include "latentbrush/AtomicFile.h"
#include "latentbrush/LatentFile.h"
#include "latentbrush/regions/RegionPixels.h"
#include "latentbrush/regions/Stitch.h"

#include <charconv>
#include <filesystem>

namespace lb::regions {
namespace {

void say(const std::function<void(const std::string&)>& f, const std::string& s) {
    if (f) f(s);
}

std::string sizeText(int w, int h) {
    return std::to_string(w) + "x" + std::to_string(h);
}

std::string metaValue(const std::map<std::string, std::string>& m, const std::string& key) {
    auto it = m.find(key);
    return it == m.end() ? std::string() : it->second;
}

bool parsePair(const std::string& text, int& a, int& b) {
    const std::size_t comma = text.find(',');
    if (comma == std::string::npos) return false;
    const char* s = text.data();
    auto r1 = std::from_chars(s, s + comma, a);
    auto r2 = std::from_chars(s + comma + 1, s + text.size(), b);
    return r1.ec == std::errc() && r1.ptr == s + comma && r2.ec == std::errc() &&
           r2.ptr == s + text.size();
}

} // namespace

bool hasRegionOptions(const EncodeOptions& o) {
    return !o.region.empty() || !o.regionsMode.empty() || !o.context.empty() || !o.target.empty() ||
           !o.targetArea.empty() || !o.resize.empty();
}

Result<RegionEncodeOptions> parseRegionOptions(const EncodeOptions& o) {
    RegionEncodeOptions r;
    r.grow = o.grow;
    if (o.region.empty())
        return makeError(
            "--regions, --context, --target, --target-area and --resize need --region");
    if (o.region == "auto") {
        r.request.automatic = true;
    } else if (auto rect = parseRegionRect(o.region)) {
        r.request.automatic = false;
        r.request.rect = *rect;
    } else {
        return makeError("--region expects auto or X,Y,W,H, not '" + o.region + "'");
    }
    if (!o.regionsMode.empty()) {
        if (o.regionsMode != "separate")
            return makeError("--regions expects separate, not '" + o.regionsMode + "'");
        r.request.separate = true;
    }
    if (!o.context.empty()) {
        auto c = parseContext(o.context);
        if (!c) return makeError("--context expects N (pixels) or N%, not '" + o.context + "'");
        r.request.context = *c;
    }
    if (!o.target.empty() && !o.targetArea.empty())
        return makeError("--target and --target-area exclude each other");
    if (!o.target.empty()) {
        auto t = parseTargetSize(o.target);
        if (!t) return makeError("--target expects WxH, not '" + o.target + "'");
        r.request.target = *t;
    }
    if (!o.targetArea.empty()) {
        auto t = parseTargetArea(o.targetArea);
        if (!t) return makeError("--target-area expects a pixel count, not '" + o.targetArea + "'");
        r.request.target = *t;
    }
    if (!o.resize.empty()) {
        auto m = parseResizeMethod(o.resize);
        if (!m)
            return makeError("--resize expects area, bicubic, bilinear or nearest-exact, not '" +
                             o.resize + "'");
        r.method = *m;
    }
    return r;
}

Status encodeRegionsToFiles(Vae& vae, const EncodeOptions& o, const LoadedImage& image,
                            const MaskBuffer& mask, const std::string& maskSource,
                            const CommandOutput& io) {
    Result<RegionEncodeOptions> opts = parseRegionOptions(o);
    if (!opts) return opts.error();
    Result<RegionEncodeResult> res = regionEncode(vae, image.image, mask, *opts);
    if (!res) return makeError(o.image + ": " + res.message());
    const RegionPlan& plan = res->plan;
    say(io.warn, std::to_string(plan.rects.size()) + " region(s) scaled to " +
                     sizeText(plan.scaledWidth, plan.scaledHeight) + " (" +
                     resizeMethodName(opts->method) + ")");
    for (std::size_t i = 0; i < plan.rects.size(); ++i)
        say(io.warn, "  region " + std::to_string(i) + ": " + formatRect(plan.rects[i]));

    AtomicWriteGroup outputs;
    for (std::size_t i = 0; i < plan.rects.size(); ++i) {
        if (!o.saveMask.empty())
            if (Status st = writeBinaryMaskPng(indexedPath(o.saveMask, i), res->noiseMasks[i]); !st)
                return st;
        if (!o.savePixels.empty())
            if (Status st = writeImage(indexedPath(o.savePixels, i), res->pixels[i]); !st)
                return st;
    }
    const LatentFileContents latent = regionLatentContents(
        *res, image.image, mask, opts->method, o.grow, vae.info(),
        std::filesystem::path(o.vae).filename().string(),
        std::filesystem::path(o.image).filename().string(), maskSource, o.inputPrecision);
    if (Status st = writeLatentFile(o.output, latent); !st) return st;
    return outputs.commit();
}

namespace {

// The mask the metadata names: "none", "NAME (alpha)" or a file name beside the image or the
// latent.
Result<MaskBuffer> metadataMask(const StitchOptions& o, const std::string& source,
                                const ImageReadOptions& readOptions) {
    if (source.empty() || source == "none")
        return makeError(o.latent + ": the latent names no mask (source.mask '" + source +
                         "'); give --mask");
    const std::string alphaSuffix = " (alpha)";
    if (source.size() > alphaSuffix.size() &&
        source.compare(source.size() - alphaSuffix.size(), alphaSuffix.size(), alphaSuffix) == 0) {
        auto img = readImage(o.image, readOptions);
        if (!img) return img.error();
        return maskFromAlpha(*img);
    }
    for (const std::string& dir : {std::filesystem::path(o.image).parent_path().string(),
                                   std::filesystem::path(o.latent).parent_path().string()}) {
        const std::filesystem::path p = std::filesystem::path(dir) / source;
        std::error_code ec;
        if (std::filesystem::is_regular_file(p, ec))
            return readMask(p.string(), o.channel, readOptions);
    }
    return makeError(o.latent + ": its mask " + source + " is neither beside " + o.image +
                     " nor beside the latent; give --mask");
}

} // namespace

Status runStitch(const StitchOptions& o, const CommandOutput& io) {
    for (const auto& [path, what] :
         {std::pair{o.image, "--image"}, std::pair{o.latent, "--latent"}}) {
        if (path.empty()) return makeError(std::string("no ") + what + " given");
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec)) return makeError(path + ": no such file");
    }
    if (o.results.empty()) return makeError("no --result given");
    for (const std::string& r : o.results) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(r, ec)) return makeError(r + ": no such file");
    }
    if (!o.mask.empty()) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(o.mask, ec))
            return makeError(o.mask + ": no such file");
    }
    if (o.feather && !(*o.feather >= 0.0f && *o.feather <= 1e6f))
        return makeError("--feather must lie in 0..1000000");
    if (Status st =
            checkOutputPath(o.output, {".png", ".tif", ".tiff", ".exr", ".jpg", ".jpeg"}, "image");
        !st)
        return st;

    auto latent = readLatentFile(o.latent);
    if (!latent) return latent.error();
    const auto& meta = latent->metadata;
    int count = 0, sw = 0, sh = 0, srcW = 0, srcH = 0, grow = 0;
    {
        const std::string c = metaValue(meta, "region.count");
        auto r = std::from_chars(c.data(), c.data() + c.size(), count);
        if (c.empty() || r.ec != std::errc() || count < 1 ||
            !parsePair(metaValue(meta, "region.scaled"), sw, sh) ||
            !parsePair(metaValue(meta, "source.size"), srcW, srcH))
            return makeError(o.latent + ": not a region latent (no region.count, region.scaled "
                                        "or source.size in its metadata)");
        const std::string g = metaValue(meta, "grow_mask_by");
        auto rg = std::from_chars(g.data(), g.data() + g.size(), grow);
        if (g.empty() || rg.ec != std::errc() || grow < 0 || grow > 1024)
            return makeError(o.latent + ": no valid grow_mask_by in its metadata");
    }
    RegionPlan plan;
    plan.scaledWidth = sw;
    plan.scaledHeight = sh;
    for (int i = 0; i < count; ++i) {
        auto rect = parseRegionRect(metaValue(meta, "region." + std::to_string(i) + ".rect"));
        if (!rect)
            return makeError(o.latent + ": region." + std::to_string(i) +
                             ".rect is missing or malformed");
        plan.rects.push_back(*rect);
    }
    if (int(o.results.size()) != count)
        return makeError(std::to_string(o.results.size()) + " --result file(s) given but " +
                         o.latent + " holds " + std::to_string(count) + " region(s)");

    ImageReadOptions readOptions;
    readOptions.maxPixels = o.maxPixels;
    InputPrecision precision = InputPrecision::Reference;
    parseInputPrecision(metaValue(meta, "source.precision"), &precision);
    readOptions.precision = precision;
    // the original as the encode read it, for the fingerprint
    auto asEncoded = readImage(o.image, readOptions);
    if (!asEncoded) return asEncoded.error();
    const ImageBuffer& img = asEncoded->image;
    if (img.width != srcW || img.height != srcH)
        return makeError(o.image + " is " + sizeText(img.width, img.height) + " but " + o.latent +
                         " was made from a " + sizeText(srcW, srcH) + " image");
    const std::string fp = imageFingerprint(img);
    if (fp != metaValue(meta, "source.sha256"))
        return makeError(o.image + " is not the image " + o.latent +
                         " was made from (pixels sha256 " + fp.substr(0, 16) +
                         "..., the latent's " + metaValue(meta, "source.sha256").substr(0, 16) +
                         "...)");
    for (const RegionRect& r : plan.rects)
        if (r.x < 0 || r.y < 0 || r.x + r.w > srcW || r.y + r.h > srcH)
            return makeError(o.latent + ": region " + formatRect(r) + " lies outside the " +
                             sizeText(srcW, srcH) + " image");
    // the original's own samples, every bit, for the output
    auto samples = readImageSamples(o.image, readOptions);
    if (!samples) return samples.error();

    std::vector<ImageBuffer> results;
    for (const std::string& path : o.results) {
        auto r = readImage(path, readOptions);
        if (!r) return r.error();
        if (r->image.width != sw || r->image.height != sh)
            return makeError(path + " is " + sizeText(r->image.width, r->image.height) +
                             " but the regions of " + o.latent + " were scaled to " +
                             sizeText(sw, sh));
        results.push_back(toRgb(r->image));
    }

    MaskBuffer mask;
    if (!o.mask.empty()) {
        auto m = readMask(o.mask, o.channel, readOptions);
        if (!m) return m.error();
        mask = std::move(*m);
    } else {
        auto m = metadataMask(o, metaValue(meta, "source.mask"), readOptions);
        if (!m) return m.error();
        mask = std::move(*m);
        if (maskFingerprint(mask) != metaValue(meta, "mask.sha256"))
            return makeError("the mask " + metaValue(meta, "source.mask") + " is not the one " +
                             o.latent + " was made from; give --mask");
    }
    const BinaryMask grown = grownMaskOfImage(maskAtImageSize(mask, srcH, srcW), grow);
    float feather = 0.0f;
    if (o.feather) {
        feather = *o.feather;
    } else {
        const std::string f = metaValue(meta, "stitch.feather");
        int fv = 0;
        auto r = std::from_chars(f.data(), f.data() + f.size(), fv);
        feather = (f.empty() || r.ec != std::errc()) ? float(std::max(1, grow / 2)) : float(fv);
    }
    auto out = stitch(samples->image, results, plan, grown, feather);
    if (!out) return makeError(o.output + ": " + out.message());
    const SampleDepth depth = samples->isFloat             ? SampleDepth::F32
                              : samples->bitsPerSample > 8 ? SampleDepth::U16
                                                           : SampleDepth::U8;
    if (Status st = writeImage(o.output, *out, depth); !st) return st;
    say(io.warn, "stitched " + std::to_string(count) + " region(s) into " + o.output);
    return {};
}

} // namespace lb::regions
