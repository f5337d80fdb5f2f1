// Editor timings at 4096 x 4096: start to a shown window and image, brush segment to
// repaint, grow preview refresh after a stroke and after a slider change. Prints the figures;
// asserts only generous upper bounds so that a regression to whole-image work shows.
#include "UiTestSupport.h"

#include "DocumentLoader.h"
#include "GrowPreview.h"
#include "PreviewPanel.h"
#include "SliderSpin.h"

#include <QElapsedTimer>
#include <QSlider>
#include <QTemporaryDir>

#include <algorithm>

using namespace lbui;

namespace {

constexpr int kSide = 4096;

class PaintCounter : public QObject {
public:
    int paints = 0;
    bool eventFilter(QObject*, QEvent* e) override {
        if (e->type() == QEvent::Paint) ++paints;
        return false;
    }
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

// Processes events until the canvas has painted at least once more.
void waitForPaint(PaintCounter& counter) {
    const int before = counter.paints;
    QElapsedTimer t;
    t.start();
    while (counter.paints == before && t.elapsed() < 5000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
}

} // namespace

class TestBenchmark : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString imagePath_;

private slots:
    void initTestCase() {
        lbuitest::initEnvironment();
        QImage big(kSide, kSide, QImage::Format_RGB32);
        for (int y = 0; y < kSide; ++y) {
            auto* line = reinterpret_cast<QRgb*>(big.scanLine(y));
            for (int x = 0; x < kSide; ++x)
                line[x] = qRgb(x & 255, y & 255, (x ^ y) & 255);
        }
        imagePath_ = dir_.filePath(QStringLiteral("big.png"));
        QVERIFY(big.save(imagePath_, "PNG", 100));
    }

    void timings() {
        QElapsedTimer start;
        start.start();
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const double shownMs = start.nsecsElapsed() / 1e6;
        w.openImage(imagePath_);
        QTRY_VERIFY_WITH_TIMEOUT(w.document()->width() == kSide, 60000);
        PaintCounter counter;
        w.canvas()->installEventFilter(&counter);
        waitForPaint(counter);
        const double imageMs = start.nsecsElapsed() / 1e6;

        // Brush segment -> repaint, at fit zoom and at 1:1, 64 px brush.
        CanvasWidget* c = w.canvas();
        w.brush()->setSize(64);
        auto strokeTimes = [&](int steps) {
            std::vector<double> times;
            QPoint p(200, 200);
            QTest::mousePress(c, Qt::LeftButton, Qt::NoModifier, p);
            waitForPaint(counter);
            for (int i = 0; i < steps; ++i) {
                p += QPoint(7, 3);
                QElapsedTimer t;
                t.start();
                QTest::mouseMove(c, p);
                waitForPaint(counter);
                times.push_back(t.nsecsElapsed() / 1e6);
            }
            QTest::mouseRelease(c, Qt::LeftButton, Qt::NoModifier, p);
            return times;
        };
        const double segmentFit = median(strokeTimes(40));
        w.action(QStringLiteral("zoomActual"))->trigger();
        waitForPaint(counter);
        const double segmentOne = median(strokeTimes(40));

        // Grow preview after a stroke segment: the document's change notification runs the
        // incremental re-round and regrow (and the layer updates) synchronously.
        auto previewAfterStroke = [&](int g) {
            w.previewPanel()->growControl()->setValue(g);
            std::vector<double> times;
            for (int i = 0; i < 20; ++i) {
                const QRect r(1000 + 37 * i, 2000, 64, 64);
                QElapsedTimer t;
                t.start();
                w.document()->notifyMaskChanged(r);
                times.push_back(t.nsecsElapsed() / 1e6);
            }
            return median(times);
        };
        const double afterStroke6 = previewAfterStroke(6);
        const double afterStroke64 = previewAfterStroke(64);

        // Slider change: full regrow of 4096 x 4096 plus the outline layer and the repaint.
        w.action(QStringLiteral("zoomFit"))->trigger();
        waitForPaint(counter);
        std::vector<double> sliderTimes;
        for (int g : {10, 30, 64, 0, 6, 48, 12, 20}) {
            QElapsedTimer t;
            t.start();
            w.previewPanel()->growControl()->slider()->setValue(g);
            waitForPaint(counter);
            sliderTimes.push_back(t.nsecsElapsed() / 1e6);
        }
        const double slider = median(sliderTimes);

        qInfo().noquote() << QStringLiteral("\nEditor timings, %1 x %1 image (median ms):\n"
                                            "  start to shown window           %2\n"
                                            "  start to image shown (PNG load) %3\n"
                                            "  brush segment to repaint, fit   %4\n"
                                            "  brush segment to repaint, 1:1   %5\n"
                                            "  grow preview after a stroke g=6   %6\n"
                                            "  grow preview after a stroke g=64  %7\n"
                                            "  grow slider change to repaint   %8")
                                 .arg(kSide)
                                 .arg(shownMs, 0, 'f', 1)
                                 .arg(imageMs, 0, 'f', 1)
                                 .arg(segmentFit, 0, 'f', 2)
                                 .arg(segmentOne, 0, 'f', 2)
                                 .arg(afterStroke6, 0, 'f', 2)
                                 .arg(afterStroke64, 0, 'f', 2)
                                 .arg(slider, 0, 'f', 1);
        // Generous bounds: incremental work must not degrade to whole-image work per segment.
        QVERIFY(afterStroke6 < 500.0);
        QVERIFY(segmentOne < 2000.0);
        w.document()->markSaved();
    }
};

QTEST_MAIN(TestBenchmark)
#include "tst_benchmark.moc"
