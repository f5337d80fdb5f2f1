// The table of CommandTable.h: latentbrush-cli's commands and options.
#include "CommandTable.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/NoiseMaskOps.h"

#include <climits>
#include <initializer_list>
#include <string>
#include <utility>

namespace lb::cli {

std::string_view programName(Program program) {
    switch (program) {
    case Program::Cli:
        return "latentbrush-cli";
    case Program::CliIo:
        return "latentbrush-cli-io";
    case Program::CliVae:
        return "latentbrush-cli-vae";
    }
    return "latentbrush-cli";
}

std::string_view programJob(Program program) {
    switch (program) {
    case Program::Cli:
        return "grow on PNG masks";
    case Program::CliIo:
        return "rgba and grow's non-PNG masks";
    case Program::CliVae:
        return "the VAE commands";
    }
    return "";
}

namespace {

std::string join(std::initializer_list<std::string_view> parts) {
    std::string out;
    for (std::string_view part : parts)
        out += part;
    return out;
}

// The kinds of option, as the table below writes them.
OptionSpec value(std::string_view name, std::string_view placeholder, std::string help) {
    OptionSpec o;
    o.name = name;
    o.placeholder = placeholder;
    o.help = std::move(help);
    return o;
}

OptionSpec integer(std::string_view name, std::string_view placeholder, IntegerRange range,
                   std::string help) {
    OptionSpec o = value(name, placeholder, std::move(help));
    o.range = range;
    return o;
}

// A name one of the domain's parsers reads; `choices` completes its "unknown" error.
OptionSpec choice(std::string_view name, std::string_view placeholder, std::string_view choices,
                  std::string help) {
    OptionSpec o = value(name, placeholder, std::move(help));
    o.choices = choices;
    return o;
}

OptionSpec flag(std::string_view name, std::string_view excludes, std::string help) {
    OptionSpec o = value(name, {}, std::move(help));
    o.arity = Arity::Flag;
    o.excludes = excludes;
    return o;
}

OptionSpec repeated(std::string_view name, std::string_view placeholder, std::string help) {
    OptionSpec o = value(name, placeholder, std::move(help));
    o.arity = Arity::Repeated;
    return o;
}

} // namespace

const std::vector<OptionSpec>& optionTable() {
    // In the order --help lists them.
    static const std::vector<OptionSpec> options = {
        value("image", "IMG", "the image file (PNG, JPEG, TIFF, EXR, WebP, ...)"),
        value("mask", "MASK",
              "the mask file; white (1) is repainted. encode: without --mask the mask is the "
              "image's alpha (1 - alpha); stitch: default the mask the .latent names"),
        value("output", "OUT", "the file to write (atomically)"),
        value("vae", "VAE",
              "a VAE .safetensors file, or builtin:NAME for a VAE shipped with Latentbrush"),
        value("latent", "IN.latent", "a .latent file written by encode"),
        value("images", "DIR", "batch: the folder of images"),
        value("masks", "DIR",
              "batch: the folder of masks, NAME.* for the image NAME.* (default: each image's "
              "alpha)"),
        value("out", "DIR", "batch: the output folder"),
        value("shard", "I/N", "batch: do the I-th of N disjoint parts of the folder (0 <= I < N)"),
        value("size", "WxH", "grow: resize the mask to WxH first (default: its own size)"),
        integer("multiple", "D", {1, 4096, "--multiple must be within 1..4096"},
                "grow: crop to multiples of D (default 8, the VAE's downscale)"),
        choice("mode", "M", "inpaint or noise-mask",
               "inpaint (default) or noise-mask: see Encode modes"),
        integer("grow", "N", {0, kMaxGrow, nullptr},
                join({"grow_mask_by, 0..", std::to_string(kMaxGrow),
                      " (default 6; ComfyUI's node allows 0..64); inpaint mode only"})),
        integer("mask-expand", "N", {-kMaxMaskExpand, kMaxMaskExpand, nullptr},
                join({"noise-mask: GrowMask's expand, ", std::to_string(-kMaxMaskExpand), "..",
                      std::to_string(kMaxMaskExpand),
                      " (default 0): grow the soft mask by N pixels (a max filter), or shrink it "
                      "when negative (a min filter)"})),
        flag("tapered-corners", "square-corners",
             "noise-mask: GrowMask's tapered_corners=True (a 3x3 cross: diamond-shaped "
             "growth); the default, as ComfyUI's node left at its defaults"),
        flag("square-corners", "tapered-corners",
             "noise-mask: GrowMask's tapered_corners=False (the 3x3 square footprint)"),
        value("mask-blur", "R[,S]",
              join({"noise-mask: ImageBlur on the mask after the expand, blur_radius R (0..",
                    std::to_string(kMaxMaskBlur),
                    ", 0 = none; the node allows 1..31) and sigma S (default 1.0; the node's sigma "
                    "is relative to R, not in pixels); R must be smaller than the mask's width and "
                    "height"})),
        value("mask-channel", "C",
              "auto|alpha|red|green|blue|luma. auto: gray -> value, gray+alpha or RGBA -> 1 - "
              "alpha, RGB -> red"),
        value("vae-family", "F",
              "autoencoderkl|flux2|taesd|taesdxl|taesd3|taef1|taef2, where the weights' shapes "
              "cannot tell (taesd/taesdxl, taesd3/taef1)"),
        value("device", "D", "auto (CUDA when available), cpu, cuda, cuda:N"),
        value("dtype", "T", "auto (bf16 on CUDA where supported, fp32 on CPU), fp32, fp16, bf16"),
        choice("kernels", "K", "fast or reference",
               "fast (default: fused GroupNorm, channels-last, CUDA graphs; within 1e-4 of "
               "ComfyUI in fp32) or reference (ComfyUI's own operations and layouts: on the CPU "
               "in fp32 the same numbers bit for bit; slower)"),
        integer("threads", "N", {0, 1024, "--threads must be within 0..1024 (0: every core)"},
                "LibTorch's CPU threads (default 0: every core this process may use); a fixed "
                "count repeats a run's numbers bit for bit on other machines"),
        choice("input-precision", "P", "reference or full",
               "reference (default: 16-bit images and --mask files as PIL gives them to "
               "ComfyUI's LoadImage and LoadImageMask, 8-bit values) or full (every bit: v / "
               "65535); recorded in the .latent as source.precision"),
        integer("max-pixels", "N", {1, LLONG_MAX, "--max-pixels must be positive"},
                join({"refuse images larger than N pixels (default ",
                      std::to_string(kDefaultMaxPixels), ")"})),
        value("save-mask", "F",
              "also write the noise_mask: inpaint: the grown 0/1 mask as 8-bit PNG; "
              "noise-mask: the soft mask as 8-bit PNG or float TIFF/EXR"),
        value("save-pixels", "F",
              "also write the gray-filled encoder input (8-bit PNG, float TIFF/EXR). With "
              "--region, --save-mask and --save-pixels write one file per region with an "
              "index suffix: GROWN_0.png, GROWN_1.png, ..."),
        value("region", "R",
              "encode regions, not the whole image: auto (around the grown mask) or X,Y,W,H; "
              "each region is ComfyUI's ImageCrop -> ImageScale -> VAEEncodeForInpaint, "
              "stacked as one batch (see docs/REGIONS.md)"),
        value("regions", "separate",
              "one region per 8-connected part of the grown mask (auto; parts whose context "
              "boxes overlap are merged), all scaled to the same size"),
        value("context", "C",
              "auto: N pixels or N% of the mask box's larger side around it (default 25%, at "
              "least 32 px)"),
        value("target", "WxH", "the scaled region size (multiples of the VAE's downscale)"),
        value("target-area", "N",
              "the scaled region's pixel count (e.g. 1048576), keeping its aspect"),
        value("resize", "M",
              "area|bicubic|bilinear|nearest-exact: ImageScale's method, exactly PyTorch's "
              "F.interpolate (default bicubic)"),
        repeated("result", "R", "stitch: a sampled result, once per region in order"),
        integer("feather", "F", {0, 1000000, "--feather must lie in 0..1000000"},
                "stitch: the blend's width in pixels (default: the latent's stitch.feather, "
                "max(1, grow // 2)); 0 blends with the grown mask itself"),
    };
    return options;
}

namespace {

using Options = std::vector<CommandOption>;

Options operator+(Options a, const Options& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// The options every VAE command shares (the VAE file itself is listed by each command).
const Options kVaeOptions = {{"vae-family"}, {"device"}, {"dtype"}, {"kernels"}, {"threads"}};
// encode's and batch's --mode and the noise-mask options.
const Options kModeOptions = {{"input-precision"}, {"mode"},           {"mask-expand"},
                              {"tapered-corners"}, {"square-corners"}, {"mask-blur"}};
// encode's and batch's region options (core/regions).
const Options kRegionOptions = {{"region"}, {"regions"},     {"context"},
                                {"target"}, {"target-area"}, {"resize"}};

} // namespace

const std::vector<CommandSpec>& commandTable() {
    static const std::vector<CommandSpec> commands = {
        {"encode", Program::CliVae,
         Options{{"image", true}, {"mask"}, {"mask-channel"}, {"vae", true}, {"grow"}} +
             kVaeOptions + kModeOptions +
             Options{{"output", true, "OUT.latent"},
                     {"save-mask", false, "GROWN.png"},
                     {"save-pixels", false, "FILLED.{png,tif,exr}"},
                     {"max-pixels"}} +
             kRegionOptions,
         "image + mask + VAE + grow_mask_by -> a .latent file (ComfyUI's SaveLatent format, "
         "`latent_tensor` plus `noise_mask` and metadata). Without --mask the mask is the image's "
         "alpha (1 - alpha); an image without alpha gives an empty mask (warning)."},
        {"stitch", Program::CliVae,
         Options{{"image", true, "ORIGINAL"},
                 {"latent", true, "REGION.latent"},
                 {"result", true, "R.png"},
                 {"mask"},
                 {"mask-channel"},
                 {"feather"},
                 {"output", true, "OUT.{png,tif,exr,jpg}"},
                 {"max-pixels"}},
         "the sampled results of a region .latent (one per region, in order; a ComfyUI SaveImage "
         "batch NAME_00001_.png ... in order of its counter) scaled back and blended into the "
         "original with B = min(1, dist / F) inside the grown mask; every other pixel keeps the "
         "original file's own value, bit for bit, at its bit depth (8, 16, float)."},
        {"grow", Program::Cli,
         Options{{"mask", true},
                 {"grow", true},
                 {"size"},
                 {"multiple"},
                 {"mask-channel"},
                 {"max-pixels"},
                 {"output", true, "GROWN.png"}},
         "the noise_mask of the node alone: the mask resized to WxH (default: its own size), "
         "cropped to multiples of D (default 8), grown by N, written as 8-bit 0/255 PNG."},
        {"decode", Program::CliVae,
         Options{{"latent", true}, {"vae", true, "DECODER"}} + kVaeOptions +
             Options{{"output", true, "IMG.png"}},
         "a .latent back to an image with a VAE that has a decoder; a batch (a region .latent) "
         "to one image per item, IMG_0.png, IMG_1.png, ... in batch order."},
        {"info", Program::CliVae, Options{{"vae"}, {"vae-family"}},
         "family, latent channels, downscale ratio, parameter count and dtype of a VAE file; "
         "without --vae, the built-in VAEs and where they are installed."},
        {"batch", Program::CliVae,
         Options{{"images", true}, {"masks"}, {"mask-channel"}, {"vae", true}, {"grow"}} +
             kVaeOptions + kModeOptions + Options{{"out", true}, {"shard"}, {"max-pixels"}} +
             kRegionOptions,
         "every image of a folder (masks from --masks with the same name, else alpha) to "
         "OUT/NAME.latent and OUT/NAME.mask.png (NAME.mask_N.png per region); finished outputs "
         "are skipped, bad files are reported at the end. --shard I/N does the I-th of N "
         "disjoint parts (0 <= I < N), chosen by file name, for Slurm arrays, Kubernetes indexed "
         "Jobs or GNU parallel."},
        {"rgba", Program::CliIo,
         Options{{"image", true},
                 {"mask", true},
                 {"mask-channel"},
                 {"output", true, "OUT.png"},
                 {"max-pixels"}},
         "image + mask as one 8-bit RGBA PNG with alpha = 1 - mask, the file ComfyUI's LoadImage "
         "turns back into the same mask (mask = 1 - alpha); VAEEncodeForInpaint gives the same "
         "latent from it as from the image and the mask."},
    };
    return commands;
}

const OptionSpec* findOption(std::string_view name) {
    for (const OptionSpec& o : optionTable())
        if (o.name == name) return &o;
    return nullptr;
}

const CommandSpec* findCommand(std::string_view name) {
    for (const CommandSpec& c : commandTable())
        if (c.name == name) return &c;
    return nullptr;
}

const CommandOption* findCommandOption(const CommandSpec& command, std::string_view name) {
    for (const CommandOption& o : command.options)
        if (o.name == name) return &o;
    return nullptr;
}

} // namespace lb::cli
