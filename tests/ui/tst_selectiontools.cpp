// Rectangle, ellipse, polygon lasso and freehand lasso through real mouse events on the canvas:
// the mask's coverage equals an independent per-pixel area integration of the shape (within
// the stated tolerance; exact for rectangles), add/subtract/replace combine as specified, each
// application is one undo command that undoes and redoes bit for bit, and the grow preview
// equals lb::noiseMask of the document's mask afterwards.
#include "UiTestSupport.h"

#include "GrowPreview.h"
#include "MaskEditCommand.h"
#include "MaskTool.h"
#include "ShapeTool.h"

#include "latentbrush/InpaintPreprocess.h"

#include <QAction>
#include <QKeyEvent>

#include <functional>

using namespace lbui;

namespace {

using Intervals = std::vector<std::pair<double, double>>;

// Coverage of each pixel by a shape given its horizontal cross-section at height y: the area
// integrated with the midpoint rule over `samples` lines per pixel row, inside `box`.
std::vector<double> integrateCoverage(int width, int height, QRect box,
                                      const std::function<Intervals(double)>& section,
                                      int samples = 256) {
    std::vector<double> cov(std::size_t(width) * height, 0.0);
    box &= QRect(0, 0, width, height);
    for (int y = box.top(); y <= box.bottom(); ++y)
        for (int s = 0; s < samples; ++s) {
            const double yy = y + (s + 0.5) / samples;
            for (const auto& [a, b] : section(yy)) {
                const int x0 = std::max(0, int(std::floor(a)));
                const int x1 = std::min(width - 1, int(std::ceil(b)) - 1);
                for (int x = x0; x <= x1; ++x) {
                    const double o = std::min(b, x + 1.0) - std::max(a, double(x));
                    if (o > 0) cov[std::size_t(y) * width + x] += o / samples;
                }
            }
        }
    return cov;
}

// Even-odd cross-section of a simple polygon.
Intervals polygonSection(const std::vector<QPointF>& poly, double y) {
    std::vector<double> xs;
    for (std::size_t i = 0; i < poly.size(); ++i) {
        const QPointF a = poly[i], b = poly[(i + 1) % poly.size()];
        if ((a.y() <= y && b.y() > y) || (b.y() <= y && a.y() > y))
            xs.push_back(a.x() + (y - a.y()) * (b.x() - a.x()) / (b.y() - a.y()));
    }
    std::sort(xs.begin(), xs.end());
    Intervals out;
    for (std::size_t i = 0; i + 1 < xs.size(); i += 2)
        out.push_back({xs[i], xs[i + 1]});
    return out;
}

QRect boundsOf(const std::vector<QPointF>& pts) {
    QRectF r(pts[0], QSizeF(0, 0));
    for (const QPointF& p : pts)
        r |= QRectF(p, QSizeF(0.001, 0.001));
    return r.toAlignedRect().adjusted(-1, -1, 1, 1);
}

// Compares actual mask values with before + shape coverage combined by `mode`:
// |actual - expected| <= tol everywhere, and round() agrees wherever the expected value is
// farther than tol from 0.5. Returns a description of the first mismatch, or empty.
QString compareCombined(const std::vector<float>& actual, const std::vector<float>& before,
                        const std::vector<double>& cov, MaskCombine mode, double tol) {
    for (std::size_t i = 0; i < actual.size(); ++i) {
        const double c = cov[i], b = before[i];
        double e = 0.0;
        switch (mode) {
        case MaskCombine::Add:
            e = b + (1.0 - b) * c;
            break;
        case MaskCombine::Subtract:
            e = b * (1.0 - c);
            break;
        case MaskCombine::Replace:
            e = c;
            break;
        }
        if (std::fabs(actual[i] - e) > tol)
            return QStringLiteral("pixel %1: %2 instead of %3 (coverage %4)")
                .arg(i)
                .arg(actual[i])
                .arg(e)
                .arg(c);
        if (std::fabs(e - 0.5) > tol && (actual[i] > 0.5f) != (e > 0.5))
            return QStringLiteral("pixel %1 rounds differently").arg(i);
    }
    return {};
}

QString previewMatchesCore(MainWindow* w) {
    GrowPreview* p = w->preview();
    const lb::BinaryMask ref =
        lb::noiseMask(lb::cropMask(w->document()->mask(), p->crop()), p->grow());
    return ref.data == p->noiseMask().data ? QString() : QStringLiteral("grow preview differs");
}

// A view at a fractional zoom and offset, so that mouse positions land between pixel corners.
void fractionalView(CanvasWidget* canvas) {
    canvas->setZoom(1.37, QPointF(0, 0));
    canvas->panBy(QPointF(13.3, 17.6) - canvas->offset());
}

} // namespace

class TestSelectionTools : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    void rectangleCoverage_data() {
        QTest::addColumn<QPoint>("from");
        QTest::addColumn<QPoint>("to");
        QTest::addColumn<bool>("ctrl");
        QTest::newRow("drag down-right") << QPoint(100, 90) << QPoint(341, 257) << false;
        QTest::newRow("drag up-left") << QPoint(400, 300) << QPoint(213, 121) << false;
        QTest::newRow("ctrl keeps a square") << QPoint(150, 140) << QPoint(390, 230) << true;
        QTest::newRow("past the image edge") << QPoint(900, 600) << QPoint(1600, 1300) << false;
    }

    void rectangleCoverage() {
        QFETCH(QPoint, from);
        QFETCH(QPoint, to);
        QFETCH(bool, ctrl);
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        CanvasWidget* canvas = w->canvas();
        fractionalView(canvas);
        w->action(QStringLiteral("toolRectangle"))->trigger();
        QVERIFY(qobject_cast<ShapeTool*>(canvas->tool()));
        MaskDocument* doc = w->document();
        const std::vector<float> before = doc->mask().data;
        const Qt::KeyboardModifiers mods = ctrl ? Qt::ControlModifier : Qt::NoModifier;
        QTest::mousePress(canvas, Qt::LeftButton, mods, from);
        QTest::mouseMove(canvas, (from + to) / 2);
        QTest::mouseMove(canvas, to);
        QTest::mouseRelease(canvas, Qt::LeftButton, mods, to);

        const QPointF a = canvas->widgetToImage(from);
        QPointF b = canvas->widgetToImage(to);
        if (ctrl) {
            const double s = std::max(std::fabs(b.x() - a.x()), std::fabs(b.y() - a.y()));
            b = a + QPointF(std::copysign(s, b.x() - a.x()), std::copysign(s, b.y() - a.y()));
        }
        const double x0 = std::min(a.x(), b.x()), x1 = std::max(a.x(), b.x());
        const double y0 = std::min(a.y(), b.y()), y1 = std::max(a.y(), b.y());
        // Exact coverage of a rectangle: the product of the overlaps.
        std::vector<double> cov(before.size());
        for (int y = 0; y < doc->height(); ++y)
            for (int x = 0; x < doc->width(); ++x) {
                const double ox = std::max(0.0, std::min(x1, x + 1.0) - std::max(x0, double(x)));
                const double oy = std::max(0.0, std::min(y1, y + 1.0) - std::max(y0, double(y)));
                cov[std::size_t(y) * doc->width() + x] = ox * oy;
            }
        QCOMPARE(compareCombined(doc->mask().data, before, cov, MaskCombine::Add, 1e-5), QString());
        QCOMPARE(doc->undoStack()->count(), 1);
        QCOMPARE(previewMatchesCore(w.get()), QString());
    }

    void ellipseCoverage_data() {
        QTest::addColumn<QPoint>("from");
        QTest::addColumn<QPoint>("to");
        QTest::addColumn<bool>("ctrl");
        QTest::newRow("ellipse") << QPoint(120, 100) << QPoint(431, 277) << false;
        QTest::newRow("circle with ctrl") << QPoint(500, 420) << QPoint(330, 300) << true;
        QTest::newRow("thin ellipse") << QPoint(200, 200) << QPoint(600, 209) << false;
    }

    void ellipseCoverage() {
        QFETCH(QPoint, from);
        QFETCH(QPoint, to);
        QFETCH(bool, ctrl);
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        CanvasWidget* canvas = w->canvas();
        fractionalView(canvas);
        QTest::keyClick(w.get(), Qt::Key_O);
        QVERIFY(w->action(QStringLiteral("toolEllipse"))->isChecked());
        MaskDocument* doc = w->document();
        const std::vector<float> before = doc->mask().data;
        const Qt::KeyboardModifiers mods = ctrl ? Qt::ControlModifier : Qt::NoModifier;
        QTest::mousePress(canvas, Qt::LeftButton, mods, from);
        QTest::mouseMove(canvas, to);
        QTest::mouseRelease(canvas, Qt::LeftButton, mods, to);

        const QPointF a = canvas->widgetToImage(from);
        QPointF b = canvas->widgetToImage(to);
        if (ctrl) {
            const double s = std::max(std::fabs(b.x() - a.x()), std::fabs(b.y() - a.y()));
            b = a + QPointF(std::copysign(s, b.x() - a.x()), std::copysign(s, b.y() - a.y()));
        }
        const QPointF c = (a + b) / 2;
        const double rx = std::fabs(b.x() - a.x()) / 2, ry = std::fabs(b.y() - a.y()) / 2;
        const auto cov = integrateCoverage(
            doc->width(), doc->height(),
            QRectF(c - QPointF(rx, ry), c + QPointF(rx, ry)).toAlignedRect().adjusted(-1, -1, 1, 1),
            [&](double y) -> Intervals {
                const double t = (y - c.y()) / ry;
                if (std::fabs(t) >= 1) return {};
                const double hw = rx * std::sqrt(1 - t * t);
                return {{c.x() - hw, c.x() + hw}};
            });
        // Tolerance: the polygon follows the ellipse within 0.002 px; the integration's error
        // is far below that.
        QCOMPARE(compareCombined(doc->mask().data, before, cov, MaskCombine::Add, 0.01), QString());
        QCOMPARE(previewMatchesCore(w.get()), QString());
        // Some pixels really are partial: the edge is anti-aliased.
        int partial = 0;
        for (float v : doc->mask().data)
            partial += v > 0.0f && v < 1.0f;
        QVERIFY(partial > 20);
    }

    void polygonLassoClicksAndDoubleClick() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        CanvasWidget* canvas = w->canvas();
        fractionalView(canvas);
        QTest::keyClick(w.get(), Qt::Key_P);
        QVERIFY(w->action(QStringLiteral("toolPolygonLasso"))->isChecked());
        MaskDocument* doc = w->document();
        const std::vector<float> before = doc->mask().data;
        const QList<QPoint> clicks{{150, 120}, {520, 160}, {300, 240}, {560, 470}};
        for (int i = 0; i + 1 < clicks.size(); ++i) {
            QTest::mouseClick(canvas, Qt::LeftButton, Qt::NoModifier, clicks[i]);
            QCOMPARE(doc->undoStack()->count(), 0); // nothing until the polygon closes
        }
        // A real double-click: press, release, double-click event, release.
        QTest::mouseClick(canvas, Qt::LeftButton, Qt::NoModifier, clicks.last());
        QTest::mouseDClick(canvas, Qt::LeftButton, Qt::NoModifier, clicks.last());
        QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, clicks.last());
        QCOMPARE(doc->undoStack()->count(), 1);
        QCOMPARE(doc->undoStack()->text(0), QStringLiteral("Polygon lasso (add)"));

        std::vector<QPointF> poly;
        for (const QPoint& p : clicks)
            poly.push_back(canvas->widgetToImage(p));
        const auto cov = integrateCoverage(doc->width(), doc->height(), boundsOf(poly),
                                           [&](double y) { return polygonSection(poly, y); });
        QCOMPARE(compareCombined(doc->mask().data, before, cov, MaskCombine::Add, 0.005),
                 QString());
        QCOMPARE(previewMatchesCore(w.get()), QString());
    }

    void polygonLassoKeys() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        CanvasWidget* canvas = w->canvas();
        w->action(QStringLiteral("toolPolygonLasso"))->trigger();
        MaskDocument* doc = w->document();
        auto* tool = qobject_cast<ShapeTool*>(canvas->tool());
        QVERIFY(tool);
        // Escape cancels; Backspace removes the last point (and does not clear the mask).
        QTest::mouseClick(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(100, 100));
        QTest::mouseClick(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(300, 100));
        QTest::keyClick(canvas, Qt::Key_Escape);
        QCOMPARE(tool->pointCount(), 0);
        QCOMPARE(doc->undoStack()->count(), 0);
        for (const QPoint& p :
             {QPoint(100, 100), QPoint(300, 100), QPoint(300, 300), QPoint(999, 999)})
            QTest::mouseClick(canvas, Qt::LeftButton, Qt::NoModifier, p);
        QCOMPARE(tool->pointCount(), 4);
        QTest::keyClick(canvas, Qt::Key_Backspace);
        QCOMPARE(tool->pointCount(), 3);
        QTest::mouseClick(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(100, 300));
        QTest::keyClick(canvas, Qt::Key_Return);
        QCOMPARE(doc->undoStack()->count(), 1);
        // The square 80..280 x 80..280 in image coordinates (zoom 1, offset 20).
        for (int y = 0; y < doc->height(); ++y)
            for (int x = 0; x < doc->width(); ++x) {
                const float expected = (x >= 80 && x < 280 && y >= 80 && y < 280) ? 1.0f : 0.0f;
                if (doc->mask().row(y)[x] != expected)
                    QFAIL(qPrintable(QStringLiteral("pixel %1,%2").arg(x).arg(y)));
            }
    }

    void freehandLasso() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        CanvasWidget* canvas = w->canvas();
        fractionalView(canvas);
        QTest::keyClick(w.get(), Qt::Key_L);
        MaskDocument* doc = w->document();
        const std::vector<float> before = doc->mask().data;
        const QList<QPoint> path{{200, 150}, {320, 120}, {450, 180}, {480, 300},
                                 {400, 420}, {330, 330}, {250, 400}, {180, 300}};
        QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, path.first());
        for (int i = 1; i < path.size(); ++i)
            QTest::mouseMove(canvas, path[i]);
        QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, path.last());
        QCOMPARE(doc->undoStack()->count(), 1);
        std::vector<QPointF> poly;
        for (const QPoint& p : path)
            poly.push_back(canvas->widgetToImage(p));
        const auto cov = integrateCoverage(doc->width(), doc->height(), boundsOf(poly),
                                           [&](double y) { return polygonSection(poly, y); });
        QCOMPARE(compareCombined(doc->mask().data, before, cov, MaskCombine::Add, 0.005),
                 QString());
        QCOMPARE(previewMatchesCore(w.get()), QString());
    }

    void addSubtractReplace_data() {
        QTest::addColumn<int>("how"); // 0 add, 1 alt, 2 right button, 3 shift
        QTest::newRow("add") << 0;
        QTest::newRow("subtract with Alt") << 1;
        QTest::newRow("subtract with the right button") << 2;
        QTest::newRow("replace with Shift") << 3;
    }

    void addSubtractReplace() {
        QFETCH(int, how);
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        CanvasWidget* canvas = w->canvas();
        MaskDocument* doc = w->document();
        // A starting mask: a hard brush disc and a rectangle elsewhere.
        w->brush()->setSettings({120.0, 1.0, 1.0});
        QTest::mouseClick(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(300, 250));
        fractionalView(canvas);
        w->action(QStringLiteral("toolEllipse"))->trigger();
        QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(600, 500));
        QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(700, 580));
        const std::vector<float> before = doc->mask().data;
        QCOMPARE(doc->undoStack()->count(), 2);

        const QPoint from(250, 200), to(520, 380);
        const Qt::MouseButton button = how == 2 ? Qt::RightButton : Qt::LeftButton;
        const Qt::KeyboardModifiers mods = how == 1   ? Qt::AltModifier
                                           : how == 3 ? Qt::ShiftModifier
                                                      : Qt::NoModifier;
        QTest::mousePress(canvas, button, mods, from);
        QTest::mouseMove(canvas, to);
        QTest::mouseRelease(canvas, button, mods, to);
        const std::vector<float> after = doc->mask().data;

        const QPointF a = canvas->widgetToImage(from), b = canvas->widgetToImage(to);
        const QPointF c = (a + b) / 2;
        const double rx = (b.x() - a.x()) / 2, ry = (b.y() - a.y()) / 2;
        const auto cov = integrateCoverage(doc->width(), doc->height(),
                                           QRectF(a, b).toAlignedRect().adjusted(-1, -1, 1, 1),
                                           [&](double y) -> Intervals {
                                               const double t = (y - c.y()) / ry;
                                               if (std::fabs(t) >= 1) return {};
                                               const double hw = rx * std::sqrt(1 - t * t);
                                               return {{c.x() - hw, c.x() + hw}};
                                           });
        const MaskCombine mode = how == 0   ? MaskCombine::Add
                                 : how == 3 ? MaskCombine::Replace
                                            : MaskCombine::Subtract;
        QCOMPARE(compareCombined(after, before, cov, mode, 0.01), QString());
        QCOMPARE(doc->undoStack()->count(), 3);
        QCOMPARE(previewMatchesCore(w.get()), QString());

        // One command holding only the changed rectangle; undo/redo bit for bit.
        const auto* cmd = dynamic_cast<const MaskEditCommand*>(doc->undoStack()->command(2));
        QVERIFY(cmd);
        QRect changed;
        for (int y = 0; y < doc->height(); ++y)
            for (int x = 0; x < doc->width(); ++x) {
                const std::size_t i = std::size_t(y) * doc->width() + x;
                if (before[i] != after[i]) changed |= QRect(x, y, 1, 1);
            }
        QCOMPARE(cmd->rect(), changed);
        QCOMPARE(cmd->storedPixelCount(), std::size_t(2) * changed.width() * changed.height());
        for (int round = 0; round < 2; ++round) {
            w->action(QStringLiteral("undo"))->trigger();
            QVERIFY(doc->mask().data == before);
            QCOMPARE(previewMatchesCore(w.get()), QString());
            w->action(QStringLiteral("redo"))->trigger();
            QVERIFY(doc->mask().data == after);
            QCOMPARE(previewMatchesCore(w.get()), QString());
        }
    }

    void binaryEdgesWithoutAntialiasing() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        CanvasWidget* canvas = w->canvas();
        fractionalView(canvas);
        w->action(QStringLiteral("toolEllipse"))->trigger();
        auto* tool = qobject_cast<ShapeTool*>(canvas->tool());
        tool->setOptions({false});
        QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(100, 100));
        QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(333, 251));
        const QPointF a = canvas->widgetToImage(QPoint(100, 100));
        const QPointF b = canvas->widgetToImage(QPoint(333, 251));
        const QPointF c = (a + b) / 2;
        const double rx = (b.x() - a.x()) / 2, ry = (b.y() - a.y()) / 2;
        const lb::MaskBuffer& m = w->document()->mask();
        int mismatches = 0, onEdge = 0;
        for (int y = 0; y < m.height; ++y)
            for (int x = 0; x < m.width; ++x) {
                const double u = (x + 0.5 - c.x()) / rx, v = (y + 0.5 - c.y()) / ry;
                const double r = std::sqrt(u * u + v * v);
                const float value = m.row(y)[x];
                QVERIFY(value == 0.0f || value == 1.0f);
                if (std::fabs(r - 1.0) < 0.002) { // the polygon follows the curve within this
                    ++onEdge;
                    continue;
                }
                mismatches += (value == 1.0f) != (r < 1.0);
            }
        QCOMPARE(mismatches, 0);
        tool->setOptions({true});
    }
};

QTEST_MAIN(TestSelectionTools)
#include "tst_selectiontools.moc"
