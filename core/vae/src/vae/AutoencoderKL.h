// AutoencoderKL: ComfyUI's Encoder/Decoder (model.py) with quant_conv/post_quant_conv and the
// FLUX.2 latent batch-norm, hyper-parameters read from the weight shapes.
#pragma once

#include "vae/VaeModel.h"
#include "vae/VaeWeights.h"

#include <memory>
#include <optional>

namespace lb::vae {

// Builds the model from canonical "encoder.*", "decoder.*", "quant_conv.*", "post_quant_conv.*"
// and "bn.*" tensors (either half may be absent). `requested` is --vae-family, checked against
// what the file holds. Throws LoadError.
std::unique_ptr<VaeModel> buildAutoencoderKL(WeightStore& weights,
                                             std::optional<VaeFamily> requested);

} // namespace lb::vae
