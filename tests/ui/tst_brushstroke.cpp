// Brush strokes through real mouse events on the canvas: the painted pixels equal an
// independently computed disc/capsule, the eraser and Shift lines, and [ ] sizes.
#include "UiTestSupport.h"

#include "latentbrush/Buffers.h"

#include <QPointingDevice>
#include <QTabletEvent>

using namespace lbui;

class TestBrushStroke : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    void paintsExpectedPixels_data() {
        QTest::addColumn<QList<QPoint>>("points"); // widget positions: press, moves..., release
        QTest::addColumn<double>("size");
        QTest::newRow("single click, even size") << QList<QPoint>{{220, 180}} << 24.0;
        QTest::newRow("single click, odd size") << QList<QPoint>{{301, 157}} << 33.0;
        QTest::newRow("horizontal drag")
            << QList<QPoint>{{100, 100}, {160, 100}, {260, 100}} << 20.0;
        QTest::newRow("vertical drag") << QList<QPoint>{{400, 80}, {400, 300}} << 15.0;
        QTest::newRow("bent drag") << QList<QPoint>{{120, 300}, {200, 300}, {200, 380}} << 30.0;
        QTest::newRow("diagonal drag") << QList<QPoint>{{500, 100}, {560, 170}} << 18.0;
        QTest::newRow("tiny brush") << QList<QPoint>{{50, 60}, {90, 60}} << 1.0;
    }

    void paintsExpectedPixels() {
        QFETCH(QList<QPoint>, points);
        QFETCH(double, size);
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        MaskDocument* doc = w->document();
        CanvasWidget* canvas = w->canvas();
        w->brush()->setSize(size);
        const std::vector<float> before = doc->mask().data;

        QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, points.first());
        for (int i = 1; i < points.size(); ++i)
            QTest::mouseMove(canvas, points[i]);
        QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, points.last());

        std::vector<QPointF> imagePts;
        for (const QPoint& p : points)
            imagePts.push_back(canvas->widgetToImage(p));
        const auto expected = lbuitest::expectedStroke(doc->width(), doc->height(), imagePts,
                                                       size / 2.0, 1.0f, before);
        QCOMPARE(lbuitest::countMismatches(doc->mask().data, expected), 0);
        QCOMPARE(doc->undoStack()->count(), 1); // one stroke, one command
        QVERIFY(doc->isModified());
    }

    void rightButtonErases() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        MaskDocument* doc = w->document();
        CanvasWidget* canvas = w->canvas();
        w->brush()->setSize(40);
        QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(200, 200));
        QTest::mouseMove(canvas, QPoint(300, 200));
        QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(300, 200));
        const std::vector<float> painted = doc->mask().data;
        w->brush()->setSize(10);
        QTest::mousePress(canvas, Qt::RightButton, Qt::NoModifier, QPoint(250, 200));
        QTest::mouseRelease(canvas, Qt::RightButton, Qt::NoModifier, QPoint(250, 200));
        const auto expected =
            lbuitest::expectedStroke(doc->width(), doc->height(),
                                     {canvas->widgetToImage(QPoint(250, 200))}, 5.0, 0.0f, painted);
        QCOMPARE(lbuitest::countMismatches(doc->mask().data, expected), 0);
        QCOMPARE(doc->undoStack()->count(), 2);
        QCOMPARE(doc->undoStack()->text(1), QStringLiteral("Eraser stroke"));
    }

    void shiftClickDrawsStraightLine() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        MaskDocument* doc = w->document();
        CanvasWidget* canvas = w->canvas();
        w->brush()->setSize(12);
        const std::vector<float> before = doc->mask().data;
        QTest::mouseClick(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(100, 400));
        QTest::mouseClick(canvas, Qt::LeftButton, Qt::ShiftModifier, QPoint(400, 400));
        const auto expected = lbuitest::expectedStroke(
            doc->width(), doc->height(),
            {canvas->widgetToImage(QPoint(100, 400)), canvas->widgetToImage(QPoint(400, 400))}, 6.0,
            1.0f, before);
        QCOMPARE(lbuitest::countMismatches(doc->mask().data, expected), 0);
        QCOMPARE(doc->undoStack()->count(), 2);
        QCOMPARE(doc->undoStack()->text(1), QStringLiteral("Straight line"));
    }

    void eraserToolAndBracketKeys() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        CanvasWidget* canvas = w->canvas();
        canvas->setFocus();
        w->brush()->setSize(50);
        QTest::keyClick(w.get(), Qt::Key_BracketRight);
        QVERIFY(w->brush()->settings().size > 50);
        const double bigger = w->brush()->settings().size;
        QTest::keyClick(w.get(), Qt::Key_BracketLeft);
        QTest::keyClick(w.get(), Qt::Key_BracketLeft);
        QVERIFY(w->brush()->settings().size < bigger);
        QTest::keyClick(w.get(), Qt::Key_E);
        QCOMPARE(w->brush()->mode(), BrushTool::Mode::Erase);
        QTest::keyClick(w.get(), Qt::Key_B);
        QCOMPARE(w->brush()->mode(), BrushTool::Mode::Paint);
    }

    void tabletPressureScalesTheBrush() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        MaskDocument* doc = w->document();
        CanvasWidget* canvas = w->canvas();
        w->brush()->setSize(40);
        QPointingDevice stylus(
            QStringLiteral("test stylus"), 42, QInputDevice::DeviceType::Stylus,
            QPointingDevice::PointerType::Pen,
            QInputDevice::Capability::Position | QInputDevice::Capability::Pressure, 1, 3);
        auto send = [&](QEvent::Type type, QPoint pos, double pressure, Qt::MouseButtons buttons) {
            QTabletEvent e(type, &stylus, QPointF(pos), canvas->mapToGlobal(QPointF(pos)), pressure,
                           0, 0, 0, 0, 0, Qt::NoModifier, Qt::LeftButton, buttons);
            QApplication::sendEvent(canvas, &e);
        };
        const std::vector<float> before = doc->mask().data;
        send(QEvent::TabletPress, QPoint(200, 200), 0.5, Qt::LeftButton);
        send(QEvent::TabletRelease, QPoint(200, 200), 0.5, Qt::NoButton);
        // Half the pressure, half the radius: 10 px instead of 20.
        const auto expected =
            lbuitest::expectedStroke(doc->width(), doc->height(),
                                     {canvas->widgetToImage(QPoint(200, 200))}, 10.0, 1.0f, before);
        QCOMPARE(lbuitest::countMismatches(doc->mask().data, expected), 0);
        QCOMPARE(doc->undoStack()->count(), 1);
    }

    void softBrushStaysWithinRadiusAndOpacity() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        MaskDocument* doc = w->document();
        w->brush()->setSettings({30.0, 0.5, 0.6});
        QTest::mousePress(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(300, 300));
        QTest::mouseMove(w->canvas(), QPoint(310, 300));
        QTest::mouseMove(w->canvas(), QPoint(305, 300)); // overlapping segments do not build up
        QTest::mouseRelease(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(305, 300));
        const QPointF a = w->canvas()->widgetToImage(QPoint(300, 300));
        const QPointF b = w->canvas()->widgetToImage(QPoint(310, 300));
        float maxValue = 0.0f;
        for (int y = 0; y < doc->height(); ++y)
            for (int x = 0; x < doc->width(); ++x) {
                const float v = doc->mask().row(y)[x];
                maxValue = std::max(maxValue, v);
                if (lbuitest::segmentDistance2(QPointF(x + 0.5, y + 0.5), a, b) > 15.0 * 15.0)
                    QCOMPARE(v, 0.0f);
            }
        QCOMPARE(maxValue, 0.6f);
    }
};

QTEST_MAIN(TestBrushStroke)
#include "tst_brushstroke.moc"
