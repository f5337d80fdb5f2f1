// How the 16-bit samples of an image file become floats (--input-precision, the .latent's
// source.precision). In base, below both the image reader (imageio) that applies it and the .latent
// builders (vae) that record it.
#pragma once

#include <string>

namespace lb {

enum class InputPrecision {
    // As PIL decodes the file for ComfyUI's LoadImage and LoadImageMask (their PIL path, also
    // diffusers' load_image): 8-bit values. The high byte, (v >> 8) / 255, except 16-bit gray PNG,
    // which PIL opens in mode I and LoadImage divides by 255: min(255, trunc(v / 255)) / 255;
    // 16-bit gray TIFF (mode I;16, converted as it is): min(v, 255) / 255; and PNM of maxval m:
    // round(v / m * 255) / 255 (a graymap of m > 255 as mode I of round(v / m * 65535)).
    Reference,
    // Every bit: v / 65535 (v / m for PNM of maxval m).
    Full,
};
const char* inputPrecisionName(InputPrecision precision); // "reference", "full"
bool parseInputPrecision(const std::string& name, InputPrecision* out);

} // namespace lb
