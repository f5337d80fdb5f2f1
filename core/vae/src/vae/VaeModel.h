// VaeModel: the LibTorch side of a loaded VAE (one implementation per family), the per-family
// constants table, and the progress/cancel hook the model code calls between blocks.
#pragma once

#include "latentbrush/Progress.h"
#include "latentbrush/Vae.h"

#include <torch/types.h>

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace lb::vae {

// docs/NUMERICS.md's VAE families: what encode and decode do around the networks, per family.
struct FamilySpec {
    VaeFamily family;
    const char* name; // the --vae-family spelling
    bool tiny;        // the TAESD architecture (taesd.py), else ComfyUI's AutoencoderKL
    double scale;     // TAESD family: z = encoder(p) / scale + shift; decode((z - shift) * scale)
    double shift;
    bool packed;           // latent packed 2x2 into 4x the channels (FLUX.2, TAEF2)
    int rawLatentChannels; // channels the network itself produces; 0 = any (AutoencoderKL)
    bool poolBlocks;       // TAESD blocks with the group-norm pool branch (TAEF2)
    double batchNormEps;   // the packed latent's batch-norm (FLUX.2: bn.running_mean/var); 0: none
};
std::span<const FamilySpec> familyTable();
const FamilySpec& familySpec(VaeFamily family);

// Thrown by model code when the caller cancelled; turned into Error "cancelled" at the API.
struct Cancelled {};

// Thrown while loading a file: the message is the complete one-line error.
struct LoadError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Reports progress of one pass (fraction 0..1 mapped into [begin, end] of the caller's range)
// and throws Cancelled once the caller asks to stop. Called between blocks.
class StepHook {
public:
    explicit StepHook(const Progress& progress, double begin = 0.0, double end = 1.0)
        : progress_(progress), begin_(begin), end_(end) {}
    void operator()(double fraction, const std::string& stage) const {
        if (progress_.cancelled()) throw Cancelled{};
        progress_(begin_ + (end_ - begin_) * fraction, stage);
    }
    // The sub-range [a, b] (fractions of this hook's range), e.g. one tile of a tiled encode.
    StepHook sub(double a, double b) const {
        return StepHook(progress_, begin_ + (end_ - begin_) * a, begin_ + (end_ - begin_) * b);
    }

private:
    const Progress& progress_;
    double begin_;
    double end_;
};

// A VAE built from a file's weights, on one device, in one compute dtype.
class VaeModel {
public:
    virtual ~VaeModel() = default;
    VaeModel() = default;
    VaeModel(const VaeModel&) = delete;
    VaeModel& operator=(const VaeModel&) = delete;

    virtual bool hasEncoder() const = 0;
    virtual bool hasDecoder() const = 0;
    // pixels: float32 [B, 3, H, W] in 0..1 on the model's device, H and W multiples of
    // downscale(). Returns the exported latent (packed, scaled) as float32 [B, C, H/d, W/d].
    virtual at::Tensor encode(const at::Tensor& pixels, const StepHook& hook) const = 0;
    // The exported latent (float32) -> float32 RGB [B, 3, h*d, w*d] clamped to 0..1.
    virtual at::Tensor decode(const at::Tensor& latent, const StepHook& hook) const = 0;
    // Rough peak memory of encode() for an H x W image, in bytes (full vs tiled decision).
    virtual double encodeBytes(std::int64_t height, std::int64_t width) const = 0;

    VaeFamily family = VaeFamily::AutoencoderKL;
    int latentChannels = 0; // exported (after packing)
    int downscale = 8;      // exported (after packing)
    std::vector<std::string> inferred;
};

// Channels of one block as the model code prints them, e.g. "32,64,64" (for `inferred`).
std::string joinInts(const std::vector<std::int64_t>& values, const char* separator = ",");

} // namespace lb::vae
