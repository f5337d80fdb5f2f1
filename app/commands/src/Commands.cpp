// The CLI's commands that use a VAE (encode, batch, decode, info) as library calls (see
// Commands.h): each validates its inputs and outputs first and writes every output atomically.
#include "latentbrush/Commands.h"
#include "latentbrush/AtomicFile.h"
#include "latentbrush/BuiltinVae.h"

#include "CommandSupport.h"

#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/LatentFile.h"
#include "latentbrush/Pipeline.h"
#include "latentbrush/regions/RegionCommands.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <sstream>

namespace lb {

using cmd::checkInputFile;
using cmd::say;

namespace {

// Validates an encode's files before any work is done.
Status checkEncodeFiles(const EncodeOptions& o) {
    if (o.grow < 0 || o.grow > kMaxGrow)
        return makeError("--grow " + std::to_string(o.grow) + " is outside 0.." +
                         std::to_string(kMaxGrow));
    if (Status st = checkNoiseMaskOptions(o.noiseMask); !st) return st;
    const bool soft = o.mode == EncodeMode::NoiseMask;
    if (Status st = checkInputFile(o.image, "--image"); !st) return st;
    if (!o.mask.empty())
        if (Status st = checkInputFile(o.mask, "--mask"); !st) return st;
    if (Status st = checkOutputPath(o.output, {".latent", ".safetensors"}, "latent"); !st)
        return st;
    if (!o.saveMask.empty())
        if (Status st =
                checkOutputPath(o.saveMask,
                                soft ? std::vector<std::string>{".png", ".tif", ".tiff", ".exr"}
                                     : std::vector<std::string>{".png"},
                                "--save-mask");
            !st)
            return st;
    if (!o.savePixels.empty())
        if (Status st =
                checkOutputPath(o.savePixels, {".png", ".tif", ".tiff", ".exr"}, "--save-pixels");
            !st)
            return st;
    return {};
}

// A soft mask as a file: 8-bit PNG (round(v * 255)) or float TIFF/EXR (every bit).
Status writeSoftMask(const std::string& path, const MaskBuffer& mask) {
    if (cmd::lowerExtension(path) == ".png") return writeMaskPng(path, mask);
    ImageBuffer plane;
    plane.height = mask.height;
    plane.width = mask.width;
    plane.channels = 1;
    plane.data = mask.data;
    return writeImage(path, plane);
}

// The noise-mask mode of encodeWithVae: VAEEncode + SetLatentNoiseMask, all outputs or none.
Status encodeNoiseMask(Vae& vae, const EncodeOptions& o, const ImageBuffer& image,
                       const MaskBuffer& mask, const std::string& maskSource) {
    auto result = noiseMaskEncode(vae, image, mask, o.noiseMask);
    if (!result) return makeError((o.mask.empty() ? o.image : o.mask) + ": " + result.message());
    AtomicWriteGroup outputs;
    if (!o.saveMask.empty())
        if (Status st = writeSoftMask(o.saveMask, result->noiseMask); !st) return st;
    if (!o.savePixels.empty())
        if (Status st = writeImage(o.savePixels, result->pixels); !st) return st;
    const LatentFileContents latent = makeNoiseMaskLatentFileContents(
        std::move(*result), vae.info(), o.noiseMask, o.vae, o.image, maskSource, o.inputPrecision);
    if (Status st = writeLatentFile(o.output, latent); !st) return st;
    return outputs.commit();
}

// One image through a loaded VAE: read, encode, write every output atomically.
Status encodeWithVae(Vae& vae, const EncodeOptions& o, const CommandOutput& io) {
    ImageReadOptions readOptions;
    readOptions.maxPixels = o.maxPixels;
    readOptions.precision = o.inputPrecision;
    auto image = readImage(o.image, readOptions);
    if (!image) return image.error();
    MaskBuffer mask;
    std::string maskSource;
    if (!o.mask.empty()) {
        auto m = readMask(o.mask, o.channel, readOptions);
        if (!m) return m.error();
        mask = std::move(*m);
        maskSource = std::filesystem::path(o.mask).filename().string();
    } else if (image->hasAlpha) {
        mask = maskFromAlpha(*image);
        maskSource = std::filesystem::path(o.image).filename().string() + " (alpha)";
    } else {
        say(io.warn,
            "warning: " + o.image + " has no alpha and no --mask was given: nothing is masked");
        maskSource = "none";
    }
    if (o.mode == EncodeMode::NoiseMask)
        return encodeNoiseMask(vae, o, image->image, mask, maskSource);
    if (regions::hasRegionOptions(o))
        return regions::encodeRegionsToFiles(vae, o, *image, mask, maskSource, io);
    auto result = inpaintEncode(vae, image->image, mask, o.grow);
    if (!result) return makeError(o.image + ": " + result.message());
    if (result->aspectDiffers)
        say(io.warn, "warning: " + o.mask +
                         ": the mask's aspect ratio differs from the image's; it is stretched "
                         "as the reference does");
    // All outputs or none: each is written to its temporary file first, and only when every one
    // of them is complete are they renamed, the .latent last. A failure leaves no new file and
    // every previous version of the outputs as it was.
    AtomicWriteGroup outputs;
    if (!o.saveMask.empty())
        if (Status st = writeBinaryMaskPng(o.saveMask, result->noiseMask); !st) return st;
    if (!o.savePixels.empty())
        if (Status st = writeImage(o.savePixels, result->pixels); !st) return st;
    const LatentFileContents latent = makeLatentFileContents(
        std::move(*result), vae.info(), o.grow, o.vae, o.image, maskSource, o.inputPrecision);
    if (Status st = writeLatentFile(o.output, latent); !st) return st;
    return outputs.commit();
}

Result<std::shared_ptr<Vae>> loadEncoder(const std::string& path,
                                         const std::optional<VaeFamily>& family,
                                         const std::string& device, ComputeDType dtype,
                                         Kernels kernels, int cpuThreads) {
    VaeLoadOptions vo;
    vo.family = family;
    vo.device = device;
    vo.dtype = dtype;
    vo.kernels = kernels;
    vo.cpuThreads = cpuThreads;
    vo.needEncoder = true;
    return Vae::load(path, vo);
}

} // namespace

Status runEncode(const EncodeOptions& o, const CommandOutput& io) {
    if (Status st = checkEncodeFiles(o); !st) return st;
    if (regions::hasRegionOptions(o)) {
        if (o.mode == EncodeMode::NoiseMask)
            return makeError("--region encodes with --mode inpaint only (VAEEncodeForInpaint per "
                             "region)");
        if (auto r = regions::parseRegionOptions(o); !r) return r.error();
    }
    if (Status st = checkInputFile(o.vae, "--vae"); !st) return st;
    auto vae = loadEncoder(o.vae, o.family, o.device, o.dtype, o.kernels, o.cpuThreads);
    if (!vae) return vae.error();
    return encodeWithVae(**vae, o, io);
}

namespace {

// The mask of `imageName` in `maskFolder`: the same stem, any supported extension.
std::string findMask(const std::string& maskFolder, const std::string& imageName) {
    const std::string stem = std::filesystem::path(imageName).stem().string();
    for (const char* ext : {".png", ".PNG", ".tif", ".tiff", ".exr", ".webp", ".bmp", ".jpg"}) {
        std::filesystem::path p = std::filesystem::path(maskFolder) / (stem + ext);
        std::error_code ec;
        if (std::filesystem::is_regular_file(p, ec)) return p.string();
    }
    return {};
}

} // namespace

Status runBatch(const BatchOptions& o, const CommandOutput& io) {
    if (o.shardCount < 1 || o.shardIndex < 0 || o.shardIndex >= o.shardCount)
        return makeError("--shard " + std::to_string(o.shardIndex) + "/" +
                         std::to_string(o.shardCount) + " is not I/N with 0 <= I < N");
    if (o.grow < 0 || o.grow > kMaxGrow)
        return makeError("--grow " + std::to_string(o.grow) + " is outside 0.." +
                         std::to_string(kMaxGrow));
    if (!o.masks.empty() && !std::filesystem::is_directory(o.masks))
        return makeError(o.masks + ": not a folder");
    if (!std::filesystem::is_directory(o.out)) return makeError(o.out + ": not a folder");
    {
        EncodeOptions regionCheck;
        regionCheck.region = o.region;
        regionCheck.regionsMode = o.regionsMode;
        regionCheck.context = o.context;
        regionCheck.target = o.target;
        regionCheck.targetArea = o.targetArea;
        regionCheck.resize = o.resize;
        if (regions::hasRegionOptions(regionCheck)) {
            if (o.mode == EncodeMode::NoiseMask)
                return makeError("--region encodes with --mode inpaint only "
                                 "(VAEEncodeForInpaint per region)");
            if (auto r = regions::parseRegionOptions(regionCheck); !r) return r.error();
        }
    }
    if (Status st = checkInputFile(o.vae, "--vae"); !st) return st;
    auto names = batchInputs(o.images, o.shardIndex, o.shardCount);
    if (!names) return names.error();
    auto vae = loadEncoder(o.vae, o.family, o.device, o.dtype, o.kernels, o.cpuThreads);
    if (!vae) return vae.error();

    std::vector<std::string> failures;
    int done = 0, skipped = 0;
    const int total = int(names->size());
    for (int i = 0; i < total; ++i) {
        const std::string& name = (*names)[std::size_t(i)];
        const std::string stem = std::filesystem::path(name).stem().string();
        EncodeOptions e;
        e.image = (std::filesystem::path(o.images) / name).string();
        e.mask = o.masks.empty() ? std::string() : findMask(o.masks, name);
        e.vae = o.vae;
        e.grow = o.grow;
        e.mode = o.mode;
        e.noiseMask = o.noiseMask;
        e.channel = o.channel;
        e.maxPixels = o.maxPixels;
        e.inputPrecision = o.inputPrecision;
        e.region = o.region;
        e.regionsMode = o.regionsMode;
        e.context = o.context;
        e.target = o.target;
        e.targetArea = o.targetArea;
        e.resize = o.resize;
        e.output = (std::filesystem::path(o.out) / (stem + ".latent")).string();
        e.saveMask = (std::filesystem::path(o.out) / (stem + ".mask.png")).string();
        std::string line = "[" + std::to_string(i + 1) + "/" + std::to_string(total) + "] " + name;
        std::error_code ec;
        if (std::filesystem::exists(e.output, ec)) {
            ++skipped;
            say(io.warn, line + ": already encoded, skipped");
            continue;
        }
        if (!o.masks.empty() && e.mask.empty()) {
            failures.push_back(e.image + ": no mask with the same name in " + o.masks);
            say(io.warn, line + ": FAILED (no mask)");
            continue;
        }
        Status st = checkEncodeFiles(e);
        if (st) st = encodeWithVae(**vae, e, io);
        if (!st) {
            failures.push_back(st.message());
            say(io.warn, line + ": FAILED");
            continue;
        }
        ++done;
        say(io.warn, line);
    }
    std::string summary = "batch: " + std::to_string(done) + " encoded, " +
                          std::to_string(skipped) + " skipped (already done), " +
                          std::to_string(failures.size()) + " failed";
    if (o.shardCount > 1)
        summary +=
            " (shard " + std::to_string(o.shardIndex) + "/" + std::to_string(o.shardCount) + ")";
    say(io.out, summary + "\n");
    for (const std::string& f : failures)
        say(io.out, "  failed: " + f + "\n");
    if (!failures.empty())
        return makeError(std::to_string(failures.size()) + " of " + std::to_string(total) +
                         " images failed (listed above)");
    return {};
}

Status runDecode(const DecodeOptions& o, const CommandOutput& io) {
    if (Status st = checkInputFile(o.latent, "--latent"); !st) return st;
    if (Status st = checkInputFile(o.vae, "--vae"); !st) return st;
    if (Status st = checkOutputPath(
            o.output, {".png", ".tif", ".tiff", ".exr", ".jpg", ".jpeg", ".webp", ".bmp"}, "image");
        !st)
        return st;
    auto latent = readLatentFile(o.latent);
    if (!latent) return latent.error();
    VaeLoadOptions vo;
    vo.family = o.family;
    vo.device = o.device;
    vo.dtype = o.dtype;
    vo.kernels = o.kernels;
    vo.cpuThreads = o.cpuThreads;
    vo.needEncoder = false;
    vo.needDecoder = true;
    auto vae = Vae::load(o.vae, vo);
    if (!vae) return vae.error();
    const auto& shape = latent->samples.shape;
    if (shape.size() == 4 && shape[1] != (*vae)->info().latentChannels)
        return makeError(o.latent + ": the latent has " + std::to_string(shape[1]) +
                         " channels but " + o.vae + " expects " +
                         std::to_string((*vae)->info().latentChannels));
    if (shape.size() == 4 && shape[0] > 1) {
        // a batch (a region .latent): one file per item, OUTPUT_0.png, OUTPUT_1.png, ...
        auto images = regions::decodeBatch(**vae, latent->samples);
        if (!images) return makeError(o.latent + ": " + images.message());
        std::vector<std::string> written;
        for (std::size_t i = 0; i < images->size(); ++i) {
            const std::string path = regions::indexedPath(o.output, i);
            if (Status st = writeImage(path, (*images)[i]); !st) {
                for (const std::string& w : written) {
                    std::error_code ec;
                    std::filesystem::remove(w, ec);
                }
                return st;
            }
            written.push_back(path);
        }
        say(io.warn, "decoded " + std::to_string(images->size()) + " images of " +
                         std::to_string((*images)[0].width) + "x" +
                         std::to_string((*images)[0].height) + " into " +
                         regions::indexedPath(o.output, 0) + " ...");
        return {};
    }
    auto image = (*vae)->decode(latent->samples);
    if (!image) return makeError(o.latent + ": " + image.message());
    say(io.warn, "decoded " + std::to_string(image->width) + "x" + std::to_string(image->height));
    return writeImage(o.output, *image);
}

Status runInfo(const InfoOptions& o, const CommandOutput& io) {
    if (o.vae.empty()) {
        // No file: the VAEs that ship with the program, and whether they are where it looks.
        std::ostringstream s;
        s << "built-in VAEs (" << builtinModelsDir() << "):\n";
        for (const BuiltinVae& vae : builtinVaes()) {
            const Result<std::string> path = resolveVaePath(builtinVaeSpec(vae.name));
            s << "  " << builtinVaeSpec(vae.name) << "  " << vae.description
              << (path ? "" : "  [not installed]") << "\n";
        }
        say(io.out, s.str());
        return {};
    }
    if (Status st = checkInputFile(o.vae, "--vae"); !st) return st;
    VaeLoadOptions vo;
    vo.family = o.family;
    vo.device = "cpu";
    vo.needEncoder = false;
    vo.needDecoder = false;
    auto vae = Vae::load(o.vae, vo);
    if (!vae) return vae.error();
    const VaeInfo& i = (*vae)->info();
    std::ostringstream s;
    s << "file:             " << o.vae << "\n"
      << "family:           " << vaeFamilyName(i.family) << "\n"
      << "latent channels:  " << i.latentChannels << "\n"
      << "downscale ratio:  " << i.downscale << "\n"
      << "parameters:       " << i.parameterCount << "\n"
      << "dtype:            " << i.fileDType << "\n"
      << "encoder:          " << (i.hasEncoder ? "yes" : "no") << "\n"
      << "decoder:          " << (i.hasDecoder ? "yes" : "no") << "\n";
    for (const std::string& line : i.inferred)
        s << "inferred:         " << line << "\n";
    say(io.out, s.str());
    return {};
}

} // namespace lb
