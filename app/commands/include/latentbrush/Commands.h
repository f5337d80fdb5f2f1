// The command-line tool's commands (grow, encode, batch, rgba, decode, info) as library calls:
// the CLI's runners (app/cli) only read arguments into these option structs; tests call them too.
#pragma once

#include "latentbrush/ImageIO.h"
#include "latentbrush/LatentContents.h"
#include "latentbrush/LatentFile.h"
#include "latentbrush/Pipeline.h"
#include "latentbrush/Result.h"
#include "latentbrush/Vae.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lb {

// Where commands print: warnings and progress go to `warn`, results (info) to `out`.
struct CommandOutput {
    std::function<void(const std::string&)> out;
    std::function<void(const std::string&)> warn;
};

struct GrowOptions {
    std::string mask;
    int grow = 6;
    int width = 0, height = 0; // --size WxH; 0 = the mask's own size
    int multiple = 8;
    std::string output;
    MaskChannel channel = MaskChannel::Auto;
    std::int64_t maxPixels = kDefaultMaxPixels;
};
Status runGrow(const GrowOptions& options, const CommandOutput& io);

struct EncodeOptions {
    EncodeMode mode = EncodeMode::Inpaint; // --mode
    NoiseMaskOptions noiseMask; // --mask-expand, --tapered-corners, --mask-blur (noise-mask)
    std::string image;
    std::string mask; // empty: from the image's alpha, else all zero (with a warning)
    MaskChannel channel = MaskChannel::Auto;
    std::string vae;
    std::optional<VaeFamily> family;
    int grow = 6;
    std::string device = "auto";
    ComputeDType dtype = ComputeDType::Auto;
    Kernels kernels = Kernels::Fast; // --kernels (VaeLoadOptions::kernels)
    int cpuThreads = 0;              // --threads N (VaeLoadOptions::cpuThreads; 0: every core)
    std::string output;
    std::string saveMask;   // inpaint: the grown 0/1 mask (PNG); noise-mask: the soft mask
    std::string savePixels; // the encoder's input
    std::int64_t maxPixels = kDefaultMaxPixels;
    // --input-precision: 16-bit image samples as PIL gives them to ComfyUI (reference) or v/65535
    InputPrecision inputPrecision = InputPrecision::Reference;
    // Region encode (docs/REGIONS.md), the option values as given; all empty: the whole
    // image, as before. Parsed by regions::parseRegionOptions (RegionCommands.h).
    std::string region;      // --region auto|X,Y,W,H
    std::string regionsMode; // --regions separate
    std::string context;     // --context N|N%
    std::string target;      // --target WxH
    std::string targetArea;  // --target-area N
    std::string resize;      // --resize area|bicubic|bilinear|nearest-exact
};
Status runEncode(const EncodeOptions& options, const CommandOutput& io);

// Encodes every image of a folder with one loaded VAE: masks from `masks` (same stem) or the
// images' alpha; outputs NAME.latent and NAME.mask.png in `out`; finished outputs are skipped; a
// bad file is reported and the batch goes on (in noise-mask mode NAME.mask.png is the soft mask).
// With shardCount N > 1, only the images whose name
// hashes to shardIndex are done, so N machines together cover every image exactly once.
struct BatchOptions {
    EncodeMode mode = EncodeMode::Inpaint; // --mode, as encode's
    NoiseMaskOptions noiseMask;            // --mask-expand, --tapered-corners, --mask-blur
    std::string images;
    std::string masks;
    MaskChannel channel = MaskChannel::Auto;
    std::string vae;
    std::optional<VaeFamily> family;
    int grow = 6;
    std::string device = "auto";
    ComputeDType dtype = ComputeDType::Auto;
    Kernels kernels = Kernels::Fast; // --kernels (VaeLoadOptions::kernels)
    int cpuThreads = 0;              // --threads N (VaeLoadOptions::cpuThreads; 0: every core)
    std::string out;
    int shardIndex = 0, shardCount = 1;
    std::int64_t maxPixels = kDefaultMaxPixels;
    InputPrecision inputPrecision = InputPrecision::Reference; // --input-precision
    // The region options of EncodeOptions, applied to every image (NAME.mask_N.png per region).
    std::string region, regionsMode, context, target, targetArea, resize;
};
Status runBatch(const BatchOptions& options, const CommandOutput& io);

// The images of a folder that shard `shardIndex` of `shardCount` encodes, sorted by name. The
// shard of a file depends on its name alone (FNV-1a hash), not on what else is in the folder.
Result<std::vector<std::string>> batchInputs(const std::string& folder, int shardIndex,
                                             int shardCount);
std::uint64_t shardHash(const std::string& name);

// Image + mask as one 8-bit RGBA PNG whose alpha is 1 - mask: the file ComfyUI's LoadImage
// turns back into the mask (mask = 1 - alpha / 255). The mask is resized to the image as the
// node does (bilinear, align_corners=False); each alpha byte is the nearest to 1 - mask for
// which round(1 - a / 255) == round(mask), so VAEEncodeForInpaint (which uses round(mask) only)
// gives the same noise_mask, pixels and latent from the PNG as from the image and mask.
struct RgbaOptions {
    std::string image;
    std::string mask;
    MaskChannel channel = MaskChannel::Auto;
    std::string output; // .png
    std::int64_t maxPixels = kDefaultMaxPixels;
};
Status runRgba(const RgbaOptions& options, const CommandOutput& io);

// The RGBA image of runRgba: the image's RGB (gray replicated) plus alpha from a mask of the
// image's size; alpha values are multiples of 1/255.
ImageBuffer imageWithMaskAsAlpha(const ImageBuffer& image, const MaskBuffer& maskAtImageSize);

struct DecodeOptions {
    std::string latent;
    std::string vae;
    std::optional<VaeFamily> family;
    std::string device = "auto";
    ComputeDType dtype = ComputeDType::Auto;
    Kernels kernels = Kernels::Fast; // --kernels (VaeLoadOptions::kernels)
    int cpuThreads = 0;              // --threads N (VaeLoadOptions::cpuThreads; 0: every core)
    std::string output;
};
Status runDecode(const DecodeOptions& options, const CommandOutput& io);

struct InfoOptions {
    std::string vae;
    std::optional<VaeFamily> family;
};
Status runInfo(const InfoOptions& options, const CommandOutput& io);

// Checks that an output path can be written with one of the given extensions (lower case,
// with the dot) before any work is done.
Status checkOutputPath(const std::string& path, const std::vector<std::string>& extensions,
                       const std::string& what);

} // namespace lb
