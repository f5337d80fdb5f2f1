// lb::inpaintEncode without image files: the node's steps (prepareInpaint, then the VAE's
// encode) on generated images and masks with a tiny random TAESD, progress, cancel and errors.
// LibTorch first: Qt's `slots` keyword macro would break its headers.
#include <torch/types.h>

#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/Pipeline.h"
#include "latentbrush/SafetensorsTorch.h"
#include "latentbrush/Vae.h"

#include "RandomVaes.h"
#include "TestSupport.h"

#include <QTemporaryDir>

#include <atomic>
#include <cmath>

namespace {

lb::ImageBuffer randomImage(int h, int w, int channels) {
    const at::Tensor t = at::rand({h, w, channels});
    lb::ImageBuffer img;
    img.height = h;
    img.width = w;
    img.channels = channels;
    img.data.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    return img;
}

lb::MaskBuffer discMask(int h, int w) {
    lb::MaskBuffer m;
    m.height = h;
    m.width = w;
    m.data.resize(std::size_t(h) * std::size_t(w));
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const double r = std::hypot(y - h * 0.4, x - w * 0.6) / (0.3 * std::min(h, w));
            m.data[std::size_t(y) * std::size_t(w) + std::size_t(x)] =
                float(std::clamp(1.5 - r, 0.0, 1.0));
        }
    return m;
}

} // namespace

class TestPipeline : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        at::manual_seed(7);
        QVERIFY(dir_.isValid());
        const std::string path = dir_.filePath("tiny_taesd_encoder.safetensors").toStdString();
        // taesd.py's Encoder at RandomVaes.h's width, 4 latent channels, raw layer names.
        LB_VERIFY_OK(lb::writeTensors(path, lbtest::taesdEncoderWeights(4, false)));
        lb::VaeLoadOptions options;
        options.device = "cpu";
        options.dtype = lb::ComputeDType::F32;
        auto loaded = lb::Vae::load(path, options);
        LB_VERIFY_OK(loaded);
        vae_ = loaded.value();
        QCOMPARE(vae_->info().downscale, 8);
    }

    // The call is exactly prepareInpaint + encode, whatever the sizes.
    void sameAsTheSteps_data() {
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("maskHeight");
        QTest::addColumn<int>("maskWidth");
        QTest::addColumn<int>("grow");
        QTest::newRow("rgb same-size grow6") << 40 << 48 << 3 << 40 << 48 << 6;
        QTest::newRow("rgba odd crop grow0") << 45 << 37 << 4 << 45 << 37 << 0;
        QTest::newRow("gray small mask grow7") << 33 << 50 << 1 << 11 << 17 << 7;
        QTest::newRow("rgb no mask") << 24 << 32 << 3 << 0 << 0 << 4;
    }

    void sameAsTheSteps() {
        QFETCH(int, height);
        QFETCH(int, width);
        QFETCH(int, channels);
        QFETCH(int, maskHeight);
        QFETCH(int, maskWidth);
        QFETCH(int, grow);
        const lb::ImageBuffer image = randomImage(height, width, channels);
        const lb::MaskBuffer mask =
            maskHeight > 0 ? discMask(maskHeight, maskWidth) : lb::MaskBuffer{};
        auto result = lb::inpaintEncode(*vae_, image, mask, grow);
        LB_VERIFY_OK(result);

        auto steps = lb::prepareInpaint(image, mask, grow, 8);
        QVERIFY(steps.ok());
        auto samples = vae_->encode(steps.value().pixels);
        QVERIFY(samples.ok());
        const lb::InpaintEncodeResult& r = result.value();
        QVERIFY(r.crop == steps.value().crop);
        QCOMPARE(r.crop.height, height / 8 * 8);
        QCOMPARE(r.crop.width, width / 8 * 8);
        QVERIFY(r.noiseMask.data == steps.value().noiseMask.data);
        QVERIFY(r.pixels.data == steps.value().pixels.data);
        QCOMPARE(r.pixels.channels, 3);
        QCOMPARE(r.samples.shape, (std::vector<std::int64_t>{1, 4, height / 8, width / 8}));
        QVERIFY(r.samples.data == samples.value().data);
        if (maskHeight == 0)
            for (std::uint8_t v : r.noiseMask.data)
                QCOMPARE(int(v), 0);
    }

    void progressAndCancel() {
        const lb::ImageBuffer image = randomImage(64, 64, 3);
        const lb::MaskBuffer mask = discMask(64, 64);
        std::atomic<bool> cancel{false};
        std::vector<double> fractions;
        lb::Progress progress;
        progress.cancel = &cancel;
        progress.report = [&](double f, const std::string&) { fractions.push_back(f); };
        QVERIFY(lb::inpaintEncode(*vae_, image, mask, 6, progress).ok());
        QVERIFY(fractions.size() > 3);
        QCOMPARE(fractions.front(), 0.0);
        QCOMPARE(fractions.back(), 1.0);
        QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));

        cancel = true;
        auto before = lb::inpaintEncode(*vae_, image, mask, 6, progress);
        QVERIFY(!before.ok());
        QCOMPARE(QString::fromStdString(before.message()), QStringLiteral("cancelled"));

        cancel = false;
        fractions.clear();
        progress.report = [&](double f, const std::string&) {
            fractions.push_back(f);
            if (f > 0.3) cancel = true; // inside the encoder
        };
        auto during = lb::inpaintEncode(*vae_, image, mask, 6, progress);
        QVERIFY(!during.ok());
        QCOMPARE(QString::fromStdString(during.message()), QStringLiteral("cancelled"));
    }

    void errors() {
        auto small = lb::inpaintEncode(*vae_, randomImage(7, 40, 3), lb::MaskBuffer{}, 6);
        QVERIFY(!small.ok());
        qInfo("%s", small.message().c_str());
        auto grow = lb::inpaintEncode(*vae_, randomImage(16, 16, 3), lb::MaskBuffer{}, -1);
        QVERIFY(!grow.ok());
        lb::MaskBuffer bad = discMask(16, 16);
        bad.data[3] = std::nanf("");
        QVERIFY(!lb::inpaintEncode(*vae_, randomImage(16, 16, 3), bad, 6).ok());
    }

private:
    QTemporaryDir dir_;
    std::shared_ptr<lb::Vae> vae_;
};

QTEST_GUILESS_MAIN(TestPipeline)
#include "tst_pipeline.moc"
