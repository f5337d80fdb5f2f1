// The check of a mask buffer that every entry point of this library taking a MaskBuffer makes
// first (the inpaint preprocessing and the noise-mask mode's GrowMask / blur): one definition, so
// that both give the same answer and the same message for the same bad buffer.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/Result.h"

#include <cmath>
#include <cstddef>

namespace lb {

// Dimensions not negative, data of height * width values, each finite and within 0..1.
inline Status checkMaskBuffer(const MaskBuffer& mask) {
    if (mask.height < 0 || mask.width < 0 ||
        mask.data.size() != std::size_t(mask.height) * std::size_t(mask.width))
        return makeError("mask buffer size does not match its dimensions");
    for (float v : mask.data)
        if (!std::isfinite(v) || v < 0.0f || v > 1.0f)
            return makeError("mask values must be finite and within 0..1");
    return {};
}

} // namespace lb
