// Bit-packed binary box dilation behind lb::growBinary (torch-free, no threads of its own).
#pragma once

#include <cstdint>

namespace lb::growbits {

// Rows [r0, r1) of the g x g box dilation of the h x w 0/1 byte mask `in` into `out` (same
// shape): out(i, j) = 1 iff some in(r, c) != 0 with r in i-a..i+b, c in j-a..j+b, a = g/2,
// b = g-1-a, pixels outside the image counting as 0. Needs g >= 2. Work per pixel does not
// depend on g: rows are packed to 64-bit words, dilated horizontally by runs of set bits and
// vertically by van Herk/Gil-Werman over blocks of g rows, then unpacked. Reads input rows
// r0-a .. r1-1+b only and writes output rows [r0, r1) only, so disjoint row bands may run on
// different threads.
void growRows(const std::uint8_t* in, std::uint8_t* out, int h, int w, int g, int r0, int r1);

// Tests only (not thread-safe): use packing kernels up to `maxLevel` (0 portable, 1 AVX2,
// 2 AVX-512BW; -1 the best the CPU has); returns the level in use.
int setSimdLevelForTesting(int maxLevel);

} // namespace lb::growbits
