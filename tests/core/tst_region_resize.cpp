// The region resizes (core/regions ExactResize.h) against /usr/bin/python3's PyTorch 1.13
// F.interpolate: random planar images of odd sizes, scaled up and down with every method, written
// to a real safetensors file, resized by PyTorch (contiguous and as ComfyUI's channels-last view),
// read back. Tolerance: max |ours - torch| <= 1e-6 (docs/NUMERICS.md's tolerance for pixels).
#include "TestSupport.h"

#include "latentbrush/Safetensors.h"
#include "latentbrush/regions/ExactResize.h"

#include <QProcess>
#include <QTemporaryDir>

#include <cmath>
#include <cstring>
#include <map>
#include <random>

using namespace lb::regions;

namespace {

struct Case {
    ResizeMethod method;
    int channels, inH, inW, outH, outW;
};

PlanarImage randomImage(std::mt19937& rng, int c, int h, int w) {
    PlanarImage p;
    p.channels = c;
    p.height = h;
    p.width = w;
    p.data.resize(std::size_t(c) * h * w);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_real_distribution<float> uni(0.0f, 1.0f);
    const bool bytes = (rng() & 1) != 0; // 8-bit photo values or arbitrary floats
    for (float& v : p.data)
        v = bytes ? float(byte(rng)) / 255.0f : uni(rng);
    return p;
}

} // namespace

class RegionResize : public QObject {
    Q_OBJECT
private slots:
    void methodNames() {
        for (const char* n : {"area", "bicubic", "bilinear", "nearest-exact"}) {
            const auto m = parseResizeMethod(n);
            QVERIFY(m.has_value());
            QCOMPARE(QString(resizeMethodName(*m)), QString(n));
        }
        QVERIFY(!parseResizeMethod("nearest").has_value());
        QVERIFY(!parseResizeMethod("lanczos").has_value());
    }

    void againstPyTorch() {
        if (!QFileInfo::exists("/usr/bin/python3"))
            LB_CANNOT_RUN("/usr/bin/python3 (with python3-torch) not found");
        {
            QProcess probe;
            probe.start("/usr/bin/python3", {"-c", "import torch"});
            if (!probe.waitForFinished(120000) || probe.exitCode() != 0)
                LB_CANNOT_RUN("/usr/bin/python3 cannot import torch (python3-torch)");
        }
        std::mt19937 rng(1515);
        std::vector<Case> cases;
        const ResizeMethod methods[] = {ResizeMethod::Area, ResizeMethod::Bicubic,
                                        ResizeMethod::Bilinear, ResizeMethod::NearestExact};
        // fixed odd shapes, up and down, then random ones
        const int fixed[][4] = {{37, 53, 96, 112}, {97, 75, 32, 48}, {61, 61, 61, 61},
                                {33, 129, 64, 64}, {1, 17, 16, 3},   {257, 191, 128, 80},
                                {45, 31, 45, 97},  {7, 9, 160, 144}};
        for (ResizeMethod m : methods)
            for (const auto& f : fixed)
                cases.push_back({m, 3, f[0], f[1], f[2], f[3]});
        std::uniform_int_distribution<int> side(1, 150);
        for (int i = 0; i < 40; ++i)
            cases.push_back(
                {methods[i % 4], 1 + i % 3, side(rng), side(rng), side(rng), side(rng)});

        std::vector<PlanarImage> inputs;
        inputs.reserve(cases.size());
        std::vector<lb::TensorToWrite> tensors;
        std::map<std::string, std::string> meta;
        std::vector<std::string> names;
        names.reserve(cases.size());
        for (std::size_t i = 0; i < cases.size(); ++i) {
            const Case& c = cases[i];
            inputs.push_back(randomImage(rng, c.channels, c.inH, c.inW));
            names.push_back("in_" + std::to_string(i));
            tensors.push_back({names.back(),
                               lb::DType::F32,
                               {c.channels, c.inH, c.inW},
                               inputs.back().data.data(),
                               inputs.back().data.size() * sizeof(float)});
            meta["case_" + std::to_string(i)] = std::string(resizeMethodName(c.method)) + "," +
                                                std::to_string(c.outH) + "," +
                                                std::to_string(c.outW);
        }
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::string inPath = tmp.filePath("in.safetensors").toStdString();
        const std::string outPath = tmp.filePath("out.safetensors").toStdString();
        QVERIFY(lb::writeSafetensors(inPath, tensors, meta).ok());
        QProcess py;
        py.start("/usr/bin/python3",
                 {QStringLiteral(LATENTBRUSH_SOURCE_DIR "/tests/core/interpolate_reference.py"),
                  QString::fromStdString(inPath), QString::fromStdString(outPath)});
        QVERIFY(py.waitForFinished(300000));
        QVERIFY2(py.exitCode() == 0, qPrintable(QString::fromUtf8(py.readAllStandardError())));
        const QString torchVersion = QString::fromUtf8(py.readAllStandardOutput()).trimmed();
        auto ref = lb::SafetensorsFile::open(outPath);
        LB_VERIFY_OK(ref);

        std::map<std::string, double> worst; // per method, over both layouts
        for (std::size_t i = 0; i < cases.size(); ++i) {
            const Case& c = cases[i];
            const PlanarImage ours = resizeExact(inputs[i], c.outH, c.outW, c.method);
            QCOMPARE(ours.channels, c.channels);
            QCOMPARE(ours.height, c.outH);
            QCOMPARE(ours.width, c.outW);
            for (const char* prefix : {"out_", "outcl_"}) {
                const lb::TensorView* t = (*ref)->find(prefix + std::to_string(i));
                QVERIFY(t != nullptr);
                QCOMPARE(std::size_t(t->numel()), ours.data.size());
                std::vector<float> theirs(ours.data.size());
                std::memcpy(theirs.data(), t->data, t->byteSize);
                double maxDiff = 0.0;
                for (std::size_t k = 0; k < theirs.size(); ++k)
                    maxDiff =
                        std::max(maxDiff, std::fabs(double(ours.data[k]) - double(theirs[k])));
                double& w = worst[resizeMethodName(c.method)];
                w = std::max(w, maxDiff);
                QVERIFY2(maxDiff <= 1e-6,
                         qPrintable(QString("case %1 (%2 %3x%4x%5 -> %6x%7, %8): max diff %9")
                                        .arg(i)
                                        .arg(resizeMethodName(c.method))
                                        .arg(c.channels)
                                        .arg(c.inH)
                                        .arg(c.inW)
                                        .arg(c.outH)
                                        .arg(c.outW)
                                        .arg(prefix)
                                        .arg(maxDiff)));
            }
        }
        for (const auto& [m, d] : worst)
            qInfo("%s: max |ours - torch %s| = %.3g over %zu cases", m.c_str(),
                  qPrintable(torchVersion), d, cases.size());
    }
};

QTEST_GUILESS_MAIN(RegionResize)
#include "tst_region_resize.moc"
