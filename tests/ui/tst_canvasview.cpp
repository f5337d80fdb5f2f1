// View navigation on the real canvas: the wheel zooms around the cursor (the image point under
// it stays put), fit and 1:1, panning with the middle button and with space-drag.
#include "UiTestSupport.h"

#include <QWheelEvent>

using namespace lbui;

namespace {

void wheel(QWidget* w, QPoint pos, int delta) {
    QWheelEvent e(QPointF(pos), w->mapToGlobal(QPointF(pos)), QPoint(), QPoint(0, delta),
                  Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &e);
}

bool near(QPointF a, QPointF b, double eps = 1e-6) {
    return std::abs(a.x() - b.x()) < eps && std::abs(a.y() - b.y()) < eps;
}

} // namespace

class TestCanvasView : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    void wheelZoomKeepsPointUnderCursor_data() {
        QTest::addColumn<QPoint>("cursor");
        QTest::addColumn<int>("delta");
        QTest::newRow("in, centre") << QPoint(400, 300) << 120;
        QTest::newRow("in, corner") << QPoint(30, 40) << 360;
        QTest::newRow("out") << QPoint(250, 410) << -240;
        QTest::newRow("half notch") << QPoint(123, 321) << 60;
    }

    void wheelZoomKeepsPointUnderCursor() {
        QFETCH(QPoint, cursor);
        QFETCH(int, delta);
        auto w = lbuitest::makeWindow(false);
        QVERIFY(w);
        CanvasWidget* canvas = w->canvas();
        const double zoom = canvas->zoom();
        const QPointF before = canvas->widgetToImage(cursor);
        wheel(canvas, cursor, delta);
        QVERIFY(canvas->zoom() != zoom);
        QCOMPARE(delta > 0, canvas->zoom() > zoom);
        QVERIFY(near(canvas->widgetToImage(cursor), before));
        // And painting then hits the image point under the cursor.
        w->brush()->setSize(1);
        QTest::mouseClick(canvas, Qt::LeftButton, Qt::NoModifier, cursor);
        const QPoint pixel(int(std::floor(before.x())), int(std::floor(before.y())));
        if (w->document()->bounds().contains(pixel) && canvas->zoom() >= 1.0)
            QCOMPARE(w->document()->mask().row(pixel.y())[pixel.x()], 1.0f);
    }

    void fitAndActualSize() {
        auto w = lbuitest::makeWindow(false);
        QVERIFY(w);
        CanvasWidget* canvas = w->canvas();
        MaskDocument* doc = w->document();
        // First start: fitted, centred, all of the image visible.
        const QRectF shown(canvas->imageToWidget(QPointF(0, 0)),
                           canvas->imageToWidget(QPointF(doc->width(), doc->height())));
        QVERIFY(QRectF(canvas->rect()).contains(shown));
        QVERIFY(shown.width() > canvas->width() * 0.8 || shown.height() > canvas->height() * 0.8);
        QVERIFY(std::abs(shown.center().x() - canvas->width() / 2.0) < 1.0);
        w->action(QStringLiteral("zoomActual"))->trigger();
        QCOMPARE(canvas->zoom(), 1.0);
        QCOMPARE(canvas->offset().x(), std::round(canvas->offset().x()));
        w->action(QStringLiteral("zoomIn"))->trigger();
        QVERIFY(canvas->zoom() > 1.0);
        w->action(QStringLiteral("zoomFit"))->trigger();
        const QRectF again(canvas->imageToWidget(QPointF(0, 0)),
                           canvas->imageToWidget(QPointF(doc->width(), doc->height())));
        QVERIFY(near(again.topLeft(), shown.topLeft()));
    }

    void middleButtonPans() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        CanvasWidget* canvas = w->canvas();
        const QPointF offset = canvas->offset();
        const std::vector<float> mask = w->document()->mask().data;
        QTest::mousePress(canvas, Qt::MiddleButton, Qt::NoModifier, QPoint(300, 300));
        QTest::mouseMove(canvas, QPoint(340, 280));
        QTest::mouseMove(canvas, QPoint(370, 250));
        QTest::mouseRelease(canvas, Qt::MiddleButton, Qt::NoModifier, QPoint(370, 250));
        QCOMPARE(canvas->offset(), offset + QPointF(70, -50));
        QVERIFY(w->document()->mask().data == mask); // panning never paints
    }

    void spaceDragPans() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        CanvasWidget* canvas = w->canvas();
        canvas->setFocus();
        const QPointF offset = canvas->offset();
        QTest::keyPress(canvas, Qt::Key_Space);
        QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(200, 200));
        QTest::mouseMove(canvas, QPoint(150, 260));
        QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(150, 260));
        QTest::keyRelease(canvas, Qt::Key_Space);
        QCOMPARE(canvas->offset(), offset + QPointF(-50, 60));
        QCOMPARE(w->document()->undoStack()->count(), 0);
        // Without space the same drag paints again.
        QTest::mouseClick(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(200, 200));
        QCOMPARE(w->document()->undoStack()->count(), 1);
    }
};

QTEST_MAIN(TestCanvasView)
#include "tst_canvasview.moc"
