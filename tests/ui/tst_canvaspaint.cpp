// What the canvas shows of a photo larger than the window, at zooms from 2 down to 1/20 (where it
// draws its layers reduced and rendered only in the tiles shown): a grab of the real canvas is
// compared with a plain rendering of the same picture (the photo, the mask overlay and the grown
// outline computed here from the document and the preview, each drawn whole), before and after
// mask edits made while the view already holds its rendered tiles; and the full-resolution layers
// equal the plain ones exactly.
#include "UiTestSupport.h"

#include "CanvasLayers.h"
#include "GrowPreview.h"

#include "latentbrush/ImageIO.h"

#include <QPainter>
#include <QTemporaryDir>

#include <cmath>

using namespace lbui;

namespace {

// A photo with detail at every scale: gradients and a fine checker.
lb::ImageBuffer makePhoto(int width, int height) {
    lb::ImageBuffer img;
    img.height = height;
    img.width = width;
    img.channels = 3;
    img.data.resize(std::size_t(width) * height * 3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            float* px = img.row(y) + std::size_t(x) * 3;
            px[0] = float(x) / float(width);
            px[1] = float(y) / float(height);
            px[2] = ((x / 7 + y / 5) % 2) ? 0.8f : 0.2f;
        }
    return img;
}

// A disc of `value` (a soft edge of 6 pixels when `soft`).
void paintDisc(MaskDocument* doc, int cx, int cy, int r, float value, bool soft) {
    const QRect rect = QRect(cx - r, cy - r, 2 * r + 1, 2 * r + 1).intersected(doc->bounds());
    std::vector<float> pixels = doc->readMask(rect);
    for (int y = 0; y < rect.height(); ++y)
        for (int x = 0; x < rect.width(); ++x) {
            const double d = std::hypot(rect.left() + x - cx, rect.top() + y - cy);
            if (d > r) continue;
            const float edge = soft ? float(std::clamp((r - d) / 6.0, 0.0, 1.0)) : 1.0f;
            float& v = pixels[std::size_t(y) * rect.width() + x];
            v = v + (value - v) * edge;
        }
    doc->writeMask(rect, pixels.data());
}

// The overlay as the canvas paints it: premultiplied colour * mask * opacity.
QImage plainOverlay(const MaskDocument* doc, const CanvasLayers* layers) {
    QImage out(doc->size(), QImage::Format_ARGB32_Premultiplied);
    const QColor c = layers->maskColor();
    const float o = float(layers->maskOpacity());
    for (int y = 0; y < out.height(); ++y)
        for (int x = 0; x < out.width(); ++x) {
            const float a = std::clamp(doc->mask().row(y)[x], 0.0f, 1.0f) * o;
            out.setPixel(x, y,
                         qRgba(int(float(c.red()) * a + 0.5f), int(float(c.green()) * a + 0.5f),
                               int(float(c.blue()) * a + 0.5f), int(255.0f * a + 0.5f)));
        }
    return out;
}

// The grown mask's outline (noise_mask pixels with a 4-neighbour outside it or on the crop's
// edge) and a tint where the grow added pixels.
QImage plainGrown(const MaskDocument* doc, const GrowPreview* preview, const CanvasLayers* layers) {
    QImage out(doc->size(), QImage::Format_ARGB32_Premultiplied);
    out.fill(Qt::transparent);
    const QRect crop = preview->cropRect();
    const lb::BinaryMask& n = preview->noiseMask();
    QColor tint = layers->outlineColor();
    tint.setAlpha(70);
    for (int cy = 0; cy < n.height; ++cy)
        for (int cx = 0; cx < n.width; ++cx) {
            if (!n.row(cy)[cx]) continue;
            auto at = [&](int x, int y) {
                return x >= 0 && y >= 0 && x < n.width && y < n.height && n.row(y)[x];
            };
            const bool border = cx == 0 || cy == 0 || cx + 1 == n.width || cy + 1 == n.height ||
                                !at(cx - 1, cy) || !at(cx + 1, cy) || !at(cx, cy - 1) ||
                                !at(cx, cy + 1);
            if (border)
                out.setPixel(cx + crop.left(), cy + crop.top(),
                             qPremultiply(layers->outlineColor().rgb()));
            else if (!preview->roundedMask().row(cy)[cx])
                out.setPixel(cx + crop.left(), cy + crop.top(), qPremultiply(tint.rgba()));
        }
    return out;
}

// The canvas drawn plainly: background, the photo, the overlay and the outline, each whole.
QImage plainCanvas(MainWindow* w) {
    CanvasWidget* canvas = w->canvas();
    MaskDocument* doc = w->document();
    QImage out(canvas->size(), QImage::Format_RGB32);
    out.fill(QColor(38, 38, 41));
    QPainter p(&out);
    p.setRenderHint(QPainter::SmoothPixmapTransform, canvas->zoom() < 1.0);
    const QRectF onWidget(canvas->offset(),
                          QSizeF(doc->width() * canvas->zoom(), doc->height() * canvas->zoom()));
    p.drawImage(onWidget, doc->displayImage());
    p.drawImage(onWidget, plainOverlay(doc, w->layers()));
    p.drawImage(onWidget, plainGrown(doc, w->preview(), w->layers()));
    return out;
}

struct Difference {
    int maximum = 0;      // the largest channel difference
    double mean = 0.0;    // mean channel difference
    double farShare = 0.; // share of pixels with a channel more than 24 apart
};

Difference compare(const QImage& a0, const QImage& b0) {
    const QImage a = a0.convertToFormat(QImage::Format_RGB32);
    const QImage b = b0.convertToFormat(QImage::Format_RGB32);
    Difference d;
    if (a.size() != b.size()) {
        d.maximum = 255;
        return d;
    }
    double sum = 0.0;
    qint64 far = 0;
    for (int y = 0; y < a.height(); ++y) {
        const auto* pa = reinterpret_cast<const QRgb*>(a.constScanLine(y));
        const auto* pb = reinterpret_cast<const QRgb*>(b.constScanLine(y));
        for (int x = 0; x < a.width(); ++x) {
            const int dr = std::abs(qRed(pa[x]) - qRed(pb[x]));
            const int dg = std::abs(qGreen(pa[x]) - qGreen(pb[x]));
            const int db = std::abs(qBlue(pa[x]) - qBlue(pb[x]));
            const int m = std::max({dr, dg, db});
            d.maximum = std::max(d.maximum, m);
            sum += dr + dg + db;
            far += m > 24;
        }
    }
    const double n = double(a.width()) * a.height();
    d.mean = sum / (3.0 * n);
    d.farShare = double(far) / n;
    return d;
}

} // namespace

class TestCanvasPaint : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        lbuitest::initEnvironment();
        QVERIFY(dir_.isValid());
        photo_ = dir_.filePath(QStringLiteral("photo.png"));
        QVERIFY(lb::writeImage(QFile::encodeName(photo_).toStdString(), makePhoto(2400, 1600)));
    }

    void reductionFollowsZoom() {
        QCOMPARE(CanvasLayers::reductionFor(4.0), 1);
        QCOMPARE(CanvasLayers::reductionFor(1.0), 1);
        QCOMPARE(CanvasLayers::reductionFor(0.51), 1);
        QCOMPARE(CanvasLayers::reductionFor(0.5), 2);
        QCOMPARE(CanvasLayers::reductionFor(0.3), 2);
        QCOMPARE(CanvasLayers::reductionFor(0.25), 4);
        QCOMPARE(CanvasLayers::reductionFor(0.1), 8);
        QCOMPARE(CanvasLayers::reductionFor(1.0 / 64.0), 64);
    }

    void shownAsPlainRendering_data() {
        QTest::addColumn<double>("zoom");
        QTest::newRow("zoom 2") << 2.0;
        QTest::newRow("zoom 1") << 1.0;
        QTest::newRow("zoom 0.7") << 0.7;
        QTest::newRow("zoom 0.45 (halved layers)") << 0.45;
        QTest::newRow("zoom 0.2 (quarter layers)") << 0.2;
        QTest::newRow("zoom 0.1 (eighth layers)") << 0.1;
        QTest::newRow("zoom 0.05 (sixteenth layers)") << 0.05;
    }

    void shownAsPlainRendering() {
        QFETCH(double, zoom);
        auto w = lbuitest::makeWindow(false);
        QVERIFY(w);
        w->openImage(photo_);
        MaskDocument* doc = w->document();
        QVERIFY(QTest::qWaitFor([&] { return doc->imagePath() == photo_; }, 30000));
        CanvasWidget* canvas = w->canvas();
        canvas->setZoom(zoom, QPointF(canvas->width() / 2.0, canvas->height() / 2.0));
        canvas->panBy(QPointF(std::round(canvas->offset().x()), std::round(canvas->offset().y())) -
                      canvas->offset());
        paintDisc(doc, 1200, 800, 300, 1.0f, false);
        paintDisc(doc, 500, 400, 120, 0.6f, true);

        // A reduced layer samples 2 x 2 pixels where the plain draw interpolates between its
        // own samples: at the mask's edges a few pixels differ. Full layers (zoom > 0.5) draw
        // the same images through the same calls: within 2 levels everywhere.
        const bool reduced = CanvasLayers::reductionFor(zoom) > 1;
        const auto check = [&](const char* when) {
            const Difference d = compare(canvas->grab().toImage(), plainCanvas(w.get()));
            qInfo("%s: max %d, mean %.3f, far %.4f %%", when, d.maximum, d.mean,
                  100.0 * d.farShare);
            if (reduced) {
                QVERIFY2(d.mean < 1.0 && d.farShare < 0.01, when);
            } else {
                QVERIFY2(d.maximum <= 2, when);
            }
        };
        check("first paint");
        // Edits while the view holds its rendered tiles: a new disc, an erased part, an undo.
        paintDisc(doc, 1500, 900, 200, 1.0f, true);
        paintDisc(doc, 1200, 800, 90, 0.0f, false);
        check("after edits");
        // A brush stroke through the canvas, then its undo.
        const QPoint from = canvas->imageToWidget(QPointF(1000, 700)).toPoint();
        const QPoint to = canvas->imageToWidget(QPointF(1700, 1100)).toPoint();
        QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, from);
        QTest::mouseMove(canvas, (from + to) / 2);
        QTest::mouseMove(canvas, to);
        QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, to);
        QVERIFY(doc->undoStack()->canUndo());
        check("after a stroke");
        doc->undoStack()->undo();
        check("after its undo");
        w->preview()->setGrow(20);
        check("after a grow change");
        w->layers()->setMaskOpacity(0.8);
        check("after an opacity change");

        // The full-resolution layers, rendered tile by tile, are the plain ones exactly.
        QCOMPARE(w->layers()->fullLayer(CanvasLayers::Layer::MaskOverlay),
                 plainOverlay(doc, w->layers()));
        QCOMPARE(w->layers()->fullLayer(CanvasLayers::Layer::Grown),
                 plainGrown(doc, w->preview(), w->layers()));
        doc->markSaved();
    }

private:
    QTemporaryDir dir_;
    QString photo_;
};

QTEST_MAIN(TestCanvasPaint)
#include "tst_canvaspaint.moc"
