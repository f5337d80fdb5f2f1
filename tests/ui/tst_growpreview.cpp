// The live preview equals the core on the whole image: after random strokes, undo, grow
// changes through the real slider and spin box, and crop multiples, GrowPreview's noise_mask
// and gray-filled pixels are identical to lb::prepareInpaint / lb::noiseMask.
#include "UiTestSupport.h"

#include "GrowPreview.h"
#include "PreviewPanel.h"
#include "SliderSpin.h"

#include "latentbrush/InpaintPreprocess.h"

#include <QSlider>
#include <QSpinBox>

#include <random>

using namespace lbui;

namespace {

// Compares the preview with the core's whole-image computation; returns an empty string when
// identical.
QString compareWithCore(MaskDocument* doc, GrowPreview* preview) {
    auto ref = lb::prepareInpaint(*doc->image(), doc->mask(), preview->grow(), preview->multiple());
    if (!ref) return QString::fromStdString(ref.message());
    const lb::InpaintInputs& r = *ref;
    if (!(r.crop == preview->crop())) return QStringLiteral("crop differs");
    if (r.noiseMask.data != preview->noiseMask().data) {
        int n = 0;
        for (std::size_t i = 0; i < r.noiseMask.data.size(); ++i)
            n += r.noiseMask.data[i] != preview->noiseMask().data[i];
        return QStringLiteral("noise_mask differs in %1 pixels").arg(n);
    }
    const lb::BinaryMask direct = lb::noiseMask(lb::cropMask(doc->mask(), r.crop), preview->grow());
    if (direct.data != preview->noiseMask().data) return QStringLiteral("noiseMask() differs");
    const lb::ImageBuffer pixels = preview->encoderPixels(preview->cropRect());
    if (pixels.height != r.pixels.height || pixels.width != r.pixels.width ||
        pixels.data != r.pixels.data)
        return QStringLiteral("gray-filled pixels differ");
    qint64 ones = 0;
    for (auto v : r.noiseMask.data)
        ones += v;
    if (ones != preview->grownCount()) return QStringLiteral("grown count differs");
    return {};
}

} // namespace

class TestGrowPreview : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    void matchesCoreAfterRandomEdits_data() {
        QTest::addColumn<int>("seed");
        QTest::addColumn<int>("multiple");
        QTest::newRow("seed 1, multiple 8") << 1 << 8;
        QTest::newRow("seed 2, multiple 16") << 2 << 16;
        QTest::newRow("seed 3, multiple 4") << 3 << 4;
    }

    void matchesCoreAfterRandomEdits() {
        QFETCH(int, seed);
        QFETCH(int, multiple);
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        MaskDocument* doc = w->document();
        GrowPreview* preview = w->preview();
        preview->setMultiple(multiple);
        SliderSpin* grow = w->previewPanel()->growControl();
        std::mt19937 rng(seed);
        std::uniform_int_distribution<int> px(-20, 760), py(-20, 560), size(1, 50), g(0, 64),
            op(0, 9);
        QCOMPARE(compareWithCore(doc, preview), QString());
        for (int step = 0; step < 30; ++step) {
            const int o = op(rng);
            if (o < 6) {
                w->brush()->setSettings({double(size(rng)), (o % 3) / 2.0, o == 2 ? 0.5 : 1.0});
                const Qt::MouseButton b = o == 5 ? Qt::RightButton : Qt::LeftButton;
                QPoint p(px(rng), py(rng));
                QTest::mousePress(w->canvas(), b, Qt::NoModifier, p);
                for (int k = 0; k < 4; ++k)
                    QTest::mouseMove(w->canvas(), p = QPoint(px(rng), py(rng)));
                QTest::mouseRelease(w->canvas(), b, Qt::NoModifier, p);
            } else if (o == 6) {
                grow->slider()->setValue(g(rng)); // as a drag of the slider does
            } else if (o == 7) {
                grow->spinBox()->setValue(g(rng) * 3); // beyond the slider's 64
            } else if (o == 8) {
                doc->undoStack()->undo();
            } else {
                doc->undoStack()->redo();
            }
            QCOMPARE(preview->grow(), grow->value());
            const QString diff = compareWithCore(doc, preview);
            if (!diff.isEmpty())
                QFAIL(qPrintable(QStringLiteral("step %1: %2").arg(step).arg(diff)));
        }
    }

    void growControlRanges() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        SliderSpin* grow = w->previewPanel()->growControl();
        QCOMPARE(grow->value(), 6); // ComfyUI's default
        QCOMPARE(grow->slider()->minimum(), 0);
        QCOMPARE(grow->slider()->maximum(), 64);
        QCOMPARE(grow->spinBox()->maximum(), 1024);
        grow->spinBox()->setValue(300);
        QCOMPARE(w->preview()->grow(), 300);
        QCOMPARE(grow->slider()->value(), 64);
    }

    void editsRecomputeOnlyWhatTheyReach() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        QList<QRect> changed;
        connect(w->preview(), &GrowPreview::previewChanged, this,
                [&changed](const QRect& r) { changed << r; });
        w->brush()->setSize(10);
        w->previewPanel()->growControl()->setValue(20);
        changed.clear();
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(300, 300));
        QCOMPARE(changed.size(), 1);
        const QPointF c = w->canvas()->widgetToImage(QPoint(300, 300));
        // The dab's box, grown by the window (a = b = 10 for g = 20 -> at most 10 px around).
        const QRect bound =
            QRectF(c.x() - 6, c.y() - 6, 12, 12).toAlignedRect().adjusted(-10, -10, 10, 10);
        QVERIFY2(bound.contains(changed.first()), qPrintable(QStringLiteral("%1,%2 %3x%4")
                                                                 .arg(changed.first().x())
                                                                 .arg(changed.first().y())
                                                                 .arg(changed.first().width())
                                                                 .arg(changed.first().height())));
    }
};

QTEST_MAIN(TestGrowPreview)
#include "tst_growpreview.moc"
