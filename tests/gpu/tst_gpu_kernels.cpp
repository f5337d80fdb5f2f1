// The fast path's fused CUDA kernels against ATen's own operations on the same inputs:
// GroupNorm + SiLU/ReLU/none (out of place and in place) and residual add + activation, in
// float32, fp16 and bf16, on shapes of the SD VAE (32 groups) and TAEF2 (4 groups), including
// odd sizes and batches. The reference is computed in float32 from the same half-precision
// inputs, so the only difference allowed is the final rounding (and float32 statistics).
// Skipped where LibTorch has no CUDA device or the kernels are not built.
#include <torch/torch.h> // before Qt's headers (their `slots` macro)

#include "RandomVaes.h"
#include "TestSupport.h"
#include "latentbrush/Vae.h"
#include "vae/FastKernels.h"
#include "vae/VaeLayers.h"

#include <QTest>

namespace {

using lbtest::relL2;

at::ScalarType dtypeOf(const QString& name) {
    return name == "fp16" ? at::kHalf : name == "bf16" ? at::kBFloat16 : at::kFloat;
}

// Float32 reference from the same (rounded) inputs.
at::Tensor referenceGroupNorm(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b,
                              std::int64_t groups, lb::vae::Activation act) {
    at::Tensor y = at::group_norm(x.to(at::kFloat).contiguous(), groups, w.to(at::kFloat),
                                  b.to(at::kFloat), 1e-6);
    if (act == lb::vae::Activation::Silu) y = at::silu(y);
    if (act == lb::vae::Activation::Relu) y = at::relu(y);
    return y;
}

double bound(const QString& dtype) {
    // float32: statistics as float sums (vs ATen's Welford); halves: one final rounding
    return dtype == "fp32" ? 2e-6 : dtype == "fp16" ? 1e-3 : 8e-3;
}

} // namespace

class GpuKernels : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        if (!lb::cudaAvailable()) LB_CANNOT_RUN("no CUDA device visible to LibTorch");
        if (!lb::vae::cudaKernelsBuilt())
            LB_CANNOT_RUN("the fused CUDA kernels are not built (no nvcc)");
    }

    void groupNorm_data() {
        QTest::addColumn<QString>("dtype");
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("groups");
        QTest::addColumn<int>("act");
        QTest::addColumn<bool>("inPlace");
        const int shapes[][5] = {{1, 128, 64, 64, 32}, {2, 256, 33, 17, 32}, {1, 512, 16, 16, 32},
                                 {1, 64, 40, 24, 4},   {3, 96, 7, 5, 32},    {1, 128, 1, 1, 32},
                                 {1, 512, 128, 96, 32}};
        for (const char* dtype : {"fp32", "fp16", "bf16"})
            for (const auto& s : shapes)
                for (int act = 0; act < 3; ++act)
                    for (bool inPlace : {false, true})
                        QTest::newRow(qPrintable(QString("%1 %2x%3x%4x%5 g%6 act%7%8")
                                                     .arg(dtype)
                                                     .arg(s[0])
                                                     .arg(s[1])
                                                     .arg(s[2])
                                                     .arg(s[3])
                                                     .arg(s[4])
                                                     .arg(act)
                                                     .arg(inPlace ? " in place" : "")))
                            << QString(dtype) << s[0] << s[1] << s[2] << s[3] << s[4] << act
                            << inPlace;
    }

    void groupNorm() {
        QFETCH(QString, dtype);
        QFETCH(int, batch);
        QFETCH(int, channels);
        QFETCH(int, height);
        QFETCH(int, width);
        QFETCH(int, groups);
        QFETCH(int, act);
        QFETCH(bool, inPlace);
        c10::InferenceMode guard;
        torch::manual_seed(channels * 131 + height);
        const auto opts = at::TensorOptions().device(at::kCUDA).dtype(dtypeOf(dtype));
        // an offset larger than the spread: the statistics must not cancel
        const at::Tensor x = (at::randn({batch, channels, height, width}, opts) * 3.0 + 20.0)
                                 .contiguous(at::MemoryFormat::ChannelsLast);
        const at::Tensor w = at::randn({channels}, opts);
        const at::Tensor b = at::randn({channels}, opts);
        const auto a = static_cast<lb::vae::Activation>(act);
        const at::Tensor ref = referenceGroupNorm(x, w, b, groups, a);
        at::Tensor out = inPlace ? x.clone(at::MemoryFormat::ChannelsLast) : at::Tensor();
        const at::Tensor input = inPlace ? out : x;
        QVERIFY(lb::vae::cudaGroupNormAct(input, w, b, groups, 1e-6, a, out));
        if (inPlace) QCOMPARE(out.data_ptr(), input.data_ptr());
        QVERIFY(out.is_contiguous(at::MemoryFormat::ChannelsLast));
        QCOMPARE(out.scalar_type(), x.scalar_type());
        const double err = relL2(out, ref);
        qInfo("relative L2 %.3g (bound %.3g)", err, bound(dtype));
        QVERIFY2(err <= bound(dtype), qPrintable(QString::number(err)));
    }

    void declines() {
        c10::InferenceMode guard;
        const auto opts = at::TensorOptions().device(at::kCUDA).dtype(at::kBFloat16);
        const at::Tensor w = at::ones({128}, opts), b = at::zeros({128}, opts);
        at::Tensor out;
        // NCHW: the plain path's layout
        QVERIFY(!lb::vae::cudaGroupNormAct(at::randn({1, 128, 8, 8}, opts), w, b, 32, 1e-6,
                                           lb::vae::Activation::Silu, out));
        // channels not a multiple of the vector width
        const at::Tensor odd =
            at::randn({1, 36, 8, 8}, opts).contiguous(at::MemoryFormat::ChannelsLast);
        QVERIFY(!lb::vae::cudaGroupNormAct(odd, at::ones({36}, opts), at::zeros({36}, opts), 4,
                                           1e-6, lb::vae::Activation::None, out));
        // CPU tensors
        QVERIFY(!lb::vae::cudaGroupNormAct(
            at::randn({1, 128, 8, 8}).contiguous(at::MemoryFormat::ChannelsLast), w.cpu(), b.cpu(),
            32, 1e-6, lb::vae::Activation::None, out));
    }

    // From 65536 positions the fast path computes attention in row chunks of two cuBLAS
    // products (float32 logits and softmax): against SDPA on the same inputs.
    void largeAttention_data() {
        QTest::addColumn<QString>("dtype");
        QTest::addColumn<int>("side");
        for (const char* dtype : {"bf16", "fp16"})
            for (int side : {256, 264})
                QTest::newRow(qPrintable(QString("%1 %2x%2").arg(dtype).arg(side)))
                    << QString(dtype) << side;
    }

    void largeAttention() {
        QFETCH(QString, dtype);
        QFETCH(int, side);
        c10::InferenceMode guard;
        torch::manual_seed(side);
        const auto opts = at::TensorOptions().device(at::kCUDA).dtype(dtypeOf(dtype));
        const std::int64_t c = 64;
        auto make = [&] {
            return at::randn({1, c, side, side}, opts).contiguous(at::MemoryFormat::ChannelsLast);
        };
        const at::Tensor q = make(), k = make(), v = make();
        const at::Tensor fast = lb::vae::fastAttention(q, k, v);
        // float32 reference from the same inputs, in row chunks: softmax(q k^T / sqrt(C)) v
        const std::int64_t n = std::int64_t(side) * side;
        auto flat = [&](const at::Tensor& t) { return t.reshape({c, n}).to(at::kFloat); };
        const at::Tensor qf = flat(q).t(), kf = flat(k), vf = flat(v).t();
        at::Tensor ref = at::empty({n, c}, qf.options());
        for (std::int64_t i = 0; i < n; i += 4096) {
            const std::int64_t len = std::min<std::int64_t>(4096, n - i);
            const at::Tensor p =
                at::softmax(at::mm(qf.narrow(0, i, len), kf) / std::sqrt(double(c)), 1);
            ref.narrow(0, i, len).copy_(at::mm(p, vf));
        }
        ref = ref.t().reshape({1, c, side, side});
        QCOMPARE(fast.sizes(), ref.sizes());
        const double err = relL2(fast, ref);
        qInfo("relative L2 vs float32 SDPA %.3g", err);
        QVERIFY2(err <= (dtype == "fp16" ? 1e-2 : 3e-2), qPrintable(QString::number(err)));
    }

    // A res block over more than 1 GiB runs in bands of rows (two full tensors instead of
    // three): against the plain path on the same input and weights.
    void bandedResnetBlock() {
        c10::InferenceMode guard;
        torch::manual_seed(7);
        const auto opts = at::TensorOptions().device(at::kCUDA).dtype(at::kBFloat16);
        const std::int64_t c = 128, height = 2304, width = 2048; // 1.125 GiB, 5 bands
        auto conv = [&] {
            lb::vae::Conv2d k;
            k.weight =
                (at::randn({c, c, 3, 3}, opts) * 0.03).contiguous(at::MemoryFormat::ChannelsLast);
            k.bias = at::randn({c}, opts) * 0.1;
            k.padding = 1;
            return k;
        };
        auto norm = [&] {
            lb::vae::GroupNorm n;
            n.weight = at::randn({c}, opts) * 0.2 + 1.0;
            n.bias = at::randn({c}, opts) * 0.2;
            return n;
        };
        lb::vae::ResnetBlock block;
        block.norm1 = norm();
        block.conv1 = conv();
        block.norm2 = norm();
        block.conv2 = conv();
        const at::Tensor x = (at::randn({1, c, height, width}, opts) * 2.0 + 0.5)
                                 .contiguous(at::MemoryFormat::ChannelsLast);
        // The same weights with either kernels (as loading them for those kernels would set).
        auto withKernels = [&](lb::Kernels kernels) {
            lb::vae::ResnetBlock b = block;
            b.kernels = b.norm1.kernels = b.norm2.kernels = kernels;
            return b;
        };
        const at::Tensor plain = withKernels(lb::Kernels::Reference)(x).to(at::kFloat);
        at::Tensor banded;
        {
            const lb::vae::ResnetBlock fastBlock = withKernels(lb::Kernels::Fast);
            const at::Tensor input = x.clone(at::MemoryFormat::ChannelsLast);
            banded = fastBlock(input);
            QCOMPARE(banded.data_ptr(), input.data_ptr()); // the sum landed in the input
        }
        const double err = relL2(banded, plain);
        qInfo("banded vs plain: relative L2 %.3g", err);
        QVERIFY2(err <= 1e-2, qPrintable(QString::number(err)));
    }

    void addAct_data() {
        QTest::addColumn<QString>("dtype");
        QTest::addColumn<int>("act");
        QTest::addColumn<int>("channels");
        for (const char* dtype : {"fp32", "fp16", "bf16"})
            for (int act = 0; act < 3; ++act)
                for (int channels : {64, 128, 3})
                    QTest::newRow(
                        qPrintable(QString("%1 act%2 c%3").arg(dtype).arg(act).arg(channels)))
                        << QString(dtype) << act << channels;
    }

    void addAct() {
        QFETCH(QString, dtype);
        QFETCH(int, act);
        QFETCH(int, channels);
        c10::InferenceMode guard;
        const auto opts = at::TensorOptions().device(at::kCUDA).dtype(dtypeOf(dtype));
        const at::Tensor x =
            at::randn({1, channels, 37, 29}, opts).contiguous(at::MemoryFormat::ChannelsLast);
        at::Tensor y =
            at::randn({1, channels, 37, 29}, opts).contiguous(at::MemoryFormat::ChannelsLast);
        at::Tensor expected = y.to(at::kFloat) + x.to(at::kFloat);
        if (act == 1) expected = at::silu(expected);
        if (act == 2) expected = at::relu(expected);
        expected = expected.to(dtypeOf(dtype)); // one rounding, as the kernel does
        QVERIFY(lb::vae::cudaAddAct(y, x, static_cast<lb::vae::Activation>(act)));
        const double err = relL2(y, expected.to(at::kFloat));
        qInfo("relative L2 %.3g", err);
        QVERIFY2(err <= (dtype == "fp32" ? 1e-6 : 2e-3), qPrintable(QString::number(err)));
    }
};

QTEST_GUILESS_MAIN(GpuKernels)
#include "tst_gpu_kernels.moc"
