// The region .latent (samples, noise_mask and docs/FILES.md's metadata with the region keys) and
// the names of the per-region files beside it: built once here for `latentbrush-cli encode
// --region` and the editor's Export, so that both write the same files.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/InputPrecision.h"
#include "latentbrush/LatentFile.h"
#include "latentbrush/Vae.h"
#include "latentbrush/regions/ExactResize.h"
#include "latentbrush/regions/RegionEncode.h"

#include <cstddef>
#include <string>

namespace lb::regions {

// "GROWN.png" -> "GROWN_3.png": the per-region files of --save-mask / --save-pixels.
std::string indexedPath(const std::string& path, std::size_t index);

// The region .latent of an encode result: samples [B,C,h,w], noise_mask [B,1,H',W'],
// docs/FILES.md's metadata and the region keys. `vaeFile`, `imageName` and `maskSource` are file
// names as the metadata records them. The CLI and the editor's Export both write this.
LatentFileContents regionLatentContents(const RegionEncodeResult& result, const ImageBuffer& image,
                                        const MaskBuffer& mask, ResizeMethod method, int grow,
                                        const VaeInfo& info, const std::string& vaeFile,
                                        const std::string& imageName, const std::string& maskSource,
                                        InputPrecision precision);

} // namespace lb::regions
