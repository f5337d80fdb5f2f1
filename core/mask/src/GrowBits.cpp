// Bit-packed binary box dilation (see GrowBits.h): pack a row to 64-bit words, dilate it
// horizontally by runs of set bits (O(words + runs)), dilate vertically with van Herk/Gil-Werman
// (a suffix-OR and a prefix-OR per block of g rows, 2 ORs per word whatever g), unpack to 0/1
// bytes. Packing and unpacking use AVX-512BW or AVX2 when the CPU has them (chosen at run time).
#include "GrowBits.h"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LB_GROW_X86 1
#endif

namespace lb::growbits {
namespace {

using Word = std::uint64_t;

int wordCount(int w) {
    return (w + 63) >> 6;
}

// --- packing: bit j of the row's words = (src[j] != 0); bits past w are 0 ----------------------

// 8 bytes -> 8 bits (byte k -> bit k), any nonzero byte counting as 1.
inline unsigned pack8(const std::uint8_t* p) {
    Word x;
    std::memcpy(&x, p, 8);
    constexpr Word lo7 = 0x7f7f7f7f7f7f7f7full;
    x = ((((x & lo7) + lo7) | x) >> 7) & 0x0101010101010101ull; // 1 per nonzero byte
    return unsigned((x * 0x0102040810204080ull) >> 56);
}

Word packTail(const std::uint8_t* src, int n) { // n < 64 bytes
    Word m = 0;
    for (int j = 0; j < n; ++j)
        m |= Word(src[j] != 0) << j;
    return m;
}

Word packScalar(const std::uint8_t* src, int w, Word* dst) {
    const int full = w >> 6;
    Word any = 0;
    for (int k = 0; k < full; ++k) {
        const std::uint8_t* p = src + (std::size_t(k) << 6);
        Word m = 0;
        for (int q = 0; q < 8; ++q)
            m |= Word(pack8(p + 8 * q)) << (8 * q);
        dst[k] = m;
        any |= m;
    }
    if (w & 63) {
        dst[full] = packTail(src + (std::size_t(full) << 6), w & 63);
        any |= dst[full];
    }
    return any;
}

struct UnpackTable {
    Word v[256];
    UnpackTable() {
        for (int m = 0; m < 256; ++m) {
            Word x = 0;
            for (int k = 0; k < 8; ++k)
                if (m >> k & 1) x |= Word(1) << (8 * k);
            v[m] = x;
        }
    }
};
const UnpackTable kUnpack;

// dst[j] = bit j of (x | y), j < w.
void unpackScalar(const Word* x, const Word* y, int w, std::uint8_t* dst) {
    const int full = w >> 6;
    for (int k = 0; k < full; ++k) {
        const Word m = x[k] | y[k];
        std::uint8_t* p = dst + (std::size_t(k) << 6);
        for (int q = 0; q < 8; ++q)
            std::memcpy(p + 8 * q, &kUnpack.v[(m >> (8 * q)) & 255], 8);
    }
    if (w & 63) {
        const Word m = x[full] | y[full];
        std::uint8_t* p = dst + (std::size_t(full) << 6);
        for (int j = 0; j < (w & 63); ++j)
            p[j] = std::uint8_t(m >> j & 1);
    }
}

#if LB_GROW_X86
__attribute__((target("avx2"))) Word packAvx2(const std::uint8_t* src, int w, Word* dst) {
    const int full = w >> 6;
    const __m256i zero = _mm256_setzero_si256();
    Word any = 0;
    for (int k = 0; k < full; ++k) {
        const std::uint8_t* p = src + (std::size_t(k) << 6);
        const __m256i v0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
        const __m256i v1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
        const Word z0 = std::uint32_t(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v0, zero)));
        const Word z1 = std::uint32_t(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v1, zero)));
        const Word m = ~(z0 | (z1 << 32));
        dst[k] = m;
        any |= m;
    }
    if (w & 63) {
        dst[full] = packTail(src + (std::size_t(full) << 6), w & 63);
        any |= dst[full];
    }
    return any;
}

__attribute__((target("avx2"))) void unpackAvx2(const Word* x, const Word* y, int w,
                                                std::uint8_t* dst) {
    const int full = w >> 6;
    const __m256i shuf = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, //
                                          2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
    const __m256i bits = _mm256_set1_epi64x(0x8040201008040201ll);
    const __m256i one = _mm256_set1_epi8(1);
    for (int k = 0; k < full; ++k) {
        const Word m = x[k] | y[k];
        std::uint8_t* p = dst + (std::size_t(k) << 6);
        for (int half = 0; half < 2; ++half) {
            const __m256i v =
                _mm256_shuffle_epi8(_mm256_set1_epi32(int(std::uint32_t(m >> (32 * half)))), shuf);
            const __m256i t = _mm256_min_epu8(_mm256_and_si256(v, bits), one);
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(p + 32 * half), t);
        }
    }
    if (w & 63) {
        const Word m = x[full] | y[full];
        std::uint8_t* p = dst + (std::size_t(full) << 6);
        for (int j = 0; j < (w & 63); ++j)
            p[j] = std::uint8_t(m >> j & 1);
    }
}

__attribute__((target("avx512f,avx512bw"))) Word packAvx512(const std::uint8_t* src, int w,
                                                            Word* dst) {
    const int full = w >> 6;
    Word any = 0;
    for (int k = 0; k < full; ++k) {
        const __m512i v = _mm512_loadu_si512(src + (std::size_t(k) << 6));
        const Word m = _mm512_test_epi8_mask(v, v);
        dst[k] = m;
        any |= m;
    }
    if (w & 63) {
        const __mmask64 tail = (Word(1) << (w & 63)) - 1;
        const __m512i v = _mm512_maskz_loadu_epi8(tail, src + (std::size_t(full) << 6));
        const Word m = _mm512_test_epi8_mask(v, v);
        dst[full] = m;
        any |= m;
    }
    return any;
}

__attribute__((target("avx512f,avx512bw"))) void unpackAvx512(const Word* x, const Word* y, int w,
                                                              std::uint8_t* dst) {
    const int full = w >> 6;
    const __m512i one = _mm512_set1_epi8(1);
    for (int k = 0; k < full; ++k)
        _mm512_storeu_si512(dst + (std::size_t(k) << 6), _mm512_maskz_mov_epi8(x[k] | y[k], one));
    if (w & 63) {
        const __mmask64 tail = (Word(1) << (w & 63)) - 1;
        _mm512_mask_storeu_epi8(dst + (std::size_t(full) << 6), tail,
                                _mm512_maskz_mov_epi8(x[full] | y[full], one));
    }
}
#endif

struct Kernels {
    Word (*pack)(const std::uint8_t*, int, Word*) = packScalar;
    void (*unpack)(const Word*, const Word*, int, std::uint8_t*) = unpackScalar;
    int level = 0;
    explicit Kernels(int maxLevel) {
#if LB_GROW_X86
        __builtin_cpu_init();
        if (maxLevel >= 2 && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512f")) {
            pack = packAvx512;
            unpack = unpackAvx512;
            level = 2;
        } else if (maxLevel >= 1 && __builtin_cpu_supports("avx2")) {
            pack = packAvx2;
            unpack = unpackAvx2;
            level = 1;
        }
#else
        (void)maxLevel;
#endif
    }
};

Kernels& kernels() {
    static Kernels k(2);
    return k;
}

// --- horizontal dilation of a packed row ------------------------------------------------------

// out |= bits [s, e) (0 <= s < e).
inline void fillBits(Word* out, int s, int e) {
    const int ws = s >> 6, we = (e - 1) >> 6;
    const Word first = ~Word(0) << (s & 63);
    const Word last = ~Word(0) >> (63 - ((e - 1) & 63));
    if (ws == we) {
        out[ws] |= first & last;
        return;
    }
    out[ws] |= first;
    for (int k = ws + 1; k < we; ++k)
        out[k] = ~Word(0);
    out[we] |= last;
}

// out bit j = OR of in bits j-a .. j+b (clipped to [0, w)); in's bits past w are 0. A run of set
// bits [s, e) sets outputs [s-b, e+a); overlapping fills are merged first so the work is
// O(words + runs) for any a, b.
void dilateBits(const Word* in, Word* out, int nw, int w, int a, int b) {
    std::memset(out, 0, sizeof(Word) * std::size_t(nw));
    int ps = 0, pe = -1; // pending fill [ps, pe); none while pe < 0
    int k = 0;
    Word x = in[0];
    for (;;) {
        while (!x) {
            if (++k >= nw) goto done;
            x = in[k];
        }
        const int s = (k << 6) + __builtin_ctzll(x);
        // the run's end: the first 0 bit at or after s
        Word y = ~in[k] & (~Word(0) << (s & 63));
        while (!y) {
            if (++k >= nw) break;
            y = ~in[k];
        }
        const int e = k >= nw ? w : std::min(w, (k << 6) + __builtin_ctzll(y));
        const int fs = std::max(0, s - b), fe = std::min(w, e + a);
        if (pe >= 0 && fs <= pe) {
            pe = std::max(pe, fe);
        } else {
            if (pe > ps) fillBits(out, ps, pe);
            ps = fs;
            pe = fe;
        }
        if (k >= nw || e >= w) break;
        x = in[k] & (~Word(0) << (e & 63)); // bits at or after e (e lies in word k)
    }
done:
    if (pe > ps) fillBits(out, ps, pe);
}

} // namespace

void growRows(const std::uint8_t* in, std::uint8_t* out, int h, int w, int g, int r0, int r1) {
    if (r0 >= r1 || w <= 0 || g < 2) return;
    const Kernels& kn = kernels();
    const int a = g / 2, b = g - 1 - a;
    const int nw = wordCount(w);
    const std::size_t rowWords = std::size_t(nw);
    // In padded row coordinates p = r + a, output i's window is p in [i, i+g).
    std::vector<Word> storage(rowWords * (2 * std::size_t(g) + 2));
    Word* suffix = storage.data();      // g rows: the current block's suffix-ORs
    Word* next = suffix + rowWords * g; // g rows: the next block, then its suffix-ORs
    Word* prefix = next + rowWords * g; // running prefix-OR of the next block
    Word* packed = prefix + rowWords;   // one packed input row

    auto dilatedRow = [&](int p, Word* dst) { // horizontally dilated padded row p
        const int r = p - a;
        if (r < 0 || r >= h || !kn.pack(in + std::size_t(r) * w, w, packed)) {
            std::memset(dst, 0, sizeof(Word) * rowWords);
            return;
        }
        dilateBits(packed, dst, nw, w, a, b);
    };
    auto suffixOr = [&](Word* blk) {
        for (int j = g - 2; j >= 0; --j) {
            Word* row = blk + rowWords * j;
            const Word* below = row + rowWords;
            for (std::size_t k = 0; k < rowWords; ++k)
                row[k] |= below[k];
        }
    };

    for (int j = 0; j < g; ++j)
        dilatedRow(r0 + j, suffix + rowWords * j);
    suffixOr(suffix);
    for (int s = r0; s < r1; s += g) {
        // Output s+j = suffix[j] (rows s+j .. s+g-1) | prefix of rows s+g .. s+g+j-1.
        const int n = std::min(g, r1 - s);
        const bool needNext = s + g < r1;
        std::memset(prefix, 0, sizeof(Word) * rowWords);
        for (int j = 0; j < n; ++j) {
            kn.unpack(suffix + rowWords * j, prefix, w, out + std::size_t(s + j) * w);
            if (j + 1 < n || needNext) {
                Word* row = next + rowWords * j;
                dilatedRow(s + g + j, row);
                for (std::size_t k = 0; k < rowWords; ++k)
                    prefix[k] |= row[k];
            }
        }
        if (needNext) {
            suffixOr(next);
            std::swap(suffix, next);
        }
    }
}

int setSimdLevelForTesting(int maxLevel) {
    kernels() = Kernels(maxLevel < 0 ? 2 : maxLevel);
    return kernels().level;
}

} // namespace lb::growbits
