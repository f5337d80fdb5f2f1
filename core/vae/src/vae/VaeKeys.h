// VaeKeys: recognises how a file names its VAE tensors (LDM, diffusers, TAESD raw/diffusers/
// ComfyUI, with checkpoint prefixes) and maps names to and from one canonical naming.
#pragma once

#include "latentbrush/Safetensors.h"

#include <string>
#include <vector>

namespace lb::vae {

// The canonical names are the LDM ones for AutoencoderKL ("encoder.down.0.block.1.conv1.weight",
// "quant_conv.weight", "bn.running_mean") and "encoder.<i>.*" / "decoder.<i>.*" with the raw
// nn.Sequential indices of madebyollin's taesd.py for the TAESD family ("decoder.0" = Clamp).
enum class KeyLayout {
    KlLdm,          // encoder.down.N.block.M...
    KlDiffusers,    // encoder.down_blocks.N.resnets.M..., attention as linear layers
    TaesdRaw,       // 0.weight, 1.conv.0.weight, ... (one half per file)
    TaesdDiffusers, // encoder.layers.N..., decoder.layers.N... (decoder shifted by the Clamp)
    TaesdComfy,     // taesd_encoder.N..., taesd_decoder.N..., vae_scale, vae_shift
};

bool isTaesdLayout(KeyLayout layout);

class KeyMap {
public:
    // Looks at the names of `file` (throws LoadError when none is a VAE tensor we know).
    static KeyMap detect(const SafetensorsFile& file);

    KeyLayout layout() const { return layout_; }
    const std::string& prefix() const { return prefix_; }
    // TaesdRaw: "encoder" or "decoder", the half this file holds.
    const std::string& taesdHalf() const { return taesdHalf_; }

    // Canonical name of a file's tensor; empty for tensors that are not the VAE's (the rest of
    // a full checkpoint, training leftovers such as "loss.*"), which are skipped.
    std::string toCanonical(const std::string& original) const;
    // The name a canonical tensor has (or would have) in this file.
    std::string toOriginal(const std::string& canonical) const;
    // One line for info().inferred, e.g. "diffusers names with prefix 'vae.'".
    std::string describe() const;
    // Names skipped as not being the VAE's (shown in `inferred` when there are some).
    std::size_t skippedCount() const { return skipped_; }

private:
    KeyLayout layout_ = KeyLayout::KlLdm;
    std::string prefix_;
    std::string taesdHalf_;
    std::string attentionStyle_ = "to_q"; // diffusers: "to_q" (to_out.0) or "query" (proj_attn)
    int upBlocks_ = 0;                    // diffusers: decoder up_blocks (reversed order)
    std::size_t skipped_ = 0;
};

} // namespace lb::vae
