// The CPU fast kernel path (vae/CpuKernels.cpp): the fused GroupNorm + activation and the
// attention against ATen's operations, and whole encoders loaded with the fast kernels against
// the same files loaded with lb::Kernels::Reference (docs/NUMERICS.md: float32 variants within 1e-5
// relative L2), on the golden VAEs of ../shared/golden and on random tiny VAEs made here.
// LibTorch first: Qt's `slots` keyword macro would break its headers.
#include <torch/torch.h>

#include "latentbrush/Safetensors.h"
#include "latentbrush/SafetensorsTorch.h"
#include "latentbrush/Vae.h"
#include "vae/FastKernels.h"

#include "GoldenCases.h"
#include "RandomVaes.h"
#include "TestSupport.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

using lb::vae::Activation;

namespace {

using lbtest::kElementTolerance; // docs/NUMERICS.md: samples vs the goldens
using lbtest::kFloat32RelL2;     // docs/NUMERICS.md: float32 variants of the same computation
using lbtest::randomImage;

constexpr double kKernelRelL2 = 1e-6; // one fused operation against ATen's

using lbtest::relL2;

at::Tensor reference(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b,
                     std::int64_t groups, Activation act) {
    at::Tensor y = at::group_norm(x.contiguous(), groups, w, b, 1e-6);
    if (act == Activation::Silu) y = at::silu(y);
    if (act == Activation::Relu) y = at::relu(y);
    return y;
}

// ComfyUI's normal_attention (bmm + softmax), in double.
at::Tensor attentionReference(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
    const std::int64_t b = q.size(0), c = q.size(1), h = q.size(2), w = q.size(3);
    const at::Tensor qt = q.to(at::kDouble).reshape({b, c, h * w}).permute({0, 2, 1});
    const at::Tensor kt = k.to(at::kDouble).reshape({b, c, h * w});
    const at::Tensor vt = v.to(at::kDouble).reshape({b, c, h * w});
    at::Tensor s = at::bmm(qt, kt) * std::pow(double(c), -0.5);
    s = at::softmax(s, 2).permute({0, 2, 1});
    return at::bmm(vt, s).reshape({b, c, h, w});
}

// An AutoencoderKL encoder: 64 base channels, multipliers 1, 2, two res blocks per level.
Weights klEncoderWeights() {
    lbtest::KlConfig c;
    c.ch = 64;
    c.mult = {1, 2};
    c.blocks = 2;
    c.decoder = false;
    return lbtest::klWeights(c);
}

lb::VaeLoadOptions cpuOptions(bool referenceKernels) {
    lb::VaeLoadOptions o;
    o.device = "cpu";
    o.dtype = lb::ComputeDType::F32;
    o.kernels = referenceKernels ? lb::Kernels::Reference : lb::Kernels::Fast;
    return o;
}

// The file encoded with the fast and the reference kernels.
struct Pair {
    at::Tensor fast, plain;
};

Pair encodeBoth(const std::string& path, const lb::ImageBuffer& image, int threads = 0) {
    Pair out;
    for (bool plain : {false, true}) {
        auto loaded = lb::Vae::load(path, cpuOptions(plain));
        if (!loaded.ok()) qFatal("%s", loaded.message().c_str());
        if (threads > 0) at::set_num_threads(threads);
        auto encoded = loaded.value()->encode(image);
        if (!encoded.ok()) qFatal("%s", encoded.message().c_str());
        lb::LatentBuffer& latent = encoded.value();
        const at::Tensor t =
            at::from_blob(latent.data.data(), at::IntArrayRef(latent.shape), at::kFloat).clone();
        (plain ? out.plain : out.fast) = t;
    }
    return out;
}

} // namespace

class TestCpuFast : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        at::manual_seed(5);
        QVERIFY(dir_.isValid());
    }

    void groupNormAct_data() {
        QTest::addColumn<QList<qlonglong>>("shape");
        QTest::addColumn<qlonglong>("groups");
        QTest::addColumn<bool>("channelsLast");
        QTest::addColumn<int>("act");
        QTest::addColumn<bool>("inPlace");
        QTest::addColumn<double>("offset"); // added to x: a mean far from 0
        const QList<QList<qlonglong>> shapes{{1, 128, 64, 64}, {2, 256, 33, 17}, {1, 64, 40, 24}};
        const QList<qlonglong> groups{32, 32, 4};
        for (int s = 0; s < shapes.size(); ++s)
            for (bool cl : {false, true})
                for (int act : {0, 1, 2})
                    for (bool inPlace : {false, true}) {
                        const QString name = QStringLiteral("%1x%2x%3x%4 g%5 %6 %7%8")
                                                 .arg(shapes[s][0])
                                                 .arg(shapes[s][1])
                                                 .arg(shapes[s][2])
                                                 .arg(shapes[s][3])
                                                 .arg(groups[s])
                                                 .arg(cl ? "nhwc" : "nchw")
                                                 .arg(act == 0   ? "none"
                                                      : act == 1 ? "silu"
                                                                 : "relu")
                                                 .arg(inPlace ? " in place" : "");
                        QTest::newRow(qPrintable(name))
                            << shapes[s] << groups[s] << cl << act << inPlace << 0.0;
                    }
        QTest::newRow("offset 1000 nchw silu")
            << QList<qlonglong>{1, 64, 32, 32} << qlonglong(32) << false << 1 << false << 1000.0;
        QTest::newRow("offset 1000 nhwc silu")
            << QList<qlonglong>{1, 64, 32, 32} << qlonglong(32) << true << 1 << false << 1000.0;
        QTest::newRow("1x512x1x1 g32 nchw")
            << QList<qlonglong>{1, 512, 1, 1} << qlonglong(32) << false << 1 << false << 0.0;
        QTest::newRow("1x32x3x5 g32 nhwc")
            << QList<qlonglong>{1, 32, 3, 5} << qlonglong(32) << true << 1 << true << 0.0;
    }

    void groupNormAct() {
        QFETCH(QList<qlonglong>, shape);
        QFETCH(qlonglong, groups);
        QFETCH(bool, channelsLast);
        QFETCH(int, act);
        QFETCH(bool, inPlace);
        QFETCH(double, offset);
        const std::vector<std::int64_t> sizes(shape.begin(), shape.end());
        at::Tensor x = at::randn(sizes) * 3.0 + 0.5 + offset;
        if (channelsLast) x = x.contiguous(at::MemoryFormat::ChannelsLast);
        const std::int64_t c = sizes[1];
        const at::Tensor w = at::randn({c}) * 0.2 + 1.0, b = at::randn({c}) * 0.2;
        const auto a = Activation(act);
        // Far from 0 (offset), float32 itself limits both sides (ATen's kernel is 2e-5 off a
        // double reference there): compare with the double reference, 5e-5.
        const at::Tensor ref = offset != 0.0 ? reference(x.to(at::kDouble), w.to(at::kDouble),
                                                         b.to(at::kDouble), groups, a)
                                             : reference(x, w, b, groups, a);
        const double tolerance = offset != 0.0 ? 5e-5 : kKernelRelL2;

        const at::Tensor input = x.clone(); // clone keeps the strides of x
        at::Tensor out = inPlace ? input : at::Tensor();
        QVERIFY(lb::vae::cpuGroupNormAct(input, w, b, groups, 1e-6, a, out));
        QVERIFY(out.defined());
        QCOMPARE(out.strides().vec(), x.strides().vec());
        if (inPlace)
            QCOMPARE(out.data_ptr<float>(), input.data_ptr<float>());
        else
            QVERIFY(at::equal(input, x)); // the input is left alone
        const double err = relL2(out, ref);
        qInfo("relative L2 %.3g", err);
        QVERIFY2(err <= tolerance, qPrintable(QString::number(err)));
    }

    void groupNormActDeclines() {
        const at::Tensor w = at::ones({64}), b = at::zeros({64});
        at::Tensor out;
        // other dtypes, non-dense layouts, channels that do not divide into groups
        QVERIFY(!lb::vae::cpuGroupNormAct(at::randn({1, 64, 8, 8}).to(at::kBFloat16), w, b, 32,
                                          1e-6, Activation::Silu, out));
        QVERIFY(!lb::vae::cpuGroupNormAct(at::randn({1, 64, 8, 16}).narrow(3, 0, 8), w, b, 32, 1e-6,
                                          Activation::Silu, out));
        QVERIFY(!lb::vae::cpuGroupNormAct(at::randn({1, 64, 8, 8}), w, b, 24, 1e-6,
                                          Activation::Silu, out));
        QVERIFY(!out.defined());
    }

    void attention_data() {
        QTest::addColumn<QList<qlonglong>>("shape");
        QTest::addColumn<bool>("channelsLast");
        QTest::newRow("1x64x32x32 nhwc") << QList<qlonglong>{1, 64, 32, 32} << true;
        QTest::newRow("2x32x9x7 nhwc") << QList<qlonglong>{2, 32, 9, 7} << true;
        QTest::newRow("1x128x16x16 nchw") << QList<qlonglong>{1, 128, 16, 16} << false;
    }

    void attention() {
        QFETCH(QList<qlonglong>, shape);
        QFETCH(bool, channelsLast);
        const std::vector<std::int64_t> sizes(shape.begin(), shape.end());
        auto make = [&] {
            const at::Tensor t = at::randn(sizes);
            return channelsLast ? t.contiguous(at::MemoryFormat::ChannelsLast) : t;
        };
        const at::Tensor q = make(), k = make(), v = make();
        at::Tensor out;
        QVERIFY(lb::vae::cpuAttention(q, k, v, out));
        QCOMPARE(out.sizes().vec(), q.sizes().vec());
        const double err = relL2(out, attentionReference(q, k, v));
        qInfo("relative L2 %.3g", err);
        QVERIFY2(err <= kKernelRelL2, qPrintable(QString::number(err)));
    }

    void prepareConv() {
        at::Tensor w = at::randn({8, 4, 3, 3});
        const at::Tensor before = w.clone();
        lb::vae::cpuPrepareConv(w);
        QVERIFY(at::equal(w, before));
        QVERIFY(w.is_contiguous(at::MemoryFormat::ChannelsLast));
        // bf16 too (oneDNN's native bf16 kernels want channels-last weights); fp16 is left alone
        at::Tensor half = before.to(at::kBFloat16);
        const at::Tensor halfBefore = half.clone();
        lb::vae::cpuPrepareConv(half);
        QVERIFY(at::equal(half, halfBefore));
        QVERIFY(half.is_contiguous(at::MemoryFormat::ChannelsLast));
        at::Tensor fp16 = before.to(at::kHalf);
        lb::vae::cpuPrepareConv(fp16);
        QVERIFY(fp16.is_contiguous());
    }

    // Fast vs reference kernels on random tiny VAEs (the KL one with the attention block, the
    // TAEF2 one with GroupNorm(4) + ReLU).
    void randomEncoders_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("size");
        QTest::newRow("kl 64ch 64x64") << "kl" << 64;
        QTest::newRow("kl 64ch 48x80") << "kl" << 48;
        QTest::newRow("taef2 32ch 64x64") << "taef2" << 64;
    }

    void randomEncoders() {
        QFETCH(QString, kind);
        QFETCH(int, size);
        const std::string path = dir_.filePath(kind == QStringLiteral("kl")
                                                   ? QStringLiteral("kl_fast.safetensors")
                                                   : QStringLiteral("taef2_encoder.safetensors"))
                                     .toStdString();
        const Weights w = kind == QStringLiteral("kl") ? klEncoderWeights()
                                                       : lbtest::taesdEncoderWeights(32, true);
        const lb::Status st = lb::writeTensors(path, w, {});
        LB_VERIFY_OK(st);
        const Pair p = encodeBoth(path, randomImage(size, size == 48 ? 80 : size));
        const double err = relL2(p.fast, p.plain);
        qInfo("fast vs reference kernels: relative L2 %.3g", err);
        QVERIFY2(err <= kFloat32RelL2, qPrintable(QString::number(err)));
    }

    // Fast vs reference kernels on the golden VAEs and their stored pixels; the fast path also
    // within the golden contract of the stored samples.
    void goldenEncoders_data() {
        QTest::addColumn<QString>("caseDir");
        if (lbtest::sharedDir().isEmpty()) {
            QTest::newRow("no shared") << QString();
            return;
        }
        for (const auto& [name, dir] : lbtest::goldenEncodeCases())
            QTest::newRow(qPrintable(name)) << dir;
    }

    void goldenEncoders() {
        LB_REQUIRE_SHARED();
        QFETCH(QString, caseDir);
        const QString vae = lbtest::readGoldenCase(caseDir).value(QStringLiteral("vae")).toString();
        const QString path = lbtest::goldenVaePath(caseDir, vae);
        auto expected = lb::SafetensorsFile::open(
            (caseDir + QStringLiteral("/expected.safetensors")).toStdString());
        LB_VERIFY_OK(expected);
        const lb::TensorView* pixels = expected.value()->find("pixels");
        const lb::TensorView* samples = expected.value()->find("samples");
        QVERIFY(pixels && samples);
        lb::ImageBuffer image;
        image.height = int(pixels->shape[1]);
        image.width = int(pixels->shape[2]);
        image.channels = int(pixels->shape[3]);
        image.data = lbtest::tensorFloats(*pixels);
        const Pair p = encodeBoth(path.toStdString(), image);
        const double err = relL2(p.fast, p.plain);
        // For scale: the reference kernels against themselves with 1 intra-op thread instead of
        // all (LibTorch 1.13's channels-last GroupNorm sums in a thread-dependent order).
        const double spread = relL2(encodeBoth(path.toStdString(), image, 1).plain, p.plain);
        std::vector<float> ref = lbtest::tensorFloats(*samples);
        const at::Tensor golden =
            at::from_blob(ref.data(), at::IntArrayRef(samples->shape), at::kFloat);
        QCOMPARE(p.fast.sizes().vec(), golden.sizes().vec());
        const double maxScaled =
            ((p.fast - golden).abs() / golden.abs().clamp_min(1.0)).max().item<double>();
        qInfo("fast vs reference kernels: relative L2 %.3g (reference, 1 thread vs all: %.3g); "
              "fast vs golden samples: max scaled error %.3g",
              err, spread, maxScaled);
        // The random-weight golden VAEs amplify float32 rounding: the reference kernels differ
        // from themselves by 1.3e-5 to 4.6e-5 relative L2 between 1 and 2 threads (measured).
        // There the golden contract holds, and the fast kernels stay within 1e-4 relative L2;
        // real weights (shared:models) keep docs/NUMERICS.md's 1e-5.
        const double bound = vae.startsWith(QStringLiteral("shared:")) ? kFloat32RelL2 : 1e-4;
        QVERIFY2(err <= bound, qPrintable(QString::number(err)));
        QVERIFY2(maxScaled <= kElementTolerance, qPrintable(QString::number(maxScaled)));
    }

private:
    QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(TestCpuFast)
#include "tst_cpu_fast.moc"
