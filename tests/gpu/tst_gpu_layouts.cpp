// The CUDA rows of the VAE layout tests (tests/core/tst_vae_layouts.cpp has the CPU's): reduced
// precision and float32 on the GPU against the CPU's float32, and SD-sized encoders on large
// images. Label gpu: run where LibTorch sees a CUDA device (scripts/gpu-bench.sh, the device
// machine); without one every function fails rather than passing unchecked.
#include <torch/types.h>

#include "latentbrush/Vae.h"

#include "RandomVaes.h"
#include "TestSupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

using namespace lbtest;

class GpuLayouts : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        if (!lb::cudaAvailable()) LB_CANNOT_RUN("no CUDA device visible to LibTorch");
        QVERIFY(dir_.isValid());
    }

    void reducedPrecision_data() {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<QString>("model");
        for (const char* model : {"kl", "taef2"}) {
            const QString tag = QStringLiteral("cuda-%1-").arg(model);
            QTest::newRow(qPrintable(tag + "bf16")) << int(lb::ComputeDType::BF16) << model;
            QTest::newRow(qPrintable(tag + "fp16")) << int(lb::ComputeDType::F16) << model;
            // the CUDA float32 path against the CPU's
            QTest::newRow(qPrintable(tag + "fp32")) << int(lb::ComputeDType::F32) << model;
        }
    }

    void reducedPrecision() {
        QFETCH(int, dtype);
        QFETCH(QString, model);
        const QString device = QStringLiteral("cuda");
        const std::string path = precisionVaeFile(dir_, model);
        auto full = lb::Vae::load(path, cpuOptions());
        LB_VERIFY_OK(full);
        lb::VaeLoadOptions options = cpuOptions(lb::ComputeDType(dtype));
        options.device = device.toStdString();
        auto reduced = lb::Vae::load(path, options);
        LB_VERIFY_OK(reduced);
        QCOMPARE(QString::fromStdString(reduced.value()->info().computeDType),
                 QString::fromLatin1(lb::computeDTypeName(lb::ComputeDType(dtype))));
        const PrecisionError e =
            reducedPrecisionError(*full.value(), *reduced.value(), lb::ComputeDType(dtype));
        QVERIFY(e.ok);
        qInfo("%s %s vs cpu fp32: relative L2 %.3g (limit %.0e)", qPrintable(device),
              lb::computeDTypeName(lb::ComputeDType(dtype)), e.relL2, e.limit);
        QVERIFY(e.relL2 <= e.limit);
    }

    // An SD-sized encoder (random weights) on large images on the GPU: the memory policy and the
    // chunked attention keep a 4096x4096 encode (262144 latent positions) from failing.
    void largeImageOnCuda_data() {
        QTest::addColumn<int>("side");
        QTest::newRow("2048") << 2048;
        QTest::newRow("4096") << 4096;
    }

    void largeImageOnCuda() {
        QFETCH(int, side);
        KlConfig sd;
        sd.ch = 128;
        sd.mult = {1, 2, 4, 4};
        sd.blocks = 2;
        sd.decoder = false;
        const QString name = QStringLiteral("sd-sized.safetensors");
        const std::string path = QFile::exists(dir_.filePath(name))
                                     ? dir_.filePath(name).toStdString()
                                     : write(dir_, name, klWeights(sd));
        lb::VaeLoadOptions options;
        options.device = "cuda";
        auto loaded = lb::Vae::load(path, options);
        LB_VERIFY_OK(loaded);
        const at::Tensor rgb = at::rand({side, side, 3});
        lb::ImageBuffer image;
        image.height = image.width = side;
        image.channels = 3;
        image.data.assign(rgb.data_ptr<float>(), rgb.data_ptr<float>() + rgb.numel());
        std::string firstStage;
        lb::Progress progress;
        progress.report = [&](double, const std::string& stage) {
            if (firstStage.empty()) firstStage = stage;
        };
        QElapsedTimer timer;
        timer.start();
        auto encoded = loaded.value()->encode(image, progress);
        LB_VERIFY_OK(encoded);
        qInfo("%dx%d on %s in %s: %lld ms (first stage: %s)", side, side,
              loaded.value()->info().device.c_str(), loaded.value()->info().computeDType.c_str(),
              timer.elapsed(), firstStage.c_str());
        QCOMPARE(encoded.value().shape, (std::vector<std::int64_t>{1, 4, side / 8, side / 8}));
    }

private:
    QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(GpuLayouts)
#include "tst_gpu_layouts.moc"
