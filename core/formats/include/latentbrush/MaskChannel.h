// Which channel of a mask file makes the mask (--mask-channel), declared apart from the image I/O
// so that the PNG mask reader (MaskPng.h, libpng only) and the OpenImageIO reader (ImageIO.h) share
// the enum and its one parser.
#pragma once

#include <string>

namespace lb {

enum class MaskChannel { Auto, Alpha, Red, Green, Blue, Luma };
bool parseMaskChannel(const std::string& name, MaskChannel* out);

} // namespace lb
