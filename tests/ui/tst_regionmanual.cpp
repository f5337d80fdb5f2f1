// The manual region in the editor: "Manual rectangle" in the region controls puts a
// rectangle with 8 handles on the canvas; QTest mouse drags resize it by a handle (its size
// snapped to the VAE's multiple, as the planning without a target needs; to the pixel with a
// target), move it from inside and draw a new one outside, each clamped to the image, with the
// cursor saying what a drag would do and the X, Y, W, H spin boxes following both ways; no drag
// touches the mask or its undo history. The region encode of that rectangle exports the .latent
// that `latentbrush-cli encode --region X,Y,W,H` writes. Real files, the real window, the
// built-in TAEF2, the real CLI. On an 8000 x 6000 photo, a drag step (plan and repaint) is timed.
#include "UiTestSupport.h"

#include "CliSupport.h"
#include "EncodeSession.h"
#include "GrowPreview.h"
#include "RegionPlanner.h"
#include "Resources.h"
#include "TestSupport.h"
#include "VaeChooser.h"

#include "latentbrush/LatentFile.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <QSpinBox>
#include <QToolButton>

using namespace lbui;

namespace {

constexpr QPoint kOrigin(20, 20); // widget position of image (0, 0) at zoom 1 (makeWindow)

QPoint onWidget(int x, int y) {
    return kOrigin + QPoint(x, y);
}

void drag(QWidget* canvas, QPoint from, QPoint to) {
    QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, from);
    QTest::mouseMove(canvas, (from + to) / 2);
    QTest::mouseMove(canvas, to);
    QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, to);
}

// The nearest multiple of d, at least d (the rule the handles follow without a target).
int nearestMultiple(int n, int d) {
    return std::max(d, int(std::lround(double(n) / d)) * d);
}

lb::LatentFileContents readLatent(const QString& path) {
    auto r = lb::readLatentFile(QFile::encodeName(path).toStdString());
    if (!r) qWarning("%s: %s", qPrintable(path), r.message().c_str());
    return r ? std::move(r.value()) : lb::LatentFileContents{};
}

} // namespace

class TestRegionManual : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    void handlesDragAndTheEncodeIsTheClis() {
        const QString vaePath = VaeChooser::builtinVaePath();
        if (vaePath.isEmpty()) LB_CANNOT_RUN("the built-in TAEF2 is not installed");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString photo = dir.filePath(QStringLiteral("photo.png"));
        const QString maskFile = dir.filePath(QStringLiteral("mask.png"));
        QVERIFY(lbuitest::writePhotoWithMarks(photo, maskFile,
                                              {QRect(120, 90, 60, 40), QRect(600, 420, 50, 70)}));

        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        w->openImage(photo, maskFile);
        MaskDocument& doc = *w->document();
        QTRY_VERIFY_WITH_TIMEOUT(doc.imagePath() == photo && doc.maskPath() == maskFile, 30000);
        QWidget* canvas = w->canvas();
        w->canvas()->setZoom(1.0, QPointF(0, 0));
        w->canvas()->panBy(QPointF(kOrigin) - w->canvas()->offset());

        EncodeSession* session = w->encodeSession();
        session->loadVae(vaePath);
        QTRY_VERIFY_WITH_TIMEOUT(!session->isLoadingVae() && session->vae(), 60000);
        const int d = w->preview()->multiple(); // the VAE's, which the handles snap to
        QVERIFY(d >= 8);

        // "Manual rectangle": placed around the mask's auto region, its handles on the canvas.
        RegionPlanner* planner = w->regionPlanner();
        auto* mode = w->findChild<QComboBox*>(QStringLiteral("regionMode"));
        QVERIFY(mode);
        mode->setCurrentIndex(3);
        QCOMPARE(planner->settings().mode, RegionSettings::Mode::Manual);
        QVERIFY(planner->editingManual());
        auto* edit = w->findChild<QToolButton*>(QStringLiteral("regionEditManual"));
        QVERIFY(edit && edit->isVisible() && edit->isChecked());
        planner->flush();
        QVERIFY(!planner->settings().manual.isEmpty());
        QVERIFY(doc.bounds().contains(planner->settings().manual));

        // Spin boxes -> rectangle.
        auto* sx = w->findChild<QSpinBox*>(QStringLiteral("regionManualX"));
        auto* sy = w->findChild<QSpinBox*>(QStringLiteral("regionManualY"));
        auto* sw = w->findChild<QSpinBox*>(QStringLiteral("regionManualW"));
        auto* sh = w->findChild<QSpinBox*>(QStringLiteral("regionManualH"));
        QVERIFY(sx && sy && sw && sh && sx->isVisible());
        sx->setValue(64);
        sy->setValue(48);
        sw->setValue(10 * d);
        sh->setValue(8 * d);
        QCOMPARE(planner->settings().manual, QRect(64, 48, 10 * d, 8 * d));

        const int undoSteps = doc.undoStack()->count();
        const std::vector<float> maskBefore = doc.mask().data;

        // The cursor says what a drag does.
        const QRect r0 = planner->settings().manual;
        QTest::mouseMove(canvas, onWidget(r0.right() + 1, r0.bottom() + 1));
        QCOMPARE(canvas->cursor().shape(), Qt::SizeFDiagCursor);
        QTest::mouseMove(canvas, onWidget(r0.right() + 1, r0.center().y()));
        QCOMPARE(canvas->cursor().shape(), Qt::SizeHorCursor);
        QTest::mouseMove(canvas, onWidget(r0.center().x(), r0.top()));
        QCOMPARE(canvas->cursor().shape(), Qt::SizeVerCursor);
        QTest::mouseMove(canvas, onWidget(r0.left(), r0.bottom() + 1));
        QCOMPARE(canvas->cursor().shape(), Qt::SizeBDiagCursor);
        QTest::mouseMove(canvas, onWidget(r0.center().x(), r0.center().y()));
        QCOMPARE(canvas->cursor().shape(), Qt::SizeAllCursor);

        // The bottom-right handle, dragged by (37, 21): the size snaps to multiples of d, the
        // top-left corner stays; the spin boxes follow.
        drag(canvas, onWidget(r0.right() + 1, r0.bottom() + 1),
             onWidget(r0.right() + 1 + 37, r0.bottom() + 1 + 21));
        const QRect r1(64, 48, nearestMultiple(10 * d + 37, d), nearestMultiple(8 * d + 21, d));
        QCOMPARE(planner->settings().manual, r1);
        QCOMPARE(sw->value(), r1.width());
        QCOMPARE(sh->value(), r1.height());

        // The top-left handle, dragged far outside the image: clamped to it.
        drag(canvas, onWidget(r1.left(), r1.top()), onWidget(-15, -15));
        const QRect r2 = planner->settings().manual;
        QCOMPARE(r2.topLeft(), QPoint(r1.right() + 1 - r2.width(), r1.bottom() + 1 - r2.height()));
        QVERIFY(r2.left() >= 0 && r2.top() >= 0);
        QCOMPARE(r2.width() % d, 0);
        QCOMPARE(r2.height() % d, 0);
        QCOMPARE(r2.width(), (r1.right() + 1) / d * d); // as much as fits to the image's edge
        QCOMPARE(r2.height(), (r1.bottom() + 1) / d * d);

        // Moved from inside by (30, 25): the size stays.
        drag(canvas, onWidget(r2.center().x(), r2.center().y()),
             onWidget(r2.center().x() + 30, r2.center().y() + 25));
        const QRect r3 = r2.translated(30, 25);
        QCOMPARE(planner->settings().manual, r3);
        QCOMPARE(sx->value(), r3.x());
        QCOMPARE(sy->value(), r3.y());

        // Ctrl+Z on the canvas steps back through the drags (one step each), Ctrl+Shift+Z forward;
        // the mask's history is not touched.
        canvas->setFocus();
        QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(planner->settings().manual, r2);
        QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(planner->settings().manual, r1);
        QCOMPARE(sw->value(), r1.width());
        QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QTest::keyClick(canvas, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(planner->settings().manual, r3);
        QCOMPARE(doc.undoStack()->count(), undoSteps);
        QCOMPARE(doc.undoStack()->index(), undoSteps);

        // Outside the rectangle a drag draws a new one from the press point.
        drag(canvas, onWidget(420, 300), onWidget(420 + 50, 300 + 33));
        QCOMPARE(planner->settings().manual,
                 QRect(420, 300, nearestMultiple(50, d), nearestMultiple(33, d)));
        // With a target the rectangle is kept to the pixel (it is scaled, not widened).
        RegionSettings withTarget = planner->settings();
        withTarget.target = RegionSettings::Target::Size;
        withTarget.targetWidth = 16 * d;
        withTarget.targetHeight = 12 * d;
        planner->setSettings(withTarget);
        const QRect n0 = planner->settings().manual;
        drag(canvas, onWidget(n0.right() + 1, n0.center().y()),
             onWidget(n0.right() + 1 + 13, n0.center().y() + 40));
        QCOMPARE(planner->settings().manual, n0.adjusted(0, 0, 13, 0));
        withTarget.target = RegionSettings::Target::None;
        planner->setSettings(withTarget);
        // Back to r3 through the boxes.
        sx->setValue(r3.x());
        sy->setValue(r3.y());
        sw->setValue(r3.width());
        sh->setValue(r3.height());
        QCOMPARE(planner->settings().manual, r3);

        // Picking a painting tool ends the edit: the left button paints again; Edit resumes it.
        w->action(QStringLiteral("toolBrush"))->trigger();
        QVERIFY(!planner->editingManual());
        QVERIFY(!edit->isChecked());
        edit->click();
        QVERIFY(planner->editingManual());

        // None of it touched the mask or its undo history.
        QCOMPARE(doc.undoStack()->count(), undoSteps);
        QVERIFY(doc.mask().data == maskBefore);

        // The plan is the rectangle itself (already multiples of d), drawn by the handles.
        planner->flush();
        QVERIFY(planner->plan());
        QCOMPARE(planner->rects(), QList<QRect>{r3});

        // Encode and export; the CLI with --region X,Y,W,H writes the same .latent.
        QTRY_VERIFY_WITH_TIMEOUT(session->canEncode(), 30000);
        QVERIFY(session->encode());
        QTRY_VERIFY_WITH_TIMEOUT(!session->isRunning() && session->hasResult(), 300000);
        QVERIFY(session->resultIsCurrent());
        QVERIFY(session->result()->output.regions);
        QCOMPARE(session->result()->output.regions->plan.rects.size(), std::size_t(1));
        const QString editorLatent = dir.filePath(QStringLiteral("editor.latent"));
        QString error;
        QVERIFY2(session->exportLatent(editorLatent, &error), qPrintable(error));
        const QString rectArg =
            QStringLiteral("%1,%2,%3,%4").arg(r3.x()).arg(r3.y()).arg(r3.width()).arg(r3.height());
        const QString cliLatent = dir.filePath(QStringLiteral("cli.latent"));
        lbtest::CliRun run = lbtest::runCli(
            {QStringLiteral("encode"), QStringLiteral("--image"), photo, QStringLiteral("--mask"),
             maskFile, QStringLiteral("--vae"), vaePath, QStringLiteral("--grow"),
             QString::number(w->preview()->grow()), QStringLiteral("--region"), rectArg,
             QStringLiteral("--output"), cliLatent});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const lb::LatentFileContents fromEditor = readLatent(editorLatent);
        const lb::LatentFileContents fromCli = readLatent(cliLatent);
        QVERIFY(!fromCli.samples.data.empty());
        QVERIFY(fromEditor.samples.shape == fromCli.samples.shape);
        QVERIFY(fromEditor.samples.data == fromCli.samples.data);
        QVERIFY(fromEditor.hasNoiseMask && fromCli.hasNoiseMask);
        QVERIFY(fromEditor.noiseMask.data == fromCli.noiseMask.data);
        for (const auto& [key, value] : fromCli.metadata)
            QVERIFY2(fromEditor.metadata.count(key) && fromEditor.metadata.at(key) == value,
                     key.c_str());
        QCOMPARE(QString::fromStdString(fromEditor.metadata.at("region.0.rect")), rectArg);

        QSettings().clear();
    }

    // A drag of the handles on an 8000 x 6000 photo: each step plans again (the grown mask of the
    // whole image is kept from the first planning) and repaints the canvas, synchronously here.
    void dragOnALargePhoto() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString photo = dir.filePath(QStringLiteral("large.png"));
        {
            QImage big(8000, 6000, QImage::Format_RGB888);
            for (int y = 0; y < big.height(); ++y) {
                uchar* row = big.scanLine(y);
                for (int x = 0; x < big.width(); ++x) {
                    row[3 * x] = uchar(x / 32);
                    row[3 * x + 1] = uchar(y / 24);
                    row[3 * x + 2] = uchar((x + y) / 64);
                }
            }
            QVERIFY(big.save(photo));
        }
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        w->openImage(photo);
        MaskDocument& doc = *w->document();
        QTRY_VERIFY_WITH_TIMEOUT(doc.imagePath() == photo, 120000);
        QCOMPARE(doc.width(), 8000);
        const QRect marked(4000, 3000, 200, 150);
        const std::vector<float> ones(std::size_t(marked.width()) * marked.height(), 1.0f);
        doc.writeMask(marked, ones.data());

        RegionPlanner* planner = w->regionPlanner();
        RegionSettings s;
        s.mode = RegionSettings::Mode::Manual;
        s.manual = QRect(3800, 2900, 512, 384);
        QElapsedTimer first;
        first.start();
        planner->setSettings(s);
        planner->flush();
        const qint64 firstMs = first.elapsed();
        QVERIFY(planner->plan());
        planner->setEditingManual(true);

        CanvasWidget* canvas = w->canvas();
        canvas->setZoom(1.0, QPointF(0, 0));
        canvas->panBy(QPointF(kOrigin) - canvas->imageToWidget(QPointF(3800, 2900)));
        canvas->repaint();
        const QPoint corner = onWidget(512, 384);
        QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, corner);
        constexpr int kSteps = 30;
        QElapsedTimer clock;
        clock.start();
        qint64 worst = 0;
        for (int i = 1; i <= kSteps; ++i) {
            const qint64 before = clock.elapsed();
            QTest::mouseMove(canvas, corner + QPoint(3 * i, 2 * i));
            planner->flush();
            canvas->repaint();
            worst = std::max(worst, clock.elapsed() - before);
        }
        const double perStep = double(clock.elapsed()) / kSteps;
        QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, corner + QPoint(90, 60));
        QVERIFY(planner->settings().manual.width() > 512);
        QCOMPARE(planner->rects().size(), 1);
        qInfo("8000x6000: first planning (grown mask of the whole image) %lld ms; drag step "
              "(plan + repaint) %.1f ms on average, %lld ms at worst, over %d steps",
              firstMs, perStep, worst, kSteps);
        // Loose bound for a loaded 2-core machine: well under the first planning, no stutter.
        QVERIFY2(perStep < 100.0, qPrintable(QString::number(perStep)));
        doc.markSaved();
        QSettings().clear();
    }
};

QTEST_MAIN(TestRegionManual)
#include "tst_regionmanual.moc"
