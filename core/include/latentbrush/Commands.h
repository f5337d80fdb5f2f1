// The command-line tool's commands (grow, encode, decode, info) as library calls: the CLI's
// main() only parses arguments into these option structs; tests call them directly too.
#pragma once

#include "latentbrush/ImageIO.h"
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
    std::int64_t maxPixels = 16384ll * 16384ll;
};
Status runGrow(const GrowOptions& options, const CommandOutput& io);

struct EncodeOptions {
    std::string image;
    std::string mask; // empty: from the image's alpha, else all zero (with a warning)
    MaskChannel channel = MaskChannel::Auto;
    std::string vae;
    std::optional<VaeFamily> family;
    int grow = 6;
    std::string device = "auto";
    ComputeDType dtype = ComputeDType::Auto;
    std::string output;
    std::string saveMask;
    std::string savePixels;
    std::int64_t maxPixels = 16384ll * 16384ll;
};
Status runEncode(const EncodeOptions& options, const CommandOutput& io);

// Encodes every image of a folder with one loaded VAE: masks from `masks` (same stem) or the
// images' alpha; outputs NAME.latent and NAME.mask.png in `out`; finished outputs are skipped; a
// bad file is reported and the batch goes on. With shardCount N > 1, only the images whose name
// hashes to shardIndex are done, so N machines together cover every image exactly once.
struct BatchOptions {
    std::string images;
    std::string masks;
    MaskChannel channel = MaskChannel::Auto;
    std::string vae;
    std::optional<VaeFamily> family;
    int grow = 6;
    std::string device = "auto";
    ComputeDType dtype = ComputeDType::Auto;
    std::string out;
    int shardIndex = 0, shardCount = 1;
    std::int64_t maxPixels = 16384ll * 16384ll;
};
Status runBatch(const BatchOptions& options, const CommandOutput& io);

// The images of a folder that shard `shardIndex` of `shardCount` encodes, sorted by name. The
// shard of a file depends on its name alone (FNV-1a hash), not on what else is in the folder.
Result<std::vector<std::string>> batchInputs(const std::string& folder, int shardIndex,
                                             int shardCount);
std::uint64_t shardHash(const std::string& name);

// The .latent contents of an encode result, with the metadata keys of DESIGN.md.
LatentFileContents makeLatentFileContents(InpaintEncodeResult&& result, const VaeInfo& info,
                                          int grow, const std::string& vaeFile,
                                          const std::string& imageFile,
                                          const std::string& maskSource);

struct DecodeOptions {
    std::string latent;
    std::string vae;
    std::optional<VaeFamily> family;
    std::string device = "auto";
    ComputeDType dtype = ComputeDType::Auto;
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
