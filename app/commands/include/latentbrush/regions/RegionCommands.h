// The CLI's region commands as library calls: `encode --region ...` (called by runEncode when a
// region option is given) and `stitch`. Errors are one line naming the file and the problem;
// nothing is written unless every output is complete.
#pragma once

#include "latentbrush/Commands.h"
#include "latentbrush/ImageIO.h"
#include "latentbrush/LatentFile.h"
#include "latentbrush/Result.h"
#include "latentbrush/Vae.h"
#include "latentbrush/regions/RegionEncode.h"
#include "latentbrush/regions/RegionLatent.h"

#include <optional>
#include <string>
#include <vector>

namespace lb::regions {

// Whether any of EncodeOptions' region options is given.
bool hasRegionOptions(const EncodeOptions& o);

// EncodeOptions' region strings, parsed and checked (--context, --target and --target-area need
// --region; --target and --target-area exclude each other).
Result<RegionEncodeOptions> parseRegionOptions(const EncodeOptions& o);

// The region encode of runEncode: the batch .latent (samples [B,C,h,w], noise_mask
// [B,1,H',W'], docs/FILES.md's metadata and the region keys) and, when asked, one grown mask and
// one gray-filled pixels file per region (indexedPath).
Status encodeRegionsToFiles(Vae& vae, const EncodeOptions& o, const LoadedImage& image,
                            const MaskBuffer& mask, const std::string& maskSource,
                            const CommandOutput& io);

struct StitchOptions {
    std::string image;                // the original
    std::string latent;               // the region .latent
    std::vector<std::string> results; // one per region, in order
    std::string mask;                 // empty: the mask the metadata names
    MaskChannel channel = MaskChannel::Auto;
    std::optional<float> feather; // empty: the metadata's stitch.feather
    std::string output;
    std::int64_t maxPixels = kDefaultMaxPixels;
};
Status runStitch(const StitchOptions& options, const CommandOutput& io);

} // namespace lb::regions
