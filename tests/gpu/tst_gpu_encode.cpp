// CUDA against CPU: every golden VAE encodes the golden pixels on the GPU in fp32, fp16 and bf16
// and is compared with the CPU fp32 path (and the reference samples) within docs/NUMERICS.md's
// tolerances, and the fast kernel path with the plain one on the same device and dtype. Skipped
// where LibTorch has no CUDA device.
#include "GoldenCases.h"
#include "TestSupport.h"

#include "latentbrush/Safetensors.h"
#include "latentbrush/Vae.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <cstring>

namespace {

using lbtest::relativeL2;

} // namespace

class GpuEncode : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        if (!lb::cudaAvailable()) LB_CANNOT_RUN("no CUDA device visible to LibTorch");
    }

    void goldenOnCuda_data() {
        QTest::addColumn<QString>("caseDir");
        QTest::addColumn<QString>("dtype");
        QTest::addColumn<double>("tolerance");
        const QString shared = lbtest::sharedDir();
        if (shared.isEmpty()) {
            QTest::newRow("no shared data") << QString() << QString() << 0.0;
            return;
        }
        QDir golden(shared + "/golden");
        for (const QString& name :
             golden.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
            if (!QFileInfo(golden.filePath(name) + "/case.json").exists()) continue;
            // docs/NUMERICS.md: fp32 variants <= 1e-5 relative L2, fp16 <= 1e-2, bf16 <= 3e-2
            // against the float32 path. Three tiny random-weight VAEs amplify bf16 rounding beyond
            // 3e-2 in any implementation: ComfyUI's classes in PyTorch bf16
            // (tests/bench/reference.py, CPU) measured 0.0479, 0.0391 and 0.0407 on them; for those
            // the bound is PyTorch's own bf16 error (ours was 0.040, 0.031 and 0.031 on an H100).
            const double bf16 = name == "kl16-mask-upscaled-grow7" ? 0.0479
                                : name == "kl4-alpha-mask-grow0"   ? 0.0391
                                : name == "kl4-mask-2x-ties-grow4" ? 0.0407
                                                                   : 3e-2;
            QTest::newRow(qPrintable(name + " fp32")) << golden.filePath(name) << "fp32" << 1e-5;
            QTest::newRow(qPrintable(name + " fp16")) << golden.filePath(name) << "fp16" << 1e-2;
            QTest::newRow(qPrintable(name + " bf16")) << golden.filePath(name) << "bf16" << bf16;
        }
    }

    void goldenOnCuda() {
        QFETCH(QString, caseDir);
        QFETCH(QString, dtype);
        QFETCH(double, tolerance);
        if (caseDir.isEmpty()) LB_REQUIRE_SHARED();
        QFile jf(caseDir + "/case.json");
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonObject c = QJsonDocument::fromJson(jf.readAll()).object();
        if (!c.contains("vae")) QSKIP("mask-only case");
        const QString vaePath = lbtest::goldenVaePath(caseDir, c["vae"].toString());
        auto expected =
            lb::SafetensorsFile::open((caseDir + "/expected.safetensors").toStdString());
        QVERIFY(expected.ok());
        const lb::TensorView* pixels = (*expected)->find("pixels");
        const lb::TensorView* samples = (*expected)->find("samples");
        QVERIFY(pixels && samples);
        lb::ImageBuffer input;
        input.height = int(pixels->shape[1]);
        input.width = int(pixels->shape[2]);
        input.channels = 3;
        input.data = lbtest::tensorFloats(*pixels);
        const std::vector<float> reference = lbtest::tensorFloats(*samples);

        lb::VaeLoadOptions gpu;
        gpu.device = "cuda";
        QVERIFY(lb::parseComputeDType(dtype.toStdString(), &gpu.dtype));
        auto vae = lb::Vae::load(vaePath.toStdString(), gpu);
        LB_VERIFY_OK(vae);
        QVERIFY(QString::fromStdString((*vae)->info().device).startsWith("cuda"));
        auto out = (*vae)->encode(input);
        LB_VERIFY_OK(out);
        QCOMPARE(out->data.size(), reference.size());

        lb::VaeLoadOptions cpu;
        cpu.device = "cpu";
        cpu.dtype = lb::ComputeDType::F32;
        auto cpuVae = lb::Vae::load(vaePath.toStdString(), cpu);
        QVERIFY(cpuVae.ok());
        auto cpuOut = (*cpuVae)->encode(input);
        QVERIFY(cpuOut.ok());

        // the same device and dtype on the plain path (ComfyUI's operations and layouts)
        lb::VaeLoadOptions plain = gpu;
        plain.kernels = lb::Kernels::Reference;
        auto plainVae = lb::Vae::load(vaePath.toStdString(), plain);
        QVERIFY(plainVae.ok());
        auto plainOut = (*plainVae)->encode(input);
        LB_VERIFY_OK(plainOut);
        const double vsPlain = relativeL2(out->data, plainOut->data);
        qInfo("%s %s: fast path vs plain path on the GPU: relative L2 %.3g",
              qPrintable(QFileInfo(caseDir).fileName()), qPrintable(dtype), vsPlain);
        QVERIFY2(vsPlain <= tolerance, qPrintable(QString("fast vs plain %1").arg(vsPlain)));

        const double vsCpu = relativeL2(out->data, cpuOut->data);
        const double vsReference = relativeL2(out->data, reference);
        double elementwise =
            0.0; // docs/NUMERICS.md's samples contract: |out - ref| <= 1e-4 max(1, |ref|)
        for (std::size_t i = 0; i < reference.size(); ++i)
            elementwise = std::max(elementwise, std::fabs(double(out->data[i]) - reference[i]) /
                                                    std::max(1.0, std::fabs(double(reference[i]))));
        qInfo("%s %s: relative L2 vs CPU fp32 %.3g, vs reference %.3g (bound %.3g); max "
              "elementwise vs reference %.3g",
              qPrintable(QFileInfo(caseDir).fileName()), qPrintable(dtype), vsCpu, vsReference,
              tolerance, elementwise);
        QVERIFY2(vsCpu <= tolerance, qPrintable(QString("relative L2 %1").arg(vsCpu)));
        if (dtype == "fp32") // the reference was made on the CPU: the samples contract applies
            QVERIFY2(elementwise <= 1e-4, qPrintable(QString("elementwise %1").arg(elementwise)));
        else
            QVERIFY2(vsReference <= tolerance,
                     qPrintable(QString("relative L2 %1").arg(vsReference)));
    }
};

QTEST_GUILESS_MAIN(GpuEncode)
#include "tst_gpu_encode.moc"
