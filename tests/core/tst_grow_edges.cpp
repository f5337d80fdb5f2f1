// growBinary on the shapes the bit-packed dilation (core/mask/src/GrowBits.cpp) treats specially:
// widths below, at and around multiples of 64, single rows and columns, empty and full masks,
// lone pixels at the borders, arbitrary row bands, and each SIMD packing level, for every g in
// 0..70 and some larger, against a brute-force box dilation (a 2-D prefix count).
#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/Parallel.h"

#include "../../core/mask/src/GrowBits.h"

#include <QtTest>

#include <algorithm>
#include <array>
#include <random>
#include <vector>

namespace {

// out(i, j) = 1 iff some in(r, c) = 1 with r in i-a..i+b, c in j-a..j+b, a = g/2, b = g-1-a.
std::vector<std::uint8_t> bruteGrow(const lb::BinaryMask& m, int g) {
    if (g <= 1) return m.data;
    const int h = m.height, w = m.width, a = g / 2, b = g - 1 - a;
    std::vector<int> sum(std::size_t(h + 1) * (w + 1), 0);
    auto S = [&](int y, int x) -> int& { return sum[std::size_t(y) * (w + 1) + x]; };
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            S(y + 1, x + 1) =
                S(y, x + 1) + S(y + 1, x) - S(y, x) + (m.data[std::size_t(y) * w + x] != 0);
    std::vector<std::uint8_t> out(m.data.size());
    for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j) {
            const int y0 = std::max(0, i - a), y1 = std::min(h, i + b + 1);
            const int x0 = std::max(0, j - a), x1 = std::min(w, j + b + 1);
            out[std::size_t(i) * w + j] = S(y1, x1) - S(y0, x1) - S(y1, x0) + S(y0, x0) > 0;
        }
    return out;
}

lb::BinaryMask makeMask(std::mt19937& rng, int h, int w, int pattern) {
    lb::BinaryMask m;
    m.height = h;
    m.width = w;
    m.data.assign(std::size_t(h) * w, 0);
    switch (pattern) {
    case 0:
        break; // all zero
    case 1:
        std::fill(m.data.begin(), m.data.end(), 1);
        break;
    case 2: // the four corners and the middle
        m.data[0] = m.data[std::size_t(w) - 1] = 1;
        m.data[std::size_t(h - 1) * w] = m.data[m.data.size() - 1] = 1;
        m.data[std::size_t(h / 2) * w + w / 2] = 1;
        break;
    default: { // random density
        const double p = std::array<double, 4>{0.003, 0.05, 0.5, 0.97}[pattern % 4];
        std::bernoulli_distribution bit(p);
        for (auto& v : m.data)
            v = bit(rng);
    }
    }
    return m;
}

QString describe(int h, int w, int g, int pattern, int level) {
    return QString("%1x%2 g=%3 pattern %4 simd %5").arg(h).arg(w).arg(g).arg(pattern).arg(level);
}

} // namespace

class GrowEdges : public QObject {
    Q_OBJECT

private slots:
    void cleanupTestCase() {
        lb::growbits::setSimdLevelForTesting(-1);
        lb::setCpuThreadCount(0);
    }

    void matchesBruteForce_data() {
        QTest::addColumn<int>("level");
        for (int level = 0; level <= 2; ++level)
            QTest::newRow(qPrintable(QString("simd %1").arg(level))) << level;
    }
    void matchesBruteForce() {
        QFETCH(int, level);
        const int used = lb::growbits::setSimdLevelForTesting(level);
        if (used != level) QSKIP("this CPU lacks that SIMD level");
        const std::vector<std::pair<int, int>> shapes = {
            {1, 1},  {1, 7},    {7, 1},   {1, 64},   {64, 1},  {1, 65},
            {3, 63}, {2, 64},   {5, 65},  {9, 127},  {4, 128}, {6, 129},
            {70, 3}, {33, 200}, {80, 96}, {130, 71}, {17, 257}};
        std::mt19937 rng(20240611u);
        std::vector<int> grows;
        for (int g = 0; g <= 70; ++g)
            grows.push_back(g);
        for (int g : {100, 128, 129, 255, 256})
            grows.push_back(g);
        for (auto [h, w] : shapes)
            for (int pattern = 0; pattern < 7; ++pattern) {
                const lb::BinaryMask m = makeMask(rng, h, w, pattern);
                for (int g : grows) {
                    const std::vector<std::uint8_t> ref = bruteGrow(m, g);
                    lb::setCpuThreadCount(1 + g % 2);
                    const lb::BinaryMask ours = lb::growBinary(m, g);
                    QVERIFY2(ours.height == h && ours.width == w,
                             qPrintable(describe(h, w, g, pattern, level)));
                    QVERIFY2(ours.data == ref, qPrintable(describe(h, w, g, pattern, level)));
                }
            }
    }

    void rowBandsMatchWhole() {
        // growRows over arbitrary bands (what the threads get) writes the same rows.
        std::mt19937 rng(7u);
        for (int level = 0; level <= 2; ++level) {
            if (lb::growbits::setSimdLevelForTesting(level) != level) continue;
            for (int trial = 0; trial < 60; ++trial) {
                const int h = std::uniform_int_distribution<int>(1, 150)(rng);
                const int w = std::uniform_int_distribution<int>(1, 300)(rng);
                const int g = std::uniform_int_distribution<int>(2, 90)(rng);
                const lb::BinaryMask m = makeMask(rng, h, w, 3 + trial % 4);
                const std::vector<std::uint8_t> ref = bruteGrow(m, g);
                std::vector<std::uint8_t> out(ref.size(), 7);
                int r = 0;
                while (r < h) {
                    const int n = std::uniform_int_distribution<int>(1, 40)(rng);
                    lb::growbits::growRows(m.data.data(), out.data(), h, w, g, r,
                                           std::min(h, r + n));
                    r += n;
                }
                QVERIFY2(out == ref, qPrintable(describe(h, w, g, trial, level)));
            }
        }
    }

    void nonUnitBytesCountAsSet() {
        // BinaryMask holds 0/1, but any nonzero byte must act as 1 in every kernel.
        lb::BinaryMask m;
        m.height = 3;
        m.width = 150;
        m.data.assign(std::size_t(3) * 150, 0);
        m.data[1 * 150 + 70] = 255;
        m.data[2 * 150 + 149] = 128;
        lb::BinaryMask unit = m;
        for (auto& v : unit.data)
            v = v != 0;
        for (int level = 0; level <= 2; ++level) {
            if (lb::growbits::setSimdLevelForTesting(level) != level) continue;
            for (int g = 2; g <= 8; ++g)
                QVERIFY(lb::growBinary(m, g).data == bruteGrow(unit, g));
        }
    }
};

QTEST_APPLESS_MAIN(GrowEdges)
#include "tst_grow_edges.moc"
