// Region planning (core/regions RegionPlan.h): explicit and auto regions, context, target size and
// area, masks at the image's edges, separate components merged where their contexts overlap, the
// errors, and invariants on random masks. grownMaskOfImage (which rounds and grows only the box of
// the set pixels) against the node's grow written out directly, on random masks.
#include "TestSupport.h"

#include "latentbrush/regions/RegionPixels.h"
#include "latentbrush/regions/RegionPlan.h"

#include <random>

using namespace lb::regions;

namespace {

lb::BinaryMask blankMask(int w, int h) {
    lb::BinaryMask m;
    m.width = w;
    m.height = h;
    m.data.assign(std::size_t(w) * h, 0);
    return m;
}
void fill(lb::BinaryMask& m, int x, int y, int w, int h) {
    for (int r = y; r < y + h; ++r)
        for (int c = x; c < x + w; ++c)
            m.row(r)[c] = 1;
}
bool contains(const RegionRect& outer, const RegionRect& inner) {
    return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w &&
           inner.y + inner.h <= outer.y + outer.h;
}
bool inside(const RegionRect& r, int w, int h) {
    return r.x >= 0 && r.y >= 0 && r.w > 0 && r.h > 0 && r.x + r.w <= w && r.y + r.h <= h;
}

} // namespace

class RegionPlanTest : public QObject {
    Q_OBJECT
private slots:
    void parsing() {
        QVERIFY((parseRegionRect("10,20,30,40") == RegionRect{10, 20, 30, 40}));
        QVERIFY(!parseRegionRect("10,20,30").has_value());
        QVERIFY(!parseRegionRect("10,20,0,40").has_value());
        QVERIFY(!parseRegionRect("10,20,30,40,").has_value());
        QVERIFY(!parseRegionRect("-1,20,30,40").has_value());
        auto c = parseContext("48");
        QVERIFY(c && !c->percent && c->amount == 48 && !c->isDefault);
        c = parseContext("10%");
        QVERIFY(c && c->percent && c->amount == 10);
        QVERIFY(!parseContext("%").has_value());
        QVERIFY(!parseContext("1.5").has_value());
        auto t = parseTargetSize("1024x768");
        QVERIFY(t && t->width == 1024 && t->height == 768);
        QVERIFY(!parseTargetSize("1024").has_value());
        QVERIFY(!parseTargetSize("0x8").has_value());
        auto a = parseTargetArea("1048576");
        QVERIFY(a && a->area == 1048576);
        QVERIFY(!parseTargetArea("12ab").has_value());
        QCOMPARE(QString::fromStdString(formatRect({1, 2, 3, 4})), QString("1,2,3,4"));
    }

    void explicitRegion() {
        const lb::BinaryMask m = blankMask(200, 100);
        RegionRequest req;
        req.automatic = false;
        req.rect = {10, 10, 50, 30};
        auto p = planRegions(req, m, 8);
        QVERIFY(p.ok());
        QCOMPARE(p->rects.size(), std::size_t(1));
        QVERIFY((p->rects[0] == RegionRect{7, 9, 56, 32})); // widened to multiples, centred
        QCOMPARE(p->scaledWidth, 56);
        QCOMPARE(p->scaledHeight, 32);
        // with a target: kept as given, scaled
        req.target = *parseTargetSize("64x64");
        p = planRegions(req, m, 8);
        QVERIFY(p.ok());
        QVERIFY((p->rects[0] == RegionRect{10, 10, 50, 30}));
        QCOMPARE(p->scaledWidth, 64);
        // at the right edge: shifted inside
        req.target = {};
        req.rect = {195, 90, 5, 10};
        p = planRegions(req, m, 8);
        QVERIFY(p.ok());
        QVERIFY((p->rects[0] == RegionRect{192, 84, 8, 16}));
    }

    void errors() {
        const lb::BinaryMask m = blankMask(200, 100);
        RegionRequest req;
        auto p = planRegions(req, m, 8); // auto on an empty mask
        QVERIFY(!p.ok());
        QVERIFY(p.message().find("empty") != std::string::npos);
        req.automatic = false;
        req.rect = {150, 50, 60, 10};
        p = planRegions(req, m, 8);
        QVERIFY(!p.ok());
        QVERIFY2(p.message().find("150,50,60,10") != std::string::npos, p.message().c_str());
        req.rect = {0, 0, 8, 8};
        req.target = *parseTargetSize("100x64");
        p = planRegions(req, m, 8);
        QVERIFY(!p.ok());
        QVERIFY(p.message().find("100x64") != std::string::npos);
        req.target = {};
        req.separate = true;
        QVERIFY(!planRegions(req, m, 8).ok());
        QVERIFY(!planRegions(RegionRequest{}, blankMask(4, 4), 8).ok()); // smaller than d
    }

    void autoDefaultContext() {
        lb::BinaryMask m = blankMask(1000, 800);
        fill(m, 100, 100, 50, 50);
        auto p = planRegions(RegionRequest{}, m, 8);
        QVERIFY(p.ok());
        // 25% of 50 = 13 < 32: 32 px; 114 px -> 120
        QVERIFY2((p->rects[0] == RegionRect{65, 65, 120, 120}), formatRect(p->rects[0]).c_str());
        QCOMPARE(p->scaledWidth, 120);
        QCOMPARE(p->scaledHeight, 120);
        // a percentage context: 40% of 50 = 20 px each side -> 90 -> 96
        RegionRequest req;
        req.context = *parseContext("40%");
        p = planRegions(req, m, 8);
        QVERIFY(p.ok());
        QCOMPARE(p->rects[0].w, 96);
    }

    void autoAtTheEdge() {
        lb::BinaryMask m = blankMask(300, 200);
        fill(m, 0, 180, 20, 20); // bottom-left corner
        auto p = planRegions(RegionRequest{}, m, 8);
        QVERIFY(p.ok());
        const RegionRect c = p->rects[0];
        QVERIFY(inside(c, 300, 200));
        QVERIFY(contains(c, {0, 180, 20, 20}));
        QCOMPARE(c.x, 0);
        QCOMPARE(c.y + c.h, 200);
    }

    void autoTargets() {
        lb::BinaryMask m = blankMask(4000, 3000);
        fill(m, 1000, 1000, 200, 100);
        RegionRequest req;
        req.target = *parseTargetArea("1048576");
        auto p = planRegions(req, m, 16);
        QVERIFY(p.ok());
        // context 50 px: 300x200 box, aspect 1.5: sqrt(1048576*1.5)=1254 -> 1248, 836 -> 832
        QCOMPARE(p->scaledWidth, 1248);
        QCOMPARE(p->scaledHeight, 832);
        const RegionRect c = p->rects[0];
        QVERIFY(contains(c, {950, 950, 300, 200}));
        QVERIFY(std::abs(double(c.w) / c.h - 1248.0 / 832.0) < 1.0 / c.h + 1e-9);
        req.target = *parseTargetSize("512x768");
        p = planRegions(req, m, 16);
        QVERIFY(p.ok());
        QCOMPARE(p->rects[0].w, 300);
        QCOMPARE(p->rects[0].h, 450); // widened on the short side to 2:3
    }

    void separateRegions() {
        lb::BinaryMask m = blankMask(2000, 1000);
        fill(m, 100, 100, 40, 40);
        fill(m, 1500, 600, 80, 20);
        RegionRequest req;
        req.separate = true;
        auto p = planRegions(req, m, 8);
        QVERIFY(p.ok());
        QCOMPARE(p->rects.size(), std::size_t(2));
        QVERIFY(contains(p->rects[0], {100, 100, 40, 40}));
        QVERIFY(contains(p->rects[1], {1500, 600, 80, 20}));
        // the same aspect as the scaled size, to the nearest pixel
        for (const RegionRect& r : p->rects)
            QVERIFY(std::abs(double(r.w) * p->scaledHeight - double(r.h) * p->scaledWidth) <=
                    std::max(p->scaledWidth, p->scaledHeight));
        // close components: context boxes overlap -> merged into one
        lb::BinaryMask near = blankMask(400, 400);
        fill(near, 100, 100, 10, 10);
        fill(near, 150, 100, 10, 10);
        p = planRegions(req, near, 8);
        QVERIFY(p.ok());
        QCOMPARE(p->rects.size(), std::size_t(1));
        QVERIFY(contains(p->rects[0], {100, 100, 60, 10}));
        // 8-connected: diagonal neighbours are one component
        lb::BinaryMask diag = blankMask(10, 10);
        diag.row(2)[2] = 1;
        diag.row(3)[3] = 1;
        QCOMPARE(componentBoxes(diag).size(), std::size_t(1));
    }

    void randomInvariants() {
        std::mt19937 rng(1515);
        for (int i = 0; i < 200; ++i) {
            const int w = 16 + int(rng() % 600), h = 16 + int(rng() % 600);
            lb::BinaryMask m = blankMask(w, h);
            const int blobs = 1 + int(rng() % 4);
            for (int b = 0; b < blobs; ++b) {
                const int bw = 1 + int(rng() % (w / 3)), bh = 1 + int(rng() % (h / 3));
                fill(m, int(rng() % (w - bw + 1)), int(rng() % (h - bh + 1)), bw, bh);
            }
            RegionRequest req;
            req.separate = (i % 2) != 0;
            const int d = (i % 3 == 0) ? 16 : 8;
            if (i % 4 == 1) req.target = *parseTargetArea("65536");
            if (i % 4 == 2) req.target = *parseTargetSize("128x96");
            auto p = planRegions(req, m, d);
            LB_VERIFY_OK(p);
            QCOMPARE(p->scaledWidth % d, 0);
            QCOMPARE(p->scaledHeight % d, 0);
            const std::vector<RegionRect> boxes = componentBoxes(m);
            for (const RegionRect& r : p->rects)
                QVERIFY(inside(r, w, h));
            if (req.target.kind == TargetSpec::Kind::None && p->rects.size() == 1) {
                QCOMPARE(p->rects[0].w, p->scaledWidth);
                QCOMPARE(p->rects[0].h, p->scaledHeight);
            }
            // every component lies inside some region (or the image is too small to hold it)
            for (const RegionRect& b : boxes) {
                bool covered = false;
                for (const RegionRect& r : p->rects)
                    covered = covered || contains(r, b);
                const bool clipped =
                    std::any_of(p->rects.begin(), p->rects.end(), [&](const RegionRect& r) {
                        return r.w >= (w / d) * d || r.h >= (h / d) * d;
                    });
                QVERIFY2(covered || clipped,
                         qPrintable(QString("case %1: component %2 not covered")
                                        .arg(i)
                                        .arg(QString::fromStdString(formatRect(b)))));
            }
        }
    }

    void grownMaskOfImageMatchesTheNode() {
        std::mt19937 rng(15);
        for (int trial = 0; trial < 120; ++trial) {
            const int w = 1 + int(rng() % 70), h = 1 + int(rng() % 50), g = int(rng() % 10);
            lb::MaskBuffer m{h, w, std::vector<float>(std::size_t(w) * h, 0.0f)};
            const int blobs = int(rng() % 4); // 0: an empty mask
            for (int b = 0; b < blobs; ++b) {
                const int x = int(rng() % w), y = int(rng() % h);
                const int bw = 1 + int(rng() % 8), bh = 1 + int(rng() % 8);
                for (int r = y; r < std::min(h, y + bh); ++r)
                    for (int c = x; c < std::min(w, x + bw); ++c) {
                        // values around 0.5: exactly 0.5 rounds to 0 (half to even)
                        const float vals[] = {1.0f, 0.5f, 0.5000001f, 0.75f, 0.25f};
                        m.data[std::size_t(r) * w + c] = vals[rng() % 5];
                    }
            }
            const lb::BinaryMask got = grownMaskOfImage(m, g);
            QCOMPARE(got.width, w);
            QCOMPARE(got.height, h);
            // the node: round, then max over rows y-a..y+b and columns x-a..x+b (clipped)
            const int a = g / 2, bb = g - 1 - g / 2;
            for (int y = 0; y < h; ++y)
                for (int x = 0; x < w; ++x) {
                    std::uint8_t want = 0;
                    if (g <= 1) {
                        want = m.data[std::size_t(y) * w + x] > 0.5f;
                    } else {
                        for (int yy = std::max(0, y - a); yy <= std::min(h - 1, y + bb); ++yy)
                            for (int xx = std::max(0, x - a); xx <= std::min(w - 1, x + bb); ++xx)
                                want |= m.data[std::size_t(yy) * w + xx] > 0.5f;
                    }
                    QVERIFY2(got.row(y)[x] == want,
                             qPrintable(QString("trial %1 (%2x%3, grow %4) at %5,%6")
                                            .arg(trial)
                                            .arg(w)
                                            .arg(h)
                                            .arg(g)
                                            .arg(x)
                                            .arg(y)));
                }
        }
    }
};

QTEST_GUILESS_MAIN(RegionPlanTest)
#include "tst_region_plan.moc"
