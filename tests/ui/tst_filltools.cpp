// Flood fill, select by color and the mask adjustments through real input (clicks on the
// canvas, keyboard shortcuts, the tolerance slider): the masked pixels equal an independent
// breadth-first fill / per-pixel color test / brute-force morphology, including tolerance
// edges and 4- vs 8-connectivity; the tolerance slider adjusts the last application live as
// one undo command; undo/redo are bit for bit; the grow preview follows; options persist.
#include "UiTestSupport.h"

#include "DocumentLoader.h"
#include "FillTool.h"
#include "GrowPreview.h"
#include "MaskEditCommand.h"
#include "ShapeTool.h"
#include "ShortcutsDialog.h"
#include "SliderSpin.h"
#include "ToolOptionsPanel.h"

#include "latentbrush/InpaintPreprocess.h"

#include <QAction>
#include <QComboBox>
#include <QSlider>
#include <QTableWidget>
#include <QToolBar>

#include <array>
#include <deque>
#include <random>

using namespace lbui;

namespace {

using Rgb8 = std::array<int, 3>;

// The image's pixels as 8-bit values (the documents here come from 8-bit sources).
std::vector<Rgb8> bytesOf(const lb::ImageBuffer& img) {
    std::vector<Rgb8> out(img.pixelCount());
    for (int y = 0; y < img.height; ++y)
        for (int x = 0; x < img.width; ++x) {
            const float* p = img.row(y) + std::size_t(x) * img.channels;
            for (int c = 0; c < 3; ++c)
                out[std::size_t(y) * img.width + x][std::size_t(c)] =
                    int(std::lround(p[std::min(c, img.channels - 1)] * 255.0f));
        }
    return out;
}

int rgbDistance(const Rgb8& a, const Rgb8& b) {
    return std::max({std::abs(a[0] - b[0]), std::abs(a[1] - b[1]), std::abs(a[2] - b[2])});
}

// CIE Lab (D65) of an 8-bit sRGB color, written out independently of the editor's code.
std::array<double, 3> lab(const Rgb8& c) {
    double lin[3];
    for (int i = 0; i < 3; ++i) {
        const double v = c[std::size_t(i)] / 255.0;
        lin[i] = v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
    }
    const double xyz[3] = {(0.4124564 * lin[0] + 0.3575761 * lin[1] + 0.1804375 * lin[2]) / 0.95047,
                           0.2126729 * lin[0] + 0.7151522 * lin[1] + 0.0721750 * lin[2],
                           (0.0193339 * lin[0] + 0.1191920 * lin[1] + 0.9503041 * lin[2]) /
                               1.08883};
    double f[3];
    for (int i = 0; i < 3; ++i)
        f[i] = xyz[i] > std::pow(6.0 / 29.0, 3)
                   ? std::cbrt(xyz[i])
                   : xyz[i] / (3 * std::pow(6.0 / 29.0, 2)) + 4.0 / 29.0;
    return {116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])};
}

double labDistance(const Rgb8& a, const Rgb8& b) {
    const auto p = lab(a), q = lab(b);
    return std::sqrt((p[0] - q[0]) * (p[0] - q[0]) + (p[1] - q[1]) * (p[1] - q[1]) +
                     (p[2] - q[2]) * (p[2] - q[2]));
}

// Breadth-first reference fill: pixels reachable from the seed through pixels that `inside`.
std::vector<std::uint8_t> referenceFill(int w, int h, QPoint seed, int connectivity,
                                        const std::function<bool(int)>& inside) {
    std::vector<std::uint8_t> out(std::size_t(w) * h, 0);
    const int seedIndex = seed.y() * w + seed.x();
    if (!inside(seedIndex)) return out;
    std::deque<QPoint> queue{seed};
    out[std::size_t(seedIndex)] = 1;
    while (!queue.empty()) {
        const QPoint p = queue.front();
        queue.pop_front();
        for (int dy = -1; dy <= 1; ++dy)
            for (int dx = -1; dx <= 1; ++dx) {
                if ((dx == 0 && dy == 0) || (connectivity == 4 && dx != 0 && dy != 0)) continue;
                const int x = p.x() + dx, y = p.y() + dy;
                if (x < 0 || y < 0 || x >= w || y >= h) continue;
                const int i = y * w + x;
                if (out[std::size_t(i)] || !inside(i)) continue;
                out[std::size_t(i)] = 1;
                queue.push_back({x, y});
            }
    }
    return out;
}

// A 320 x 240 test image (8-bit values):
//  - a block at [20,140) x [20,100) whose distance to its corner (100,100,100) is
//    max((x-20) % 50, (y-20) % 7), to probe tolerance edges;
//  - a diagonal chain of red pixels from (200,20) to (230,50): 4-connected it is 31 separate
//    pixels, 8-connected one region;
//  - busy colors in [20,300) x [130,220) for the Lab tests.
lb::ImageBuffer syntheticImage() {
    lb::ImageBuffer img;
    img.height = 240;
    img.width = 320;
    img.channels = 3;
    img.data.resize(img.pixelCount() * 3);
    for (int y = 0; y < img.height; ++y)
        for (int x = 0; x < img.width; ++x) {
            Rgb8 c{40, 60, 80};
            if (x >= 20 && x < 140 && y >= 20 && y < 100)
                c = {100 + (x - 20) % 50, 100 + (y - 20) % 7, 100};
            if (x >= 200 && x <= 230 && y - 20 == x - 200) c = {220, 30, 30};
            if (x >= 20 && x < 300 && y >= 130 && y < 220)
                c = {(x * 7 + y * 3) % 256, (x * 2 + y * 5) % 256, (x + y * 11) % 256};
            float* p = img.row(y) + std::size_t(x) * 3;
            for (int k = 0; k < 3; ++k)
                p[k] = lb::byteToFloat(std::uint8_t(c[std::size_t(k)]));
        }
    return img;
}

void openImage(MainWindow* w, const lb::ImageBuffer& img) {
    w->document()->setImage(std::make_shared<lb::ImageBuffer>(img), toDisplayImage(img),
                            QStringLiteral("synthetic.png"));
    CanvasWidget* canvas = w->canvas();
    canvas->setZoom(1.0, QPointF(0, 0));
    canvas->panBy(QPointF(20, 20) - canvas->offset());
}

FillTool* fillTool(MainWindow* w, FillTool::Kind kind) {
    for (MaskTool* t : w->maskTools())
        if (auto* f = qobject_cast<FillTool*>(t); f && f->kind() == kind) return f;
    return nullptr;
}

QString previewMatchesCore(MainWindow* w) {
    GrowPreview* p = w->preview();
    const lb::BinaryMask ref =
        lb::noiseMask(lb::cropMask(w->document()->mask(), p->crop()), p->grow());
    return ref.data == p->noiseMask().data ? QString() : QStringLiteral("grow preview differs");
}

// mask == where(region, 1, before) (add) exactly; returns the first differing pixel.
QString compareAdded(const lb::MaskBuffer& mask, const std::vector<float>& before,
                     const std::vector<std::uint8_t>& region) {
    for (std::size_t i = 0; i < region.size(); ++i) {
        const float e = region[i] ? 1.0f : before[i];
        if (mask.data[i] != e)
            return QStringLiteral("pixel (%1, %2): %3 instead of %4")
                .arg(i % mask.width)
                .arg(i / mask.width)
                .arg(mask.data[i])
                .arg(e);
    }
    return {};
}

void click(MainWindow* w, QPoint imagePixel, Qt::MouseButton button = Qt::LeftButton,
           Qt::KeyboardModifiers mods = Qt::NoModifier) {
    QTest::mouseClick(w->canvas(), button, mods, imagePixel + QPoint(20, 20));
}

} // namespace

class TestFillTools : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    void floodFillMatchesReference_data() {
        QTest::addColumn<QPoint>("seed");
        QTest::addColumn<int>("tolerance");
        QTest::addColumn<int>("connectivity");
        QTest::addColumn<int>("expectedCount"); // -1: not checked
        QTest::newRow("tolerance 0: neighbours differ") << QPoint(20, 20) << 0 << 4 << 1;
        QTest::newRow("tolerance 0: the flat background") << QPoint(300, 5) << 0 << 4 << -1;
        QTest::newRow("tolerance 6 (rows of one column)") << QPoint(20, 20) << 6 << 4 << -1;
        QTest::newRow("tolerance 25") << QPoint(20, 20) << 25 << 4 << -1;
        QTest::newRow("tolerance 49: the whole block") << QPoint(20, 20) << 49 << 4 << 120 * 80;
        QTest::newRow("diagonal chain, 4-connected") << QPoint(200, 20) << 10 << 4 << 1;
        QTest::newRow("diagonal chain, 8-connected") << QPoint(200, 20) << 10 << 8 << 31;
        QTest::newRow("background, 8-connected") << QPoint(5, 5) << 3 << 8 << -1;
        QTest::newRow("busy colors") << QPoint(150, 170) << 60 << 4 << -1;
    }

    void floodFillMatchesReference() {
        QFETCH(QPoint, seed);
        QFETCH(int, tolerance);
        QFETCH(int, connectivity);
        QFETCH(int, expectedCount);
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        openImage(w.get(), syntheticImage());
        QTest::keyClick(w.get(), Qt::Key_F);
        FillTool* tool = fillTool(w.get(), FillTool::Kind::FloodFill);
        QCOMPARE(w->canvas()->tool(), tool);
        tool->setOptions({tolerance, lb::ColorMetric::Rgb, connectivity, false});
        MaskDocument* doc = w->document();
        const std::vector<float> before = doc->mask().data;
        click(w.get(), seed);

        const auto px = bytesOf(*doc->image());
        const Rgb8 s = px[std::size_t(seed.y() * doc->width() + seed.x())];
        const auto ref = referenceFill(doc->width(), doc->height(), seed, connectivity, [&](int i) {
            return rgbDistance(px[std::size_t(i)], s) <= tolerance;
        });
        QCOMPARE(compareAdded(doc->mask(), before, ref), QString());
        if (expectedCount >= 0) {
            int n = 0;
            for (auto v : ref)
                n += v;
            QCOMPARE(n, expectedCount);
        }
        QCOMPARE(doc->undoStack()->count(), 1);
        QCOMPARE(doc->undoStack()->text(0), QStringLiteral("Flood fill (add)"));
        QCOMPARE(previewMatchesCore(w.get()), QString());
        const std::vector<float> after = doc->mask().data;
        doc->undoStack()->undo();
        QVERIFY(doc->mask().data == before);
        QCOMPARE(previewMatchesCore(w.get()), QString());
        doc->undoStack()->redo();
        QVERIFY(doc->mask().data == after);
    }

    void floodFillLabOnThePhoto() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        w->action(QStringLiteral("toolFloodFill"))->trigger();
        FillTool* tool = fillTool(w.get(), FillTool::Kind::FloodFill);
        MaskDocument* doc = w->document();
        const auto px = bytesOf(*doc->image());
        for (const QPoint seed : {QPoint(500, 120), QPoint(300, 600), QPoint(900, 400)}) {
            for (int connectivity : {4, 8}) {
                const int tol = 9;
                tool->setOptions({tol, lb::ColorMetric::Lab, connectivity, false});
                w->action(QStringLiteral("clear"))->trigger();
                click(w.get(), seed);
                const Rgb8 s = px[std::size_t(seed.y() * doc->width() + seed.x())];
                // Float vs double Lab: tolerance edges agree within 0.05 Delta E, so the fill
                // lies between the strict and the loose reference.
                auto within = [&](double t) {
                    return referenceFill(
                        doc->width(), doc->height(), seed, connectivity,
                        [&](int i) { return labDistance(px[std::size_t(i)], s) <= t; });
                };
                const auto strict = within(tol - 0.05), loose = within(tol + 0.05);
                int n = 0;
                for (std::size_t i = 0; i < strict.size(); ++i) {
                    const bool in = doc->mask().data[i] == 1.0f;
                    n += in;
                    if (strict[i] && !in) QFAIL("a pixel of the strict reference is missing");
                    if (in && !loose[i]) QFAIL("a pixel outside the loose reference is filled");
                }
                QVERIFY(n > 1);
            }
        }
    }

    void floodFillStopsAtExistingMask() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        openImage(w.get(), syntheticImage());
        MaskDocument* doc = w->document();
        // A wall across the block, drawn with the rectangle tool (image x 60..70).
        w->action(QStringLiteral("toolRectangle"))->trigger();
        QTest::mousePress(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(80, 0));
        QTest::mouseRelease(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(90, 200));
        const std::vector<float> before = doc->mask().data;
        w->action(QStringLiteral("toolFloodFill"))->trigger();
        FillTool* tool = fillTool(w.get(), FillTool::Kind::FloodFill);
        tool->setOptions({49, lb::ColorMetric::Rgb, 4, true});
        click(w.get(), QPoint(20, 20));
        const auto px = bytesOf(*doc->image());
        const Rgb8 s = px[std::size_t(20 * doc->width() + 20)];
        const auto ref = referenceFill(doc->width(), doc->height(), QPoint(20, 20), 4, [&](int i) {
            return before[std::size_t(i)] <= 0.5f && rgbDistance(px[std::size_t(i)], s) <= 49;
        });
        QCOMPARE(compareAdded(doc->mask(), before, ref), QString());
        QVERIFY(doc->mask().row(50)[100] == 0.0f); // beyond the wall
        QVERIFY(doc->mask().row(50)[30] == 1.0f);
        // Without the option the fill goes under the wall (same colors) to the whole block.
        doc->undoStack()->undo();
        tool->setOptions({49, lb::ColorMetric::Rgb, 4, false});
        click(w.get(), QPoint(20, 20));
        QVERIFY(doc->mask().row(50)[100] == 1.0f);
    }

    void floodFillSubtractAndReplace() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        openImage(w.get(), syntheticImage());
        MaskDocument* doc = w->document();
        w->action(QStringLiteral("fill"))->trigger();
        w->action(QStringLiteral("toolFloodFill"))->trigger();
        FillTool* tool = fillTool(w.get(), FillTool::Kind::FloodFill);
        tool->setOptions({25, lb::ColorMetric::Rgb, 4, false});
        const auto px = bytesOf(*doc->image());
        const Rgb8 s = px[std::size_t(20 * doc->width() + 20)];
        const auto ref = referenceFill(doc->width(), doc->height(), QPoint(20, 20), 4, [&](int i) {
            return rgbDistance(px[std::size_t(i)], s) <= 25;
        });
        // Right button subtracts.
        click(w.get(), QPoint(20, 20), Qt::RightButton);
        for (std::size_t i = 0; i < ref.size(); ++i)
            QCOMPARE(doc->mask().data[i], ref[i] ? 0.0f : 1.0f);
        QCOMPARE(doc->undoStack()->text(1), QStringLiteral("Flood fill (subtract)"));
        // Alt subtracts too: nothing left to subtract there, so no command.
        click(w.get(), QPoint(20, 20), Qt::LeftButton, Qt::AltModifier);
        QCOMPARE(doc->undoStack()->count(), 2);
        // Shift replaces: the mask becomes the region alone.
        click(w.get(), QPoint(20, 20), Qt::LeftButton, Qt::ShiftModifier);
        for (std::size_t i = 0; i < ref.size(); ++i)
            QCOMPARE(doc->mask().data[i], ref[i] ? 1.0f : 0.0f);
        QCOMPARE(previewMatchesCore(w.get()), QString());
    }

    void selectByColorWithLiveTolerance() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        QTest::keyClick(w.get(), Qt::Key_W);
        FillTool* tool = fillTool(w.get(), FillTool::Kind::SelectColor);
        QCOMPARE(w->canvas()->tool(), tool);
        tool->setOptions({10, lb::ColorMetric::Rgb, 4, false});
        MaskDocument* doc = w->document();
        // Some mask already there.
        w->action(QStringLiteral("toolEllipse"))->trigger();
        QTest::mousePress(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(100, 100));
        QTest::mouseRelease(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(400, 300));
        w->action(QStringLiteral("toolSelectColor"))->trigger();
        const std::vector<float> before = doc->mask().data;
        const QPoint seed(600, 200);
        click(w.get(), seed);
        const auto px = bytesOf(*doc->image());
        const Rgb8 s = px[std::size_t(seed.y() * doc->width() + seed.x())];
        auto reference = [&](int tol) {
            std::vector<std::uint8_t> r(px.size());
            for (std::size_t i = 0; i < px.size(); ++i)
                r[i] = rgbDistance(px[i], s) <= tol;
            return r;
        };
        QCOMPARE(compareAdded(doc->mask(), before, reference(10)), QString());
        QCOMPARE(doc->undoStack()->count(), 2);

        // The tolerance slider re-applies the same click live, still one command.
        QSlider* slider = w->toolOptions()->toleranceControl(tool)->slider();
        for (int tol : {14, 30, 3, 22}) {
            slider->setValue(tol);
            QCOMPARE(tool->options().tolerance, tol);
            QCOMPARE(compareAdded(doc->mask(), before, reference(tol)), QString());
            QCOMPARE(doc->undoStack()->count(), 2);
            QCOMPARE(previewMatchesCore(w.get()), QString());
        }
        const std::vector<float> after = doc->mask().data;
        doc->undoStack()->undo();
        QVERIFY(doc->mask().data == before);
        QCOMPARE(previewMatchesCore(w.get()), QString());
        doc->undoStack()->redo();
        QVERIFY(doc->mask().data == after);
        // After an undo the slider no longer edits history.
        doc->undoStack()->undo();
        slider->setValue(40);
        QVERIFY(doc->mask().data == before);
        QCOMPARE(doc->undoStack()->count(), 2);
    }

    void selectByColorLab() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        openImage(w.get(), syntheticImage());
        w->action(QStringLiteral("toolSelectColor"))->trigger();
        FillTool* tool = fillTool(w.get(), FillTool::Kind::SelectColor);
        MaskDocument* doc = w->document();
        const auto px = bytesOf(*doc->image());
        for (int tol : {0, 5, 20, 60}) {
            tool->setOptions({tol, lb::ColorMetric::Lab, 4, false});
            w->action(QStringLiteral("clear"))->trigger();
            const QPoint seed(150, 170);
            click(w.get(), seed);
            const Rgb8 s = px[std::size_t(seed.y() * doc->width() + seed.x())];
            int n = 0;
            for (std::size_t i = 0; i < px.size(); ++i) {
                const double d = labDistance(px[i], s);
                const bool in = doc->mask().data[i] == 1.0f;
                n += in;
                if (std::fabs(d - tol) < 0.05) continue; // float vs double at the edge
                if (in != (d <= tol))
                    QFAIL(qPrintable(QStringLiteral("tolerance %1: pixel %2 (Delta E %3)")
                                         .arg(tol)
                                         .arg(i)
                                         .arg(d)));
            }
            QVERIFY(n >= 1);
        }
    }

    void adjustmentsMatchBruteForce_data() {
        QTest::addColumn<int>("op"); // 0 expand, 1 contract
        QTest::addColumn<int>("radius");
        QTest::addColumn<bool>("square");
        QTest::newRow("expand 3 round") << 0 << 3 << false;
        QTest::newRow("expand 7 round") << 0 << 7 << false;
        QTest::newRow("expand 4 square") << 0 << 4 << true;
        QTest::newRow("contract 2 round") << 1 << 2 << false;
        QTest::newRow("contract 6 round") << 1 << 6 << false;
        QTest::newRow("contract 3 square") << 1 << 3 << true;
    }

    void adjustmentsMatchBruteForce() {
        QFETCH(int, op);
        QFETCH(int, radius);
        QFETCH(bool, square);
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        MaskDocument* doc = w->document();
        const int W = doc->width(), H = doc->height();
        // A random soft mask: discs and boxes, some soft values, touching the border.
        std::vector<float> m(std::size_t(W) * H, 0.0f);
        std::mt19937 rng(11 + radius);
        std::uniform_int_distribution<int> px(-20, W + 20), py(-20, H + 20), r(3, 60);
        for (int k = 0; k < 25; ++k) {
            const int cx = px(rng), cy = py(rng), rr = r(rng);
            const float v = k % 5 == 0 ? 0.7f : (k % 7 == 0 ? 0.3f : 1.0f);
            for (int y = std::max(0, cy - rr); y < std::min(H, cy + rr); ++y)
                for (int x = std::max(0, cx - rr); x < std::min(W, cx + rr); ++x)
                    if (k % 2 || (x - cx) * (x - cx) + (y - cy) * (y - cy) <= rr * rr)
                        m[std::size_t(y) * W + x] = v;
        }
        doc->undoStack()->push(makeReplaceCommand(doc, QStringLiteral("test mask"), m).release());
        const std::vector<float> before = doc->mask().data;
        ToolOptionsPanel* panel = w->toolOptions();
        panel->radiusControl()->setValue(radius);
        panel->footprintControl()->setCurrentIndex(square ? 1 : 0);
        w->canvas()->setFocus();
        QTest::keyClick(w.get(), op == 0 ? Qt::Key_E : Qt::Key_C,
                        Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(doc->undoStack()->count(), 2);

        auto in = [&](int x, int y) { return before[std::size_t(y) * W + x] > 0.5f; };
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x) {
                bool any = false, all = true;
                for (int dy = -radius; dy <= radius; ++dy)
                    for (int dx = -radius; dx <= radius; ++dx) {
                        if (!square && dx * dx + dy * dy > radius * radius) continue;
                        const int xx = x + dx, yy = y + dy;
                        if (xx < 0 || yy < 0 || xx >= W || yy >= H) continue; // outside: masked
                        any = any || in(xx, yy);
                        all = all && in(xx, yy);
                    }
                const bool was = in(x, y);
                const bool now = op == 0 ? any : all;
                const float b = before[std::size_t(y) * W + x];
                const float expected = now == was ? b : (now ? 1.0f : 0.0f);
                if (doc->mask().row(y)[x] != expected)
                    QFAIL(qPrintable(QStringLiteral("pixel %1,%2: %3 instead of %4")
                                         .arg(x)
                                         .arg(y)
                                         .arg(doc->mask().row(y)[x])
                                         .arg(expected)));
            }
        QCOMPARE(previewMatchesCore(w.get()), QString());
        const std::vector<float> after = doc->mask().data;
        doc->undoStack()->undo();
        QVERIFY(doc->mask().data == before);
        doc->undoStack()->redo();
        QVERIFY(doc->mask().data == after);
    }

    void fillHolesBySize() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        MaskDocument* doc = w->document();
        const int W = doc->width(), H = doc->height();
        // A ring with holes of 4, 25 and 400 pixels inside, a hole touching the image border,
        // and a diagonal-only gap (4-connected background does not pass it: still a hole).
        std::vector<float> m(std::size_t(W) * H, 0.0f);
        auto set = [&](int x0, int y0, int x1, int y1, float v) {
            for (int y = y0; y < y1; ++y)
                for (int x = x0; x < x1; ++x)
                    m[std::size_t(y) * W + x] = v;
        };
        set(100, 100, 400, 300, 1.0f);
        set(120, 120, 122, 122, 0.0f); // 4 px
        set(150, 150, 155, 155, 0.0f); // 25 px
        set(200, 200, 220, 220, 0.2f); // 400 px (soft zero)
        set(0, 400, 200, 500, 1.0f);
        set(0, 440, 10, 450, 0.0f); // touches the border: not a hole
        set(600, 100, 700, 200, 1.0f);
        set(640, 140, 650, 150, 0.0f);        // 100 px
        m[std::size_t(139) * W + 639] = 0.0f; // diagonal neighbour of the hole's corner
        doc->undoStack()->push(makeReplaceCommand(doc, QStringLiteral("test mask"), m).release());
        const std::vector<float> before = doc->mask().data;
        w->toolOptions()->holeAreaControl()->setValue(101);
        w->action(QStringLiteral("maskFillHoles"))->trigger();
        std::vector<float> expected = before;
        auto fill = [&](int x0, int y0, int x1, int y1) {
            for (int y = y0; y < y1; ++y)
                for (int x = x0; x < x1; ++x)
                    expected[std::size_t(y) * W + x] = 1.0f;
        };
        fill(120, 120, 122, 122);
        fill(150, 150, 155, 155);
        fill(640, 140, 650, 150);
        expected[std::size_t(139) * W + 639] = 1.0f; // its own 1-pixel hole
        QVERIFY(doc->mask().data == expected);
        QCOMPARE(previewMatchesCore(w.get()), QString());
        // A larger limit takes the 400-pixel hole too.
        w->toolOptions()->holeAreaControl()->setValue(401);
        QTest::keyClick(w.get(), Qt::Key_H, Qt::ControlModifier | Qt::ShiftModifier);
        fill(200, 200, 220, 220);
        QVERIFY(doc->mask().data == expected);
        QCOMPARE(doc->undoStack()->count(), 3);
    }

    void optionsPersistPerTool() {
        {
            auto w = lbuitest::makeWindow();
            QVERIFY(w);
            fillTool(w.get(), FillTool::Kind::FloodFill)
                ->setOptions({77, lb::ColorMetric::Lab, 8, true});
            fillTool(w.get(), FillTool::Kind::SelectColor)
                ->setOptions({12, lb::ColorMetric::Rgb, 4, false});
            qobject_cast<ShapeTool*>(w->maskTools()[1])->setOptions({false});
            w->toolOptions()->radiusControl()->setValue(9);
            w->toolOptions()->footprintControl()->setCurrentIndex(1);
        }
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        const FillTool::Options f = fillTool(w.get(), FillTool::Kind::FloodFill)->options();
        QCOMPARE(f.tolerance, 77);
        QVERIFY(f.metric == lb::ColorMetric::Lab);
        QCOMPARE(f.connectivity, 8);
        QVERIFY(f.stopAtMask);
        const FillTool::Options s = fillTool(w.get(), FillTool::Kind::SelectColor)->options();
        QCOMPARE(s.tolerance, 12);
        QVERIFY(s.metric == lb::ColorMetric::Rgb);
        QVERIFY(!qobject_cast<ShapeTool*>(w->maskTools()[1])->options().antialias);
        QVERIFY(qobject_cast<ShapeTool*>(w->maskTools()[0])->options().antialias);
        QCOMPARE(w->toolOptions()->adjustRadius(), 9);
        QVERIFY(w->toolOptions()->adjustFootprint() == lb::Footprint::Square);
        // The panel shows the persisted values.
        QCOMPARE(w->toolOptions()
                     ->toleranceControl(fillTool(w.get(), FillTool::Kind::FloodFill))
                     ->value(),
                 77);
        QSettings().remove(QStringLiteral("tools"));
    }

    void everyToolOnToolbarWithShortcutInHelp() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        auto* toolbar = w->findChild<QToolBar*>(QStringLiteral("toolsToolBar"));
        QVERIFY(toolbar);
        const QList<std::pair<QString, Qt::Key>> tools = {
            {QStringLiteral("toolRectangle"), Qt::Key_R},
            {QStringLiteral("toolEllipse"), Qt::Key_O},
            {QStringLiteral("toolPolygonLasso"), Qt::Key_P},
            {QStringLiteral("toolFreehandLasso"), Qt::Key_L},
            {QStringLiteral("toolFloodFill"), Qt::Key_F},
            {QStringLiteral("toolSelectColor"), Qt::Key_W},
        };
        for (int i = 0; i < tools.size(); ++i) {
            QAction* a = w->action(tools[i].first);
            QVERIFY(a);
            QVERIFY(toolbar->actions().contains(a));
            QTest::keyClick(w.get(), tools[i].second);
            QVERIFY(a->isChecked());
            QCOMPARE(w->canvas()->tool(), w->maskTools()[i]);
        }
        for (const char* name : {"maskExpand", "maskContract", "maskFillHoles"}) {
            QAction* a = w->action(QString::fromLatin1(name));
            QVERIFY(toolbar->actions().contains(a));
            QVERIFY(!a->shortcut().isEmpty());
        }
        QTest::keyClick(w.get(), Qt::Key_B);
        QCOMPARE(w->canvas()->tool(), static_cast<MaskTool*>(w->brush()));

        w->action(QStringLiteral("shortcuts"))->trigger();
        auto* dialog = w->findChild<ShortcutsDialog*>();
        QVERIFY(dialog);
        auto* table = dialog->findChild<QTableWidget*>();
        QStringList rows;
        for (int r = 0; r < table->rowCount(); ++r)
            rows << table->item(r, 0)->text() + QLatin1Char('=') + table->item(r, 1)->text();
        for (const QString& expected :
             {QStringLiteral("Rectangle=R"), QStringLiteral("Ellipse=O"),
              QStringLiteral("Polygon Lasso=P"), QStringLiteral("Freehand Lasso=L"),
              QStringLiteral("Flood Fill=F"), QStringLiteral("Select by Color=W"),
              QStringLiteral("Expand Mask=Ctrl+Shift+E"),
              QStringLiteral("Contract Mask=Ctrl+Shift+C"),
              QStringLiteral("Fill Holes=Ctrl+Shift+H")})
            QVERIFY2(rows.contains(expected), qPrintable(expected));
    }
};

QTEST_MAIN(TestFillTools)
#include "tst_filltools.moc"
