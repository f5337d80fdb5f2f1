// latentbrush-cli: argument parsing for the commands of Commands.h (grow, encode, batch, rgba,
// decode, info) and RegionCommands.h (stitch).
// One line per error on stderr, exit status 1 for failures and 2 for usage errors.
// Built three times (app/CMakeLists.txt): latentbrush-cli (LATENTBRUSH_CLI_LEAN: grow on PNG masks
// through libpng, the rest handed to the two others), latentbrush-cli-io (grow and rgba through
// OpenImageIO) and latentbrush-cli-vae (LATENTBRUSH_CLI_WITH_VAE: every command).
#include "latentbrush/BuiltinVae.h"
#include "latentbrush/Commands.h"
#include "latentbrush/InpaintPreprocess.h"
#if !LATENTBRUSH_CLI_LEAN
#include "QuietDecoderStderr.h"
#endif
#if LATENTBRUSH_CLI_WITH_VAE
#include "latentbrush/regions/RegionCommands.h"
#endif
#if LATENTBRUSH_CLI_LEAN
#include "latentbrush/CommandsLean.h"
#include "latentbrush/MaskPng.h"
#endif

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

const char* kUsage =
    R"(latentbrush-cli: prepare inpainting latents exactly as ComfyUI's VAEEncodeForInpaint (or, with
--mode noise-mask, VAEEncode + SetLatentNoiseMask).

Usage:
  latentbrush-cli encode --image IMG [--mask MASK] [--mask-channel C] --vae VAE
                         [--vae-family F] [--grow N] [--device auto|cpu|cuda[:N]]
                         [--dtype auto|fp32|fp16|bf16] [--kernels fast|reference]
                         [--threads N] [--input-precision reference|full]
                         [--mode inpaint|noise-mask] [--mask-expand N]
                         [--tapered-corners | --square-corners] [--mask-blur R[,SIGMA]]
                         --output OUT.latent
                         [--save-mask GROWN.png] [--save-pixels FILLED.{png,tif,exr}]
                         [--region auto|X,Y,W,H [--regions separate] [--context N|N%]
                          [--target WxH | --target-area N]
                          [--resize area|bicubic|bilinear|nearest-exact]]
  latentbrush-cli stitch --image ORIGINAL --latent REGION.latent --result R.png
                         [--result R2.png ...] [--mask MASK] [--feather F]
                         --output OUT.{png,tif,exr,jpg}
  latentbrush-cli grow   --mask MASK --grow N [--size WxH] [--multiple D] --output GROWN.png
  latentbrush-cli decode --latent IN.latent --vae DECODER [--vae-family F] --output IMG.png
  latentbrush-cli info   [--vae VAE] [--vae-family F]
  latentbrush-cli batch  --images DIR [--masks DIR] --vae VAE --out DIR [--grow N]
                         [--shard I/N] [--device D] [--dtype T] [--input-precision P]
                         [--mode M] [--mask-expand N] [--tapered-corners | --square-corners]
                         [--mask-blur R[,S]]
                         [the region options of encode: NAME.mask_N.png per region]
  latentbrush-cli rgba   --image IMG --mask MASK [--mask-channel C] --output OUT.png
  latentbrush-cli --help | --version
  latentbrush-cli COMMAND --help

Commands:
  encode  image + mask + VAE + grow_mask_by -> a .latent file (ComfyUI's SaveLatent format,
          `latent_tensor` plus `noise_mask` and metadata). Without --mask the mask is the
          image's alpha (1 - alpha); an image without alpha gives an empty mask (warning).
  stitch  the sampled results of a region .latent (one per region, in order; a ComfyUI
          SaveImage batch NAME_00001_.png ... in order of its counter) scaled back and blended
          into the original with B = min(1, dist / F) inside the grown mask; every other pixel
          keeps the original file's own value, bit for bit, at its bit depth (8, 16, float).
  grow    the noise_mask of the node alone: the mask resized to WxH (default: its own size),
          cropped to multiples of D (default 8), grown by N, written as 8-bit 0/255 PNG.
  decode  a .latent back to an image with a VAE that has a decoder.
  info    family, latent channels, downscale ratio, parameter count and dtype of a VAE file;
          without --vae, the built-in VAEs and where they are installed.
  batch   every image of a folder (masks from --masks with the same name, else alpha) to
          OUT/NAME.latent and OUT/NAME.mask.png; finished outputs are skipped, bad files are
          reported at the end. --shard I/N does the I-th of N disjoint parts (0 <= I < N),
          chosen by file name, for Slurm arrays, Kubernetes indexed Jobs or GNU parallel.
  rgba    image + mask as one 8-bit RGBA PNG with alpha = 1 - mask, the file ComfyUI's
          LoadImage turns back into the same mask (mask = 1 - alpha); VAEEncodeForInpaint gives
          the same latent from it as from the image and the mask.

Encode modes (--mode):
  inpaint      (default) ComfyUI's VAEEncodeForInpaint: the mask is rounded and grown by
               --grow, the masked pixels are gray-filled; for denoise 1.0.
  noise-mask   ComfyUI's VAEEncode + SetLatentNoiseMask: the image is encoded as it is (only
               cropped to the VAE's multiple) and the mask is kept soft, at its own size, as
               noise_mask; for denoise below 1 and Differential Diffusion. Optionally the mask
               first goes through GrowMask (--mask-expand, --square-corners) and then
               ImageBlur (--mask-blur), exactly as those nodes compute.

Options:
  --grow N            grow_mask_by, 0..1024 (default 6; ComfyUI's node allows 0..64); inpaint
                      mode only
  --mask-expand N     noise-mask: GrowMask's expand, -16384..16384 (default 0): grow the soft
                      mask by N pixels (a max filter), or shrink it when negative (a min filter)
  --tapered-corners   noise-mask: GrowMask's tapered_corners=True (a 3x3 cross: diamond-shaped
                      growth); the default, as ComfyUI's node left at its defaults
  --square-corners    noise-mask: GrowMask's tapered_corners=False (the 3x3 square footprint)
  --mask-blur R[,S]   noise-mask: ImageBlur on the mask after the expand, blur_radius R
                      (0..1024, 0 = none; the node allows 1..31) and sigma S (default 1.0; the
                      node's sigma is relative to R, not in pixels); R must be smaller than the
                      mask's width and height
  --mask-channel C    auto|alpha|red|green|blue|luma. auto: gray -> value, gray+alpha or
                      RGBA -> 1 - alpha, RGB -> red
  --vae-family F      autoencoderkl|flux2|taesd|taesdxl|taesd3|taef1|taef2, where the
                      weights' shapes cannot tell (taesd/taesdxl, taesd3/taef1)
  --device D          auto (CUDA when available), cpu, cuda, cuda:N
  --dtype T           auto (bf16 on CUDA where supported, fp32 on CPU), fp32, fp16, bf16
  --kernels K         fast (default: fused GroupNorm, channels-last, CUDA graphs; within
                      1e-4 of ComfyUI in fp32) or reference (ComfyUI's own operations and
                      layouts: on the CPU in fp32 the same numbers bit for bit; slower)
  --threads N         LibTorch's CPU threads (default 0: every core this process may use); a
                      fixed count repeats a run's numbers bit for bit on other machines
  --input-precision P reference (default: 16-bit images and --mask files as PIL gives them
                      to ComfyUI's LoadImage and LoadImageMask, 8-bit values) or full (every
                      bit: v / 65535); recorded in the .latent as source.precision
  --max-pixels N      refuse images larger than N pixels (default 268435456 = 16384^2)
  --save-mask F       also write the noise_mask: inpaint: the grown 0/1 mask as 8-bit PNG;
                      noise-mask: the soft mask as 8-bit PNG or float TIFF/EXR
  --save-pixels F     also write the gray-filled encoder input (8-bit PNG, float TIFF/EXR)
                      With --region, --save-mask and --save-pixels write one file per region
                      with an index suffix: GROWN_0.png, GROWN_1.png, ...
  --region R          encode regions, not the whole image: auto (around the grown mask) or
                      X,Y,W,H; each region is ComfyUI's ImageCrop -> ImageScale ->
                      VAEEncodeForInpaint, stacked as one batch (see docs/REGIONS.md)
  --regions separate  one region per 8-connected part of the grown mask (auto; parts whose
                      context boxes overlap are merged), all scaled to the same size
  --context C         auto: N pixels or N% of the mask box's larger side around it
                      (default 25%, at least 32 px)
  --target WxH        the scaled region size (multiples of the VAE's downscale)
  --target-area N     the scaled region's pixel count (e.g. 1048576), keeping its aspect
  --resize M          area|bicubic|bilinear|nearest-exact: ImageScale's method, exactly
                      PyTorch's F.interpolate (default bicubic)
  --result R          stitch: a sampled result, once per region in order
  --feather F         stitch: the blend's width in pixels (default: the latent's
                      stitch.feather, max(1, grow // 2)); 0 blends with the grown mask itself

VAEs are read from .safetensors only: pickled .ckpt/.pt files can execute code when loaded.
--vae builtin:taef2 is the VAE shipped with Latentbrush: TAEF2, the FLUX.2 latent space at
preview quality (tiny autoencoder, MIT), encoder and decoder.
)";

struct Args {
    std::string command;
    std::map<std::string, std::string> values;
    std::vector<std::string> results; // stitch's repeated --result
    bool help = false;
};

[[noreturn]] void usageError(const std::string& message) {
    std::cerr << "latentbrush-cli: " << message << "\n"
              << "Try 'latentbrush-cli --help'.\n";
    std::exit(2);
}

// Options that take no value.
const std::set<std::string> kFlags = {"tapered-corners", "square-corners"};

Args parse(int argc, char** argv, const std::map<std::string, std::set<std::string>>& allowed) {
    Args a;
    if (argc < 2) usageError("no command given");
    a.command = argv[1];
    if (a.command == "--help" || a.command == "-h" || a.command == "help") {
        std::cout << kUsage;
        std::exit(0);
    }
    if (a.command == "--version") {
        std::cout << "latentbrush-cli " << LATENTBRUSH_VERSION << "\n";
        std::exit(0);
    }
    auto it = allowed.find(a.command);
    if (it == allowed.end()) usageError("unknown command '" + a.command + "'");
    for (int i = 2; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            a.help = true;
            continue;
        }
        if (arg.rfind("--", 0) != 0) usageError("unexpected argument '" + arg + "'");
        std::string name = arg.substr(2), value;
        if (kFlags.count(name)) {
            value = "1";
        } else if (name.find('=') != std::string::npos &&
                   kFlags.count(name.substr(0, name.find('=')))) {
            usageError("--" + name.substr(0, name.find('=')) + " takes no value");
        } else if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        } else {
            if (i + 1 >= argc) usageError("--" + name + " needs a value");
            value = argv[++i];
        }
        if (!it->second.count(name)) usageError("'" + a.command + "' has no option --" + name);
        if (name == "result") { // stitch: once per region, in order
            a.results.push_back(value);
            a.values[name] = value;
            continue;
        }
        if (a.values.count(name)) usageError("--" + name + " given twice");
        a.values[name] = value;
    }
    return a;
}

std::string get(const Args& a, const std::string& name, const std::string& fallback = "") {
    auto it = a.values.find(name);
    return it == a.values.end() ? fallback : it->second;
}

std::string require(const Args& a, const std::string& name) {
    auto it = a.values.find(name);
    if (it == a.values.end() || it->second.empty())
        usageError("'" + a.command + "' needs --" + name);
    return it->second;
}

long long parseInteger(const std::string& name, const std::string& text) {
    try {
        std::size_t used = 0;
        long long v = std::stoll(text, &used);
        if (used != text.size()) throw std::invalid_argument(text);
        return v;
    } catch (const std::exception&) {
        usageError("--" + name + " expects an integer, not '" + text + "'");
    }
}

int parseGrow(const Args& a) {
    long long g = parseInteger("grow", get(a, "grow", "6"));
    if (g < 0 || g > lb::kMaxGrow)
        usageError("--grow " + std::to_string(g) + " is outside 0.." +
                   std::to_string(lb::kMaxGrow));
    return int(g);
}

#if LATENTBRUSH_CLI_WITH_VAE
std::optional<lb::VaeFamily> parseFamily(const Args& a) {
    std::string f = get(a, "vae-family");
    if (f.empty()) return std::nullopt;
    lb::VaeFamily family;
    if (!lb::parseVaeFamily(f, &family)) usageError("unknown --vae-family '" + f + "'");
    return family;
}

lb::ComputeDType parseDType(const Args& a) {
    lb::ComputeDType t;
    std::string s = get(a, "dtype", "auto");
    if (!lb::parseComputeDType(s, &t)) usageError("unknown --dtype '" + s + "'");
    return t;
}

int parseThreads(const Args& a) {
    const long long n = parseInteger("threads", get(a, "threads", "0"));
    if (n < 0 || n > 1024) usageError("--threads must be within 0..1024 (0: every core)");
    return int(n);
}

lb::InputPrecision parseInputPrecision(const Args& a) {
    lb::InputPrecision p;
    const std::string s = get(a, "input-precision", "reference");
    if (!lb::parseInputPrecision(s, &p))
        usageError("unknown --input-precision '" + s + "' (reference or full)");
    return p;
}

// The region options as given (encode and batch carry the same fields); checked by the caller
// and by lb::regions::parseRegionOptions.
template <typename Options> void readRegionOptions(const Args& a, Options& o) {
    o.region = get(a, "region");
    o.regionsMode = get(a, "regions");
    o.context = get(a, "context");
    o.target = get(a, "target");
    o.targetArea = get(a, "target-area");
    o.resize = get(a, "resize");
}

// --mode and the noise-mask options; each option belongs to one mode only.
void parseEncodeMode(const Args& a, lb::EncodeMode& encodeMode, lb::NoiseMaskOptions& noiseMask) {
    const std::string mode = get(a, "mode", "inpaint");
    if (!lb::parseEncodeMode(mode, &encodeMode))
        usageError("unknown --mode '" + mode + "' (inpaint or noise-mask)");
    if (encodeMode == lb::EncodeMode::Inpaint) {
        for (const char* name : {"mask-expand", "tapered-corners", "square-corners", "mask-blur"})
            if (a.values.count(name))
                usageError(std::string("--") + name + " belongs to --mode noise-mask");
        return;
    }
    if (a.values.count("grow"))
        usageError("--grow is VAEEncodeForInpaint's grow_mask_by; --mode noise-mask grows the "
                   "soft mask with --mask-expand");
    const long long expand = parseInteger("mask-expand", get(a, "mask-expand", "0"));
    if (expand < -lb::kMaxMaskExpand || expand > lb::kMaxMaskExpand)
        usageError("--mask-expand " + std::to_string(expand) + " is outside " +
                   std::to_string(-lb::kMaxMaskExpand) + ".." + std::to_string(lb::kMaxMaskExpand));
    noiseMask.expand = int(expand);
    if (a.values.count("tapered-corners") && a.values.count("square-corners"))
        usageError("--tapered-corners and --square-corners exclude each other");
    noiseMask.taperedCorners = a.values.count("square-corners") == 0;
    if (std::string blur = get(a, "mask-blur"); !blur.empty()) {
        const auto comma = blur.find(',');
        const long long radius = parseInteger("mask-blur", blur.substr(0, comma));
        if (radius < 0 || radius > lb::kMaxMaskBlur)
            usageError("--mask-blur radius " + std::to_string(radius) + " is outside 0.." +
                       std::to_string(lb::kMaxMaskBlur));
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

bool parseKernels(const Args& a) {
    const std::string k = get(a, "kernels", "fast");
    if (k != "fast" && k != "reference")
        usageError("unknown --kernels '" + k + "' (fast or reference)");
    return k == "reference";
}

#endif

lb::MaskChannel parseChannel(const Args& a) {
    lb::MaskChannel c;
    std::string s = get(a, "mask-channel", "auto");
    if (!lb::parseMaskChannel(s, &c)) usageError("unknown --mask-channel '" + s + "'");
    return c;
}

long long parseMaxPixels(const Args& a) {
    long long v = parseInteger("max-pixels", get(a, "max-pixels", "268435456"));
    if (v <= 0) usageError("--max-pixels must be positive");
    return v;
}

} // namespace

#if !LATENTBRUSH_CLI_WITH_VAE
// Runs `name`, installed next to this program, with the same arguments. encode, batch, decode
// and info need LibTorch: they run in latentbrush-cli-vae, which keeps LibTorch's start-up cost
// away from grow and rgba; latentbrush-cli (LATENTBRUSH_CLI_LEAN) also hands rgba and the grows
// it does not do itself to latentbrush-cli-io, which keeps OpenImageIO's away from PNG grows.
[[noreturn]] void runSibling(const char* name, char** argv) {
    std::string self(4096, '\0');
    const ssize_t n = ::readlink("/proc/self/exe", self.data(), self.size() - 1);
    const std::string dir =
        n > 0 ? std::filesystem::path(self.substr(0, std::size_t(n))).parent_path().string()
              : std::string(".");
    const std::string program = dir + "/" + name;
    argv[0] = const_cast<char*>(program.c_str());
    std::cout.flush();
    std::cerr.flush();
    ::execv(program.c_str(), argv);
    std::cerr << "latentbrush-cli: error: cannot run " << program << " (" << std::strerror(errno)
              << "): it is installed beside latentbrush-cli and does "
              << (std::string(name) == "latentbrush-cli-vae" ? "the VAE commands"
                                                             : "rgba and grow's non-PNG masks")
              << "\n";
    std::exit(1);
}
#endif

int main(int argc, char** argv) {
#if !LATENTBRUSH_CLI_WITH_VAE
    if (argc > 1) {
        const std::string command = argv[1];
        if (command == "encode" || command == "decode" || command == "info" || command == "batch" ||
            command == "stitch")
            runSibling("latentbrush-cli-vae", argv);
#if LATENTBRUSH_CLI_LEAN
        if (command == "rgba") runSibling("latentbrush-cli-io", argv);
#endif
    }
#endif
#if !LATENTBRUSH_CLI_LEAN
    // OpenImageIO's PNG reader lets libpng print beside our one error line (QuietDecoderStderr.h).
    static const lbcli::QuietDecoderStderr quietDecoders;
#endif
    const std::map<std::string, std::set<std::string>> allowed = {
        {"grow", {"mask", "grow", "size", "multiple", "output", "mask-channel", "max-pixels"}},
        {"encode", {"image",           "mask",
                    "mask-channel",    "vae",
                    "vae-family",      "grow",
                    "device",          "dtype",
                    "kernels",         "threads",
                    "output",          "save-mask",
                    "save-pixels",     "max-pixels",
                    "input-precision", "mode",
                    "mask-expand",     "tapered-corners",
                    "square-corners",  "mask-blur",
                    "region",          "regions",
                    "context",         "target",
                    "target-area",     "resize"}},
        {"stitch",
         {"image", "latent", "result", "mask", "mask-channel", "feather", "output", "max-pixels"}},
        {"decode",
         {"latent", "vae", "vae-family", "device", "dtype", "kernels", "threads", "output"}},
        {"info", {"vae", "vae-family"}},
        {"batch",
         {"images",
          "masks",
          "mask-channel",
          "vae",
          "vae-family",
          "grow",
          "device",
          "dtype",
          "kernels",
          "threads",
          "out",
          "shard",
          "max-pixels",
          "input-precision",
          "mode",
          "mask-expand",
          "tapered-corners",
          "square-corners",
          "mask-blur",
          "region",
          "regions",
          "context",
          "target",
          "target-area",
          "resize"}},
        {"rgba", {"image", "mask", "mask-channel", "output", "max-pixels"}},
    };
    Args a = parse(argc, argv, allowed);
    if (a.help) {
        std::cout << kUsage;
        return 0;
    }
#if LATENTBRUSH_CLI_WITH_VAE
    // --vae builtin:NAME: a VAE shipped with the program, found beside it (BuiltinVae.h).
    if (auto vae = a.values.find("vae"); vae != a.values.end()) {
        const lb::Result<std::string> path = lb::resolveVaePath(vae->second);
        if (!path) {
            std::cerr << "latentbrush-cli: error: " << path.message() << "\n";
            return 1;
        }
        vae->second = path.value();
    }
#endif
    lb::CommandOutput io;
    io.out = [](const std::string& s) { std::cout << s << std::flush; };
    io.warn = [](const std::string& s) { std::cerr << s << "\n"; };

    lb::Status status;
    if (a.command == "grow") {
        lb::GrowOptions o;
        o.mask = require(a, "mask");
        if (!a.values.count("grow")) usageError("'grow' needs --grow");
        o.grow = parseGrow(a);
        o.output = require(a, "output");
        o.channel = parseChannel(a);
        o.maxPixels = parseMaxPixels(a);
        o.multiple = int(parseInteger("multiple", get(a, "multiple", "8")));
        if (o.multiple < 1 || o.multiple > 4096) usageError("--multiple must be within 1..4096");
        if (std::string size = get(a, "size"); !size.empty()) {
            auto x = size.find_first_of("xX");
            if (x == std::string::npos) usageError("--size expects WxH, not '" + size + "'");
            long long w = parseInteger("size", size.substr(0, x));
            long long h = parseInteger("size", size.substr(x + 1));
            if (w < 1 || h < 1 || w > 1000000 || h > 1000000)
                usageError("--size " + size + " is not a valid image size");
            o.width = int(w);
            o.height = int(h);
        }
#if LATENTBRUSH_CLI_LEAN
        // Nothing is written or printed when the fast path declines; latentbrush-cli-io then
        // does the same grow through OpenImageIO and reports any error in its words.
        if (lb::runGrowPng(o, io) == lb::LeanOutcome::Declined)
            runSibling("latentbrush-cli-io", argv);
#else
        status = lb::runGrow(o, io);
#endif
    }
#if LATENTBRUSH_CLI_WITH_VAE
    else if (a.command == "encode") {
        lb::EncodeOptions o;
        o.image = require(a, "image");
        o.mask = get(a, "mask");
        o.channel = parseChannel(a);
        o.vae = require(a, "vae");
        o.family = parseFamily(a);
        o.grow = parseGrow(a);
        o.device = get(a, "device", "auto");
        o.dtype = parseDType(a);
        o.referenceKernels = parseKernels(a);
        o.cpuThreads = parseThreads(a);
        o.output = require(a, "output");
        o.saveMask = get(a, "save-mask");
        o.savePixels = get(a, "save-pixels");
        o.maxPixels = parseMaxPixels(a);
        o.inputPrecision = parseInputPrecision(a);
        parseEncodeMode(a, o.mode, o.noiseMask);
        readRegionOptions(a, o);
        if (lb::regions::hasRegionOptions(o)) {
            if (o.mode == lb::EncodeMode::NoiseMask)
                usageError("--region encodes with --mode inpaint only (VAEEncodeForInpaint per "
                           "region)");
            if (auto r = lb::regions::parseRegionOptions(o); !r) usageError(r.message());
        }
        status = lb::runEncode(o, io);
    } else if (a.command == "stitch") {
        lb::regions::StitchOptions o;
        o.image = require(a, "image");
        o.latent = require(a, "latent");
        o.results = a.results;
        if (o.results.empty()) usageError("'stitch' needs --result (once per region)");
        o.mask = get(a, "mask");
        o.channel = parseChannel(a);
        if (std::string f = get(a, "feather"); !f.empty()) {
            const long long v = parseInteger("feather", f);
            if (v < 0 || v > 1000000) usageError("--feather must lie in 0..1000000");
            o.feather = float(v);
        }
        o.output = require(a, "output");
        o.maxPixels = parseMaxPixels(a);
        status = lb::regions::runStitch(o, io);
    } else if (a.command == "decode") {
        lb::DecodeOptions o;
        o.latent = require(a, "latent");
        o.vae = require(a, "vae");
        o.family = parseFamily(a);
        o.device = get(a, "device", "auto");
        o.dtype = parseDType(a);
        o.referenceKernels = parseKernels(a);
        o.cpuThreads = parseThreads(a);
        o.output = require(a, "output");
        status = lb::runDecode(o, io);
    } else if (a.command == "batch") {
        lb::BatchOptions o;
        o.images = require(a, "images");
        o.masks = get(a, "masks");
        o.channel = parseChannel(a);
        o.vae = require(a, "vae");
        o.family = parseFamily(a);
        o.grow = parseGrow(a);
        o.device = get(a, "device", "auto");
        o.dtype = parseDType(a);
        o.referenceKernels = parseKernels(a);
        o.cpuThreads = parseThreads(a);
        o.out = require(a, "out");
        o.maxPixels = parseMaxPixels(a);
        o.inputPrecision = parseInputPrecision(a);
        parseEncodeMode(a, o.mode, o.noiseMask);
        readRegionOptions(a, o);
        if (o.mode == lb::EncodeMode::NoiseMask && !o.region.empty())
            usageError("--region encodes with --mode inpaint only (VAEEncodeForInpaint per "
                       "region)");
        if (std::string shard = get(a, "shard"); !shard.empty()) {
            auto slash = shard.find('/');
            if (slash == std::string::npos) usageError("--shard expects I/N, not '" + shard + "'");
            long long i = parseInteger("shard", shard.substr(0, slash));
            long long n = parseInteger("shard", shard.substr(slash + 1));
            if (n < 1 || n > 1000000 || i < 0 || i >= n)
                usageError("--shard " + shard + ": need 0 <= I < N");
            o.shardIndex = int(i);
            o.shardCount = int(n);
        }
        status = lb::runBatch(o, io);
    }
#endif
#if !LATENTBRUSH_CLI_LEAN
    else if (a.command == "rgba") {
        lb::RgbaOptions o;
        o.image = require(a, "image");
        o.mask = require(a, "mask");
        o.channel = parseChannel(a);
        o.output = require(a, "output");
        o.maxPixels = parseMaxPixels(a);
        status = lb::runRgba(o, io);
    }
#endif
#if LATENTBRUSH_CLI_WITH_VAE
    else if (a.command == "info") {
        lb::InfoOptions o;
        o.vae = get(a, "vae");
        o.family = parseFamily(a);
        status = lb::runInfo(o, io);
    }
#endif
    if (!status) {
        std::cerr << "latentbrush-cli: error: " << status.message() << "\n";
        return 1;
    }
    return 0;
}
