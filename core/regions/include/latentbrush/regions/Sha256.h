// SHA-256 (FIPS 180-4) of a byte buffer, as lowercase hex: the region metadata's fingerprints of
// the source image and mask (source.sha256, mask.sha256), checked again by the stitch.
#pragma once

#include <cstddef>
#include <string>

namespace lb::regions {

std::string sha256Hex(const void* data, std::size_t size);

} // namespace lb::regions
