// The reference's conversions between file samples and floats, shared by the mask preprocessing,
// the image reader and the PNG mask reader (one definition, so that they give the same floats).
#pragma once

#include <cmath>
#include <cstdint>

namespace lb {

// torch.round: round half to even (0.5 -> 0, 1.5 -> 2, 2.5 -> 2).
// std::nearbyint rounds half to even under the default rounding mode, which the core never changes.
inline float roundHalfEven(float v) {
    return std::nearbyint(v);
}

// Bytes to floats exactly as the reference: float(v) / 255.0f (not v * (1/255.f)).
inline float byteToFloat(std::uint8_t v) {
    return float(v) / 255.0f;
}
inline float wordToFloat(std::uint16_t v) {
    return float(v) / 65535.0f;
}

} // namespace lb
