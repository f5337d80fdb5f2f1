// File > Import Result in the editor: after a region encode, the sampled results (here
// the regions' encoder inputs inverted, written as real PNGs) are stitched into the photo exactly
// as `latentbrush-cli stitch` stitches them (the exported image equals the CLI's output, at the
// default feather and after the feather is changed live); the before/after toggle switches the
// canvas between the original and the stitched photo; Apply makes it the image in one undo step
// (the mask stays) and undo restores the original; wrong files give one clear error. A 16-bit
// and an RGBA original: Export Image writes the original file's depth and alpha, byte for byte
// the file `latentbrush-cli stitch` writes.
#include "UiTestSupport.h"

#include "CliSupport.h"
#include "EncodeSession.h"
#include "GrowPreview.h"
#include "RegionPlanner.h"
#include "Resources.h"
#include "StitchSession.h"
#include "TestSupport.h"
#include "VaeChooser.h"

#include "latentbrush/ImageIO.h"

#include <QDoubleSpinBox>
#include <QImage>
#include <QPainter>
#include <QToolButton>

using namespace lbui;

namespace {

bool sameImage(const QString& a, const QString& b) {
    const QImage x(a), y(b);
    return !x.isNull() &&
           x.convertToFormat(QImage::Format_RGB32) == y.convertToFormat(QImage::Format_RGB32);
}

} // namespace

class TestRegionStitch : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    void importStitchesAsTheCliDoes() {
        const QString vaePath = VaeChooser::builtinVaePath();
        if (vaePath.isEmpty()) LB_CANNOT_RUN("the built-in TAEF2 is not installed");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString photo = dir.filePath(QStringLiteral("photo.png"));
        const QString maskFile = dir.filePath(QStringLiteral("mask.png"));
        QVERIFY(lbuitest::writePhotoWithMarks(photo, maskFile,
                                              {QRect(120, 90, 60, 40), QRect(700, 520, 50, 70)}));
        const QImage image(photo);

        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        w->openImage(photo, maskFile);
        MaskDocument& doc = *w->document();
        QTRY_VERIFY_WITH_TIMEOUT(doc.imagePath() == photo && doc.maskPath() == maskFile, 30000);
        w->canvas()->setZoom(1.0, QPointF(0, 0));
        w->canvas()->panBy(QPointF(20, 20) - w->canvas()->offset());

        StitchSession* stitch = w->stitchSession();
        QString error;
        // Nothing encoded with regions yet.
        QVERIFY(!stitch->importResults({photo}, &error));
        QVERIFY2(error.contains(QStringLiteral("regions")), qPrintable(error));

        RegionSettings s;
        s.mode = RegionSettings::Mode::Separate;
        s.target = RegionSettings::Target::Size;
        s.targetWidth = 192;
        s.targetHeight = 160;
        s.method = lb::regions::ResizeMethod::Bicubic;
        w->regionPlanner()->setSettings(s);
        EncodeSession* session = w->encodeSession();
        session->loadVae(vaePath);
        QTRY_VERIFY_WITH_TIMEOUT(!session->isLoadingVae() && session->vae(), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(session->canEncode(), 30000);
        QVERIFY(session->encode());
        QTRY_VERIFY_WITH_TIMEOUT(!session->isRunning() && session->hasResult(), 300000);
        const auto regions = session->result()->output.regions;
        QVERIFY(regions);
        QCOMPARE(regions->pixels.size(), std::size_t(2));
        const QString latent = dir.filePath(QStringLiteral("regions.latent"));
        QVERIFY2(session->exportLatent(latent, &error), qPrintable(error));

        // "Sampled" results: each region's encoder input inverted.
        QStringList results;
        for (std::size_t i = 0; i < regions->pixels.size(); ++i) {
            lb::ImageBuffer r = regions->pixels[i];
            for (float& v : r.data)
                v = 1.0f - v;
            const QString path = dir.filePath(QStringLiteral("sampled_%1.png").arg(i));
            QVERIFY(lb::writeImage(QFile::encodeName(path).toStdString(), r));
            results << path;
        }

        // Wrong count and wrong size: one clear line each, nothing imported.
        QVERIFY(!stitch->importResults({results[0]}, &error));
        QVERIFY2(error.contains(QStringLiteral("2 region")), qPrintable(error));
        QVERIFY(!stitch->importResults({results[0], photo}, &error));
        QVERIFY2(error.contains(photo) && error.contains(QStringLiteral("192x160")),
                 qPrintable(error));
        QVERIFY(!stitch->isActive());

        QVERIFY(w->importResults(results));
        QVERIFY(stitch->isActive());
        QCOMPARE(stitch->feather(), float(std::max(1, session->result()->output.grow / 2)));

        auto cliStitch = [&](const QString& out, const QStringList& extra) {
            QStringList args{QStringLiteral("stitch"), QStringLiteral("--image"), photo,
                             QStringLiteral("--latent"), latent};
            for (const QString& r : results)
                args << QStringLiteral("--result") << r;
            args << extra << QStringLiteral("--output") << out;
            return lbtest::runCli(args);
        };
        const QString cliOut = dir.filePath(QStringLiteral("cli.png"));
        lbtest::CliRun run = cliStitch(cliOut, {});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QString ours = dir.filePath(QStringLiteral("editor.png"));
        QVERIFY2(stitch->exportImage(ours, &error), qPrintable(error));
        QVERIFY(sameImage(ours, cliOut));
        QVERIFY(!sameImage(ours, photo)); // the stitch changed something

        // The feather, changed live, matches the CLI's --feather.
        auto* feather = w->findChild<QDoubleSpinBox*>(QStringLiteral("stitchFeather"));
        QVERIFY(feather && feather->isVisible());
        feather->setValue(9.0);
        QCOMPARE(stitch->feather(), 9.0f);
        const QString cliOut9 = dir.filePath(QStringLiteral("cli9.png"));
        run = cliStitch(cliOut9, {QStringLiteral("--feather"), QStringLiteral("9")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QString ours9 = dir.filePath(QStringLiteral("editor9.png"));
        QVERIFY2(stitch->exportImage(ours9, &error), qPrintable(error));
        QVERIFY(sameImage(ours9, cliOut9));
        QVERIFY(!sameImage(ours9, ours));

        // Before/after: the canvas shows the stitched photo, or the original while "Before" is on.
        const QPoint inMark(20 + 150, 20 + 110);
        const QPoint imagePoint(150, 110);
        const QImage after = w->canvas()->grab().toImage();
        QVERIFY(!w->findChild<QToolButton*>(QStringLiteral("stitchBefore"))->isChecked());
        w->findChild<QToolButton*>(QStringLiteral("stitchBefore"))->setChecked(true);
        QVERIFY(stitch->showsOriginal());
        const QImage before = w->canvas()->grab().toImage();
        const QColor stitchedColor = stitch->stitchedDisplay().pixelColor(imagePoint);
        const QColor originalColor = doc.displayImage().pixelColor(imagePoint);
        QVERIFY(stitchedColor != originalColor);
        // Neither view is tinted by the mask: the canvas shows the photo's own colours, stitched or
        // original, where the stitch changed them.
        QVERIFY(after.pixelColor(inMark) != before.pixelColor(inMark));
        QCOMPARE(after.pixelColor(inMark), stitchedColor);
        QCOMPARE(before.pixelColor(inMark), originalColor);

        // Apply: the stitched photo becomes the image in one undo step; the mask stays.
        w->findChild<QToolButton*>(QStringLiteral("stitchBefore"))->setChecked(false);
        const std::shared_ptr<const lb::ImageBuffer> originalPixels = doc.image();
        const std::vector<float> originalData = originalPixels->data;
        const std::vector<float> maskBefore = doc.mask().data;
        const lb::ImageBuffer stitchedPixels = stitch->stitched();
        const int steps = doc.undoStack()->count();
        auto* apply = w->findChild<QToolButton*>(QStringLiteral("stitchApply"));
        QVERIFY(apply && apply->isVisible());
        apply->click();
        QVERIFY(stitch->isApplying()); // the photo is composed on the thread pool
        QVERIFY(!apply->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!stitch->isApplying(), 60000);
        QVERIFY(!stitch->isActive()); // the import closes
        QCOMPARE(doc.undoStack()->count(), steps + 1);
        QVERIFY(doc.image()->data == stitchedPixels.data);
        QVERIFY(doc.mask().data == maskBefore);
        QVERIFY(session->isStale()); // the pixels encoded are no longer the image's
        QCOMPARE(doc.displayImage().pixelColor(imagePoint), stitchedColor);
        doc.undoStack()->undo();
        QVERIFY(doc.image() == originalPixels);
        QVERIFY(doc.image()->data == originalData);
        QVERIFY(doc.mask().data == maskBefore);
        QCOMPARE(doc.displayImage().pixelColor(imagePoint), originalColor);
        doc.undoStack()->redo();
        QVERIFY(doc.image()->data == stitchedPixels.data);
        // With the stitched photo as the image, the old result no longer matches it.
        QVERIFY(!stitch->importResults(results, &error));
        QVERIFY2(error.contains(QStringLiteral("image changed")), qPrintable(error));
        doc.undoStack()->undo();

        // A new encode drops the import.
        QVERIFY(stitch->importResults(results, &error));
        QVERIFY(session->encode());
        QVERIFY(!stitch->isActive());
        QTRY_VERIFY_WITH_TIMEOUT(!session->isRunning(), 300000);
        QSettings().clear();
    }

    void exportKeepsDepthAndAlpha_data() {
        QTest::addColumn<int>("depth");
        QTest::addColumn<bool>("alpha");
        QTest::newRow("16-bit png") << 16 << false;
        QTest::newRow("rgba png") << 8 << true;
    }
    void exportKeepsDepthAndAlpha() {
        QFETCH(int, depth);
        QFETCH(bool, alpha);
        const QString vaePath = VaeChooser::builtinVaePath();
        if (vaePath.isEmpty()) LB_CANNOT_RUN("the built-in TAEF2 is not installed");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // The original: the sample photo at 16 bits (values no 8-bit file holds), or with an
        // alpha gradient.
        const QString samplePath = dir.filePath(QStringLiteral("sample.png"));
        QVERIFY(QFile::copy(sampleImagePath(), samplePath));
        auto sample = lb::readImage(QFile::encodeName(samplePath).toStdString());
        QVERIFY(sample.ok());
        const lb::ImageBuffer rgb = lb::toRgb(sample->image);
        lb::ImageBuffer img = rgb;
        if (depth == 16)
            for (std::size_t i = 0; i < img.data.size(); ++i)
                img.data[i] = std::min(1.0f, img.data[i] + float(i % 5) / 65535.0f);
        if (alpha) {
            img.channels = 4;
            img.data.resize(rgb.pixelCount() * 4);
            for (std::size_t p = 0; p < rgb.pixelCount(); ++p) {
                for (int c = 0; c < 3; ++c)
                    img.data[p * 4 + c] = rgb.data[p * 3 + c];
                img.data[p * 4 + 3] = float(128 + int(p % 128)) / 255.0f;
            }
        }
        const QString photo = dir.filePath(QStringLiteral("photo.png"));
        QVERIFY(lb::writeImage(QFile::encodeName(photo).toStdString(), img,
                               depth == 16 ? lb::SampleDepth::U16 : lb::SampleDepth::U8)
                    .ok());
        QImage mask(img.width, img.height, QImage::Format_Grayscale8);
        mask.fill(0);
        {
            QPainter p(&mask);
            p.fillRect(QRect(120, 90, 60, 40), Qt::white);
        }
        const QString maskFile = dir.filePath(QStringLiteral("mask.png"));
        QVERIFY(mask.save(maskFile));

        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        RegionSettings s;
        s.mode = RegionSettings::Mode::Auto;
        s.target = RegionSettings::Target::Size;
        s.targetWidth = 128;
        s.targetHeight = 128;
        const QString notReady =
            lbuitest::openForRegionEncode(w.get(), photo, maskFile, s, vaePath);
        QVERIFY2(notReady.isEmpty(), qPrintable(notReady));
        MaskDocument& doc = *w->document();
        EncodeSession* session = w->encodeSession();
        QVERIFY(session->encode());
        QTRY_VERIFY_WITH_TIMEOUT(!session->isRunning() && session->hasResult(), 300000);
        const auto regions = session->result()->output.regions;
        QVERIFY(regions);
        QString error;
        const QString latent = dir.filePath(QStringLiteral("regions.latent"));
        QVERIFY2(session->exportLatent(latent, &error), qPrintable(error));
        QStringList results;
        for (std::size_t i = 0; i < regions->pixels.size(); ++i) {
            lb::ImageBuffer r = regions->pixels[i];
            for (float& v : r.data)
                v = 1.0f - v;
            const QString path = dir.filePath(QStringLiteral("sampled_%1.png").arg(i));
            QVERIFY(lb::writeImage(QFile::encodeName(path).toStdString(), r));
            results << path;
        }
        StitchSession* stitch = w->stitchSession();
        QVERIFY2(stitch->importResults(results, &error), qPrintable(error));
        QCOMPARE(stitch->stitched().channels, alpha ? 4 : 3);
        QCOMPARE(stitch->exportDepth(), depth == 16 ? lb::SampleDepth::U16 : lb::SampleDepth::U8);

        QStringList args{QStringLiteral("stitch"), QStringLiteral("--image"), photo,
                         QStringLiteral("--latent"), latent};
        for (const QString& r : results)
            args << QStringLiteral("--result") << r;
        const QString cliOut = dir.filePath(QStringLiteral("cli.png"));
        args << QStringLiteral("--output") << cliOut;
        const lbtest::CliRun run = lbtest::runCli(args);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QString ours = dir.filePath(QStringLiteral("editor.png"));
        QVERIFY2(stitch->exportImage(ours, &error), qPrintable(error));
        const QByteArray cliBytes = lbtest::readFileBytes(cliOut);
        QVERIFY(!cliBytes.isEmpty());
        QVERIFY(lbtest::readFileBytes(ours) == cliBytes);

        // The file keeps the original's depth and alpha, and changed inside the mask only.
        auto orig = lb::readImageSamples(QFile::encodeName(photo).toStdString());
        auto out = lb::readImageSamples(QFile::encodeName(ours).toStdString());
        QVERIFY(orig.ok() && out.ok());
        QCOMPARE(out->bitsPerSample, depth);
        QCOMPARE(out->image.channels, alpha ? 4 : 3);
        QVERIFY(out->image.data != orig->image.data);
        if (alpha)
            for (std::size_t p = 0; p < orig->image.pixelCount(); ++p)
                QCOMPARE(out->image.data[p * 4 + 3], orig->image.data[p * 4 + 3]);

        // Apply gives the document the RGB conversion; a second export after undo still matches.
        QVERIFY(stitch->apply());
        QCOMPARE(doc.image()->channels, 3);
        doc.undoStack()->undo();
        QVERIFY2(stitch->importResults(results, &error), qPrintable(error));
        const QString again = dir.filePath(QStringLiteral("again.png"));
        QVERIFY2(stitch->exportImage(again, &error), qPrintable(error));
        QVERIFY(lbtest::readFileBytes(again) == cliBytes);
        QSettings().clear();
    }
};

QTEST_MAIN(TestRegionStitch)
#include "tst_regionstitch.moc"
