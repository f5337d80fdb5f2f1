// latentbrush-cli encode --mode noise-mask end to end with real files and the real TAEF2 VAE
// (../shared/models), against mirrors of the ComfyUI graph it stands for: VAEEncode (the VAE's
// centred crop, no gray fill; the encoder as ComfyMirror.h computes it) + GrowMask + ImageBlur
// (tests/common/comfy_mask_nodes.py, the nodes' source in numpy/torch) + SetLatentNoiseMask (the
// mask at its own size). Also: the metadata, the options' validation, and inpaint unchanged.
#include <torch/torch.h> // before Qt (its `slots` macro)

#include "CliSupport.h"
#include "ComfyMirror.h"
#include "TestSupport.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/LatentFile.h"
#include "latentbrush/Safetensors.h"
#include "latentbrush/SafetensorsTorch.h"

#include <QFile>
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

constexpr int kW = 75, kH = 53; // odd sizes: TAEF2 (d = 16) crops 53x75 to 48x64 from (2, 5)

QString taef2() {
    return lbtest::sharedDir() + "/models/taef2_encoder.safetensors";
}

// A byte pattern, so that the PNG holds the float values exactly (v = b / 255).
lb::ImageBuffer testImage() {
    lb::ImageBuffer img;
    img.height = kH;
    img.width = kW;
    img.channels = 3;
    img.data.resize(std::size_t(kH) * kW * 3);
    for (int y = 0; y < kH; ++y)
        for (int x = 0; x < kW; ++x)
            for (int c = 0; c < 3; ++c)
                img.data[(std::size_t(y) * kW + x) * 3 + c] =
                    float((x * 7 + y * 13 + c * 71 + (x * y) % 29) % 256) / 255.0f;
    return img;
}

// A soft mask of byte levels: a blurred disc, some noise and a few hard pixels.
lb::MaskBuffer testMask(int h, int w) {
    lb::MaskBuffer m;
    m.height = h;
    m.width = w;
    m.data.resize(std::size_t(h) * w);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const double d = std::hypot(y - h * 0.45, x - w * 0.55) / (0.3 * std::min(h, w));
            int b = int(std::clamp(1.6 - d, 0.0, 1.0) * 255.0);
            b = (b + (x * 31 + y * 17) % 23) % 256;
            if (x < 4 && y < 3) b = 255; // a hard corner
            m.data[std::size_t(y) * w + x] = float(b) / 255.0f;
        }
    return m;
}

// GrowMask + ImageBlur by the Python mirror: {grown (exact), blurred float32 node arithmetic}.
bool mirrorMask(const QString& dir, const lb::MaskBuffer& m, int expand, bool tapered, int r,
                double sigma, std::vector<float>* grown, std::vector<float>* blurred,
                QString* error) {
    const QString in = dir + "/mirror_in.f32", out = dir + "/mirror_out";
    QFile f(in);
    if (!f.open(QIODevice::WriteOnly)) return false;
    f.write(reinterpret_cast<const char*>(m.data.data()), qint64(m.data.size() * 4));
    f.close();
    const QJsonObject c{{"input", in},
                        {"height", m.height},
                        {"width", m.width},
                        {"expand", expand},
                        {"tapered_corners", tapered},
                        {"blur_radius", r},
                        {"sigma", sigma},
                        {"output", out}};
    QFile man(dir + "/mirror.json");
    if (!man.open(QIODevice::WriteOnly)) return false;
    man.write(QJsonDocument(QJsonObject{{"cases", QJsonArray{c}}}).toJson());
    man.close();
    QProcess py;
    py.start("/usr/bin/python3",
             {QStringLiteral(LATENTBRUSH_SOURCE_DIR "/tests/common/comfy_mask_nodes.py"),
              man.fileName()});
    if (!py.waitForFinished(300000) || py.exitCode() != 0) {
        *error = QString::fromUtf8(py.readAllStandardError());
        return false;
    }
    auto read = [&](const QString& p, std::vector<float>* v) {
        QFile raw(p);
        if (!raw.open(QIODevice::ReadOnly)) return false;
        const QByteArray b = raw.readAll();
        if (std::size_t(b.size()) != m.data.size() * 4) return false;
        v->resize(m.data.size());
        std::memcpy(v->data(), b.constData(), std::size_t(b.size()));
        return true;
    };
    return read(out + ".grow.f32", grown) && read(out + ".blur32.f32", blurred);
}

// VAEEncode through the mirror: ComfyUI's crop, taesd encoder, the TAEF2 2x2 packing.
at::Tensor mirrorSamples(const lb::ImageBuffer& image) {
    auto file = lb::SafetensorsFile::open(taef2().toStdString());
    if (!file) return {};
    Weights w;
    for (const lb::TensorView& v : (*file)->tensors()) {
        auto t = lb::toTensor(*file, v);
        if (!t) return {};
        w.push_back({v.name, t->to(at::kFloat).clone()});
    }
    const lbtest::ComfyMirror mirror(w);
    // pixels.narrow(d + 1, (n % 16) // 2, (n // 16) * 16) on H, then W
    at::Tensor pixels = lbtest::toNchw(image)
                            .narrow(2, (kH % 16) / 2, (kH / 16) * 16)
                            .narrow(3, (kW % 16) / 2, (kW / 16) * 16);
    torch::NoGradGuard noGrad;
    return lbtest::pack(mirror.taesdEncode(pixels.contiguous()));
}

} // namespace

class CliNoiseMask : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString image_, maskSame_, maskSmall_;
    lb::ImageBuffer imageData_;
    lb::MaskBuffer maskSameData_, maskSmallData_;
    at::Tensor samples_;

private slots:
    void initTestCase() {
        LB_REQUIRE_SHARED();
        imageData_ = testImage();
        maskSameData_ = testMask(kH, kW);
        maskSmallData_ = testMask(33, 41);
        image_ = tmp_.filePath("photo.png");
        maskSame_ = tmp_.filePath("mask.png");
        maskSmall_ = tmp_.filePath("mask_small.png");
        QVERIFY(lb::writeImage(image_.toStdString(), imageData_));
        QVERIFY(lb::writeMaskPng(maskSame_.toStdString(), maskSameData_));
        QVERIFY(lb::writeMaskPng(maskSmall_.toStdString(), maskSmallData_));
        // the files hold exactly these values
        auto m = lb::readMask(maskSame_.toStdString());
        QVERIFY(m && m->data == maskSameData_.data);
        samples_ = mirrorSamples(imageData_);
        QVERIFY(samples_.defined());
    }

    void againstComfyGraph_data() {
        QTest::addColumn<bool>("smallMask");
        QTest::addColumn<int>("expand");
        QTest::addColumn<bool>("tapered");
        QTest::addColumn<int>("radius");
        QTest::addColumn<double>("sigma");
        QTest::addColumn<QString>("kernels");
        QTest::newRow("plain, fast kernels") << false << 0 << false << 0 << 1.0 << "fast";
        QTest::newRow("plain, reference kernels") << false << 0 << false << 0 << 1.0 << "reference";
        // Tapered is the default (GrowMask's tapered_corners=True): no flag; --tapered-corners
        // says the same explicitly.
        QTest::newRow("expand 5 tapered (default)") << false << 5 << true << 0 << 1.0 << "fast";
        QTest::newRow("expand 9 square, blur 4 sigma 2")
            << false << 9 << false << 4 << 2.0 << "fast";
        QTest::newRow("shrink 3 tapered, blur 31 sigma 10")
            << false << -3 << true << 31 << 10.0 << "fast";
        QTest::newRow("small mask, expand 2, blur 1") << true << 2 << false << 1 << 1.0 << "fast";
        QTest::newRow("small mask, shrink 6 square, blur 7 sigma 0.3")
            << true << -6 << false << 7 << 0.3 << "fast";
    }

    void againstComfyGraph() {
        LB_REQUIRE_SHARED();
        QFETCH(bool, smallMask);
        QFETCH(int, expand);
        QFETCH(bool, tapered);
        QFETCH(int, radius);
        QFETCH(double, sigma);
        QFETCH(QString, kernels);
        const lb::MaskBuffer& mask = smallMask ? maskSmallData_ : maskSameData_;
        const QString latent = tmp_.filePath("out.latent"), pixels = tmp_.filePath("px.tif"),
                      saved = tmp_.filePath("mask.exr");
        QStringList args = {"encode",
                            "--image",
                            image_,
                            "--mask",
                            smallMask ? maskSmall_ : maskSame_,
                            "--vae",
                            taef2(),
                            "--device",
                            "cpu",
                            "--dtype",
                            "fp32",
                            "--kernels",
                            kernels,
                            "--mode",
                            "noise-mask",
                            "--mask-expand",
                            QString::number(expand),
                            "--output",
                            latent,
                            "--save-pixels",
                            pixels,
                            "--save-mask",
                            saved};
        if (!tapered)
            args << "--square-corners";
        else if (expand < 0)
            args << "--tapered-corners";
        if (radius > 0) args << "--mask-blur" << QString("%1,%2").arg(radius).arg(sigma);
        const Run r = runCli(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        auto file = lb::readLatentFile(latent.toStdString());
        QVERIFY2(file, file ? "" : file.message().c_str());
        // SetLatentNoiseMask: the mask at its own size, [B, 1, H, W], soft values kept.
        QVERIFY(file->hasNoiseMask);
        QCOMPARE(file->noiseMask.shape, (std::vector<std::int64_t>{1, 1, mask.height, mask.width}));
        std::vector<float> grown, blurred;
        QString error;
        QVERIFY2(
            mirrorMask(tmp_.path(), mask, expand, tapered, radius, sigma, &grown, &blurred, &error),
            qPrintable(error));
        double worst = 0.0;
        for (std::size_t i = 0; i < grown.size(); ++i) {
            if (radius == 0) QCOMPARE(file->noiseMask.data[i], grown[i]); // GrowMask: bit for bit
            worst = std::max(worst, std::fabs(double(file->noiseMask.data[i]) - blurred[i]));
        }
        QVERIFY2(worst <= 1e-6, qPrintable(QString("noise_mask off by %1").arg(worst)));
        bool soft = false;
        for (float v : file->noiseMask.data)
            soft = soft || (v > 0.0f && v < 1.0f);
        QVERIFY(soft);
        // --save-mask (EXR, float) holds the same values.
        auto savedMask = lb::readMask(saved.toStdString());
        QVERIFY2(savedMask, savedMask ? "" : savedMask.message().c_str());
        QVERIFY(savedMask->data == file->noiseMask.data);

        // VAEEncode's pixels: the centred crop, no gray fill.
        auto px = lb::readImage(pixels.toStdString());
        QVERIFY2(px, px ? "" : px.message().c_str());
        QCOMPARE(px->image.height, 48);
        QCOMPARE(px->image.width, 64);
        for (int y = 0; y < 48; ++y)
            for (int x = 0; x < 64; ++x)
                for (int c = 0; c < 3; ++c)
                    QCOMPARE(px->image.data[(std::size_t(y) * 64 + x) * 3 + c],
                             imageData_.data[(std::size_t(y + 2) * kW + x + 5) * 3 + c]);

        // The samples: within 1e-4 x max(1, |ref|) of the mirror (docs/NUMERICS.md's tolerance).
        QCOMPARE(file->samples.shape, (std::vector<std::int64_t>{1, 128, 3, 4}));
        const at::Tensor ref = samples_.contiguous();
        const float* refData = ref.data_ptr<float>();
        double worstSample = 0.0;
        for (std::size_t i = 0; i < file->samples.data.size(); ++i) {
            const double d = std::fabs(double(file->samples.data[i]) - refData[i]) /
                             std::max(1.0, std::fabs(double(refData[i])));
            worstSample = std::max(worstSample, d);
        }
        QVERIFY2(worstSample <= 1e-4, qPrintable(QString("samples off by %1").arg(worstSample)));

        // The mode and its parameters in the metadata; no grow_mask_by.
        const auto& md = file->metadata;
        QCOMPARE(md.at("encode.mode"), std::string("noise-mask"));
        QCOMPARE(md.at("mask.expand"), std::to_string(expand));
        QCOMPARE(md.at("mask.tapered_corners"), std::string(tapered ? "true" : "false"));
        QCOMPARE(md.at("mask.blur_radius"), std::to_string(radius));
        QCOMPARE(std::stod(md.at("mask.blur_sigma")), sigma);
        QCOMPARE(md.at("crop.offset"), std::string("2,5"));
        QCOMPARE(md.at("crop.size"), std::string("48,64"));
        QVERIFY(!md.count("grow_mask_by"));
    }

    // batch --mode noise-mask writes what encode writes, and the soft mask as NAME.mask.png.
    void batchMatchesEncode() {
        LB_REQUIRE_SHARED();
        const QString images = tmp_.filePath("batch_images"), masks = tmp_.filePath("batch_masks"),
                      out = tmp_.filePath("batch_out");
        for (const QString& d : {images, masks, out})
            QVERIFY(QDir().mkpath(d));
        QVERIFY(QFile::copy(image_, images + "/photo.png"));
        QVERIFY(QFile::copy(maskSame_, masks + "/photo.png"));
        const QStringList mode = {"--mode", "noise-mask",  "--mask-expand",
                                  "-2",     "--mask-blur", "3,1.5"};
        Run r = runCli(QStringList{"batch", "--images", images, "--masks", masks, "--vae", taef2(),
                                   "--device", "cpu", "--out", out} +
                       mode);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString single = tmp_.filePath("single.latent");
        r = runCli(QStringList{"encode", "--image", image_, "--mask", maskSame_, "--vae", taef2(),
                               "--device", "cpu", "--output", single} +
                   mode);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        auto a = lb::readLatentFile((out + "/photo.latent").toStdString());
        auto b = lb::readLatentFile(single.toStdString());
        QVERIFY(a && b);
        QVERIFY(a->samples.data == b->samples.data);
        QVERIFY(a->noiseMask.data == b->noiseMask.data);
        QCOMPARE(a->metadata.at("encode.mode"), std::string("noise-mask"));
        QCOMPARE(a->metadata.at("mask.blur_sigma"), std::string("1.5"));
        auto saved = lb::readMask((out + "/photo.mask.png").toStdString());
        QVERIFY(saved);
        QCOMPARE(saved->height, kH);
        for (std::size_t i = 0; i < saved->data.size(); ++i)
            QVERIFY(std::fabs(saved->data[i] - a->noiseMask.data[i]) <= 0.5f / 255.0f + 1e-6f);
    }

    // The default stays VAEEncodeForInpaint, now with encode.mode recorded.
    void inpaintIsTheDefault() {
        LB_REQUIRE_SHARED();
        const QString latent = tmp_.filePath("inpaint.latent");
        const Run r = runCli({"encode", "--image", image_, "--mask", maskSame_, "--vae", taef2(),
                              "--device", "cpu", "--output", latent});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        auto file = lb::readLatentFile(latent.toStdString());
        QVERIFY(file);
        QCOMPARE(file->metadata.at("encode.mode"), std::string("inpaint"));
        QCOMPARE(file->metadata.at("grow_mask_by"), std::string("6"));
        QCOMPARE(file->noiseMask.shape, (std::vector<std::int64_t>{1, 1, 48, 64}));
        for (float v : file->noiseMask.data)
            QVERIFY(v == 0.0f || v == 1.0f);
    }

    // Options of the other mode, bad values and a blur larger than the mask: one line, no file.
    void badOptions_data() {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("expand in inpaint mode")
            << QStringList{"--mask-expand", "3"} << 2 << "belongs to --mode noise-mask";
        QTest::newRow("tapered in inpaint mode")
            << QStringList{"--tapered-corners"} << 2 << "belongs to --mode noise-mask";
        QTest::newRow("grow in noise-mask mode")
            << QStringList{"--mode", "noise-mask", "--grow", "6"} << 2 << "--mask-expand";
        QTest::newRow("unknown mode") << QStringList{"--mode", "soft"} << 2 << "unknown --mode";
        QTest::newRow("square in inpaint mode")
            << QStringList{"--square-corners"} << 2 << "belongs to --mode noise-mask";
        QTest::newRow("tapered and square")
            << QStringList{"--mode", "noise-mask", "--tapered-corners", "--square-corners"} << 2
            << "exclude each other";
        QTest::newRow("region in noise-mask mode")
            << QStringList{"--mode", "noise-mask", "--region", "auto"} << 2 << "--mode inpaint";
        QTest::newRow("flag with a value")
            << QStringList{"--mode", "noise-mask", "--tapered-corners=yes"} << 2 << "no value";
        QTest::newRow("expand out of range")
            << QStringList{"--mode", "noise-mask", "--mask-expand", "20000"} << 2 << "outside";
        QTest::newRow("bad sigma")
            << QStringList{"--mode", "noise-mask", "--mask-blur", "3,-1"} << 2 << "sigma";
        QTest::newRow("bad radius")
            << QStringList{"--mode", "noise-mask", "--mask-blur", "x"} << 2 << "integer";
        QTest::newRow("blur larger than the mask")
            << QStringList{"--mode", "noise-mask", "--mask-blur", "60"} << 1 << "mask.png";
        QTest::newRow("soft mask as jpg")
            << QStringList{"--mode", "noise-mask", "--save-mask", "m.jpg"} << 1 << "--save-mask";
    }

    void badOptions() {
        LB_REQUIRE_SHARED();
        QFETCH(QStringList, extra);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const QString latent = tmp_.filePath("bad.latent");
        QFile::remove(latent);
        const Run r = runCli(QStringList{"encode", "--image", image_, "--mask", maskSame_, "--vae",
                                         taef2(), "--device", "cpu", "--output", latent} +
                             extra);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        if (exitCode == 1) QCOMPARE(r.err.trimmed().count('\n'), 0);
        QVERIFY(!QFile::exists(latent));
    }
};

QTEST_GUILESS_MAIN(CliNoiseMask)
#include "tst_cli_noise_mask.moc"
