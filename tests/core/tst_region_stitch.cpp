// The stitch's core (core/regions Stitch.h) on small cases written out by hand: the blend mask
// (feather 0 and F), the scale-back method choice, pixels outside the grown mask untouched for
// RGB, RGBA (alpha kept) and gray (luma) originals, later regions winning where rectangles
// overlap, and the errors.
#include "TestSupport.h"

#include "latentbrush/regions/ExactResize.h"
#include "latentbrush/regions/Stitch.h"

#include <cmath>
#include <random>

using namespace lb::regions;

namespace {

lb::ImageBuffer randomImage(std::mt19937& rng, int w, int h, int c) {
    lb::ImageBuffer img;
    img.width = w;
    img.height = h;
    img.channels = c;
    img.data.resize(std::size_t(w) * h * c);
    for (float& v : img.data)
        v = float(rng() & 255) / 255.0f;
    return img;
}

lb::ImageBuffer constantImage(int w, int h, float v) {
    lb::ImageBuffer img;
    img.width = w;
    img.height = h;
    img.channels = 3;
    img.data.assign(std::size_t(w) * h * 3, v);
    return img;
}

} // namespace

class RegionStitch : public QObject {
    Q_OBJECT
private slots:
    void blendMaskValues() {
        // a 1x7 row masked in the middle five: distances 1,2,3,2,1
        lb::BinaryMask m{1, 7, {0, 1, 1, 1, 1, 1, 0}};
        const auto b2 = blendMask(m, 2.0f);
        const std::vector<float> want = {0, 0.5f, 1, 1, 1, 0.5f, 0};
        QCOMPARE(b2, want);
        const auto b0 = blendMask(m, 0.0f);
        QCOMPARE(b0, (std::vector<float>{0, 1, 1, 1, 1, 1, 0}));
    }

    void scaleBackMethod() {
        std::mt19937 rng(1);
        const lb::ImageBuffer big = randomImage(rng, 64, 48, 3);
        // downscale: area
        const lb::ImageBuffer down = scaleBack(big, 40, 30);
        const lb::ImageBuffer area =
            toInterleaved(resizeExact(toPlanar(big), 30, 40, ResizeMethod::Area));
        QCOMPARE(down.data, area.data);
        // upscale: bicubic, clamped
        const lb::ImageBuffer up = scaleBack(big, 100, 70);
        for (float v : up.data)
            QVERIFY(v >= 0.0f && v <= 1.0f);
        lb::ImageBuffer cubic =
            toInterleaved(resizeExact(toPlanar(big), 70, 100, ResizeMethod::Bicubic));
        bool overshoot = false;
        for (std::size_t i = 0; i < cubic.data.size(); ++i) {
            overshoot |= cubic.data[i] < 0.0f || cubic.data[i] > 1.0f;
            QCOMPARE(up.data[i], std::clamp(cubic.data[i], 0.0f, 1.0f));
        }
        QVERIFY(overshoot); // the clamp mattered
    }

    void untouchedAndLayouts() {
        std::mt19937 rng(2);
        for (int channels : {1, 2, 3, 4}) {
            const lb::ImageBuffer orig = randomImage(rng, 40, 30, channels);
            lb::BinaryMask grown{30, 40, std::vector<std::uint8_t>(1200, 0)};
            for (int y = 10; y < 20; ++y)
                for (int x = 12; x < 30; ++x)
                    grown.row(y)[x] = 1;
            RegionPlan plan;
            plan.rects = {{8, 6, 24, 18}};
            plan.scaledWidth = 32;
            plan.scaledHeight = 32;
            const lb::ImageBuffer result = constantImage(32, 32, 0.25f);
            auto out = stitch(orig, {result}, plan, grown, 2.0f);
            QVERIFY(out.ok());
            const auto B = blendMask(grown, 2.0f);
            const int colour = channels >= 3 ? 3 : 1;
            for (int y = 0; y < 30; ++y)
                for (int x = 0; x < 40; ++x)
                    for (int c = 0; c < channels; ++c) {
                        const std::size_t k = (std::size_t(y) * 40 + x) * channels + c;
                        const float b = B[std::size_t(y) * 40 + x];
                        if (b == 0.0f || c >= colour) {
                            QCOMPARE(out->data[k], orig.data[k]); // untouched, alpha kept
                        } else {
                            // a constant result scales back to itself; gray takes the luma
                            const float v = colour == 3 ? 0.25f
                                                        : 0.25f * 299.0f / 1000.0f +
                                                              0.25f * 587.0f / 1000.0f +
                                                              0.25f * 114.0f / 1000.0f;
                            QCOMPARE(out->data[k], b * v + (1.0f - b) * orig.data[k]);
                        }
                    }
        }
    }

    void laterRegionWins() {
        std::mt19937 rng(3);
        const lb::ImageBuffer orig = randomImage(rng, 40, 20, 3);
        lb::BinaryMask grown{20, 40, std::vector<std::uint8_t>(800, 1)}; // all masked: B = 1
        RegionPlan plan;
        plan.rects = {{0, 0, 24, 20}, {16, 0, 24, 20}};
        plan.scaledWidth = 24;
        plan.scaledHeight = 20;
        auto out = stitch(orig, {constantImage(24, 20, 0.1f), constantImage(24, 20, 0.9f)}, plan,
                          grown, 3.0f);
        QVERIFY(out.ok());
        QCOMPARE(out->data[(5 * 40 + 2) * 3], 0.1f);
        QCOMPARE(out->data[(5 * 40 + 20) * 3], 0.9f); // overlap: the second region
        QCOMPARE(out->data[(5 * 40 + 39) * 3], 0.9f);
    }

    void errors() {
        std::mt19937 rng(4);
        const lb::ImageBuffer orig = randomImage(rng, 16, 16, 3);
        lb::BinaryMask grown{16, 16, std::vector<std::uint8_t>(256, 1)};
        RegionPlan plan;
        plan.rects = {{0, 0, 16, 16}};
        plan.scaledWidth = 16;
        plan.scaledHeight = 16;
        QVERIFY(!stitch(orig, {}, plan, grown, 1.0f).ok());
        auto r = stitch(orig, {constantImage(8, 16, 0.5f)}, plan, grown, 1.0f);
        QVERIFY(!r.ok());
        QVERIFY2(r.message().find("8x16") != std::string::npos, r.message().c_str());
        lb::BinaryMask small{8, 8, std::vector<std::uint8_t>(64, 1)};
        QVERIFY(!stitch(orig, {constantImage(16, 16, 0.5f)}, plan, small, 1.0f).ok());
    }
};

QTEST_GUILESS_MAIN(RegionStitch)
#include "tst_region_stitch.moc"
