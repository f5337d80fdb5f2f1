// The .latent export as other programs read it: ComfyUI's LoadLatent rules checked with an
// independent safetensors reader (QJsonDocument over the raw bytes), the noise_mask recomputed
// by brute force from the mask file, LoadLatent itself re-run in Debian's Python (numpy, and
// torch when present), and the three-line diffusers snippet of docs/DIFFUSERS.md executed as
// written.
#include "InteropSupport.h"

#include "latentbrush/LatentFile.h"

#include <QTemporaryDir>

using namespace interop;

class InteropLatent : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString image_, mask_, latent_, grown_;
    static constexpr int kW = 75, kH = 53, kGrow = 6;
    static constexpr int kX = 48, kY = 72;    // (H // 8) * 8, (W // 8) * 8
    static constexpr int kTop = 2, kLeft = 1; // ((H % 8) // 2, (W % 8) // 2)

private slots:
    void initTestCase() {
        LB_REQUIRE_QIMAGE();
        if (kl4Vae().isEmpty()) return;
        image_ = tmp_.filePath("photo.png");
        mask_ = tmp_.filePath("mask.png");
        latent_ = tmp_.filePath("photo.latent");
        grown_ = tmp_.filePath("photo.mask.png");
        QVERIFY(writeTestImage(image_, kW, kH));
        QVERIFY(writeTestMask(mask_, kW, kH));
        Run r = runCli({"encode", "--image", image_, "--mask", mask_, "--vae", kl4Vae(), "--grow",
                        QString::number(kGrow), "--device", "cpu", "--dtype", "fp32", "--output",
                        latent_, "--save-mask", grown_});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    }

    // The file is valid safetensors and laid out as LoadLatent expects.
    void loadLatentRules() {
        LB_REQUIRE_SHARED();
        const StFile f = readSafetensors(latent_);
        QVERIFY2(f.ok(), qPrintable(f.error));
        QCOMPARE(f.tensors.keys(),
                 (QList<QString>{"latent_format_version_0", "latent_tensor", "noise_mask"}));
        const StTensor& lt = f.tensors["latent_tensor"];
        QCOMPARE(lt.dtype, QString("F32"));
        QCOMPARE(lt.shape, (std::vector<std::int64_t>{1, 4, kX / 8, kY / 8}));
        for (std::int64_t i = 0; i < lt.numel(); ++i)
            QVERIFY(std::isfinite(lt.f32(i)));
        // SaveLatent writes torch.tensor([]): F32, shape [0]. Its presence alone tells
        // LoadLatent not to divide by 0.18215.
        const StTensor& marker = f.tensors["latent_format_version_0"];
        QCOMPARE(marker.dtype, QString("F32"));
        QCOMPARE(marker.shape, (std::vector<std::int64_t>{0}));
        QCOMPARE(marker.bytes.size(), qsizetype(0));
        const StTensor& nm = f.tensors["noise_mask"];
        QCOMPARE(nm.dtype, QString("F32"));
        QCOMPARE(nm.shape, (std::vector<std::int64_t>{1, 1, kX, kY}));
        for (std::int64_t i = 0; i < nm.numel(); ++i)
            QVERIFY(nm.f32(i) == 0.0f || nm.f32(i) == 1.0f);

        for (const char* key : {"latentbrush.version", "grow_mask_by", "vae.family", "vae.file",
                                "vae.latent_channels", "vae.downscale", "source.image",
                                "source.mask", "crop.offset", "crop.size"})
            QVERIFY2(f.metadata.contains(key), key);
        QCOMPARE(f.metadata["grow_mask_by"], QString::number(kGrow));
        QCOMPARE(f.metadata["vae.family"], QString("autoencoderkl"));
        QCOMPARE(f.metadata["vae.latent_channels"], QString("4"));
        QCOMPARE(f.metadata["vae.downscale"], QString("8"));
        QCOMPARE(f.metadata["crop.offset"], QString("%1,%2").arg(kTop).arg(kLeft));
        QCOMPARE(f.metadata["crop.size"], QString("%1,%2").arg(kX).arg(kY));
        QCOMPARE(f.metadata["source.image"], QString("photo.png"));
        QCOMPARE(f.metadata["source.mask"], QString("mask.png"));
    }

    // noise_mask recomputed from the mask file by brute force: no resize (same size), crop at
    // (2, 1), torch.round (half to even) of float(v) / 255, then the node's conv2d with a 6x6
    // window of rows i-3..i+2 (padding ceil(5/2) = 3, sliced to [:X, :Y]), clamped and rounded.
    void noiseMaskBruteForce() {
        LB_REQUIRE_SHARED();
#ifdef LB_HAVE_QIMAGE
        QImage m(mask_);
        QVERIFY(!m.isNull());
        m = m.convertToFormat(QImage::Format_Grayscale8);
        std::vector<int> rounded(std::size_t(kX) * kY);
        for (int y = 0; y < kX; ++y)
            for (int x = 0; x < kY; ++x)
                rounded[std::size_t(y) * kY + std::size_t(x)] =
                    int(roundHalfEven(float(m.constScanLine(y + kTop)[x + kLeft]) / 255.0f));
        const StFile f = readSafetensors(latent_);
        QVERIFY2(f.ok(), qPrintable(f.error));
        const StTensor& nm = f.tensors["noise_mask"];
        const int pad = (kGrow - 1 + 1) / 2; // ceil((g - 1) / 2)
        int differing = 0;
        for (int y = 0; y < kX; ++y)
            for (int x = 0; x < kY; ++x) {
                int sum = 0;
                for (int dy = 0; dy < kGrow; ++dy)
                    for (int dx = 0; dx < kGrow; ++dx) {
                        const int yy = y - pad + dy, xx = x - pad + dx;
                        if (yy >= 0 && yy < kX && xx >= 0 && xx < kY)
                            sum += rounded[std::size_t(yy) * kY + std::size_t(xx)];
                    }
                const float expected = sum > 0 ? 1.0f : 0.0f;
                differing += nm.f32(std::int64_t(y) * kY + x) != expected;
            }
        QCOMPARE(differing, 0);
#endif
    }

    // The independent reader and the project's reader see the same numbers.
    void projectReaderAgrees() {
        LB_REQUIRE_SHARED();
        const StFile f = readSafetensors(latent_);
        auto ours = lb::readLatentFile(latent_.toStdString());
        LB_VERIFY_OK(ours);
        QVERIFY(ours->hasFormatVersionMarker);
        QCOMPARE(ours->samples.shape, f.tensors["latent_tensor"].shape);
        QCOMPARE(QByteArray(reinterpret_cast<const char*>(ours->samples.data.data()),
                            qsizetype(ours->samples.data.size() * 4)),
                 f.tensors["latent_tensor"].bytes);
        QCOMPARE(QByteArray(reinterpret_cast<const char*>(ours->noiseMask.data.data()),
                            qsizetype(ours->noiseMask.data.size() * 4)),
                 f.tensors["noise_mask"].bytes);
    }

    // LoadLatent.load re-run in Python: samples = latent_tensor.float() * 1.0, bit for bit.
    void pythonLoadLatent() {
        LB_REQUIRE_SHARED();
        if (!pythonHas("numpy"))
            LB_CANNOT_RUN("/usr/bin/python3 with numpy (python3-numpy) not found");
        const QString out = tmp_.filePath("samples.f32");
        Run r = runProgram("/usr/bin/python3",
                           {interopDir() + "/comfy_loaders.py", "loadlatent", latent_, out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        qInfo("LoadLatent in Python, reader: %s", qPrintable(j["reader"].toString()));
        QCOMPARE(j["multiplier"].toDouble(), 1.0);
        QCOMPARE(j["samples_dtype"].toString(), QString("float32"));
        QCOMPARE(j["samples_shape"].toArray(), (QJsonArray{1, 4, kX / 8, kY / 8}));
        const QJsonObject t = j["tensors"].toObject();
        QCOMPARE(t["noise_mask"].toArray()[1].toArray(), (QJsonArray{1, 1, kX, kY}));
        QCOMPARE(t["latent_format_version_0"].toArray()[1].toArray(), (QJsonArray{0}));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), readSafetensors(latent_).tensors["latent_tensor"].bytes);
    }

    // docs/DIFFUSERS.md's snippet, executed as written (only the file name substituted) with
    // the scaling of SD 1.x and of SD3: latents = (latent_tensor - shift) * scale exactly,
    // a float32 torch.Tensor [B, C, h, w]; mask = noise_mask [B, 1, X, Y].
    void diffusersSnippet_data() {
        QTest::addColumn<QString>("shift");
        QTest::addColumn<QString>("scale");
        QTest::newRow("sd1") << "0.0"
                             << "0.18215";
        QTest::newRow("sd3") << "0.0609"
                             << "1.5305";
    }
    void diffusersSnippet() {
        QFETCH(QString, shift);
        QFETCH(QString, scale);
        LB_REQUIRE_SHARED();
        if (!pythonHas("numpy") || !pythonHas("torch"))
            LB_CANNOT_RUN("/usr/bin/python3 with numpy and torch (python3-torch) not found");
        Run r = runProgram("/usr/bin/python3",
                           {interopDir() + "/comfy_loaders.py", "snippet",
                            QStringLiteral(LATENTBRUSH_SOURCE_DIR "/docs/DIFFUSERS.md"), latent_,
                            shift, scale});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        qInfo("diffusers snippet, safetensors.torch: %s", qPrintable(j["reader"].toString()));
        QCOMPARE(j["latents_type"].toString(), QString("Tensor"));
        QCOMPARE(j["latents_dtype"].toString(), QString("torch.float32"));
        QCOMPARE(j["latents_shape"].toArray(), (QJsonArray{1, 4, kX / 8, kY / 8}));
        QCOMPARE(j["mask_dtype"].toString(), QString("torch.float32"));
        QCOMPARE(j["mask_shape"].toArray(), (QJsonArray{1, 1, kX, kY}));
        QVERIFY(j["latents_equal"].toBool());
        QVERIFY(j["mask_equal"].toBool());
    }
};

QTEST_GUILESS_MAIN(InteropLatent)
#include "tst_interop_latent.moc"
