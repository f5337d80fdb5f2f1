// The CUDA float32 fast path judged against float64 (the CPU's tests/core/tst_precision_f64.cpp
// judges the CPU paths): on the same 220 random-weight VAEs, with TF32 off, the CUDA encode must
// be at least as close to ComfyUI's encoder run in float64 (the mirror, on the CPU) as the CPU
// reference kernels' float32 is. Label gpu: without a CUDA device every function fails where
// every check must run, and skips elsewhere.
// LibTorch first: Qt's `slots` keyword macro would break its headers.
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <torch/types.h>

#include "latentbrush/SafetensorsTorch.h"
#include "latentbrush/Vae.h"

#include "PrecisionCases.h"
#include "TestSupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <string>
#include <vector>

using namespace lbtest;

namespace {

constexpr int kCaseCount = 220; // as on the CPU
constexpr int kThreads = 2;

} // namespace

class GpuPrecisionF64 : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        if (!lb::cudaAvailable()) LB_CANNOT_RUN("no CUDA device visible to LibTorch");
        QVERIFY(dir_.isValid());
        timer_.start();
    }

    void cudaAgainstFloat64_data() { addPrecisionCaseRows(kCaseCount); }

    void cudaAgainstFloat64() {
        QFETCH(int, index);
        const PrecisionCase c = makePrecisionCase(index);
        const QString folder = dir_.filePath(QString::number(index));
        QVERIFY(QDir().mkpath(folder));
        const std::string path = write(
            dir_, QString::number(index) + QLatin1Char('/') + QString::fromStdString(c.fileName),
            c.fileWeights);
        const lb::ImageBuffer image = precisionImage(c, index);

        at::Tensor reference, cuda;
        for (bool onCuda : {false, true}) {
            lb::VaeLoadOptions o = cpuOptions();
            o.family = c.family;
            o.cpuThreads = kThreads;
            o.kernels = onCuda ? lb::Kernels::Fast : lb::Kernels::Reference;
            if (onCuda) o.device = "cuda";
            auto loaded = lb::Vae::load(path, o);
            LB_VERIFY_OK(loaded);
            QCOMPARE(loaded.value()->info().computeDType, std::string("fp32"));
            if (onCuda) {
                // fp32 means fp32: TF32 (10-bit mantissa products) would be 1e-3 off
                QVERIFY(!at::globalContext().allowTF32CuDNN());
                QVERIFY(!at::globalContext().allowTF32CuBLAS());
            }
            auto encoded = loaded.value()->encode(image);
            LB_VERIFY_OK(encoded);
            (onCuda ? cuda : reference) = toTensor(encoded.value());
        }
        QDir(folder).removeRecursively();

        at::set_num_threads(kThreads);
        const at::Tensor truth = mirrorEncode(c, image, at::kDouble);
        QCOMPARE(cuda.sizes().vec(), truth.sizes().vec());
        const TruthError ref = errorAgainst(reference, truth);
        const TruthError gpu = errorAgainst(cuda, truth);
        refRel_.push_back(ref.relL2);
        refMax_.push_back(ref.maxScaled);
        cudaRel_.push_back(gpu.relL2);
        cudaMax_.push_back(gpu.maxScaled);
        qInfo("against float64: reference rel L2 %.3g max %.3g | cuda fast rel L2 %.3g max %.3g",
              ref.relL2, ref.maxScaled, gpu.relL2, gpu.maxScaled);
        QVERIFY2(atLeastAsClose(gpu, ref),
                 qPrintable(QStringLiteral("CUDA is further from float64 (rel L2 %1, max %2) than "
                                           "the reference (%3, %4)")
                                .arg(gpu.relL2)
                                .arg(gpu.maxScaled)
                                .arg(ref.relL2)
                                .arg(ref.maxScaled)));
    }

    void figures() {
        if (refRel_.size() < std::size_t(kCaseCount))
            QFAIL("not every case ran: see the failures above");
        const Spread rr = spreadOf(refRel_), rm = spreadOf(refMax_);
        const Spread cr = spreadOf(cudaRel_), cm = spreadOf(cudaMax_);
        qInfo("%zu random-weight VAEs against float64 (%lld ms):", refRel_.size(),
              timer_.elapsed());
        qInfo("  reference kernels (CPU float32): relative L2 %.2g .. %.2g (median %.2g), max "
              "scaled error %.2g .. %.2g (median %.2g)",
              rr.min, rr.max, rr.median, rm.min, rm.max, rm.median);
        qInfo("  fast CUDA kernels (float32):     relative L2 %.2g .. %.2g (median %.2g), max "
              "scaled error %.2g .. %.2g (median %.2g)",
              cr.min, cr.max, cr.median, cm.min, cm.max, cm.median);
        QVERIFY(cr.median <= std::max(rr.median, kRoundoffFloorRelL2));
        QVERIFY(cm.median <= std::max(rm.median, kRoundoffFloorMaxScaled));
        QVERIFY(cr.max <= std::max(rr.max * kOrderScatter, kRoundoffFloorRelL2));
        QVERIFY(cm.max <= std::max(rm.max * kOrderScatter, kRoundoffFloorMaxScaled));
    }

private:
    QTemporaryDir dir_;
    QElapsedTimer timer_;
    std::vector<double> refRel_, refMax_, cudaRel_, cudaMax_;
};

QTEST_GUILESS_MAIN(GpuPrecisionF64)
#include "tst_gpu_precision_f64.moc"
