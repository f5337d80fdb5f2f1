// grow's PNG fast path (MaskPng.h, CommandsLean.h) against the OpenImageIO path it stands in for:
// the byte tables against the float rounding for all 256 values, libpng's samples and masks
// against readImage/readMask on 8-bit, 16-bit, gray+alpha, RGB(A), palette, tRNS, packed-gray
// and interlaced files, the writer's round trip, the files it must decline, and
// `latentbrush-cli grow` (lean) against `latentbrush-cli-io grow` (OpenImageIO) as processes.
#include "CliSupport.h"
#include "PngTestFiles.h"
#include "TestSupport.h"

#include "latentbrush/CommandsLean.h"
#include "latentbrush/ImageIO.h"
#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/MaskPng.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <zlib.h>

#include <cstring>
#include <random>

namespace {

using lb::MaskChannel;
using lb::png::PngPixels;

const MaskChannel kChannels[] = {MaskChannel::Auto,  MaskChannel::Alpha, MaskChannel::Red,
                                 MaskChannel::Green, MaskChannel::Blue,  MaskChannel::Luma};

QString ioCliPath() {
    return QStringLiteral(LATENTBRUSH_BINARY_DIR "/app/latentbrush-cli-io");
}

using lbtest::runProgram;

// Samples of blobs, gradients and noise: every value occurs, with runs as painted masks have.
PngPixels makePixels(int w, int h, int channels, int bits, unsigned seed) {
    PngPixels p;
    p.width = w;
    p.height = h;
    p.channels = channels;
    p.bitsPerSample = bits;
    std::mt19937 rng(seed);
    const std::size_t n = std::size_t(w) * h * channels;
    const int maxValue = bits == 8 ? 255 : 65535;
    std::vector<int> values(n);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < channels; ++c) {
                int v;
                const int kind = (x / 7 + y / 5 + c) % 4;
                if (kind == 0)
                    v = int(rng() % unsigned(maxValue + 1));
                else if (kind == 1)
                    v = ((x + y) % 2) ? maxValue : 0;
                else if (kind == 2)
                    v = (x * 37 + y * 11 + c * 101) % (maxValue + 1);
                else
                    v = maxValue / 2 + int(rng() % 3) - 1; // around the threshold
                values[(std::size_t(y) * w + x) * channels + c] = v;
            }
    if (bits == 8)
        p.bytes.assign(values.begin(), values.end());
    else
        p.words.assign(values.begin(), values.end());
    return p;
}

void compareWithOiio(const std::string& path, bool expectAlpha) {
    auto lean = lb::png::readPngPixels(path, 1ll << 40);
    LB_VERIFY_OK(lean);
    auto full = lb::readImageSamples(path); // what readMask reads from
    LB_VERIFY_OK(full);
    QCOMPARE(lean->width, full->image.width);
    QCOMPARE(lean->height, full->image.height);
    QCOMPARE(lean->channels, full->image.channels);
    QCOMPARE(lean->hasAlpha(), full->hasAlpha);
    QCOMPARE(lean->hasAlpha(), expectAlpha);
    QCOMPARE(lean->bitsPerSample, full->bitsPerSample);
    for (std::size_t i = 0; i < full->image.data.size(); ++i) {
        const float v = lean->bitsPerSample == 8 ? lb::byteToFloat(lean->bytes[i])
                                                 : lb::wordToFloat(lean->words[i]);
        if (v != full->image.data[i])
            QFAIL(qPrintable(QString("%1: sample %2 differs").arg(path.c_str()).arg(i)));
    }
    lb::ImageReadOptions everyBit; // as grow reads masks
    everyBit.precision = lb::InputPrecision::Full;
    for (MaskChannel channel : kChannels) {
        auto fullMask = lb::readMask(path, channel, everyBit);
        auto leanMask = lb::png::maskFromPixels(*lean, channel, path);
        QCOMPARE(leanMask.ok(), fullMask.ok());
        if (!fullMask.ok()) {
            QCOMPARE(leanMask.message(), fullMask.message());
            continue;
        }
        QCOMPARE(leanMask->height, fullMask->height);
        QCOMPARE(leanMask->width, fullMask->width);
        QVERIFY(std::memcmp(leanMask->data.data(), fullMask->data.data(),
                            fullMask->data.size() * sizeof(float)) == 0);
        for (int multiple : {1, 8}) {
            if (lean->height < multiple || lean->width < multiple) continue;
            const lb::CropRect rect = lb::centreCrop(lean->height, lean->width, multiple);
            auto rounded = lb::png::roundedMaskFromPixels(*lean, channel, rect, path);
            QVERIFY(rounded.ok());
            const lb::BinaryMask expected = lb::roundMask(lb::cropMask(*fullMask, rect));
            QVERIFY(rounded->data == expected.data);
        }
    }
}

// The PNG at `from` with one more chunk right after IHDR.
bool insertChunk(const QString& from, const QString& to, const char type[4],
                 const QByteArray& data) {
    QByteArray png = lbtest::readFileBytes(from);
    if (png.size() < 33) return false;
    QByteArray chunk;
    const quint32 n = quint32(data.size());
    chunk.append(char(n >> 24)).append(char(n >> 16)).append(char(n >> 8)).append(char(n));
    chunk.append(type, 4).append(data);
    const uLong crc =
        crc32(0, reinterpret_cast<const Bytef*>(chunk.constData() + 4), uInt(chunk.size() - 4));
    chunk.append(char(crc >> 24)).append(char(crc >> 16)).append(char(crc >> 8)).append(char(crc));
    png.insert(33, chunk); // signature (8) + IHDR (25)
    QFile f(to);
    if (!f.open(QIODevice::WriteOnly)) return false;
    return f.write(png) == png.size();
}

} // namespace

class TestGrowPng : public QObject {
    Q_OBJECT

private slots:
    void byteTablesMatchTheFloatRounding() {
        // The value path: mask = float(v) / 255 (or 1 - that for alpha), round half to even.
        lb::MaskBuffer values, alphas;
        values.height = alphas.height = 1;
        values.width = alphas.width = 256;
        for (int v = 0; v < 256; ++v) {
            values.data.push_back(lb::byteToFloat(std::uint8_t(v)));
            alphas.data.push_back(1.0f - lb::byteToFloat(std::uint8_t(v)));
        }
        const lb::BinaryMask roundedValues = lb::roundMask(values);
        const lb::BinaryMask roundedAlphas = lb::roundMask(alphas);
        const std::vector<std::uint8_t> valueTable = lb::png::roundedByteTable(false);
        const std::vector<std::uint8_t> alphaTable = lb::png::roundedByteTable(true);
        for (int v = 0; v < 256; ++v) {
            QCOMPARE(int(valueTable[v]), int(roundedValues.data[v]));
            QCOMPARE(int(valueTable[v]), v >= 128 ? 1 : 0);
            QCOMPARE(int(valueTable[v]), int(lb::roundHalfEven(values.data[v])));
            QCOMPARE(int(alphaTable[v]), int(roundedAlphas.data[v]));
            QCOMPARE(int(alphaTable[v]), v <= 127 ? 1 : 0);
        }
    }

    void bytePathMatchesFloatPathOnRandomMasks() {
        for (unsigned seed = 1; seed <= 6; ++seed) {
            const int w = 40 + int(seed) * 13, h = 30 + int(seed) * 7;
            const PngPixels p = makePixels(w, h, 1, 8, seed);
            auto floats = lb::png::maskFromPixels(p, MaskChannel::Auto, "m");
            QVERIFY(floats.ok());
            const lb::CropRect rect = lb::centreCrop(h, w, 8);
            auto bytes = lb::png::roundedMaskFromPixels(p, MaskChannel::Auto, rect, "m");
            QVERIFY(bytes.ok());
            QVERIFY(bytes->data == lb::roundMask(lb::cropMask(*floats, rect)).data);
            for (int g : {0, 1, 2, 7, 16}) {
                auto viaFloats = lb::noiseMaskForSize(*floats, h, w, g, 8);
                QVERIFY(viaFloats.ok());
                QVERIFY(lb::growBinary(*bytes, g).data == viaFloats->data);
            }
        }
    }

    void readerAgreesWithOpenImageIO() {
        QTemporaryDir tmp;
        int index = 0;
        auto file = [&] { return tmp.filePath(QString("f%1.png").arg(index++)).toStdString(); };
        for (int bits : {8, 16})
            for (int channels = 1; channels <= 4; ++channels)
                for (bool interlaced : {false, true}) {
                    const std::string path = file();
                    lbtest::PngWriteOptions o;
                    o.interlaced = interlaced;
                    QVERIFY(lbtest::writePixelsPng(
                                path, makePixels(37, 29, channels, bits, unsigned(index)), o)
                                .ok());
                    compareWithOiio(path, channels == 2 || channels == 4);
                }
        // Packed gray (1, 2, 4 bits), gray with a transparent value (tRNS -> gray+alpha).
        for (int depth : {1, 2, 4}) {
            PngPixels p = makePixels(33, 21, 1, 8, 99);
            for (auto& b : p.bytes)
                b = std::uint8_t(b % (1 << depth));
            const std::string path = file();
            lbtest::PngWriteOptions o;
            o.grayBitDepth = depth;
            QVERIFY(lbtest::writePixelsPng(path, p, o).ok());
            compareWithOiio(path, false);
            const std::string withTrns = file();
            o.transparentGray = 1;
            QVERIFY(lbtest::writePixelsPng(withTrns, p, o).ok());
            compareWithOiio(withTrns, true);
        }
        {
            const std::string path = file();
            lbtest::PngWriteOptions o;
            o.transparentGray = 200;
            QVERIFY(lbtest::writePixelsPng(path, makePixels(30, 20, 1, 8, 5), o).ok());
            compareWithOiio(path, true);
        }
        // Palette files, without and with tRNS alpha, at 8 and 2 bits an index.
        for (int depth : {8, 2}) {
            const int entries = 1 << std::min(depth, 4);
            std::vector<std::uint8_t> rgb, alpha, indices;
            for (int i = 0; i < entries; ++i) {
                rgb.insert(rgb.end(), {std::uint8_t(i * 17), std::uint8_t(255 - i * 9),
                                       std::uint8_t(i * 131 % 256)});
                alpha.push_back(std::uint8_t(i * 255 / (entries - 1)));
            }
            for (int i = 0; i < 45 * 31; ++i)
                indices.push_back(std::uint8_t((i * 7 + i / 45) % entries));
            const std::string plain = file();
            QVERIFY(lbtest::writePalettePng(plain, 45, 31, depth, indices, rgb, {}).ok());
            compareWithOiio(plain, false);
            const std::string transparent = file();
            QVERIFY(lbtest::writePalettePng(transparent, 45, 31, depth, indices, rgb, alpha).ok());
            compareWithOiio(transparent, true);
        }
    }

    void writerRoundTrips() {
        QTemporaryDir tmp;
        std::mt19937 rng(7);
        lb::BinaryMask m;
        m.height = 123;
        m.width = 77;
        for (int i = 0; i < m.height * m.width; ++i)
            m.data.push_back(std::uint8_t((rng() % 5 == 0) || (i / 77 > 60 && i % 77 < 30)));
        const std::string path = tmp.filePath("m.png").toStdString();
        QVERIFY(lb::png::writeBinaryMaskPng(path, m).ok());
        auto full = lb::readImage(path);
        QVERIFY(full.ok());
        QCOMPARE(full->image.channels, 1);
        QCOMPARE(full->bitsPerSample, 8);
        QCOMPARE(full->image.width, 77);
        QCOMPARE(full->image.height, 123);
        for (std::size_t i = 0; i < m.data.size(); ++i)
            QCOMPARE(full->image.data[i], m.data[i] ? 1.0f : 0.0f);
        auto lean = lb::png::readPngPixels(path, 1ll << 40);
        QVERIFY(lean.ok());
        for (std::size_t i = 0; i < m.data.size(); ++i)
            QCOMPARE(int(lean->bytes[i]), m.data[i] ? 255 : 0);
        // The same pixels as ImageIO's writer.
        const std::string viaOiio = tmp.filePath("o.png").toStdString();
        QVERIFY(lb::writeBinaryMaskPng(viaOiio, m).ok());
        auto other = lb::png::readPngPixels(viaOiio, 1ll << 40);
        QVERIFY(other.ok());
        QVERIFY(other->bytes == lean->bytes);
        // Nothing to write, and a folder that does not exist: an error, no file.
        QVERIFY(!lb::png::writeBinaryMaskPng(tmp.filePath("e.png").toStdString(), {}).ok());
        QVERIFY(!lb::png::writeBinaryMaskPng(tmp.filePath("no/m.png").toStdString(), m).ok());
        QVERIFY(!QFile::exists(tmp.filePath("e.png")));
    }

    void declinesWhatItCannotVouchFor() {
        QTemporaryDir tmp;
        const QString good = tmp.filePath("good.png");
        QVERIFY(lbtest::writePixelsPng(good.toStdString(), makePixels(16, 16, 1, 8, 3)).ok());
        QVERIFY(lb::png::readPngPixels(good.toStdString(), 1ll << 40).ok());
        QVERIFY(!lb::png::readPngPixels(good.toStdString(), 255).ok()); // over --max-pixels
        const QString exif = tmp.filePath("exif.png");
        QVERIFY(insertChunk(good, exif, "eXIf", QByteArray("MM\0*\0\0\0\x08\0\0", 10)));
        QVERIFY(!lb::png::readPngPixels(exif.toStdString(), 1ll << 40).ok());
        const QString xmp = tmp.filePath("xmp.png");
        QVERIFY(insertChunk(good, xmp, "tEXt", QByteArray("XML:com.adobe.xmp\0<x/>", 23)));
        QVERIFY(!lb::png::readPngPixels(xmp.toStdString(), 1ll << 40).ok());
        const QString text = tmp.filePath("text.png");
        QVERIFY(insertChunk(good, text, "tEXt", QByteArray("Comment\0painted", 15)));
        QVERIFY(lb::png::readPngPixels(text.toStdString(), 1ll << 40).ok());
        const QString truncated = tmp.filePath("truncated.png");
        QFile t(truncated);
        QVERIFY(t.open(QIODevice::WriteOnly));
        t.write(lbtest::readFileBytes(good).left(60));
        t.close();
        QVERIFY(!lb::png::readPngPixels(truncated.toStdString(), 1ll << 40).ok());
        const QString jpeg = tmp.filePath("photo.jpg");
        lb::ImageBuffer img;
        img.height = img.width = 16;
        img.channels = 3;
        img.data.assign(16 * 16 * 3, 0.5f);
        QVERIFY(lb::writeImage(jpeg.toStdString(), img).ok());
        QVERIFY(!lb::png::readPngPixels(jpeg.toStdString(), 1ll << 40).ok());
        QVERIFY(!lb::png::readPngPixels(tmp.path().toStdString(), 1ll << 40).ok());
    }

    void leanCliMatchesOpenImageIOCli() {
        QTemporaryDir tmp;
        QVERIFY(QFile::exists(lbtest::cliPath()));
        QVERIFY(QFile::exists(ioCliPath()));
        // Inputs: a painted 8-bit gray mask, 16-bit gray, gray+alpha, RGBA, palette with tRNS,
        // an interlaced one, one with EXIF (declined: goes through latentbrush-cli-io), a JPEG.
        std::vector<QString> inputs;
        auto add = [&](const QString& name, const PngPixels& p, lbtest::PngWriteOptions o = {}) {
            const QString path = tmp.filePath(name);
            QVERIFY(lbtest::writePixelsPng(path.toStdString(), p, o).ok());
            inputs.push_back(path);
        };
        PngPixels painted;
        painted.width = 203;
        painted.height = 157;
        painted.channels = 1;
        painted.bytes.assign(std::size_t(203) * 157, 0);
        for (int y = 0; y < 157; ++y)
            for (int x = 0; x < 203; ++x) {
                const int dx = x - 90, dy = y - 70;
                if (dx * dx + dy * dy < 40 * 40) painted.bytes[std::size_t(y) * 203 + x] = 255;
                if (std::abs(x - y) < 3) painted.bytes[std::size_t(y) * 203 + x] = 128;
                if (std::abs(x + y - 200) < 2) painted.bytes[std::size_t(y) * 203 + x] = 127;
            }
        add("painted.png", painted);
        add("gray16.png", makePixels(64, 48, 1, 16, 11));
        add("grayalpha.png", makePixels(50, 41, 2, 8, 12));
        add("rgba16.png", makePixels(45, 60, 4, 16, 13));
        add("rgb.png", makePixels(67, 33, 3, 8, 14));
        lbtest::PngWriteOptions interlaced;
        interlaced.interlaced = true;
        add("interlaced.png", makePixels(40, 40, 1, 8, 15), interlaced);
        {
            std::vector<std::uint8_t> rgb, alpha, indices;
            for (int i = 0; i < 16; ++i) {
                rgb.insert(rgb.end(), {std::uint8_t(i * 16), std::uint8_t(i * 8), 7});
                alpha.push_back(std::uint8_t(i * 17));
            }
            for (int i = 0; i < 48 * 40; ++i)
                indices.push_back(std::uint8_t((i / 5 + i / 48) % 16));
            const QString path = tmp.filePath("palette.png");
            QVERIFY(
                lbtest::writePalettePng(path.toStdString(), 48, 40, 4, indices, rgb, alpha).ok());
            inputs.push_back(path);
        }
        const QString exif = tmp.filePath("exif.png");
        QVERIFY(insertChunk(inputs[0], exif, "eXIf", QByteArray("MM\0*\0\0\0\x08\0\0", 10)));
        inputs.push_back(exif);
        const QString jpeg = tmp.filePath("mask.jpg");
        {
            lb::ImageBuffer img;
            img.height = 40;
            img.width = 56;
            img.channels = 1;
            for (int i = 0; i < 40 * 56; ++i)
                img.data.push_back((i % 56) > 20 ? 1.0f : 0.0f);
            QVERIFY(lb::writeImage(jpeg.toStdString(), img).ok());
        }
        inputs.push_back(jpeg);

        // In the process: the fast path takes every PNG above, declines EXIF and JPEG.
        for (const QString& input : inputs) {
            lb::GrowOptions o;
            o.mask = input.toStdString();
            o.grow = 9;
            o.output = tmp.filePath("inprocess.png").toStdString();
            std::string why;
            const lb::LeanOutcome outcome = lb::runGrowPng(o, {}, &why);
            const bool expectDone = input != exif && input != jpeg;
            QVERIFY2((outcome == lb::LeanOutcome::Done) == expectDone,
                     qPrintable(input + ": " + QString::fromStdString(why)));
            if (!expectDone) {
                QVERIFY(!why.empty());
                continue;
            }
            auto lean = lb::readImage(o.output);
            o.output = tmp.filePath("inprocess-full.png").toStdString();
            QVERIFY(lb::runGrow(o, {}).ok());
            auto full = lb::readImage(o.output);
            QVERIFY(lean.ok() && full.ok());
            QVERIFY(lean->image.data == full->image.data);
        }

        const QList<QStringList> variants = {
            {"--grow", "0"},
            {"--grow", "1"},
            {"--grow", "6"},
            {"--grow", "17", "--multiple", "4"},
            {"--grow", "64"},
            {"--grow", "6", "--mask-channel", "luma"},
            {"--grow", "6", "--mask-channel", "alpha"},
            {"--grow", "3", "--mask-channel", "green"},
            {"--grow", "5", "--size", "96x64"},
            {"--grow", "5", "--size", "30x90"},
            {"--grow", "2", "--multiple", "64"},
            {"--grow", "4", "--max-pixels", "100"},
        };
        int n = 0;
        for (const QString& input : inputs)
            for (const QStringList& variant : variants) {
                const QString a = tmp.filePath(QString("lean%1.png").arg(n));
                const QString b = tmp.filePath(QString("full%1.png").arg(n));
                ++n;
                const QStringList common = QStringList{"grow", "--mask", input} + variant;
                const auto lean = lbtest::runCli(common + QStringList{"--output", a});
                const auto full = runProgram(ioCliPath(), common + QStringList{"--output", b});
                const QString what = input + " " + variant.join(' ');
                QVERIFY2(lean.exitCode == full.exitCode, qPrintable(what + ": " + lean.err));
                QCOMPARE(QString(lean.err).replace(a, "OUT"), QString(full.err).replace(b, "OUT"));
                QCOMPARE(lean.out, full.out);
                QCOMPARE(QFile::exists(a), QFile::exists(b));
                if (!QFile::exists(a)) continue;
                auto pa = lb::readImage(a.toStdString());
                auto pb = lb::readImage(b.toStdString());
                QVERIFY2(pa.ok() && pb.ok(), qPrintable(what));
                QCOMPARE(pa->image.width, pb->image.width);
                QCOMPARE(pa->image.height, pb->image.height);
                QVERIFY2(pa->image.data == pb->image.data, qPrintable(what));
            }
        // Bad inputs: the same one line, no output, whichever program words it.
        const QString corrupt = tmp.filePath("corrupt.png");
        {
            QByteArray bytes = lbtest::readFileBytes(inputs[0]);
            bytes.truncate(bytes.size() / 2);
            QFile f(corrupt);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytes);
        }
        for (const QStringList& args :
             {QStringList{"grow", "--mask", corrupt, "--grow", "4"},
              QStringList{"grow", "--mask", tmp.filePath("missing.png"), "--grow", "4"},
              QStringList{"grow", "--mask", inputs[0], "--grow", "4", "--mask-channel", "alpha"},
              QStringList{"grow", "--mask", inputs[0], "--grow", "2000"},
              QStringList{"grow", "--mask", inputs[0], "--grow", "4", "--mask-channel", "x"}}) {
            const QString out = tmp.filePath("bad.png");
            const auto lean = lbtest::runCli(args + QStringList{"--output", out});
            QVERIFY(!QFile::exists(out));
            const auto full = runProgram(ioCliPath(), args + QStringList{"--output", out});
            QVERIFY(!QFile::exists(out));
            QVERIFY(lean.exitCode != 0);
            QCOMPARE(lean.exitCode, full.exitCode);
            QCOMPARE(lean.err, full.err);
            QVERIFY2(lean.err.count('\n') == 1 || lean.err.count('\n') == 2, qPrintable(lean.err));
        }
    }
};

QTEST_GUILESS_MAIN(TestGrowPng)
#include "tst_grow_png.moc"
