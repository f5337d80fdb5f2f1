// latentbrush-cli-vae's runners: encode, stitch, decode, batch and info through LibTorch, plus
// latentbrush-cli-io's (CommandArgs.h).
#include "CliMain.h"
#include "CommandArgs.h"

#include "latentbrush/BuiltinVae.h"
#include "latentbrush/regions/RegionCommands.h"

#include <cmath>
#include <cstdlib>
#include <vector>

namespace lb::cli {
namespace {

// --vae builtin:NAME: a VAE shipped with the program, found beside it (BuiltinVae.h).
Status resolveBuiltinVae(ParsedArgs& args) {
    if (!args.has("vae")) return {};
    const Result<std::string> path = resolveVaePath(args.text("vae"));
    if (!path) return path.error();
    args.set("vae", path.value());
    return {};
}

std::optional<VaeFamily> family(const ParsedArgs& args) {
    if (args.text("vae-family").empty()) return std::nullopt;
    return args.choice("vae-family", parseVaeFamily, VaeFamily::AutoencoderKL);
}

// The options of every VAE command but the file itself: --vae-family, --device, --dtype,
// --kernels, --threads.
template <typename Options> void readVaeOptions(const ParsedArgs& args, Options& o) {
    o.family = family(args);
    if (args.has("device")) o.device = args.text("device");
    o.dtype = args.choice("dtype", parseComputeDType, o.dtype);
    o.kernels = args.choice("kernels", parseKernels, o.kernels);
    o.cpuThreads = int(args.integer("threads", o.cpuThreads));
}

// The region options as given (encode and batch carry the same fields); checked by the caller
// and by regions::parseRegionOptions.
template <typename Options> void readRegionOptions(const ParsedArgs& args, Options& o) {
    o.region = args.text("region");
    o.regionsMode = args.text("regions");
    o.context = args.text("context");
    o.target = args.text("target");
    o.targetArea = args.text("target-area");
    o.resize = args.text("resize");
}

// --mode and the noise-mask options; each option belongs to one mode only.
void readEncodeMode(const ParsedArgs& args, EncodeMode& mode, NoiseMaskOptions& noiseMask) {
    mode = args.choice("mode", parseEncodeMode, EncodeMode::Inpaint);
    if (mode == EncodeMode::Inpaint) {
        for (const char* name : {"mask-expand", "tapered-corners", "square-corners", "mask-blur"})
            if (args.has(name))
                usageError(std::string("--") + name + " belongs to --mode noise-mask");
        return;
    }
    if (args.has("grow"))
        usageError("--grow is VAEEncodeForInpaint's grow_mask_by; --mode noise-mask grows the "
                   "soft mask with --mask-expand");
    noiseMask.expand = int(args.integer("mask-expand", 0));
    if (args.has("tapered-corners") && args.has("square-corners"))
        usageError("--tapered-corners and --square-corners exclude each other");
    noiseMask.taperedCorners = !args.has("square-corners");
    if (const std::string blur = args.text("mask-blur"); !blur.empty()) {
        const auto comma = blur.find(',');
        const long long radius = parseInteger("mask-blur", blur.substr(0, comma));
        if (radius < 0 || radius > kMaxMaskBlur)
            usageError("--mask-blur radius " + std::to_string(radius) + " is outside 0.." +
                       std::to_string(kMaxMaskBlur));
        noiseMask.blurRadius = int(radius);
        if (comma != std::string::npos) {
            const std::string sigma = blur.substr(comma + 1);
            char* end = nullptr;
            const double v = std::strtod(sigma.c_str(), &end);
            if (sigma.empty() || end != sigma.c_str() + sigma.size() || !(v > 0.0) ||
                !std::isfinite(v) || v > 1e6)
                usageError("--mask-blur sigma must be a positive number, not '" + sigma + "'");
            noiseMask.blurSigma = v;
        }
    }
}

// What encode and batch read alike (their option structs carry the same fields): the mask
// channel, the VAE and its options, --grow, --max-pixels, --input-precision, --mode with the
// noise-mask options, and the region options.
template <typename Options> void readEncodeSettings(const ParsedArgs& args, Options& o) {
    o.channel = maskChannel(args);
    o.vae = args.required("vae");
    o.grow = int(args.integer("grow", o.grow));
    readVaeOptions(args, o);
    o.maxPixels = maxPixels(args);
    o.inputPrecision = args.choice("input-precision", parseInputPrecision, o.inputPrecision);
    readEncodeMode(args, o.mode, o.noiseMask);
    readRegionOptions(args, o);
}

constexpr const char* kRegionNeedsInpaint =
    "--region encodes with --mode inpaint only (VAEEncodeForInpaint per region)";

int encode(ParsedArgs& args, char**) {
    if (Status st = resolveBuiltinVae(args); !st) return exitStatus(st);
    EncodeOptions o;
    o.image = args.required("image");
    o.mask = args.text("mask");
    readEncodeSettings(args, o);
    o.output = args.required("output");
    o.saveMask = args.text("save-mask");
    o.savePixels = args.text("save-pixels");
    if (regions::hasRegionOptions(o)) {
        if (o.mode == EncodeMode::NoiseMask) usageError(kRegionNeedsInpaint);
        if (auto r = regions::parseRegionOptions(o); !r) usageError(r.message());
    }
    return exitStatus(runEncode(o, consoleOutput()));
}

int stitch(ParsedArgs& args, char**) {
    regions::StitchOptions o;
    o.image = args.required("image");
    o.latent = args.required("latent");
    o.results = args.all("result");
    if (o.results.empty()) usageError("'stitch' needs --result (once per region)");
    o.mask = args.text("mask");
    o.channel = maskChannel(args);
    if (!args.text("feather").empty()) o.feather = float(args.integer("feather", 0));
    o.output = args.required("output");
    o.maxPixels = maxPixels(args);
    return exitStatus(regions::runStitch(o, consoleOutput()));
}

int decode(ParsedArgs& args, char**) {
    if (Status st = resolveBuiltinVae(args); !st) return exitStatus(st);
    DecodeOptions o;
    o.latent = args.required("latent");
    o.vae = args.required("vae");
    readVaeOptions(args, o);
    o.output = args.required("output");
    return exitStatus(runDecode(o, consoleOutput()));
}

int batch(ParsedArgs& args, char**) {
    if (Status st = resolveBuiltinVae(args); !st) return exitStatus(st);
    BatchOptions o;
    o.images = args.required("images");
    o.masks = args.text("masks");
    readEncodeSettings(args, o);
    o.out = args.required("out");
    if (o.mode == EncodeMode::NoiseMask && !o.region.empty()) usageError(kRegionNeedsInpaint);
    if (const std::string shard = args.text("shard"); !shard.empty()) {
        const auto slash = shard.find('/');
        if (slash == std::string::npos) usageError("--shard expects I/N, not '" + shard + "'");
        const long long i = parseInteger("shard", shard.substr(0, slash));
        const long long n = parseInteger("shard", shard.substr(slash + 1));
        if (n < 1 || n > 1000000 || i < 0 || i >= n)
            usageError("--shard " + shard + ": need 0 <= I < N");
        o.shardIndex = int(i);
        o.shardCount = int(n);
    }
    return exitStatus(runBatch(o, consoleOutput()));
}

int info(ParsedArgs& args, char**) {
    if (Status st = resolveBuiltinVae(args); !st) return exitStatus(st);
    InfoOptions o;
    o.vae = args.text("vae");
    o.family = family(args);
    return exitStatus(runInfo(o, consoleOutput()));
}

const CommandRunner kVaeRunners[] = {
    {"encode", encode}, {"stitch", stitch}, {"decode", decode}, {"batch", batch}, {"info", info}};

} // namespace

std::span<const CommandRunner> vaeRunners() {
    static const std::vector<CommandRunner> all = [] {
        std::vector<CommandRunner> runners(std::begin(kVaeRunners), std::end(kVaeRunners));
        for (const CommandRunner& r : ioRunners())
            runners.push_back(r);
        return runners;
    }();
    return all;
}

} // namespace lb::cli
