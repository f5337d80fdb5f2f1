// The editor's File > Input Precision: a 16-bit PNG (and a 16-bit mask file) opened under each
// setting holds exactly what lb::readImage/readMask give with that precision, switching the
// setting reads the open image again and is remembered in QSettings, and the exported .latent
// records source.precision as the CLI does, its latent differing where the pixels differ.
#include "UiTestSupport.h"

#include "EncodePanel.h"
#include "EncodeSession.h"
#include "GrowPreview.h"
#include "PreviewPanel.h"
#include "SliderSpin.h"
#include "TestSupport.h"
#include "VaeChooser.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/LatentFile.h"
#include "latentbrush/Pipeline.h"
#include "latentbrush/Vae.h"

#include <QAction>
#include <QImage>
#include <QTemporaryDir>

#include <cstdint>
#include <optional>

using namespace lbui;

namespace {

constexpr int kGrow = 6;

// A 16-bit RGB PNG whose low bytes matter (PIL's 8-bit values keep only the high byte) and a
// 16-bit gray mask whose values sit just below one half: 32700 / 65535 rounds to 0, while
// LoadImage's mode-I reading, trunc(32700 / 255) / 255 = 128 / 255, rounds to 1.
bool writeInputs(const QString& imagePath, const QString& maskPath) {
    const int w = 48, h = 40;
    QImage image(w, h, QImage::Format_RGBX64);
    QImage mask(w, h, QImage::Format_Grayscale16);
    for (int y = 0; y < h; ++y) {
        auto* px = reinterpret_cast<quint16*>(image.scanLine(y));
        auto* m = reinterpret_cast<quint16*>(mask.scanLine(y));
        for (int x = 0; x < w; ++x) {
            px[4 * x] = quint16((x * 1361 + y * 977) % 65536);
            px[4 * x + 1] = quint16((x * 5003 + y * 211 + 127) % 65536);
            px[4 * x + 2] = quint16((x * 97 + y * 3001 + 255) % 65536);
            px[4 * x + 3] = 65535;
            m[x] = (x >= 8 && x < 32 && y >= 8 && y < 24) ? 32700 : 0;
        }
    }
    return image.save(imagePath, "PNG") && mask.save(maskPath, "PNG");
}

lb::ImageReadOptions readOptions(lb::InputPrecision precision) {
    lb::ImageReadOptions options;
    options.precision = precision;
    return options;
}

} // namespace

class TestInputPrecision : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    void opensEncodesAndExportsEachWay() {
        LB_REQUIRE_SHARED();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString imagePath = dir.filePath(QStringLiteral("photo16.png"));
        const QString maskPath = dir.filePath(QStringLiteral("mask16.png"));
        QVERIFY(writeInputs(imagePath, maskPath));
        // The files really are 16-bit, and the two readings differ.
        auto reference = lb::readImage(imagePath.toStdString());
        auto full = lb::readImage(imagePath.toStdString(), readOptions(lb::InputPrecision::Full));
        QVERIFY2(reference.ok() && full.ok(), "the 16-bit PNG cannot be read");
        QCOMPARE(full->bitsPerSample, 16);
        QVERIFY(reference->reducedTo8Bits);
        const lb::ImageBuffer referenceRgb = lb::toRgb(reference->image);
        const lb::ImageBuffer fullRgb = lb::toRgb(full->image);
        QVERIFY(referenceRgb.data != fullRgb.data);
        auto referenceMask = lb::readMask(maskPath.toStdString());
        auto fullMask = lb::readMask(maskPath.toStdString(), lb::MaskChannel::Auto,
                                     readOptions(lb::InputPrecision::Full));
        QVERIFY(referenceMask.ok() && fullMask.ok());
        QVERIFY(referenceMask->data != fullMask->data);

        auto w = lbuitest::makeWindow(false);
        QVERIFY(w);
        QAction* referenceAction = w->action(QStringLiteral("inputPrecisionReference"));
        QAction* fullAction = w->action(QStringLiteral("inputPrecisionFull"));
        QVERIFY(referenceAction && fullAction);
        QVERIFY(referenceAction->isChecked()); // the default: as ComfyUI reads it
        QVERIFY(!fullAction->isChecked());

        w->previewPanel()->growControl()->setValue(kGrow);
        EncodePanel* panel = w->encodePanel();
        panel->vaeChooser()->loadFile(lbtest::sharedDir() +
                                      QStringLiteral("/golden/vae/kl4.safetensors"));
        QTRY_VERIFY_WITH_TIMEOUT(panel->vaeChooser()->vae() != nullptr, 60000);

        w->openImage(imagePath, maskPath);
        QTRY_COMPARE(w->document()->imagePath(), imagePath);
        QCOMPARE(w->document()->inputPrecision(), lb::InputPrecision::Reference);
        QVERIFY(w->document()->image()->data == referenceRgb.data);
        QVERIFY(w->document()->mask().data == referenceMask->data);

        // Encode and export: the .latent says how the pixels were read.
        QTemporaryDir out;
        auto encodeAndExport = [&](const QString& name) -> std::optional<lb::LatentFileContents> {
            // the previous encode's decode preview may still hold the job
            QAction* encode = w->action(QStringLiteral("encode"));
            if (!QTest::qWaitFor([&] { return encode->isEnabled(); }, 120000)) return {};
            encode->trigger();
            if (!QTest::qWaitFor([&] { return panel->session()->resultIsCurrent(); }, 120000))
                return {};
            const QString file = out.filePath(name);
            QString error;
            if (!panel->session()->exportLatent(file, &error)) {
                qWarning("export: %s", qPrintable(error));
                return {};
            }
            auto back = lb::readLatentFile(file.toStdString());
            if (!back.ok()) return {};
            return std::move(*back);
        };
        const auto referenceLatent = encodeAndExport(QStringLiteral("reference.latent"));
        QVERIFY(referenceLatent);
        QCOMPARE(referenceLatent->metadata.at("source.precision"), std::string("reference"));
        auto expected =
            lb::inpaintEncode(*panel->vaeChooser()->vae(), referenceRgb, *referenceMask, kGrow);
        QVERIFY(expected.ok());
        QVERIFY(referenceLatent->samples.data == expected->samples.data);

        // Full: remembered, and the open image and its mask file are read again.
        fullAction->trigger();
        QVERIFY(fullAction->isChecked() && !referenceAction->isChecked());
        QCOMPARE(QSettings().value(QStringLiteral("image/inputPrecision")).toString(),
                 QStringLiteral("full"));
        QTRY_COMPARE(w->document()->inputPrecision(), lb::InputPrecision::Full);
        QCOMPARE(w->document()->imagePath(), imagePath);
        QCOMPARE(w->document()->maskPath(), maskPath);
        QVERIFY(w->document()->image()->data == fullRgb.data);
        QVERIFY(w->document()->mask().data == fullMask->data);

        const auto fullLatent = encodeAndExport(QStringLiteral("full.latent"));
        QVERIFY(fullLatent);
        QCOMPARE(fullLatent->metadata.at("source.precision"), std::string("full"));
        expected = lb::inpaintEncode(*panel->vaeChooser()->vae(), fullRgb, *fullMask, kGrow);
        QVERIFY(expected.ok());
        QVERIFY(fullLatent->samples.data == expected->samples.data);
        // Different pixels and a different mask give a different latent and noise_mask.
        QVERIFY(fullLatent->samples.data != referenceLatent->samples.data);
        QVERIFY(fullLatent->noiseMask.data != referenceLatent->noiseMask.data);

        // A new window (the next start) reads images the remembered way.
        auto again = std::make_unique<MainWindow>();
        QVERIFY(again->action(QStringLiteral("inputPrecisionFull"))->isChecked());
        again->openImage(imagePath);
        QTRY_COMPARE(again->document()->imagePath(), imagePath);
        QCOMPARE(again->document()->inputPrecision(), lb::InputPrecision::Full);
        QVERIFY(again->document()->image()->data == fullRgb.data);

        // Back to the reference: read again as ComfyUI reads it.
        referenceAction->trigger();
        QTRY_COMPARE(w->document()->inputPrecision(), lb::InputPrecision::Reference);
        QVERIFY(w->document()->image()->data == referenceRgb.data);
        QCOMPARE(QSettings().value(QStringLiteral("image/inputPrecision")).toString(),
                 QStringLiteral("reference"));
    }
};

QTEST_MAIN(TestInputPrecision)
#include "tst_inputprecision.moc"
