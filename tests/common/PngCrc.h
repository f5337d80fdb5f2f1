// The CRC-32 of PNG chunks (ISO 3309, as the PNG specification gives it), computed bit by bit
// without zlib, for the suites that craft PNG files with a lying header.
#pragma once

#include <QByteArray>

#include <cstdint>

namespace lbtest {

inline std::uint32_t pngCrc32(const QByteArray& bytes) {
    std::uint32_t crc = 0xffffffffu;
    for (char ch : bytes) {
        crc ^= std::uint8_t(ch);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

} // namespace lbtest
