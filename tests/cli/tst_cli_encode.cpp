// latentbrush-cli encode/decode/info end to end: every golden case reproduced through the CLI
// (noise_mask exact, pixels within 1e-6, samples within 1e-4 x max(1, |ref|)), the .latent laid
// out as ComfyUI's LoadLatent expects, a TAEF2 round trip of a photograph at >= 30 dB PSNR, and
// the built-in VAE (--vae builtin:taef2) from the build tree's share/latentbrush/models.
#include "CliSupport.h"
#include "TestSupport.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/LatentFile.h"
#include "latentbrush/Safetensors.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <cmath>
#include <cstring>

namespace {

using lbtest::runCli;
using Run = lbtest::CliRun;

QString vaePathOf(const QJsonObject& c) {
    const QString v = c["vae"].toString();
    return v.startsWith("shared:") ? lbtest::sharedDir() + "/" + v.mid(7)
                                   : lbtest::sharedDir() + "/golden/" + v;
}

float floatAt(const lb::TensorView& v, std::size_t i) {
    float f;
    std::memcpy(&f, v.data + i * sizeof(float), sizeof f);
    return f;
}

} // namespace

class CliEncode : public QObject {
    Q_OBJECT
private slots:
    void goldenThroughCli_data() {
        QTest::addColumn<QString>("caseDir");
        QTest::addColumn<QString>("kernels");
        const QString shared = lbtest::sharedDir();
        if (shared.isEmpty()) {
            QTest::newRow("no shared data") << QString() << QString();
            return;
        }
        QDir golden(shared + "/golden");
        for (const QString& name :
             golden.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
            QFile f(golden.filePath(name) + "/case.json");
            if (f.open(QIODevice::ReadOnly) &&
                QJsonDocument::fromJson(f.readAll()).object().contains("vae"))
                for (const char* kernels : {"fast", "reference"})
                    QTest::newRow(qPrintable(name + " " + kernels))
                        << golden.filePath(name) << QString(kernels);
        }
    }

    void goldenThroughCli() {
        QFETCH(QString, caseDir);
        QFETCH(QString, kernels);
        if (caseDir.isEmpty()) LB_CANNOT_RUN("../shared not found (set LATENTBRUSH_SHARED)");
        QFile jf(caseDir + "/case.json");
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonObject c = QJsonDocument::fromJson(jf.readAll()).object();
        QTemporaryDir tmp;
        const QString latentPath = tmp.filePath("out.latent");
        const QString maskPath = tmp.filePath("grown.png");
        const QString pixelsPath = tmp.filePath("pixels.tif");
        QStringList args{"encode",
                         "--image",
                         caseDir + "/" + c["image"].toString(),
                         "--vae",
                         vaePathOf(c),
                         "--grow",
                         QString::number(c["grow"].toInt()),
                         "--device",
                         "cpu",
                         "--dtype",
                         "fp32",
                         "--kernels",
                         kernels,
                         "--output",
                         latentPath,
                         "--save-mask",
                         maskPath,
                         "--save-pixels",
                         pixelsPath};
        if (c.contains("mask")) args << "--mask" << caseDir + "/" + c["mask"].toString();
        Run r = runCli(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        auto expected =
            lb::SafetensorsFile::open((caseDir + "/expected.safetensors").toStdString());
        QVERIFY(expected.ok());
        const lb::TensorView* samples = (*expected)->find("samples");
        const lb::TensorView* noise = (*expected)->find("noise_mask");
        const lb::TensorView* pixels = (*expected)->find("pixels");
        QVERIFY(samples && noise && pixels);

        // The file as ComfyUI's LoadLatent sees it.
        auto raw = lb::SafetensorsFile::open(latentPath.toStdString());
        LB_VERIFY_OK(raw);
        const lb::TensorView* lt = (*raw)->find("latent_tensor");
        const lb::TensorView* marker = (*raw)->find("latent_format_version_0");
        const lb::TensorView* nm = (*raw)->find("noise_mask");
        QVERIFY(lt && marker && nm);
        QCOMPARE(lt->dtype, lb::DType::F32);
        QCOMPARE(marker->dtype, lb::DType::F32);
        QCOMPARE(marker->numel(), std::int64_t(0));
        QCOMPARE(nm->dtype, lb::DType::F32);
        QCOMPARE(lt->shape, samples->shape);
        QCOMPARE(nm->shape, noise->shape);
        const auto& md = (*raw)->metadata();
        for (const char* key : {"latentbrush.version", "grow_mask_by", "vae.family", "vae.file",
                                "vae.latent_channels", "vae.downscale", "source.image",
                                "source.mask", "crop.offset", "crop.size"})
            QVERIFY2(md.count(key), key);
        QCOMPARE(QString::fromStdString(md.at("grow_mask_by")), QString::number(c["grow"].toInt()));
        QCOMPARE(QString::fromStdString(md.at("vae.downscale")),
                 QString::number(c["downscale"].toInt()));
        const QJsonArray off = c["crop_offset_hw"].toArray();
        QCOMPARE(QString::fromStdString(md.at("crop.offset")),
                 QString("%1,%2").arg(off[0].toInt()).arg(off[1].toInt()));

        double worst = 0.0;
        for (std::int64_t i = 0; i < samples->numel(); ++i) {
            const float ref = floatAt(*samples, std::size_t(i));
            const float out = floatAt(*lt, std::size_t(i));
            worst = std::max(worst,
                             std::fabs(double(out) - ref) / std::max(1.0, std::fabs(double(ref))));
        }
        qInfo("samples: max |error| / max(1, |ref|) = %.3g", worst);
        QVERIFY2(worst <= 1e-4, qPrintable(QString("samples differ by %1").arg(worst)));
        int differing = 0;
        for (std::int64_t i = 0; i < noise->numel(); ++i)
            differing += (floatAt(*nm, std::size_t(i)) == 1.0f) != (noise->data[i] == 1);
        QCOMPARE(differing, 0);

        auto grown = lb::readImage(maskPath.toStdString());
        QVERIFY(grown.ok());
        differing = 0;
        for (std::int64_t i = 0; i < noise->numel(); ++i)
            differing += (grown->image.data[std::size_t(i)] == 1.0f) != (noise->data[i] == 1);
        QCOMPARE(differing, 0);
        auto filled = lb::readImage(pixelsPath.toStdString());
        QVERIFY(filled.ok());
        QCOMPARE(std::int64_t(filled->image.data.size()), pixels->numel());
        double pixelError = 0.0;
        for (std::int64_t i = 0; i < pixels->numel(); ++i)
            pixelError = std::max(pixelError, std::fabs(double(filled->image.data[std::size_t(i)]) -
                                                        floatAt(*pixels, std::size_t(i))));
        QVERIFY2(pixelError <= 1e-6, qPrintable(QString("pixels differ by %1").arg(pixelError)));
    }

    void unknownKernelsIsAUsageError() {
        const Run r = runCli({"encode", "--image", "a.png", "--vae", "v.safetensors", "--kernels",
                              "turbo", "--output", "o.latent"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("--kernels 'turbo'"), qPrintable(r.err));
    }

    void infoDescribesTheVae() {
        LB_REQUIRE_SHARED();
        Run r = runCli({"info", "--vae", lbtest::sharedDir() + "/golden/vae/kl4.safetensors"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        for (const char* word : {"family", "latent channels", "downscale", "parameters", "dtype"})
            QVERIFY2(r.out.contains(word), qPrintable(r.out));
        QVERIFY2(r.out.contains("autoencoderkl"), qPrintable(r.out));
        r = runCli({"info", "--vae", lbtest::sharedDir() + "/models/taef2_encoder.safetensors"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("taef2") && r.out.contains("128"), qPrintable(r.out));
    }

    // builtin:taef2 is the shipped copy of ../shared/models' TAEF2: the same latent bit for bit,
    // listed by `info`, decoded by `decode`; a missing installation is one line naming the file.
    void builtinVaeEncodesAsItsFile() {
        LB_REQUIRE_SHARED();
        const QString photo = lbtest::sharedDir() + "/data/chelsea.png";
        QTemporaryDir tmp;
        const QString viaFile = tmp.filePath("file.latent"), viaBuiltin = tmp.filePath("b.latent");
        Run r = runCli({"encode", "--image", photo, "--vae",
                        lbtest::sharedDir() + "/models/taef2_encoder.safetensors", "--grow", "0",
                        "--device", "cpu", "--output", viaFile});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runCli({"encode", "--image", photo, "--vae", "builtin:taef2", "--grow", "0", "--device",
                    "cpu", "--output", viaBuiltin});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        auto a = lb::readLatentFile(viaFile.toStdString());
        auto b = lb::readLatentFile(viaBuiltin.toStdString());
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(b->samples.shape, a->samples.shape);
        QVERIFY(b->samples.data == a->samples.data);

        r = runCli({"decode", "--latent", viaBuiltin, "--vae", "builtin:taef2", "--device", "cpu",
                    "--output", tmp.filePath("decoded.png")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(QFileInfo(tmp.filePath("decoded.png")).size() > 0);

        r = runCli({"info"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("builtin:taef2") && !r.out.contains("not installed"),
                 qPrintable(r.out));
        r = runCli({"info", "--vae", "builtin:taef2"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("taef2") && r.out.contains("decoder:          yes"),
                 qPrintable(r.out));
    }

    void builtinVaeErrorsNameTheProblem() {
        QTemporaryDir empty;
        const Run noModels =
            lbtest::runProgram(lbtest::cliPath(),
                               {"encode", "--image", "a.png", "--vae", "builtin:taef2", "--output",
                                empty.filePath("o.latent")},
                               {"LATENTBRUSH_MODELS_DIR=" + empty.path()}, 60000);
        const QString err = noModels.err.trimmed();
        QCOMPARE(noModels.exitCode, 1);
        QVERIFY2(!err.contains('\n') && err.contains(empty.path() + "/taef2_encoder.safetensors") &&
                     err.contains("not installed"),
                 qPrintable(err));
        QVERIFY(!QFileInfo::exists(empty.filePath("o.latent")));

        const Run r = runCli({"info", "--vae", "builtin:sdxl"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no such built-in VAE") && r.err.contains("builtin:taef2"),
                 qPrintable(r.err));
    }

    void taef2RoundTripOfAPhotograph() {
        LB_REQUIRE_SHARED();
        const QString models = lbtest::sharedDir() + "/models/";
        const QString photo = lbtest::sharedDir() + "/data/astronaut.png";
        QTemporaryDir tmp;
        const QString latent = tmp.filePath("astronaut.latent");
        const QString decoded = tmp.filePath("decoded.png");
        Run r = runCli({"encode", "--image", photo, "--vae", models + "taef2_encoder.safetensors",
                        "--grow", "0", "--device", "cpu", "--output", latent});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("warning"), qPrintable(r.err)); // no alpha, no mask
        r = runCli({"decode", "--latent", latent, "--vae", models + "taef2_decoder.safetensors",
                    "--device", "cpu", "--output", decoded});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        auto a = lb::readImage(photo.toStdString());
        auto b = lb::readImage(decoded.toStdString());
        QVERIFY(a.ok() && b.ok());
        const lb::ImageBuffer original = lb::toRgb(a->image);
        QCOMPARE(b->image.height, (original.height / 16) * 16);
        QCOMPARE(b->image.width, (original.width / 16) * 16);
        const int top = (original.height % 16) / 2, left = (original.width % 16) / 2;
        double se = 0.0;
        for (int y = 0; y < b->image.height; ++y)
            for (int x = 0; x < b->image.width; ++x)
                for (int k = 0; k < 3; ++k) {
                    const double d = double(b->image.row(y)[x * b->image.channels + k]) -
                                     original.row(y + top)[(x + left) * 3 + k];
                    se += d * d;
                }
        const double mse = se / (double(b->image.height) * b->image.width * 3);
        const double psnr = 10.0 * std::log10(1.0 / mse);
        qInfo("TAEF2 round trip of astronaut.png: PSNR %.2f dB", psnr);
        QVERIFY2(psnr >= 30.0, qPrintable(QString("PSNR %1 dB").arg(psnr)));
    }
};

QTEST_GUILESS_MAIN(CliEncode)
#include "tst_cli_encode.moc"
