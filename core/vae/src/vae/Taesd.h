// Taesd: the Tiny AutoEncoder family (taesd, taesdxl, taesd3, taef1, and taef2 with its
// group-norm pool branch) in the nn.Sequential layout of madebyollin's taesd.py.
#pragma once

#include "vae/VaeModel.h"
#include "vae/VaeWeights.h"

#include <memory>
#include <optional>

namespace lb::vae {

// Builds the model from canonical "encoder.<i>.*" / "decoder.<i>.*" tensors (either half may
// be absent). Where the latent channel count cannot tell the family apart, `requested`
// (--vae-family), then the file's metadata, then its name decide; the choice and the reason
// go into `inferred`. Throws LoadError.
std::unique_ptr<VaeModel> buildTaesd(WeightStore& weights, std::optional<VaeFamily> requested);

} // namespace lb::vae
