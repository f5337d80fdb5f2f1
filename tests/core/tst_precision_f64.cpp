// The float32 paths judged against float64 (docs/NUMERICS.md's tolerances): on 220 random-weight
// VAEs of every key format (tests/common/PrecisionCases.h), ComfyUI's encoder run in float64 by the
// mirror (tests/common/ComfyMirror.h) is the truth, and the fast CPU kernels must be at least as
// close to it as the reference kernels' float32 (ComfyUI's own operations, which tst_vae_golden
// holds bit for bit to the goldens). The figures of both paths are printed at the end.
// LibTorch first: Qt's `slots` keyword macro would break its headers.
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

// At least 200 VAEs (the bar); 220 = 20 of each of the 11 family/layout kinds.
constexpr int kCaseCount = 220;
// The goldens were made with 2 threads; a fixed count also makes the run repeat on any machine.
constexpr int kThreads = 2;

lb::VaeLoadOptions loadOptions(const PrecisionCase& c, bool referenceKernels) {
    lb::VaeLoadOptions o = cpuOptions();
    o.family = c.family;
    o.kernels = referenceKernels ? lb::Kernels::Reference : lb::Kernels::Fast;
    o.cpuThreads = kThreads;
    return o;
}

} // namespace

class PrecisionF64 : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        timer_.start();
    }

    void againstFloat64_data() { addPrecisionCaseRows(kCaseCount); }

    void againstFloat64() {
        QFETCH(int, index);
        const PrecisionCase c = makePrecisionCase(index);
        const QString folder = dir_.filePath(QString::number(index));
        QVERIFY(QDir().mkpath(folder));
        const std::string path = write(
            dir_, QString::number(index) + QLatin1Char('/') + QString::fromStdString(c.fileName),
            c.fileWeights);
        const lb::ImageBuffer image = precisionImage(c, index);

        at::Tensor reference, fast;
        for (bool referenceKernels : {true, false}) {
            auto loaded = lb::Vae::load(path, loadOptions(c, referenceKernels));
            LB_VERIFY_OK(loaded);
            const lb::VaeInfo& info = loaded.value()->info();
            QCOMPARE(info.family, c.expectedFamily);
            QCOMPARE(info.latentChannels, c.expectedLatentChannels);
            auto encoded = loaded.value()->encode(image);
            LB_VERIFY_OK(encoded);
            (referenceKernels ? reference : fast) = toTensor(encoded.value());
        }
        QDir(folder).removeRecursively();

        at::set_num_threads(kThreads);
        const at::Tensor truth = mirrorEncode(c, image, at::kDouble);
        QCOMPARE(reference.sizes().vec(), truth.sizes().vec());
        QCOMPARE(fast.sizes().vec(), truth.sizes().vec());

        const TruthError ref = errorAgainst(reference, truth);
        const TruthError fst = errorAgainst(fast, truth);
        refRel_.push_back(ref.relL2);
        refMax_.push_back(ref.maxScaled);
        fastRel_.push_back(fst.relL2);
        fastMax_.push_back(fst.maxScaled);
        taesdCase_.push_back(c.taesd);
        if (fst.relL2 < ref.relL2) ++fastCloser_;
        qInfo("against float64: reference rel L2 %.3g max %.3g | fast rel L2 %.3g max %.3g",
              ref.relL2, ref.maxScaled, fst.relL2, fst.maxScaled);
        QVERIFY2(atLeastAsClose(fst, ref),
                 qPrintable(QStringLiteral("the fast kernels are further from float64 (rel L2 "
                                           "%1, max %2) than the reference (%3, %4)")
                                .arg(fst.relL2)
                                .arg(fst.maxScaled)
                                .arg(ref.relL2)
                                .arg(ref.maxScaled)));
    }

    // Over all the cases: the figures, and the fast kernels no worse than the reference overall.
    void figures() {
        if (refRel_.size() < std::size_t(kCaseCount))
            QFAIL("not every case ran: see the failures above");
        const Spread rr = spreadOf(refRel_), rm = spreadOf(refMax_);
        const Spread fr = spreadOf(fastRel_), fm = spreadOf(fastMax_);
        qInfo("%zu random-weight VAEs against float64 (%lld ms):", refRel_.size(),
              timer_.elapsed());
        qInfo("  reference kernels (ComfyUI's float32): relative L2 %.2g .. %.2g (median %.2g), "
              "max scaled error %.2g .. %.2g (median %.2g)",
              rr.min, rr.max, rr.median, rm.min, rm.max, rm.median);
        qInfo("  fast CPU kernels:                      relative L2 %.2g .. %.2g (median %.2g), "
              "max scaled error %.2g .. %.2g (median %.2g)",
              fr.min, fr.max, fr.median, fm.min, fm.max, fm.median);
        qInfo("  fast closer to float64 than the reference in %d of %zu cases", fastCloser_,
              refRel_.size());
        for (bool taesd : {false, true}) {
            std::vector<double> r, f;
            for (std::size_t i = 0; i < refMax_.size(); ++i)
                if (taesdCase_[i] == taesd) {
                    r.push_back(refMax_[i]);
                    f.push_back(fastMax_[i]);
                }
            qInfo("  %s: max scaled error, reference up to %.2g (median %.2g), fast up to %.2g "
                  "(median %.2g)",
                  taesd ? "TAESD family        " : "AutoencoderKL/FLUX.2", spreadOf(r).max,
                  spreadOf(r).median, spreadOf(f).max, spreadOf(f).median);
        }
        // Over all cases: medians no worse; the largest errors within the same scatter.
        QVERIFY(fr.median <= std::max(rr.median, kRoundoffFloorRelL2));
        QVERIFY(fm.median <= std::max(rm.median, kRoundoffFloorMaxScaled));
        QVERIFY(fr.max <= std::max(rr.max * kOrderScatter, kRoundoffFloorRelL2));
        QVERIFY(fm.max <= std::max(rm.max * kOrderScatter, kRoundoffFloorMaxScaled));
    }

private:
    QTemporaryDir dir_;
    QElapsedTimer timer_;
    std::vector<double> refRel_, refMax_, fastRel_, fastMax_;
    std::vector<bool> taesdCase_;
    int fastCloser_ = 0;
};

QTEST_GUILESS_MAIN(PrecisionF64)
#include "tst_precision_f64.moc"
