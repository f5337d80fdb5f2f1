// The stitch's exact Euclidean distance transform (core/regions DistanceTransform.h) against brute
// force on random masks: every squared distance equal, border pixels not counted as outside.
#include "TestSupport.h"

#include "latentbrush/regions/DistanceTransform.h"

#include <cmath>
#include <limits>
#include <random>

using namespace lb::regions;

namespace {

std::vector<std::int64_t> bruteForce(const lb::BinaryMask& m) {
    std::vector<std::int64_t> d(m.data.size(), kNoOutside);
    for (int y = 0; y < m.height; ++y)
        for (int x = 0; x < m.width; ++x) {
            std::int64_t best = kNoOutside;
            for (int v = 0; v < m.height; ++v)
                for (int u = 0; u < m.width; ++u)
                    if (!m.row(v)[u]) {
                        const std::int64_t dy = y - v, dx = x - u;
                        best = std::min(best, dy * dy + dx * dx);
                    }
            d[std::size_t(y) * m.width + x] = best;
        }
    return d;
}

lb::BinaryMask randomMask(std::mt19937& rng, int h, int w, int kind) {
    lb::BinaryMask m;
    m.height = h;
    m.width = w;
    m.data.assign(std::size_t(h) * w, 0);
    std::uniform_real_distribution<double> uni(0.0, 1.0);
    if (kind == 0) { // scattered pixels of varying density
        const double p = uni(rng);
        for (auto& v : m.data)
            v = uni(rng) < p ? 1 : 0;
    } else { // a few filled discs and rectangles, some touching the border
        std::uniform_int_distribution<int> ry(0, h - 1), rx(0, w - 1), rr(1, std::max(h, w));
        const int shapes = 1 + int(rng() % 4);
        for (int s = 0; s < shapes; ++s) {
            const int cy = ry(rng), cx = rx(rng), r = rr(rng) / 2;
            const bool disc = (rng() & 1) != 0;
            for (int y = 0; y < h; ++y)
                for (int x = 0; x < w; ++x) {
                    const int dy = y - cy, dx = x - cx;
                    const bool in = disc ? dy * dy + dx * dx <= r * r
                                         : std::abs(dy) <= r && std::abs(dx) <= r / 2;
                    if (in) m.row(y)[x] = 1;
                }
        }
    }
    return m;
}

} // namespace

class DistanceTransform : public QObject {
    Q_OBJECT
private slots:
    void smallCases() {
        // one masked pixel in a 3x3: distance 1 there, 0 elsewhere
        lb::BinaryMask m{3, 3, {0, 0, 0, 0, 1, 0, 0, 0, 0}};
        auto d = squaredDistanceToOutside(m);
        QCOMPARE(d[4], std::int64_t(1));
        QCOMPARE(d[0], std::int64_t(0));
        // the border is not outside: a mask reaching the left edge
        lb::BinaryMask e{1, 5, {1, 1, 1, 0, 0}};
        d = squaredDistanceToOutside(e);
        QCOMPARE(d[0], std::int64_t(9));
        QCOMPARE(d[2], std::int64_t(1));
        // all masked: no outside pixel anywhere
        lb::BinaryMask full{4, 6, std::vector<std::uint8_t>(24, 1)};
        for (std::int64_t v : squaredDistanceToOutside(full))
            QCOMPARE(v, kNoOutside);
        for (float v : distanceToOutside(full))
            QVERIFY(std::isinf(v));
        const std::vector<float> f = distanceToOutside(e);
        QCOMPARE(f[0], 3.0f);
    }

    void againstBruteForce() {
        std::mt19937 rng(15);
        std::uniform_int_distribution<int> side(1, 40);
        int cases = 0;
        for (int i = 0; i < 300; ++i) {
            const int h = side(rng), w = side(rng);
            const lb::BinaryMask m = randomMask(rng, h, w, i % 2);
            const auto ours = squaredDistanceToOutside(m);
            const auto ref = bruteForce(m);
            QVERIFY2(ours == ref, qPrintable(QString("case %1 (%2x%3)").arg(i).arg(w).arg(h)));
            const auto dist = distanceToOutside(m);
            for (std::size_t k = 0; k < ref.size(); ++k)
                if (ref[k] != kNoOutside) QCOMPARE(dist[k], float(std::sqrt(double(ref[k]))));
            ++cases;
        }
        qInfo("%d random masks up to 40x40: squared distances identical to brute force", cases);
    }

    void largeMaskLinearTime() {
        // 2000x1500 with one hole in the middle: the distance is the distance to that hole
        lb::BinaryMask m{1500, 2000, std::vector<std::uint8_t>(std::size_t(1500) * 2000, 1)};
        m.row(700)[900] = 0;
        const auto d = squaredDistanceToOutside(m);
        QCOMPARE(d[0], std::int64_t(700) * 700 + std::int64_t(900) * 900);
        QCOMPARE(d[std::size_t(1499) * 2000 + 1999],
                 std::int64_t(799) * 799 + std::int64_t(1099) * 1099);
    }
};

QTEST_GUILESS_MAIN(DistanceTransform)
#include "tst_distance_transform.moc"
