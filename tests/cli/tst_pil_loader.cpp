// Image files read as ComfyUI's LoadImage reads them through PIL (tests/cli/pil_loadimage.py runs
// LoadImage's code and VAEEncodeForInpaint's preprocessing with /usr/bin/python3): for every kind
// of file the script makes, and for premultiplied TIFFs written here through OpenImageIO,
// readImage gives PIL's image and mask, and `latentbrush-cli encode --save-pixels` gives the
// node's pixels within 1e-6 and its noise_mask exactly, by default; --input-precision full gives
// v / 65535 instead. Float files with associated alpha are un-premultiplied as OpenImageIO's
// ImageBufAlgo::unpremult does. Mask files (--mask) of 16 bits give LoadImageMask's values by
// default and every bit with --input-precision full.
// OpenImageIO and LibTorch before Qt: Qt's keyword macros must not reach their headers.
#include <OpenImageIO/imagebuf.h>
#include <OpenImageIO/imagebufalgo.h>
#include <OpenImageIO/imageio.h>
#include <torch/types.h>

#include "latentbrush/ImageIO.h"
#include "latentbrush/LatentFile.h"

#include "CliSupport.h"
#include "RandomVaes.h"
#include "TestSupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

namespace {

using lbtest::kPixelTolerance; // pixels within 1e-6, noise_mask identical
constexpr int kGrow = 6;
constexpr int kCropStep = 8; // the TAESD encoder written here

QString script() {
    return QStringLiteral(LATENTBRUSH_SOURCE_DIR "/tests/cli/pil_loadimage.py");
}

struct PythonRun {
    int exitCode = -1;
    QByteArray out, err;
};

PythonRun python(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral("/usr/bin/python3"), QStringList{script()} + args);
    PythonRun r;
    if (!p.waitForFinished(300000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

std::vector<float> readFloats(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QByteArray bytes = f.readAll();
    std::vector<float> out(std::size_t(bytes.size()) / sizeof(float));
    std::memcpy(out.data(), bytes.constData(), out.size() * sizeof(float));
    return out;
}

// What LoadImage and VAEEncodeForInpaint's preprocessing gave for a file (pil_loadimage.py load).
struct ComfyInputs {
    QJsonObject shapes;
    std::vector<float> image, mask, pixels, noiseMask;
    // LoadImage's mask came from alpha or palette transparency (else it is 64x64 zeros)
    bool hasMask() const { return shapes["mask_source"].toString() != QLatin1String("none"); }
};

// The largest |a - b| (infinity when the sizes differ).
double maxDifference(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return INFINITY;
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::fabs(double(a[i]) - double(b[i])));
    return worst;
}

bool identical(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Writes RGBA samples (T: uint8, uint16 or float) stored as `type` with OpenImageIO as associated
// (premultiplied) alpha: a TIFF with ExtraSamples = 1, as oiiotool writes one, or an EXR; or, with
// `associated` false, as unassociated alpha (ExtraSamples = 2), or RGB (`channels` 3).
// Returns an error or "".
template <class T>
QString writeAssociated(const QString& path, int w, int h, OIIO::TypeDesc type,
                        const std::vector<T>& data, int channels = 4, bool associated = true) {
    OIIO::ImageSpec spec(w, h, channels, type);
    spec.alpha_channel = channels == 4 ? 3 : -1;
    if (!associated) spec.attribute("oiio:UnassociatedAlpha", 1);
    const std::string name = path.toStdString();
    auto out = OIIO::ImageOutput::create(name);
    if (!out) return QString::fromStdString(OIIO::geterror());
    const OIIO::TypeDesc buffer = std::is_same_v<T, float>           ? OIIO::TypeDesc::FLOAT
                                  : std::is_same_v<T, std::uint16_t> ? OIIO::TypeDesc::UINT16
                                                                     : OIIO::TypeDesc::UINT8;
    if (!out->open(name, spec) || !out->write_image(buffer, data.data()) || !out->close())
        return QString::fromStdString(out->geterror());
    return {};
}

} // namespace

class PilLoader : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    QJsonArray files_;
    std::string vae_;

    QString path(const QString& name) const { return dir_.filePath(name); }

    void addFileRows(bool onlyWithFull) {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("full");
        if (files_.isEmpty())
            QTest::newRow("no files (see initTestCase)") << QString() << QString();
        for (const QJsonValue& v : files_) {
            const QJsonObject o = v.toObject();
            if (onlyWithFull && o["full"].isNull()) continue;
            QTest::newRow(qPrintable(o["kind"].toString()))
                << o["file"].toString() << o["full"].toString();
        }
    }

    // pil_loadimage.py load for `file` (with the full-precision sidecar when given).
    bool comfy(const QString& file, const QString& full, ComfyInputs* out) {
        const QString prefix = file + (full.isEmpty() ? ".comfy" : ".comfy-full");
        QStringList args{"load", file, QString::number(kGrow), QString::number(kCropStep), prefix};
        if (!full.isEmpty()) args << full;
        const PythonRun r = python(args);
        if (r.exitCode != 0) {
            qWarning("pil_loadimage.py load %s: exit %d: %s %s", qPrintable(file), r.exitCode,
                     r.out.constData(), r.err.constData());
            return false;
        }
        out->shapes = QJsonDocument::fromJson(r.out).object();
        out->image = readFloats(prefix + ".image.f32");
        out->mask = readFloats(prefix + ".mask.f32");
        out->pixels = readFloats(prefix + ".pixels.f32");
        out->noiseMask = readFloats(prefix + ".noise_mask.f32");
        return true;
    }

    // `latentbrush-cli encode` of `file` with the TAESD encoder: the saved pixels (float TIFF) and
    // the .latent's noise_mask and metadata.
    void encode(const QString& file, const QString& precision, std::vector<float>* pixels,
                lb::LatentFileContents* latent, const QString& mask = {}) {
        const QString stem = file + "." + precision +
                             (mask.isEmpty() ? QString() : "." + QFileInfo(mask).fileName());
        QStringList args{"encode",
                         "--image",
                         file,
                         "--vae",
                         QString::fromStdString(vae_),
                         "--grow",
                         QString::number(kGrow),
                         "--output",
                         stem + ".latent",
                         "--save-pixels",
                         stem + ".pixels.tif",
                         "--threads",
                         "2"};
        if (!precision.isEmpty()) args << "--input-precision" << precision;
        if (!mask.isEmpty()) args << "--mask" << mask;
        const lbtest::CliRun run = lbtest::runCli(args);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        auto saved = lb::readImage((stem + ".pixels.tif").toStdString());
        LB_VERIFY_OK(saved);
        *pixels = saved->image.data;
        auto read = lb::readLatentFile((stem + ".latent").toStdString());
        LB_VERIFY_OK(read);
        *latent = std::move(*read);
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        if (!QFile::exists(QStringLiteral("/usr/bin/python3")))
            LB_CANNOT_RUN("/usr/bin/python3 not found: PIL is the reference loader");
        const PythonRun made = python({"make", dir_.path()});
        if (made.exitCode == 77)
            LB_CANNOT_RUN("python3-pil, python3-numpy or python3-torch missing: PIL is the "
                          "reference loader");
        QVERIFY2(made.exitCode == 0, made.err.constData());
        const QJsonObject manifest = QJsonDocument::fromJson(made.out).object();
        files_ = manifest["files"].toArray();
        qInfo("PIL %s made %lld kinds of file", qPrintable(manifest["pil"].toString()),
              qlonglong(files_.size()));

        // Premultiplied RGBA TIFFs, as oiiotool writes them: 8-bit with every (color, alpha)
        // pair, 16-bit with random words.
        std::vector<std::uint8_t> bytes(256 * 256 * 4);
        for (int a = 0; a < 256; ++a)
            for (int c = 0; c < 256; ++c) {
                std::uint8_t* p = bytes.data() + (std::size_t(a) * 256 + std::size_t(c)) * 4;
                p[0] = std::uint8_t(c);
                p[1] = std::uint8_t(255 - c);
                p[2] = std::uint8_t(std::min(c, a));
                p[3] = std::uint8_t(a);
            }
        const QString tif8 = path("associated8.tif");
        QCOMPARE(writeAssociated(tif8, 256, 256, OIIO::TypeDesc::UINT8, bytes), QString());
        at::manual_seed(13);
        const at::Tensor random = at::randint(0, 65536, {21 * 29, 4}, at::kInt);
        std::vector<std::uint16_t> words(std::size_t(random.numel()));
        for (std::int64_t p = 0; p < random.size(0); ++p) {
            const int alpha = random[p][3].item<int>();
            for (int c = 0; c < 3; ++c) // premultiplied: color <= alpha
                words[std::size_t(p * 4 + c)] =
                    std::uint16_t(std::int64_t(random[p][c].item<int>()) * alpha / 65535);
            words[std::size_t(p * 4 + 3)] = std::uint16_t(alpha);
        }
        const QString tif16 = path("associated16.tif");
        QCOMPARE(writeAssociated(tif16, 29, 21, OIIO::TypeDesc::UINT16, words), QString());
        // 16-bit TIFFs PIL reads: RGB and RGBA with unassociated alpha (the high byte)
        std::vector<std::uint16_t> straight = words;
        for (std::size_t i = 0; i < straight.size(); ++i)
            straight[i] = std::uint16_t(straight[i] * 7 + i);
        const QString rgba16 = path("unassociated16.tif");
        QCOMPARE(writeAssociated(rgba16, 29, 21, OIIO::TypeDesc::UINT16, straight, 4, false),
                 QString());
        straight.resize(std::size_t(29 * 21 * 3));
        const QString rgb16 = path("rgb16.tif");
        QCOMPARE(writeAssociated(rgb16, 29, 21, OIIO::TypeDesc::UINT16, straight, 3), QString());
        files_.append(
            QJsonObject{{"file", rgba16}, {"kind", "tiff RGBA 16-bit"}, {"full", QJsonValue()}});
        files_.append(
            QJsonObject{{"file", rgb16}, {"kind", "tiff RGB 16-bit"}, {"full", QJsonValue()}});
        files_.append(QJsonObject{
            {"file", tif8}, {"kind", "tiff RGBA 8-bit associated alpha"}, {"full", QJsonValue()}});
        files_.append(QJsonObject{{"file", tif16},
                                  {"kind", "tiff RGBA 16-bit associated alpha"},
                                  {"full", QJsonValue()}});

        at::manual_seed(7);
        vae_ = lbtest::write(dir_, QStringLiteral("taesd_encoder.safetensors"),
                             lbtest::taesdEncoderWeights(4, false));
    }

    // readImage + toRgb + maskFromAlpha against LoadImage's IMAGE and MASK.
    void readsAsPil_data() { addFileRows(false); }

    void readsAsPil() {
        QFETCH(QString, file);
        QVERIFY(!file.isEmpty());
        ComfyInputs expected;
        QVERIFY(comfy(file, {}, &expected));
        auto loaded = lb::readImage(file.toStdString());
        LB_VERIFY_OK(loaded);
        const lb::ImageBuffer rgb = lb::toRgb(loaded->image);
        const QJsonArray shape = expected.shapes["image"].toArray();
        QCOMPARE(rgb.height, shape.at(1).toInt());
        QCOMPARE(rgb.width, shape.at(2).toInt());
        std::vector<float> colors = rgb.data;
        if (loaded->format == "gif" && loaded->hasAlpha) {
            // OpenImageIO's GIF reader gives transparent pixels black, PIL their palette color:
            // those pixels are masked (mask 1), so the node fills them with gray either way
            // (encodesAsComfy checks that); the colors are compared where alpha > 0.
            const lb::MaskBuffer m = lb::maskFromAlpha(*loaded);
            for (std::size_t i = 0; i < m.data.size(); ++i)
                if (m.data[i] == 1.0f)
                    for (int c = 0; c < 3; ++c)
                        colors[i * 3 + std::size_t(c)] = expected.image[i * 3 + std::size_t(c)];
        }
        const double diff = maxDifference(colors, expected.image);
        qInfo("%s: %dx%d, %d-bit%s%s: largest difference from PIL %.3g", loaded->format.c_str(),
              rgb.width, rgb.height, loaded->bitsPerSample,
              loaded->reducedTo8Bits ? ", PIL's 8-bit values" : "",
              loaded->unpremultiplied ? ", un-premultiplied" : "", diff);
        QVERIFY2(diff <= kPixelTolerance, qPrintable(QString::number(diff)));
        const lb::MaskBuffer mask = lb::maskFromAlpha(*loaded);
        if (!expected.hasMask()) {
            // LoadImage's 64x64 zeros, resized by the node: no pixel masked. An opaque alpha
            // channel (a GIF without transparency, as OpenImageIO reads it) is the same mask.
            for (float v : mask.data)
                QVERIFY2(v == 0.0f, "LoadImage masks nothing in this file");
        } else {
            QVERIFY2(!mask.empty(), "LoadImage gives a mask for this file");
            QVERIFY(identical(mask.data, expected.mask));
        }
    }

    // The CLI's encode by default: the node's pixels within 1e-6 and its noise_mask exactly.
    void encodesAsComfy_data() { addFileRows(false); }

    void encodesAsComfy() {
        QFETCH(QString, file);
        QVERIFY(!file.isEmpty());
        ComfyInputs expected;
        QVERIFY(comfy(file, {}, &expected));
        std::vector<float> pixels;
        lb::LatentFileContents latent;
        encode(file, {}, &pixels, &latent);
        if (QTest::currentTestFailed()) return;
        const double diff = maxDifference(pixels, expected.pixels);
        qInfo("pixels: largest difference from ComfyUI %.3g", diff);
        QVERIFY2(diff <= kPixelTolerance, qPrintable(QString::number(diff)));
        QVERIFY(identical(latent.noiseMask.data, expected.noiseMask));
        QCOMPARE(latent.metadata.at("source.precision"), std::string("reference"));
    }

    // --input-precision full: v / 65535 (the sidecar the script wrote from the stored words).
    void fullPrecision_data() { addFileRows(true); }

    void fullPrecision() {
        QFETCH(QString, file);
        QFETCH(QString, full);
        QVERIFY(!file.isEmpty());
        ComfyInputs expected;
        QVERIFY(comfy(file, full, &expected));
        lb::ImageReadOptions options;
        options.precision = lb::InputPrecision::Full;
        auto loaded = lb::readImage(file.toStdString(), options);
        LB_VERIFY_OK(loaded);
        QVERIFY(!loaded->reducedTo8Bits);
        QVERIFY(identical(lb::toRgb(loaded->image).data, expected.image));
        const lb::MaskBuffer mask = lb::maskFromAlpha(*loaded);
        if (loaded->hasAlpha) QVERIFY(identical(mask.data, expected.mask));
        // PIL's 8-bit values are what the default reads, and they differ.
        auto reference = lb::readImage(file.toStdString());
        QVERIFY(reference.ok() && reference->reducedTo8Bits);
        const double reduced = maxDifference(lb::toRgb(reference->image).data, expected.image);
        qInfo("full precision vs PIL's 8-bit values: up to %.3g apart", reduced);
        QVERIFY(reduced > 1e-4);

        std::vector<float> pixels;
        lb::LatentFileContents latent;
        encode(file, QStringLiteral("full"), &pixels, &latent);
        if (QTest::currentTestFailed()) return;
        const double diff = maxDifference(pixels, expected.pixels);
        QVERIFY2(diff <= kPixelTolerance, qPrintable(QString::number(diff)));
        QVERIFY(identical(latent.noiseMask.data, expected.noiseMask));
        QCOMPARE(latent.metadata.at("source.precision"), std::string("full"));
    }

    // Float files with associated alpha (EXR always, TIFF with ExtraSamples = 1; PIL reads
    // neither): colors as OpenImageIO's unpremult gives them, c / a where 0 < a != 1.
    void floatAssociatedAlphaAsOiio_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("type");
        QTest::newRow("exr half") << "associated-half.exr" << int(OIIO::TypeDesc::HALF);
        QTest::newRow("exr float") << "associated-float.exr" << int(OIIO::TypeDesc::FLOAT);
        QTest::newRow("tiff float") << "associated-float.tif" << int(OIIO::TypeDesc::FLOAT);
    }

    void floatAssociatedAlphaAsOiio() {
        QFETCH(QString, name);
        QFETCH(int, type);
        const int w = 16, h = 8;
        std::vector<float> stored(std::size_t(w) * h * 4);
        for (std::size_t p = 0; p < stored.size() / 4; ++p) {
            const float a = p < 16 ? float(p) / 15.0f : float((p * 37) % 101) / 100.0f;
            for (int c = 0; c < 3; ++c)
                stored[p * 4 + std::size_t(c)] = a * float((p * (3 + std::size_t(c))) % 17) / 16.0f;
            stored[p * 4 + 3] = a;
        }
        const QString file = path(name);
        QCOMPARE(
            writeAssociated(file, w, h, OIIO::TypeDesc(OIIO::TypeDesc::BASETYPE(type)), stored),
            QString());
        // The stored values as the file holds them, divided by OpenImageIO's own unpremult.
        OIIO::ImageBuf expected(file.toStdString());
        QVERIFY(expected.read(0, 0, true, OIIO::TypeDesc::FLOAT));
        QVERIFY(OIIO::ImageBufAlgo::unpremult(expected, expected));
        std::vector<float> values(stored.size());
        QVERIFY(expected.get_pixels(OIIO::ROI::All(), OIIO::TypeDesc::FLOAT, values.data()));

        auto loaded = lb::readImage(file.toStdString());
        LB_VERIFY_OK(loaded);
        QVERIFY(loaded->unpremultiplied);
        QVERIFY(identical(loaded->image.data, values));
        // and by hand: color * alpha gives the stored color back; alpha 0 keeps the stored 0
        const std::size_t p = 9; // alpha 9/15
        const float a = loaded->image.data[p * 4 + 3];
        QVERIFY(std::fabs(loaded->image.data[p * 4 + 1] * a - stored[p * 4 + 1]) < 2e-3f);
        QVERIFY(loaded->image.data[p * 4 + 1] > stored[p * 4 + 1]);
        QCOMPARE(loaded->image.data[1], 0.0f);
    }

    // Files without associated alpha keep their stored colors (nothing divided).
    void unassociatedAlphaUntouched() {
        auto loaded = lb::readImage(path(QStringLiteral("rgba.tif")).toStdString());
        LB_VERIFY_OK(loaded);
        QVERIFY(!loaded->unpremultiplied);
        auto png = lb::readImage(path(QStringLiteral("rgba.png")).toStdString());
        QVERIFY(png.ok() && !png->unpremultiplied);
        QVERIFY(identical(png->image.data, loaded->image.data));
    }

    // batch reads its images as encode does: the same latent, the choice in the metadata.
    void batchKeepsInputPrecision_data() {
        QTest::addColumn<QString>("precision");
        QTest::newRow("default (reference)") << QString();
        QTest::newRow("full") << QStringLiteral("full");
    }

    void batchKeepsInputPrecision() {
        QFETCH(QString, precision);
        const QString in = path(QStringLiteral("batch-in-%1").arg(precision));
        const QString out = path(QStringLiteral("batch-out-%1").arg(precision));
        QVERIFY(QDir().mkpath(in) && QDir().mkpath(out));
        const QString image = in + QStringLiteral("/rgba16.png");
        QVERIFY(QFile::copy(path(QStringLiteral("rgba16.png")), image));
        QStringList args{"batch",
                         "--images",
                         in,
                         "--vae",
                         QString::fromStdString(vae_),
                         "--out",
                         out,
                         "--grow",
                         QString::number(kGrow),
                         "--threads",
                         "2"};
        if (!precision.isEmpty()) args << "--input-precision" << precision;
        const lbtest::CliRun run = lbtest::runCli(args);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        auto batched = lb::readLatentFile((out + QStringLiteral("/rgba16.latent")).toStdString());
        LB_VERIFY_OK(batched);
        std::vector<float> pixels;
        lb::LatentFileContents encoded;
        encode(image, precision, &pixels, &encoded);
        if (QTest::currentTestFailed()) return;
        QCOMPARE(batched->metadata.at("source.precision"),
                 std::string(precision.isEmpty() ? "reference" : "full"));
        QVERIFY(identical(batched->samples.data, encoded.samples.data));
        QVERIFY(identical(batched->noiseMask.data, encoded.noiseMask.data));
    }

private:
    // 16-bit mask files (--mask): LoadImageMask's values through PIL by default (the channel our
    // Auto rule picks: alpha when there is one, else red), every bit with InputPrecision::Full.
    void maskRows() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("channel"); // LoadImageMask's, what MaskChannel::Auto picks
        QTest::addColumn<QString>("full");    // the full-precision sidecar, or "" for 8-bit
        QTest::newRow("png gray 16-bit (mode I)") << "l16-every.png"
                                                  << "red"
                                                  << "l16-every.full";
        QTest::newRow("png RGB 16-bit") << "rgb16.png"
                                        << "red"
                                        << "rgb16.full";
        QTest::newRow("png RGBA 16-bit alpha") << "rgba16.png"
                                               << "alpha"
                                               << "rgba16.full";
        QTest::newRow("png gray+alpha 16-bit") << "la16.png"
                                               << "alpha"
                                               << "la16.full";
        QTest::newRow("tiff gray 16-bit (mode I;16)") << "l16-every.tif"
                                                      << "red"
                                                      << "l16-every-tif.full";
        QTest::newRow("pgm 16-bit (mode I)") << "l16-every.pgm"
                                             << "red"
                                             << "l16-every-pgm.full";
        QTest::newRow("ppm 16-bit") << "rgb16.ppm"
                                    << "red"
                                    << "rgb16-ppm.full";
        QTest::newRow("tiff RGBA 16-bit alpha") << "unassociated16.tif"
                                                << "alpha"
                                                << "";
        QTest::newRow("png RGBA 8-bit alpha") << "rgba.png"
                                              << "alpha"
                                              << "";
        QTest::newRow("png gray 8-bit") << "l.png"
                                        << "red"
                                        << "";
    }

    // pil_loadimage.py mask: LoadImageMask's MASK (or the sidecar's full values) of `name`.
    bool comfyMask(const QString& name, const QString& channel, const QString& full,
                   std::vector<float>* mask) {
        const QString prefix = path(name) + ".mask-" + (full.isEmpty() ? "pil" : "full");
        QStringList args{"mask", path(name), channel, prefix};
        if (!full.isEmpty()) args << path(full);
        const PythonRun r = python(args);
        if (r.exitCode != 0) {
            qWarning("pil_loadimage.py mask %s: exit %d: %s %s", qPrintable(name), r.exitCode,
                     r.out.constData(), r.err.constData());
            return false;
        }
        *mask = readFloats(prefix + ".mask.f32");
        return true;
    }

private slots:
    void readsMaskAsPil_data() { maskRows(); }

    void readsMaskAsPil() {
        QFETCH(QString, name);
        QFETCH(QString, channel);
        QFETCH(QString, full);
        std::vector<float> expected;
        QVERIFY(comfyMask(name, channel, {}, &expected));
        auto mask = lb::readMask(path(name).toStdString()); // Auto, InputPrecision::Reference
        LB_VERIFY_OK(mask);
        qInfo("largest difference from LoadImageMask %.3g", maxDifference(mask->data, expected));
        QVERIFY(identical(mask->data, expected));
        lb::ImageReadOptions everyBit;
        everyBit.precision = lb::InputPrecision::Full;
        auto fullMask = lb::readMask(path(name).toStdString(), lb::MaskChannel::Auto, everyBit);
        LB_VERIFY_OK(fullMask);
        if (full.isEmpty()) {
            // 8-bit files, and 16-bit TIFF alpha (no sidecar): 16-bit alpha keeps every bit
            if (name.startsWith(QLatin1String("unassociated16"))) {
                QVERIFY(maxDifference(fullMask->data, expected) > 1e-4);
                QVERIFY(maxDifference(fullMask->data, expected) < 1.0 / 255.0);
            } else {
                QVERIFY(identical(fullMask->data, expected));
            }
            return;
        }
        std::vector<float> everyBitExpected;
        QVERIFY(comfyMask(name, channel, full, &everyBitExpected));
        QVERIFY(identical(fullMask->data, everyBitExpected));
        const double apart = maxDifference(expected, everyBitExpected);
        qInfo("full precision vs LoadImageMask's 8-bit values: up to %.3g apart", apart);
        QVERIFY(apart > 1e-4);
    }

    // encode --mask with a 16-bit mask: VAEEncodeForInpaint's pixels and noise_mask from
    // LoadImage + LoadImageMask by default, from the mask's every bit with --input-precision full.
    void encodesWithMaskAsComfy_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("channel");
        QTest::addColumn<QString>("full");
        QTest::addColumn<QString>("precision");
        for (const char* precision : {"reference", "full"}) {
            QTest::addRow("png RGBA 16-bit alpha, %s", precision) << "rgba16.png"
                                                                  << "alpha"
                                                                  << "rgba16.full" << precision;
            QTest::addRow("png gray 16-bit, %s", precision) << "l16-every.png"
                                                            << "red"
                                                            << "l16-every.full" << precision;
            QTest::addRow("tiff gray 16-bit, %s", precision) << "l16-every.tif"
                                                             << "red"
                                                             << "l16-every-tif.full" << precision;
        }
    }

    void encodesWithMaskAsComfy() {
        QFETCH(QString, name);
        QFETCH(QString, channel);
        QFETCH(QString, full);
        QFETCH(QString, precision);
        const bool everyBit = precision == QLatin1String("full");
        const QString image = path(QStringLiteral("rgb.png"));
        const QString prefix = path(name) + ".inpaint-" + precision;
        QStringList args{"inpaint",
                         image,
                         path(name),
                         channel,
                         QString::number(kGrow),
                         QString::number(kCropStep),
                         prefix};
        if (everyBit) args << path(full);
        const PythonRun r = python(args);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        std::vector<float> pixels;
        lb::LatentFileContents latent;
        encode(image, precision, &pixels, &latent, path(name));
        if (QTest::currentTestFailed()) return;
        const double diff = maxDifference(pixels, readFloats(prefix + ".pixels.f32"));
        qInfo("pixels: largest difference from ComfyUI %.3g", diff);
        QVERIFY2(diff <= kPixelTolerance, qPrintable(QString::number(diff)));
        QVERIFY(identical(latent.noiseMask.data, readFloats(prefix + ".noise_mask.f32")));
        QCOMPARE(latent.metadata.at("source.precision"), precision.toStdString());
    }

    void parsesInputPrecision() {
        lb::InputPrecision p = lb::InputPrecision::Full;
        QVERIFY(lb::parseInputPrecision("reference", &p));
        QCOMPARE(p, lb::InputPrecision::Reference);
        QVERIFY(lb::parseInputPrecision("full", &p));
        QCOMPARE(p, lb::InputPrecision::Full);
        QVERIFY(!lb::parseInputPrecision("16", &p));
        QCOMPARE(QString(lb::inputPrecisionName(lb::InputPrecision::Full)), QString("full"));
        QCOMPARE(QString(lb::inputPrecisionName(lb::InputPrecision::Reference)),
                 QString("reference"));
        const lbtest::CliRun bad =
            lbtest::runCli({"encode", "--image", "x.png", "--vae", "v.safetensors", "--output",
                            "o.latent", "--input-precision", "16bit"});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("--input-precision"), qPrintable(bad.err));
    }
};

QTEST_GUILESS_MAIN(PilLoader)
#include "tst_pil_loader.moc"
