// Region encode (docs/REGIONS.md): for each planned region, ComfyUI's
// ImageCrop -> ImageScale(method) -> VAEEncodeForInpaint(mask = CropMask(mask at image size)),
// stacked as one batch, and the metadata the stitch checks. Links the LibTorch core.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/Progress.h"
#include "latentbrush/Result.h"
#include "latentbrush/Vae.h"
#include "latentbrush/regions/ExactResize.h"
#include "latentbrush/regions/RegionPlan.h"

#include <map>
#include <string>
#include <vector>

namespace lb::regions {

// The method when --resize is not given: bicubic (ImageScale's sharpest exact method).
inline constexpr ResizeMethod kDefaultResizeMethod = ResizeMethod::Bicubic;

struct RegionEncodeOptions {
    RegionRequest request;
    ResizeMethod method = kDefaultResizeMethod;
    int grow = 6;
};

struct RegionEncodeResult {
    RegionPlan plan;
    LatentBuffer samples;               // [B, C, H'/d, W'/d]
    std::vector<BinaryMask> noiseMasks; // B masks of H' x W', 0/1
    std::vector<ImageBuffer> pixels;    // B gray-filled encoder inputs, H' x W' x 3
    BinaryMask grownFull;               // the grown mask of the whole image
};

Result<RegionEncodeResult> regionEncode(Vae& vae, const ImageBuffer& image, const MaskBuffer& mask,
                                        const RegionEncodeOptions& options,
                                        const Progress& progress = {});

// Decodes a batch [B, C, h, w] (a region .latent's samples, or ComfyUI's sampled batch) one item
// at a time: B images of (h*d) x (w*d), in batch order. Vae::decode takes one item; B = 1 gives
// one image. An error names the item when B > 1.
Result<std::vector<ImageBuffer>> decodeBatch(Vae& vae, const LatentBuffer& latent,
                                             const Progress& progress = {});

// noise_mask of the batch as the .latent stores it: F32 [B, 1, H', W'].
LatentBuffer stackNoiseMasks(const std::vector<BinaryMask>& masks);

// The metadata keys of docs/FILES.md: source.size, source.sha256 (of the decoded image's float32
// values, interleaved as loaded), mask.sha256 (of the mask's float32 values at its own size;
// of nothing for an empty mask), region.count, region.scaled, region.method, region.N.rect,
// stitch.feather (max(1, grow // 2)), stitch.mask_runs (maskRuns of result.grownFull).
std::map<std::string, std::string> regionMetadata(const RegionEncodeResult& result,
                                                  const ImageBuffer& image, const MaskBuffer& mask,
                                                  ResizeMethod method, int grow);

// The grown mask of the whole image as run lengths (stitch.mask_runs): row-major over the
// pixels, alternating runs of outside (0) and inside (1) pixels, the first run outside (it may be
// 0), comma-separated. The Latentbrush Stitch node rebuilds the mask from it without the mask
// file; a blob mask takes about two runs per row.
std::string maskRuns(const BinaryMask& mask);
std::string imageFingerprint(const ImageBuffer& image);
std::string maskFingerprint(const MaskBuffer& mask);

} // namespace lb::regions
