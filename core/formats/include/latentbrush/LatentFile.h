// .latent files: ComfyUI's SaveLatent/LoadLatent safetensors layout plus noise_mask and
// Latentbrush's metadata (docs/FILES.md).
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/Result.h"

#include <map>
#include <string>

namespace lb {

struct LatentFileContents {
    LatentBuffer samples; // latent_tensor, F32 [B, C, h, w]
    bool hasNoiseMask = false;
    LatentBuffer noiseMask;                      // noise_mask, F32 [B, 1, X, Y]
    std::map<std::string, std::string> metadata; // __metadata__
    // Set by readLatentFile: false when latent_format_version_0 is missing (a pre-2023 ComfyUI
    // file, which LoadLatent divides by 0.18215); samples are returned as stored either way.
    bool hasFormatVersionMarker = true;
};

// Writes latent_tensor, latent_format_version_0 (empty F32) and noise_mask (when present)
// atomically, with `metadata` (plus latentbrush.version when not given). Refuses non-finite
// values and shapes that do not match the data.
Status writeLatentFile(const std::string& path, const LatentFileContents& contents);

// Reads a .latent (also ComfyUI's own, without noise_mask). Accepts F32/F16/BF16 latent
// tensors (converted to float exactly), checks the shapes (latent_tensor rank 4, noise_mask
// [B, 1, X, Y]) and refuses non-finite values.
Result<LatentFileContents> readLatentFile(const std::string& path);

} // namespace lb
