// The noise-mask mode's mask steps against a plain mirror of ComfyUI's node source in Python
// (tests/common/comfy_mask_nodes.py: GrowMask's iterated grey dilation/erosion written out from
// scipy's definition, ImageBlur's float32 conv2d and the same in float64), on random soft masks of
// odd sizes, expand negative, zero and positive, both footprints; and the VAEEncode crop.
#include "TestSupport.h"

#include "latentbrush/NoiseMaskOps.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

namespace {

struct Case {
    int height, width, expand;
    bool tapered;
    int blurRadius;
    double sigma;
    int kind; // 0: uniform soft values, 1: byte levels with flat areas, 2: a soft blob
};

lb::MaskBuffer randomMask(int h, int w, int kind, std::mt19937& rng) {
    lb::MaskBuffer m;
    m.height = h;
    m.width = w;
    m.data.resize(std::size_t(h) * w);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    std::uniform_int_distribution<int> byte(0, 255), coin(0, 3);
    const float cy = u(rng) * float(h), cx = u(rng) * float(w),
                rad = 1.0f + u(rng) * float(h + w) / 4;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            float v = 0.0f;
            if (kind == 0) {
                v = u(rng);
            } else if (kind == 1) {
                const int c = coin(rng);
                v = c == 0 ? 0.0f : c == 1 ? 1.0f : float(byte(rng)) / 255.0f;
            } else {
                const float d = std::hypot(float(y) - cy, float(x) - cx);
                v = std::clamp(1.5f - d / rad, 0.0f, 1.0f);
            }
            m.data[std::size_t(y) * w + std::size_t(x)] = v;
        }
    return m;
}

bool writeRaw(const QString& path, const void* data, std::size_t bytes) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) &&
           f.write(static_cast<const char*>(data), qint64(bytes)) == qint64(bytes);
}

template <typename T> std::vector<T> readRaw(const QString& path, std::size_t count) {
    QFile f(path);
    std::vector<T> out;
    if (!f.open(QIODevice::ReadOnly)) return out;
    const QByteArray bytes = f.readAll();
    if (std::size_t(bytes.size()) != count * sizeof(T)) return out;
    out.resize(count);
    std::memcpy(out.data(), bytes.constData(), bytes.size());
    return out;
}

} // namespace

class NoiseMaskOpsTest : public QObject {
    Q_OBJECT

private slots:
    // GrowMask bit for bit; ImageBlur at least as close to the node's float64 values as the node's
    // float32 arithmetic is, and within 1e-6 of the latter (or twice its own error, for the
    // largest kernels); on many random soft masks.
    void againstPythonMirror() {
        if (!QFileInfo::exists("/usr/bin/python3"))
            LB_CANNOT_RUN("/usr/bin/python3 (Debian's, with python3-torch) is not installed");
        std::mt19937 rng(1717);
        const int sizes[][2] = {{1, 1},   {1, 9},   {7, 1},   {5, 3},   {13, 17},
                                {31, 29}, {64, 48}, {97, 61}, {40, 123}};
        const int expands[] = {-40, -5, -2, -1, 0, 1, 2, 3, 7, 40};
        std::vector<Case> cases;
        for (const auto& s : sizes)
            for (int e : expands)
                for (bool tapered : {false, true}) {
                    const int maxRadius = std::min(s[0], s[1]) - 1;
                    const int radii[] = {0, 1, 2, 5, 31};
                    const int r = std::min(radii[cases.size() % 5], maxRadius);
                    const double sigmas[] = {1.0, 0.1, 3.7, 10.0, 0.5};
                    cases.push_back({s[0], s[1], e, tapered, r, sigmas[(cases.size() / 5) % 5],
                                     int(cases.size() % 3)});
                }
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QJsonArray manifest;
        std::vector<lb::MaskBuffer> inputs;
        for (std::size_t i = 0; i < cases.size(); ++i) {
            const Case& c = cases[i];
            inputs.push_back(randomMask(c.height, c.width, c.kind, rng));
            const QString in = tmp.filePath(QString("in%1.f32").arg(i));
            QVERIFY(writeRaw(in, inputs.back().data.data(), inputs.back().data.size() * 4));
            manifest.append(QJsonObject{{"input", in},
                                        {"height", c.height},
                                        {"width", c.width},
                                        {"expand", c.expand},
                                        {"tapered_corners", c.tapered},
                                        {"blur_radius", c.blurRadius},
                                        {"sigma", c.sigma},
                                        {"output", tmp.filePath(QString("out%1").arg(i))}});
        }
        const QString manifestPath = tmp.filePath("manifest.json");
        {
            QFile f(manifestPath);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QJsonDocument(QJsonObject{{"cases", manifest}}).toJson());
        }
        QProcess py;
        py.start("/usr/bin/python3",
                 {QStringLiteral(LATENTBRUSH_SOURCE_DIR "/tests/common/comfy_mask_nodes.py"),
                  manifestPath});
        QVERIFY(py.waitForFinished(600000));
        const QString err = QString::fromUtf8(py.readAllStandardError());
        if (py.exitCode() != 0 && err.contains("No module named"))
            LB_CANNOT_RUN("python3-torch / python3-numpy are not installed");
        QVERIFY2(py.exitCode() == 0, qPrintable(err));

        double worstBlur = 0.0;
        for (std::size_t i = 0; i < cases.size(); ++i) {
            const Case& c = cases[i];
            const QString out = tmp.filePath(QString("out%1").arg(i));
            const std::size_t n = std::size_t(c.height) * c.width;
            const QString name = QString("case %1: %2x%3 expand %4 %5 blur %6 sigma %7")
                                     .arg(i)
                                     .arg(c.width)
                                     .arg(c.height)
                                     .arg(c.expand)
                                     .arg(c.tapered ? "tapered" : "square")
                                     .arg(c.blurRadius)
                                     .arg(c.sigma);
            const auto grownRef = readRaw<float>(out + ".grow.f32", n);
            const auto blur32 = readRaw<float>(out + ".blur32.f32", n);
            const auto blur64 = readRaw<double>(out + ".blur64.f64", n);
            QVERIFY2(!grownRef.empty() && !blur32.empty() && !blur64.empty(), qPrintable(name));

            const lb::MaskBuffer grown = lb::growMaskComfy(inputs[i], c.expand, c.tapered);
            QVERIFY2(grown.height == c.height && grown.width == c.width, qPrintable(name));
            for (std::size_t k = 0; k < n; ++k)
                if (grown.data[k] != grownRef[k])
                    QFAIL(qPrintable(name + QString(": GrowMask differs at %1: %2 vs %3")
                                                .arg(k)
                                                .arg(grown.data[k])
                                                .arg(grownRef[k])));

            auto blurred = lb::blurMaskComfy(grown, c.blurRadius, c.sigma);
            QVERIFY2(blurred, qPrintable(name));
            double vs32 = 0.0, vs64 = 0.0, ref32vs64 = 0.0;
            for (std::size_t k = 0; k < n; ++k) {
                vs32 = std::max(vs32, std::fabs(double(blurred->data[k]) - double(blur32[k])));
                vs64 = std::max(vs64, std::fabs(double(blurred->data[k]) - blur64[k]));
                ref32vs64 = std::max(ref32vs64, std::fabs(double(blur32[k]) - blur64[k]));
            }
            worstBlur = std::max(worstBlur, vs32);
            // Large kernels (up to 63 x 63 terms) give the node's float32 sums errors of a few
            // 1e-6 themselves: within 1e-6 of them, or of the exact values by less than they are.
            QVERIFY2(vs32 <= std::max(1e-6, 2.0 * ref32vs64),
                     qPrintable(name + QString(": ImageBlur off by %1").arg(vs32)));
            QVERIFY2(
                vs64 <= std::max(ref32vs64, 6e-8),
                qPrintable(
                    name +
                    QString(": %1 from float64, the node's float32 %2").arg(vs64).arg(ref32vs64)));
        }
        qInfo("%zu cases; ImageBlur at most %.3g from the node's float32 arithmetic", cases.size(),
              worstBlur);
    }

    // Erosion below zero and dilation above the image's diameter saturate as the iteration does.
    void largeExpandSaturates() {
        std::mt19937 rng(7);
        const lb::MaskBuffer m = randomMask(9, 14, 0, rng);
        const float hi = *std::max_element(m.data.begin(), m.data.end());
        const float lo = *std::min_element(m.data.begin(), m.data.end());
        for (bool tapered : {false, true}) {
            for (float v : lb::growMaskComfy(m, lb::kMaxMaskExpand, tapered).data)
                QCOMPARE(v, hi);
            for (float v : lb::growMaskComfy(m, -lb::kMaxMaskExpand, tapered).data)
                QCOMPARE(v, lo);
        }
    }

    // The node refuses a radius the reflect padding cannot serve; so do we, with a message.
    void blurRadiusTooLarge() {
        lb::MaskBuffer m;
        m.height = 4;
        m.width = 10;
        m.data.assign(40, 0.5f);
        QVERIFY(lb::blurMaskComfy(m, 3, 1.0));
        auto r = lb::blurMaskComfy(m, 4, 1.0);
        QVERIFY(!r);
        QVERIFY(r.message().find("10x4") != std::string::npos);
        QVERIFY(!lb::blurMaskComfy(m, 1, 0.0));
        QVERIFY(!lb::blurMaskComfy(m, 1, std::nan("")));
    }

    // VAEEncode's crop: pixels.narrow(d + 1, (n % d) // 2, (n // d) * d) per dimension, RGB only,
    // no gray fill; the mask keeps its own size (SetLatentNoiseMask does not resize it).
    void prepareCropsPixelsKeepsMask() {
        lb::ImageBuffer image;
        image.height = 37;
        image.width = 45;
        image.channels = 4;
        image.data.resize(std::size_t(37) * 45 * 4);
        for (std::size_t i = 0; i < image.data.size(); ++i)
            image.data[i] = float((i * 7919) % 1000) / 999.0f;
        std::mt19937 rng(3);
        const lb::MaskBuffer mask = randomMask(20, 30, 0, rng);
        lb::NoiseMaskOptions o;
        o.expand = 2;
        o.blurRadius = 3;
        auto in = lb::prepareNoiseMask(image, mask, o, 16);
        QVERIFY2(in, in ? "" : in.message().c_str());
        QCOMPARE(in->crop.top, (37 % 16) / 2);
        QCOMPARE(in->crop.left, (45 % 16) / 2);
        QCOMPARE(in->pixels.height, 32);
        QCOMPARE(in->pixels.width, 32);
        QCOMPARE(in->pixels.channels, 3);
        for (int y = 0; y < 32; ++y)
            for (int x = 0; x < 32; ++x)
                for (int c = 0; c < 3; ++c)
                    QCOMPARE(in->pixels.data[(std::size_t(y) * 32 + x) * 3 + c],
                             image.data[(std::size_t(y + 2) * 45 + (x + 6)) * 4 + c]);
        QCOMPARE(in->noiseMask.height, 20);
        QCOMPARE(in->noiseMask.width, 30);
        // NoiseMaskOptions' default is GrowMask's: tapered corners.
        auto expected = lb::blurMaskComfy(lb::growMaskComfy(mask, 2, true), 3, 1.0);
        QVERIFY(expected);
        QVERIFY(in->noiseMask.data == expected->data);
        o.taperedCorners = false;
        auto square = lb::prepareNoiseMask(image, mask, o, 16);
        QVERIFY(square);
        auto expectedSquare = lb::blurMaskComfy(lb::growMaskComfy(mask, 2, false), 3, 1.0);
        QVERIFY(expectedSquare);
        QVERIFY(square->noiseMask.data == expectedSquare->data);

        // No mask: an all-zero mask of the image's size.
        auto none = lb::prepareNoiseMask(image, lb::MaskBuffer{}, {}, 8);
        QVERIFY(none);
        QCOMPARE(none->noiseMask.height, 37);
        QCOMPARE(none->noiseMask.width, 45);
        for (float v : none->noiseMask.data)
            QCOMPARE(v, 0.0f);
        // Bad options and inputs are errors, not crashes.
        lb::NoiseMaskOptions bad;
        bad.expand = lb::kMaxMaskExpand + 1;
        QVERIFY(!lb::prepareNoiseMask(image, mask, bad, 8));
        lb::MaskBuffer nan = mask;
        nan.data[5] = std::nanf("");
        QVERIFY(!lb::prepareNoiseMask(image, nan, {}, 8));
        QVERIFY(!lb::prepareNoiseMask(image, mask, {}, 64));
    }
};

QTEST_GUILESS_MAIN(NoiseMaskOpsTest)
#include "tst_noise_mask_ops.moc"
