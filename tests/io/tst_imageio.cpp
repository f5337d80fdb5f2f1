// Image and mask files through OpenImageIO: every format and bit depth, unassociated alpha,
// mask rules, EXIF orientation, the golden inputs, corrupt files, limits and atomic writes.
// OpenImageIO before Qt: Qt's keyword macros must not reach third-party headers.
#include <OpenImageIO/imageio.h>

#include "PngCrc.h"
#include "TestSupport.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/InpaintPreprocess.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace {

using SpecTweak = std::function<void(OIIO::ImageSpec&)>;

template <class T> OIIO::TypeDesc typeOf() {
    if constexpr (std::is_same_v<T, std::uint8_t>)
        return OIIO::TypeDesc::UINT8;
    else if constexpr (std::is_same_v<T, std::uint16_t>)
        return OIIO::TypeDesc::UINT16;
    else
        return OIIO::TypeDesc::FLOAT;
}

// Writes `data` (w x h x nch, interleaved) with OIIO itself, stored as `fileType`; channels are
// named Y / Y,A / R,G,B / R,G,B,A and alpha is written unassociated. Returns an error or "".
template <class T>
QString writeWithOiio(const QString& path, int w, int h, int nch, OIIO::TypeDesc fileType,
                      const std::vector<T>& data, const SpecTweak& tweak = {}) {
    OIIO::ImageSpec spec(w, h, nch, fileType);
    if (nch == 1) spec.channelnames = {"Y"};
    if (nch == 2) spec.channelnames = {"Y", "A"};
    spec.alpha_channel = (nch == 2 || nch == 4) ? nch - 1 : -1;
    spec.attribute("oiio:UnassociatedAlpha", 1);
    if (tweak) tweak(spec);
    const std::string name = path.toStdString();
    auto out = OIIO::ImageOutput::create(name);
    if (!out) return QString::fromStdString("create: " + OIIO::geterror());
    if (!out->open(name, spec)) return QString::fromStdString("open: " + out->geterror());
    if (!out->write_image(typeOf<T>(), data.data()))
        return QString::fromStdString("write: " + out->geterror());
    if (!out->close()) return QString::fromStdString("close: " + out->geterror());
    return {};
}

// libwebp's simple API, found in the process (OIIO links it; Debian has no libwebp headers).
// OIIO 2.4 can write WebP only lossy and with altered colors under alpha, so the tests make
// and check their WebP files with libwebp itself.
struct Libwebp {
    using Encode = std::size_t (*)(const std::uint8_t*, int, int, int, std::uint8_t**);
    using Decode = std::uint8_t* (*)(const std::uint8_t*, std::size_t, int*, int*);
    using Free = void (*)(void*);
    Encode encodeRgb = reinterpret_cast<Encode>(::dlsym(RTLD_DEFAULT, "WebPEncodeLosslessRGB"));
    Encode encodeRgba = reinterpret_cast<Encode>(::dlsym(RTLD_DEFAULT, "WebPEncodeLosslessRGBA"));
    Decode decodeRgba = reinterpret_cast<Decode>(::dlsym(RTLD_DEFAULT, "WebPDecodeRGBA"));
    Free release = reinterpret_cast<Free>(::dlsym(RTLD_DEFAULT, "WebPFree"));
    bool ok() const { return encodeRgb && encodeRgba && decodeRgba && release; }
};

QString writeLosslessWebp(const QString& path, int w, int h, int nch,
                          const std::vector<std::uint8_t>& bytes) {
    const Libwebp webp;
    if (!webp.ok()) return QStringLiteral("libwebp not found in the process");
    std::uint8_t* out = nullptr;
    const std::size_t size =
        (nch == 4 ? webp.encodeRgba : webp.encodeRgb)(bytes.data(), w, h, w * nch, &out);
    if (!size) return QStringLiteral("libwebp could not encode");
    QFile f(path);
    const bool written = f.open(QIODevice::WriteOnly) &&
                         f.write(reinterpret_cast<const char*>(out), qint64(size)) == qint64(size);
    webp.release(out);
    return written ? QString() : QStringLiteral("cannot write ") + path;
}

// The RGBA bytes of a WebP file as libwebp decodes them.
std::vector<std::uint8_t> decodeWebpRgba(const QString& path, int* w, int* h) {
    const Libwebp webp;
    QFile f(path);
    if (!webp.ok() || !f.open(QIODevice::ReadOnly)) return {};
    const QByteArray all = f.readAll();
    std::uint8_t* rgba = webp.decodeRgba(reinterpret_cast<const std::uint8_t*>(all.constData()),
                                         std::size_t(all.size()), w, h);
    if (!rgba) return {};
    std::vector<std::uint8_t> bytes(rgba, rgba + std::size_t(*w) * *h * 4);
    webp.release(rgba);
    return bytes;
}

// "" when equal within `tolerance` (0: bit-for-bit), else where and how they differ.
QString firstDifference(const std::vector<float>& actual, const std::vector<float>& expected,
                        float tolerance = 0.0f) {
    if (actual.size() != expected.size())
        return QStringLiteral("size %1 instead of %2").arg(actual.size()).arg(expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i) {
        const bool same = tolerance == 0.0f
                              ? std::memcmp(&actual[i], &expected[i], sizeof(float)) == 0
                              : std::fabs(actual[i] - expected[i]) <= tolerance;
        if (!same)
            return QStringLiteral("sample %1: %2 instead of %3")
                .arg(i)
                .arg(double(actual[i]), 0, 'g', 9)
                .arg(double(expected[i]), 0, 'g', 9);
    }
    return {};
}

bool isOneLine(const std::string& message) {
    return message.find('\n') == std::string::npos && message.find('\r') == std::string::npos;
}

QStringList entriesOf(const QString& dir) {
    return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System |
                               QDir::NoDotAndDotDot);
}

std::vector<std::uint8_t> bytePattern(std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = std::uint8_t((i * 37 + 11) % 256); // all 256 values
    return v;
}

std::vector<std::uint16_t> wordPattern(std::size_t n) {
    std::vector<std::uint16_t> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = std::uint16_t((i * 40503 + 7) % 65536);
    v[0] = 0;
    v[1] = 65535;
    return v;
}

// Values exactly representable in half precision, some outside [0, 1].
std::vector<float> halfPattern(std::size_t n) {
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = float(i % 512) / 256.0f - 0.5f;
    return v;
}

std::vector<float> floatPattern(std::size_t n) {
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = std::sin(float(i) * 0.37f) * 1.3f + 0.25f;
    return v;
}

// Colors divided by alpha where alpha is neither 0 nor 1 (OpenImageIO's unpremult rule): what
// readImage gives for a file that stores associated alpha, such as every OpenEXR file.
std::vector<float> unpremultiplied(std::vector<float> v, std::size_t nch, std::size_t alpha) {
    for (std::size_t p = 0; p < v.size(); p += nch) {
        const float a = v[p + alpha];
        if (a == 0.0f || a == 1.0f) continue;
        for (std::size_t c = 0; c < nch; ++c)
            if (c != alpha) v[p + c] /= a;
    }
    return v;
}

// A smooth 8-bit gradient for lossy codecs.
std::vector<std::uint8_t> smoothPattern(int w, int h, int nch) {
    std::vector<std::uint8_t> v(std::size_t(w) * h * nch);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < nch; ++c)
                v[(std::size_t(y) * w + x) * nch + c] = std::uint8_t(40 + x * 6 + y * 5 + c * 20);
    return v;
}

std::vector<float> bytesToFloats(const std::vector<std::uint8_t>& bytes) {
    std::vector<float> v(bytes.size());
    for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = float(bytes[i]) / 255.0f;
    return v;
}

std::vector<float> wordsToFloats(const std::vector<std::uint16_t>& words) {
    std::vector<float> v(words.size());
    for (std::size_t i = 0; i < v.size(); ++i)
        v[i] = float(words[i]) / 65535.0f;
    return v;
}

// Every value is k / 255 for an integer k: 8-bit samples converted as float(v) / 255.0f.
QString notByteValued(const std::vector<float>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        const float k = std::nearbyint(values[i] * 255.0f);
        if (!(k >= 0.0f && k <= 255.0f) || float(k) / 255.0f != values[i])
            return QStringLiteral("sample %1 = %2 is not float(k) / 255.0f")
                .arg(i)
                .arg(double(values[i]), 0, 'g', 9);
    }
    return {};
}

// --- A minimal PNG reader (8-bit, non-interlaced, gray/GA/RGB/RGBA), independent of OIIO -----

std::uint32_t bigEndian32(const unsigned char* p) {
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
           std::uint32_t(p[3]);
}

struct RawPng {
    int width = 0;
    int height = 0;
    int channels = 0;
    std::vector<std::uint8_t> bytes;
    QString error;
};

RawPng decodeRawPng(const QString& path) {
    RawPng png;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return png.error = QStringLiteral("cannot open"), png;
    const QByteArray all = file.readAll();
    const auto* p = reinterpret_cast<const unsigned char*>(all.constData());
    if (all.size() < 8 || std::memcmp(p, "\x89PNG\r\n\x1a\n", 8) != 0)
        return png.error = QStringLiteral("no PNG signature"), png;
    QByteArray idat;
    int colorType = -1;
    for (qsizetype pos = 8; pos + 12 <= all.size();) {
        const std::uint32_t length = bigEndian32(p + pos);
        const QByteArray type(all.constData() + pos + 4, 4);
        const unsigned char* data = p + pos + 8;
        if (pos + 12 + qsizetype(length) > all.size())
            return png.error = QStringLiteral("truncated chunk"), png;
        if (type == "IHDR") {
            png.width = int(bigEndian32(data));
            png.height = int(bigEndian32(data + 4));
            if (data[8] != 8 || data[12] != 0)
                return png.error = QStringLiteral("not 8-bit non-interlaced"), png;
            colorType = data[9];
        } else if (type == "IDAT") {
            idat.append(reinterpret_cast<const char*>(data), qsizetype(length));
        } else if (type == "IEND") {
            break;
        }
        pos += 12 + qsizetype(length);
    }
    switch (colorType) {
    case 0:
        png.channels = 1;
        break;
    case 4:
        png.channels = 2;
        break;
    case 2:
        png.channels = 3;
        break;
    case 6:
        png.channels = 4;
        break;
    default:
        return png.error = QStringLiteral("unsupported color type"), png;
    }
    const std::size_t stride = std::size_t(png.width) * png.channels;
    const std::size_t expected = std::size_t(png.height) * (stride + 1);
    QByteArray sized(4, '\0');
    for (int i = 0; i < 4; ++i)
        sized[i] = char((expected >> (24 - 8 * i)) & 0xff);
    const QByteArray filtered = qUncompress(sized + idat); // qUncompress = size prefix + zlib
    if (std::size_t(filtered.size()) != expected)
        return png.error = QStringLiteral("bad zlib stream"), png;

    png.bytes.assign(std::size_t(png.height) * stride, 0);
    const int bpp = png.channels;
    for (int y = 0; y < png.height; ++y) {
        const auto* in = reinterpret_cast<const std::uint8_t*>(filtered.constData()) +
                         std::size_t(y) * (stride + 1);
        std::uint8_t* row = png.bytes.data() + std::size_t(y) * stride;
        const std::uint8_t* up = y > 0 ? row - stride : nullptr;
        for (std::size_t i = 0; i < stride; ++i) {
            const int a = i >= std::size_t(bpp) ? row[i - bpp] : 0;
            const int b = up ? up[i] : 0;
            const int c = (up && i >= std::size_t(bpp)) ? up[i - bpp] : 0;
            int predictor = 0;
            switch (in[0]) {
            case 0:
                predictor = 0;
                break;
            case 1:
                predictor = a;
                break;
            case 2:
                predictor = b;
                break;
            case 3:
                predictor = (a + b) / 2;
                break;
            case 4: {
                const int pa = std::abs(b - c), pb = std::abs(a - c), pc = std::abs(a + b - 2 * c);
                predictor = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
                break;
            }
            default:
                return png.error = QStringLiteral("bad filter type"), png;
            }
            row[i] = std::uint8_t(in[1 + i] + predictor);
        }
    }
    return png;
}

// PNG chunks for crafted files (a header claiming any size).
using lbtest::pngCrc32;

QByteArray be32(std::uint32_t v) {
    QByteArray b(4, '\0');
    for (int i = 0; i < 4; ++i)
        b[i] = char((v >> (24 - 8 * i)) & 0xff);
    return b;
}

QByteArray pngChunk(const QByteArray& type, const QByteArray& data) {
    return be32(std::uint32_t(data.size())) + type + data + be32(pngCrc32(type + data));
}

// A PNG whose IHDR claims width x height (RGB, 8-bit) followed by a small IDAT and IEND.
QByteArray craftedPng(std::uint32_t width, std::uint32_t height) {
    QByteArray ihdr = be32(width) + be32(height);
    ihdr.append(char(8)).append(char(2)).append(char(0)).append(char(0)).append(char(0));
    const QByteArray zlib = qCompress(QByteArray(64, '\0')).mid(4); // strip Qt's size prefix
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + pngChunk("IHDR", ihdr) + pngChunk("IDAT", zlib) +
           pngChunk("IEND", {});
}

bool writeFileBytes(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

} // namespace

class ImageIOTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    QString path(const QString& name) const { return dir_.filePath(name); }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    // Formats Debian's OIIO 2.4 reads and writes, every bit depth, exact expected floats.
    void readsEveryFormat_data() {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<int>("channels");
        QTest::addColumn<QString>("stored"); // uint8, uint16, half, float
        QTest::addColumn<bool>("lossless");
        QTest::addColumn<QString>("formatName");
        QTest::addColumn<int>("bits");
        QTest::addColumn<bool>("isFloat");
        QTest::addColumn<int>("channelsRead");

        auto row = [](const char* name, const char* file, int ch, const char* stored, bool exact,
                      const char* format, int bits, bool isFloat, int channelsRead = 0) {
            QTest::newRow(name) << QString::fromLatin1(file) << ch << QString::fromLatin1(stored)
                                << exact << QString::fromLatin1(format) << bits << isFloat
                                << (channelsRead ? channelsRead : ch);
        };
        row("png 8-bit gray", "g8.png", 1, "uint8", true, "png", 8, false);
        row("png 8-bit gray+alpha", "ga8.png", 2, "uint8", true, "png", 8, false);
        row("png 8-bit rgb", "rgb8.png", 3, "uint8", true, "png", 8, false);
        row("png 8-bit rgba", "rgba8.png", 4, "uint8", true, "png", 8, false);
        row("png 16-bit gray", "g16.png", 1, "uint16", true, "png", 16, false);
        row("png 16-bit gray+alpha", "ga16.png", 2, "uint16", true, "png", 16, false);
        row("png 16-bit rgb", "rgb16.png", 3, "uint16", true, "png", 16, false);
        row("png 16-bit rgba", "rgba16.png", 4, "uint16", true, "png", 16, false);
        row("tiff 8-bit gray", "g8.tif", 1, "uint8", true, "tiff", 8, false);
        row("tiff 8-bit rgb", "rgb8.tif", 3, "uint8", true, "tiff", 8, false);
        row("tiff 8-bit rgba", "rgba8.tiff", 4, "uint8", true, "tiff", 8, false);
        row("tiff 16-bit gray+alpha", "ga16.tif", 2, "uint16", true, "tiff", 16, false);
        row("tiff 16-bit rgb", "rgb16.tif", 3, "uint16", true, "tiff", 16, false);
        row("tiff float gray", "gf.tif", 1, "float", true, "tiff", 32, true);
        row("tiff float rgba", "rgbaf.tif", 4, "float", true, "tiff", 32, true);
        row("exr half rgb", "rgbh.exr", 3, "half", true, "openexr", 16, true);
        row("exr half rgba", "rgbah.exr", 4, "half", true, "openexr", 16, true);
        row("exr float gray", "gf.exr", 1, "float", true, "openexr", 32, true);
        row("exr float rgba", "rgbaf.exr", 4, "float", true, "openexr", 32, true);
        row("bmp 8-bit rgb", "rgb8.bmp", 3, "uint8", true, "bmp", 8, false);
        // OpenImageIO writes a 32-bit BMP without bit fields, whose fourth byte PIL (and so
        // readImage) leaves unused: RGB.
        row("bmp 8-bit rgba: read without the fourth byte", "rgba8.bmp", 4, "uint8", true, "bmp", 8,
            false, 3);
        row("webp rgb (lossless)", "rgb8.webp", 3, "uint8", true, "webp", 8, false);
        row("webp rgba (lossless)", "rgba8.webp", 4, "uint8", true, "webp", 8, false);
        row("jpeg rgb", "rgb8.jpg", 3, "uint8", false, "jpeg", 8, false);
        row("jpeg gray", "g8.jpeg", 1, "uint8", false, "jpeg", 8, false);
        row("targa 8-bit rgba", "rgba8.tga", 4, "uint8", true, "targa", 8, false);
        row("ppm 8-bit rgb", "rgb8.ppm", 3, "uint8", true, "pnm", 8, false);
    }

    void readsEveryFormat() {
        QFETCH(QString, fileName);
        QFETCH(int, channels);
        QFETCH(QString, stored);
        QFETCH(bool, lossless);
        QFETCH(QString, formatName);
        QFETCH(int, bits);
        QFETCH(bool, isFloat);
        QFETCH(int, channelsRead);

        const int w = 16, h = 16;
        const std::size_t n = std::size_t(w) * h * channels;
        const QString file = path(fileName);
        std::vector<float> expected;
        QString written;
        if (!lossless) {
            const auto bytes = smoothPattern(w, h, channels);
            written =
                writeWithOiio(file, w, h, channels, OIIO::TypeDesc::UINT8, bytes,
                              [](OIIO::ImageSpec& s) { s.attribute("Compression", "jpeg:95"); });
            expected = bytesToFloats(bytes);
        } else if (formatName == QLatin1String("webp")) {
            auto bytes = bytePattern(n);
            // libwebp's lossless encoder may recolor fully transparent pixels: keep alpha > 0.
            for (std::size_t i = 3; channels == 4 && i < n; i += 4)
                bytes[i] = std::max<std::uint8_t>(bytes[i], 1);
            written = writeLosslessWebp(file, w, h, channels, bytes);
            expected = bytesToFloats(bytes);
        } else if (stored == QLatin1String("uint8")) {
            const auto bytes = bytePattern(n);
            written = writeWithOiio(file, w, h, channels, OIIO::TypeDesc::UINT8, bytes);
            expected = bytesToFloats(bytes);
        } else if (stored == QLatin1String("uint16")) {
            const auto words = wordPattern(n);
            written = writeWithOiio(file, w, h, channels, OIIO::TypeDesc::UINT16, words);
            expected = wordsToFloats(words);
        } else {
            const bool half = stored == QLatin1String("half");
            expected = half ? halfPattern(n) : floatPattern(n);
            written = writeWithOiio(file, w, h, channels,
                                    half ? OIIO::TypeDesc::HALF : OIIO::TypeDesc::FLOAT, expected);
            // OpenEXR stores colors premultiplied: read, they are divided by alpha.
            if (formatName == QLatin1String("openexr") && (channels == 2 || channels == 4))
                expected =
                    unpremultiplied(expected, std::size_t(channels), std::size_t(channels - 1));
        }
        QVERIFY2(written.isEmpty(), qPrintable(written));
        if (channelsRead == channels - 1) { // the file's last channel is not read
            std::vector<float> kept;
            for (std::size_t i = 0; i < expected.size(); ++i)
                if (i % std::size_t(channels) != std::size_t(channels - 1))
                    kept.push_back(expected[i]);
            expected = std::move(kept);
        }

        // Every bit of 16-bit files (--input-precision full); the default's 8-bit values, PIL's,
        // are checked against PIL itself in cli_tst_pil_loader.
        lb::ImageReadOptions everyBit;
        everyBit.precision = lb::InputPrecision::Full;
        auto loaded = lb::readImage(file.toStdString(), everyBit);
        LB_VERIFY_OK(loaded);
        QCOMPARE(loaded->format, formatName.toStdString());
        QCOMPARE(loaded->image.width, w);
        QCOMPARE(loaded->image.height, h);
        QCOMPARE(loaded->image.channels, channelsRead);
        QCOMPARE(loaded->bitsPerSample, bits);
        QCOMPARE(loaded->isFloat, isFloat);
        QCOMPARE(loaded->hasAlpha, channelsRead == 2 || channelsRead == 4);
        QCOMPARE(loaded->alphaChannel, loaded->hasAlpha ? channelsRead - 1 : -1);
        if (lossless) {
            const QString diff = firstDifference(loaded->image.data, expected);
            QVERIFY2(diff.isEmpty(), qPrintable(diff));
        } else {
            const QString diff = firstDifference(loaded->image.data, expected, 6.0f / 255.0f);
            QVERIFY2(diff.isEmpty(), qPrintable(diff));
            const QString conversion = notByteValued(loaded->image.data);
            QVERIFY2(conversion.isEmpty(), qPrintable(conversion));
        }
    }

    // 8-bit conversion is float(v) / 255.0f for every byte value, which a multiply by 1/255.f
    // would miss for about half of them.
    void byteConversionIsTheReferences() {
        std::vector<std::uint8_t> all(256);
        for (int i = 0; i < 256; ++i)
            all[std::size_t(i)] = std::uint8_t(i);
        const QString file = path(QStringLiteral("all-bytes.png"));
        QVERIFY(writeWithOiio(file, 16, 16, 1, OIIO::TypeDesc::UINT8, all).isEmpty());
        auto loaded = lb::readImage(file.toStdString());
        QVERIFY(loaded.ok());
        int differsFromMultiply = 0;
        for (int i = 0; i < 256; ++i) {
            const float v = loaded->image.data[std::size_t(i)];
            const float reference = float(i) / 255.0f;
            QCOMPARE(std::memcmp(&v, &reference, sizeof v), 0);
            if (v != float(i) * (1.0f / 255.0f)) ++differsFromMultiply;
        }
        QVERIFY(differsFromMultiply > 0); // the distinction this test guards is real
    }

    // Colors come back as stored, not premultiplied by alpha.
    void alphaStaysUnassociated_data() {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<bool>("sixteenBit");
        QTest::addColumn<bool>("transparentPixel");
        QTest::newRow("png 8-bit rgba") << "ua8.png" << false << true;
        QTest::newRow("png 16-bit rgba") << "ua16.png" << true << true;
        QTest::newRow("tiff 8-bit rgba") << "ua8.tif" << false << true;
        QTest::newRow("webp rgba") << "ua8.webp" << false << false;
    }

    void alphaStaysUnassociated() {
        QFETCH(QString, fileName);
        QFETCH(bool, sixteenBit);
        QFETCH(bool, transparentPixel);
        // RGBA pixels: half transparent, fully transparent (keeps its color), nearly
        // transparent, opaque.
        std::vector<std::uint8_t> bytes = {200, 100, 50, 128, 255, 255, 255, 0,
                                           10,  20,  30, 1,   90,  180, 240, 255};
        if (!transparentPixel) bytes[7] = 77;
        const QString file = path(fileName);
        std::vector<float> expected;
        QString written;
        if (fileName.endsWith(QLatin1String(".webp"))) {
            written = writeLosslessWebp(file, 4, 1, 4, bytes);
            expected = bytesToFloats(bytes);
        } else if (sixteenBit) {
            std::vector<std::uint16_t> words(bytes.size());
            for (std::size_t i = 0; i < bytes.size(); ++i)
                words[i] = std::uint16_t(bytes[i] * 257);
            written = writeWithOiio(file, 4, 1, 4, OIIO::TypeDesc::UINT16, words);
            expected = wordsToFloats(words);
        } else {
            written = writeWithOiio(file, 4, 1, 4, OIIO::TypeDesc::UINT8, bytes);
            expected = bytesToFloats(bytes);
        }
        QVERIFY2(written.isEmpty(), qPrintable(written));

        auto loaded = lb::readImage(file.toStdString());
        LB_VERIFY_OK(loaded);
        const QString diff = firstDifference(loaded->image.data, expected);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));

        // OIIO's default read premultiplies: the option is what keeps the colors.
        auto plain = OIIO::ImageInput::open(file.toStdString());
        QVERIFY(plain);
        std::vector<float> premultiplied(16);
        QVERIFY(plain->read_image(0, 0, 0, 4, OIIO::TypeDesc::FLOAT, premultiplied.data()));
        QVERIFY(std::fabs(premultiplied[0] - expected[0]) > 0.2f);
    }

    void alphaGivesMask_data() {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<int>("channels");
        QTest::addColumn<bool>("sixteenBit");
        QTest::newRow("png 8-bit rgba") << "am-rgba8.png" << 4 << false;
        QTest::newRow("png 8-bit gray+alpha") << "am-ga8.png" << 2 << false;
        QTest::newRow("png 16-bit rgba") << "am-rgba16.png" << 4 << true;
        QTest::newRow("png 8-bit rgb: no alpha") << "am-rgb8.png" << 3 << false;
        QTest::newRow("png 8-bit gray: no alpha") << "am-g8.png" << 1 << false;
    }

    void alphaGivesMask() {
        QFETCH(QString, fileName);
        QFETCH(int, channels);
        QFETCH(bool, sixteenBit);
        const int w = 16, h = 16;
        const std::size_t n = std::size_t(w) * h * channels;
        const QString file = path(fileName);
        std::vector<float> expectedMask;
        const bool hasAlpha = channels == 2 || channels == 4;
        if (sixteenBit) {
            const auto words = wordPattern(n);
            QVERIFY(writeWithOiio(file, w, h, channels, OIIO::TypeDesc::UINT16, words).isEmpty());
            for (std::size_t i = channels - 1; hasAlpha && i < n; i += channels)
                expectedMask.push_back(1.0f - float(words[i]) / 65535.0f);
        } else {
            const auto bytes = bytePattern(n);
            QVERIFY(writeWithOiio(file, w, h, channels, OIIO::TypeDesc::UINT8, bytes).isEmpty());
            for (std::size_t i = channels - 1; hasAlpha && i < n; i += channels)
                expectedMask.push_back(1.0f - float(bytes[i]) / 255.0f);
        }
        lb::ImageReadOptions everyBit; // 16-bit alpha in full, as readMask reads it
        everyBit.precision = lb::InputPrecision::Full;
        auto loaded = lb::readImage(file.toStdString(), everyBit);
        QVERIFY(loaded.ok());
        const lb::MaskBuffer mask = lb::maskFromAlpha(*loaded);
        if (!hasAlpha) {
            QVERIFY(mask.empty());
            QVERIFY(mask.data.empty());
        } else {
            QCOMPARE(mask.width, w);
            QCOMPARE(mask.height, h);
            const QString diff = firstDifference(mask.data, expectedMask);
            QVERIFY2(diff.isEmpty(), qPrintable(diff));
            // readMask with the default rule gives the same mask.
            auto fromFile = lb::readMask(file.toStdString(), lb::MaskChannel::Auto, everyBit);
            QVERIFY(fromFile.ok());
            QVERIFY(firstDifference(fromFile->data, expectedMask).isEmpty());
        }

        // toRgb: alpha dropped, gray replicated.
        const lb::ImageBuffer rgb = lb::toRgb(loaded->image);
        QCOMPARE(rgb.channels, 3);
        QCOMPARE(rgb.data.size(), std::size_t(w) * h * 3);
        const int colors = channels >= 3 ? 3 : 1;
        for (std::size_t p = 0; p < std::size_t(w) * h; ++p)
            for (int c = 0; c < 3; ++c)
                QCOMPARE(rgb.data[p * 3 + c],
                         loaded->image.data[p * channels + (colors == 3 ? c : 0)]);
    }

    void parsesMaskChannel_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<int>("channel");
        QTest::newRow("auto") << "auto" << true << int(lb::MaskChannel::Auto);
        QTest::newRow("alpha") << "alpha" << true << int(lb::MaskChannel::Alpha);
        QTest::newRow("red") << "red" << true << int(lb::MaskChannel::Red);
        QTest::newRow("green") << "green" << true << int(lb::MaskChannel::Green);
        QTest::newRow("blue") << "blue" << true << int(lb::MaskChannel::Blue);
        QTest::newRow("luma") << "luma" << true << int(lb::MaskChannel::Luma);
        QTest::newRow("upper case") << "Alpha" << true << int(lb::MaskChannel::Alpha);
        QTest::newRow("unknown") << "purple" << false << -1;
        QTest::newRow("empty") << "" << false << -1;
        QTest::newRow("letter") << "r" << false << -1;
    }

    void parsesMaskChannel() {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QFETCH(int, channel);
        lb::MaskChannel parsed = lb::MaskChannel::Blue;
        QCOMPARE(lb::parseMaskChannel(name.toStdString(), &parsed), valid);
        QCOMPARE(int(parsed), valid ? channel : int(lb::MaskChannel::Blue)); // untouched if invalid
    }

    // docs/FILES.md's mask rules, each expected value computed here from the stored samples.
    void maskChannelRules_data() {
        QTest::addColumn<int>("channels");
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("expect"); // gray, 1-alpha, red, green, blue, luma, error
        QTest::newRow("gray, auto: its value") << 1 << "auto"
                                               << "gray";
        QTest::newRow("gray, red: its value") << 1 << "red"
                                              << "gray";
        QTest::newRow("gray, luma: its value") << 1 << "luma"
                                               << "gray";
        QTest::newRow("gray, alpha: error") << 1 << "alpha"
                                            << "error";
        QTest::newRow("gray+alpha, auto: 1 - alpha") << 2 << "auto"
                                                     << "1-alpha";
        QTest::newRow("gray+alpha, blue: gray value") << 2 << "blue"
                                                      << "gray";
        QTest::newRow("rgb, auto: red") << 3 << "auto"
                                        << "red";
        QTest::newRow("rgb, green") << 3 << "green"
                                    << "green";
        QTest::newRow("rgb, blue") << 3 << "blue"
                                   << "blue";
        QTest::newRow("rgb, luma") << 3 << "luma"
                                   << "luma";
        QTest::newRow("rgb, alpha: error") << 3 << "alpha"
                                           << "error";
        QTest::newRow("rgba, auto: 1 - alpha") << 4 << "auto"
                                               << "1-alpha";
        QTest::newRow("rgba, alpha") << 4 << "alpha"
                                     << "1-alpha";
        QTest::newRow("rgba, red overrides alpha") << 4 << "red"
                                                   << "red";
        QTest::newRow("rgba, luma") << 4 << "luma"
                                    << "luma";
    }

    void maskChannelRules() {
        QFETCH(int, channels);
        QFETCH(QString, option);
        QFETCH(QString, expect);
        const int w = 16, h = 16;
        const auto bytes = bytePattern(std::size_t(w) * h * channels);
        const QString file = path(QStringLiteral("rule-%1ch.png").arg(channels));
        QVERIFY(writeWithOiio(file, w, h, channels, OIIO::TypeDesc::UINT8, bytes).isEmpty());
        lb::MaskChannel channel;
        QVERIFY(lb::parseMaskChannel(option.toStdString(), &channel));

        auto mask = lb::readMask(file.toStdString(), channel);
        if (expect == QLatin1String("error")) {
            QVERIFY(!mask.ok());
            QVERIFY(mask.message().rfind(file.toStdString() + ": ", 0) == 0);
            QVERIFY(mask.message().find("alpha") != std::string::npos);
            QVERIFY(isOneLine(mask.message()));
            return;
        }
        LB_VERIFY_OK(mask);
        QCOMPARE(mask->width, w);
        QCOMPARE(mask->height, h);
        std::vector<float> expected;
        for (std::size_t p = 0; p < std::size_t(w) * h; ++p) {
            const std::uint8_t* s = bytes.data() + p * channels;
            auto f = [](std::uint8_t v) { return float(v) / 255.0f; };
            if (expect == QLatin1String("gray")) expected.push_back(f(s[0]));
            if (expect == QLatin1String("1-alpha")) expected.push_back(1.0f - f(s[channels - 1]));
            if (expect == QLatin1String("red")) expected.push_back(f(s[0]));
            if (expect == QLatin1String("green")) expected.push_back(f(s[1]));
            if (expect == QLatin1String("blue")) expected.push_back(f(s[2]));
            if (expect == QLatin1String("luma")) {
                volatile float r = 0.299f * f(s[0]); // no contraction into fused multiply-adds
                volatile float g = 0.587f * f(s[1]);
                volatile float b = 0.114f * f(s[2]);
                volatile float rg = r + g;
                expected.push_back(rg + b);
            }
        }
        const QString diff = firstDifference(mask->data, expected);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

    // Float masks are clamped to [0, 1], 1 - alpha included.
    void floatMaskIsClamped() {
        const std::vector<float> gray = {-0.5f, 0.0f, 0.25f, 1.0f, 1.5f, 3.0f};
        const QString grayFile = path(QStringLiteral("mask-gray.exr"));
        QVERIFY(writeWithOiio(grayFile, 6, 1, 1, OIIO::TypeDesc::FLOAT, gray).isEmpty());
        auto mask = lb::readMask(grayFile.toStdString());
        QVERIFY(mask.ok());
        QVERIFY(firstDifference(mask->data, {0.0f, 0.0f, 0.25f, 1.0f, 1.0f, 1.0f}).isEmpty());

        const std::vector<float> grayAlpha = {0.3f, 1.5f, 0.3f, -2.0f, 0.3f, 0.75f};
        const QString gaFile = path(QStringLiteral("mask-ga.tif"));
        QVERIFY(writeWithOiio(gaFile, 3, 1, 2, OIIO::TypeDesc::FLOAT, grayAlpha).isEmpty());
        mask = lb::readMask(gaFile.toStdString());
        QVERIFY(mask.ok());
        QVERIFY(firstDifference(mask->data, {0.0f, 1.0f, 0.25f}).isEmpty());
        auto loaded = lb::readImage(gaFile.toStdString());
        QVERIFY(loaded.ok());
        QVERIFY(firstDifference(lb::maskFromAlpha(*loaded).data, {0.0f, 1.0f, 0.25f}).isEmpty());
    }

    // EXIF orientation 1..8 on a 3x2 stored image of values 1..6 (R = 10k, G = 10k + 1,
    // B = 10k + 2), displayed as the EXIF definitions say.
    void appliesOrientation_data() {
        QTest::addColumn<int>("orientation");
        QTest::addColumn<int>("width");
        QTest::addColumn<QList<int>>("shown"); // row-major values k of the displayed image
        QTest::newRow("1 normal") << 1 << 3 << QList<int>{1, 2, 3, 4, 5, 6};
        QTest::newRow("2 mirrored") << 2 << 3 << QList<int>{3, 2, 1, 6, 5, 4};
        QTest::newRow("3 rotated 180") << 3 << 3 << QList<int>{6, 5, 4, 3, 2, 1};
        QTest::newRow("4 flipped") << 4 << 3 << QList<int>{4, 5, 6, 1, 2, 3};
        QTest::newRow("5 transposed") << 5 << 2 << QList<int>{1, 4, 2, 5, 3, 6};
        QTest::newRow("6 rotate 90 cw") << 6 << 2 << QList<int>{4, 1, 5, 2, 6, 3};
        QTest::newRow("7 transversed") << 7 << 2 << QList<int>{6, 3, 5, 2, 4, 1};
        QTest::newRow("8 rotate 90 ccw") << 8 << 2 << QList<int>{3, 6, 2, 5, 1, 4};
    }

    void appliesOrientation() {
        QFETCH(int, orientation);
        QFETCH(int, width);
        QFETCH(QList<int>, shown);
        std::vector<std::uint8_t> stored;
        for (int k = 1; k <= 6; ++k)
            for (int c = 0; c < 3; ++c)
                stored.push_back(std::uint8_t(10 * k + c));
        const QString file = path(QStringLiteral("orient%1.tif").arg(orientation));
        QVERIFY(
            writeWithOiio(file, 3, 2, 3, OIIO::TypeDesc::UINT8, stored, [&](OIIO::ImageSpec& s) {
                s.attribute("Orientation", orientation);
            }).isEmpty());
        auto check = OIIO::ImageInput::open(file.toStdString());
        QVERIFY(check);
        QCOMPARE(check->spec().get_int_attribute("Orientation", 1), orientation);

        auto loaded = lb::readImage(file.toStdString());
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->image.width, width);
        QCOMPARE(loaded->image.height, 6 / width);
        std::vector<float> expected;
        for (int k : shown)
            for (int c = 0; c < 3; ++c)
                expected.push_back(float(10 * k + c) / 255.0f);
        const QString diff = firstDifference(loaded->image.data, expected);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));

        // Masks are oriented the same way.
        auto mask = lb::readMask(file.toStdString());
        QVERIFY(mask.ok());
        QCOMPARE(mask->width, width);
        for (std::size_t i = 0; i < 6; ++i)
            QCOMPARE(mask->data[i], expected[i * 3]);
    }

    // The same eight orientations through JPEG's EXIF block: a 16x8 image of four flat
    // quadrants (stored TL 0, TR 80, BL 160, BR 240), checked at the displayed quadrants.
    void appliesJpegOrientation_data() {
        QTest::addColumn<int>("orientation");
        QTest::addColumn<QList<int>>("corners"); // displayed TL, TR, BL as stored 0..3
        QTest::newRow("1") << 1 << QList<int>{0, 1, 2};
        QTest::newRow("2") << 2 << QList<int>{1, 0, 3};
        QTest::newRow("3") << 3 << QList<int>{3, 2, 1};
        QTest::newRow("4") << 4 << QList<int>{2, 3, 0};
        QTest::newRow("5") << 5 << QList<int>{0, 2, 1};
        QTest::newRow("6") << 6 << QList<int>{2, 0, 3};
        QTest::newRow("7") << 7 << QList<int>{3, 1, 2};
        QTest::newRow("8") << 8 << QList<int>{1, 3, 0};
    }

    void appliesJpegOrientation() {
        QFETCH(int, orientation);
        QFETCH(QList<int>, corners);
        const int w = 16, h = 8;
        std::vector<std::uint8_t> stored(std::size_t(w) * h);
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
                stored[std::size_t(y) * w + x] =
                    std::uint8_t(80 * ((y >= h / 2) * 2 + (x >= w / 2)));
        const QString file = path(QStringLiteral("orient%1.jpg").arg(orientation));
        QVERIFY(
            writeWithOiio(file, w, h, 1, OIIO::TypeDesc::UINT8, stored, [&](OIIO::ImageSpec& s) {
                s.attribute("Orientation", orientation);
                s.attribute("Compression", "jpeg:100");
            }).isEmpty());
        auto loaded = lb::readImage(file.toStdString());
        QVERIFY(loaded.ok());
        const lb::ImageBuffer& img = loaded->image;
        const bool swapped = orientation >= 5;
        QCOMPARE(img.width, swapped ? h : w);
        QCOMPARE(img.height, swapped ? w : h);
        auto at = [&](int x, int y) { return img.data[std::size_t(y) * img.width + x] * 255.0f; };
        const int qx = img.width / 4, qy = img.height / 4;
        const float tl = at(qx, qy), tr = at(img.width - 1 - qx, qy),
                    bl = at(qx, img.height - 1 - qy);
        QVERIFY2(std::fabs(tl - 80.0f * corners[0]) < 12.0f, qPrintable(QString::number(tl)));
        QVERIFY2(std::fabs(tr - 80.0f * corners[1]) < 12.0f, qPrintable(QString::number(tr)));
        QVERIFY2(std::fabs(bl - 80.0f * corners[2]) < 12.0f, qPrintable(QString::number(bl)));
    }

    // Multi-subimage files give their first subimage.
    void readsFirstSubimage() {
        const QString file = path(QStringLiteral("two-pages.tif"));
        const std::string name = file.toStdString();
        const auto first = bytePattern(4 * 3 * 3);
        const std::vector<std::uint8_t> second(2 * 2 * 3, 7);
        OIIO::ImageSpec specs[2] = {OIIO::ImageSpec(4, 3, 3, OIIO::TypeDesc::UINT8),
                                    OIIO::ImageSpec(2, 2, 3, OIIO::TypeDesc::UINT8)};
        auto out = OIIO::ImageOutput::create(name);
        QVERIFY(out && out->supports("multiimage"));
        QVERIFY(out->open(name, 2, specs));
        QVERIFY(out->write_image(OIIO::TypeDesc::UINT8, first.data()));
        QVERIFY(out->open(name, specs[1], OIIO::ImageOutput::AppendSubimage));
        QVERIFY(out->write_image(OIIO::TypeDesc::UINT8, second.data()));
        QVERIFY(out->close());

        auto loaded = lb::readImage(name);
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->image.width, 4);
        QCOMPARE(loaded->image.height, 3);
        QVERIFY(firstDifference(loaded->image.data, bytesToFloats(first)).isEmpty());
    }

    // More than four channels: the first three color channels and alpha; a named non-alpha
    // fourth channel (Z) is not taken for alpha.
    void keepsColorAndAlphaOfManyChannels_data() {
        QTest::addColumn<QStringList>("names");
        QTest::addColumn<QStringList>("kept"); // channel names, in LoadedImage order
        QTest::addColumn<bool>("hasAlpha");
        QTest::newRow("R,G,B,A,Z")
            << QStringList{"R", "G", "B", "A", "Z"} << QStringList{"R", "G", "B", "A"} << true;
        QTest::newRow("R,G,B,Z") << QStringList{"R", "G", "B", "Z"} << QStringList{"R", "G", "B"}
                                 << false;
        QTest::newRow("Z,A,B,G,R (OIIO orders R,G,B,A first)")
            << QStringList{"Z", "A", "B", "G", "R"} << QStringList{"R", "G", "B", "A"} << true;
        QTest::newRow("Y,Z,A (gray, depth, alpha)")
            << QStringList{"Y", "Z", "A"} << QStringList{"Y", "A"} << true;
    }

    void keepsColorAndAlphaOfManyChannels() {
        QFETCH(QStringList, names);
        QFETCH(QStringList, kept);
        QFETCH(bool, hasAlpha);
        const int nch = int(names.size());
        const auto values = halfPattern(std::size_t(4) * 2 * nch);
        const QString file = path(QStringLiteral("many-%1.exr").arg(names.join(QString())));
        QVERIFY(
            writeWithOiio(file, 4, 2, nch, OIIO::TypeDesc::FLOAT, values, [&](OIIO::ImageSpec& s) {
                s.channelnames.clear();
                for (const QString& n : names)
                    s.channelnames.push_back(n.toStdString());
                s.alpha_channel = int(names.indexOf(QStringLiteral("A")));
            }).isEmpty());
        auto loaded = lb::readImage(file.toStdString());
        LB_VERIFY_OK(loaded);
        QCOMPARE(loaded->image.channels, int(kept.size()));
        QCOMPARE(loaded->hasAlpha, hasAlpha);
        // EXR stores channels sorted by name; find each kept channel by its name.
        auto in = OIIO::ImageInput::open(file.toStdString());
        QVERIFY(in);
        std::vector<float> raw(std::size_t(4) * 2 * nch);
        QVERIFY(in->read_image(0, 0, 0, nch, OIIO::TypeDesc::FLOAT, raw.data()));
        const auto& fileNames = in->spec().channelnames;
        const int fileAlpha =
            int(std::find(fileNames.begin(), fileNames.end(), "A") - fileNames.begin());
        for (int c = 0; c < int(kept.size()); ++c) {
            const std::string wanted = kept[c].toStdString();
            const int fc =
                int(std::find(fileNames.begin(), fileNames.end(), wanted) - fileNames.begin());
            QVERIFY(fc < nch);
            for (std::size_t p = 0; p < 8; ++p) {
                float expected = raw[p * nch + fc];
                // OpenEXR colors are premultiplied: divided by alpha when read
                const float a = fileAlpha < nch ? raw[p * nch + fileAlpha] : 1.0f;
                if (fc != fileAlpha && a != 0.0f && a != 1.0f) expected /= a;
                QCOMPARE(loaded->image.data[p * kept.size() + c], expected);
            }
        }
    }

    // A TIFF whose fourth channel is an unspecified extra sample: taken as alpha (RGBA layout).
    void unflaggedFourthChannelIsAlpha() {
        const auto bytes = bytePattern(4 * 4 * 4);
        const QString file = path(QStringLiteral("unflagged.tif"));
        QVERIFY(writeWithOiio(file, 4, 4, 4, OIIO::TypeDesc::UINT8, bytes, [](OIIO::ImageSpec& s) {
                    s.alpha_channel = -1;
                    s.channelnames = {"R", "G", "B", "channel3"};
                    s.erase_attribute("oiio:UnassociatedAlpha");
                }).isEmpty());
        auto loaded = lb::readImage(file.toStdString());
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->image.channels, 4);
        QVERIFY(loaded->hasAlpha);
        QCOMPARE(loaded->alphaChannel, 3);
        QVERIFY(firstDifference(loaded->image.data, bytesToFloats(bytes)).isEmpty());
    }

    // The golden inputs, checked against an independent decode of the PNG bytes.
    void readsGoldenInputs_data() {
        LB_REQUIRE_SHARED();
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("isMask");
        const QDir golden(lbtest::sharedDir() + QStringLiteral("/golden"));
        int rows = 0;
        for (const QString& c : golden.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
            for (const char* name : {"image.png", "mask.png"}) {
                const QString file = golden.filePath(c + QLatin1Char('/') + QLatin1String(name));
                if (!QFileInfo::exists(file)) continue;
                const QByteArray row = (c + QLatin1Char('/') + QLatin1String(name)).toUtf8();
                QTest::newRow(row.constData()) << file << (QLatin1String(name) == "mask.png");
                ++rows;
            }
        }
        if (rows == 0) LB_CANNOT_RUN("no golden cases with image.png or mask.png");
    }

    void readsGoldenInputs() {
        QFETCH(QString, file);
        QFETCH(bool, isMask);
        const RawPng raw = decodeRawPng(file);
        QVERIFY2(raw.error.isEmpty(), qPrintable(raw.error));
        const std::vector<float> values = bytesToFloats(raw.bytes);

        auto loaded = lb::readImage(file.toStdString());
        LB_VERIFY_OK(loaded);
        QCOMPARE(loaded->format, std::string("png"));
        QCOMPARE(loaded->image.width, raw.width);
        QCOMPARE(loaded->image.height, raw.height);
        QCOMPARE(loaded->image.channels, raw.channels);
        QVERIFY(firstDifference(loaded->image.data, values).isEmpty());

        const std::size_t pixels = std::size_t(raw.width) * raw.height;
        if (isMask) {
            QCOMPARE(raw.channels, 1);
            auto mask = lb::readMask(file.toStdString());
            QVERIFY(mask.ok());
            QVERIFY(firstDifference(mask->data, values).isEmpty());
            return;
        }
        if (file.endsWith(QLatin1String("kl4-alpha-mask-grow0/image.png"))) {
            QCOMPARE(raw.channels, 4);
            QVERIFY(loaded->hasAlpha);
        }
        const lb::MaskBuffer mask = lb::maskFromAlpha(*loaded);
        if (raw.channels != 4) {
            QVERIFY(mask.empty());
            return;
        }
        std::vector<float> expected(pixels);
        bool partial = false;
        for (std::size_t p = 0; p < pixels; ++p) {
            const std::uint8_t a = raw.bytes[p * 4 + 3];
            expected[p] = 1.0f - float(a) / 255.0f;
            partial = partial || (a != 0 && a != 255);
        }
        QVERIFY(firstDifference(mask.data, expected).isEmpty());
        // The colors compared above lie under partial alpha: a premultiplying read would fail.
        QVERIFY(partial);
    }

    // Broken inputs: one line naming the file, never a crash.
    void refusesCorruptFiles_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("truncated png") << "truncated.png"
                                       << "truncated"
                                       << "cannot decode";
        QTest::newRow("truncated jpeg") << "truncated.jpg"
                                        << "truncated"
                                        << "Premature end";
        QTest::newRow("truncated tiff") << "truncated.tif"
                                        << "truncated"
                                        << "cannot decode";
        QTest::newRow("truncated exr") << "truncated.exr"
                                       << "truncated"
                                       << "";
        QTest::newRow("truncated webp") << "truncated.webp"
                                        << "truncated"
                                        << "";
        QTest::newRow("truncated bmp") << "truncated.bmp"
                                       << "truncated"
                                       << "";
        QTest::newRow("jpeg header then noise") << "noise.jpg"
                                                << "jpegnoise"
                                                << "";
        QTest::newRow("png signature only") << "signature.png"
                                            << "signature"
                                            << "not a readable image";
        QTest::newRow("corrupt png header crc") << "badcrc.png"
                                                << "badcrc"
                                                << "not a readable image";
        QTest::newRow("zero-width png header") << "zero.png"
                                               << "zerowidth"
                                               << "";
        QTest::newRow("random bytes named .png") << "random.png"
                                                 << "random"
                                                 << "not a readable image";
        QTest::newRow("text named .exr") << "text.exr"
                                         << "text"
                                         << "not a readable image";
        QTest::newRow("empty file") << "empty.png"
                                    << "empty"
                                    << "empty file";
        QTest::newRow("missing file") << "missing.png"
                                      << "missing"
                                      << "no such file";
        QTest::newRow("folder") << "folder.png"
                                << "folder"
                                << "is a folder";
    }

    void refusesCorruptFiles() {
        QFETCH(QString, name);
        QFETCH(QString, kind);
        QFETCH(QString, fragment);
        const QString file = path(name);
        QByteArray valid; // a valid file of the format the name says (PNG for the others)
        {
            QString suffix = QFileInfo(name).suffix();
            if (kind != QLatin1String("truncated") && kind != QLatin1String("jpegnoise"))
                suffix = QStringLiteral("png");
            const QString source = path(QStringLiteral("source-%1.%2").arg(kind, suffix));
            const auto bytes = bytePattern(64 * 64 * 3);
            const QString written =
                suffix == QLatin1String("webp")
                    ? writeLosslessWebp(source, 64, 64, 3, bytes)
                    : writeWithOiio(source, 64, 64, 3, OIIO::TypeDesc::UINT8, bytes);
            QVERIFY2(written.isEmpty(), qPrintable(written));
            QFile f(source);
            QVERIFY(f.open(QIODevice::ReadOnly));
            valid = f.readAll();
        }
        if (kind == QLatin1String("truncated"))
            QVERIFY(writeFileBytes(file, valid.left(valid.size() / 2)));
        if (kind == QLatin1String("signature")) QVERIFY(writeFileBytes(file, valid.left(8)));
        if (kind == QLatin1String("jpegnoise")) {
            QByteArray noisy = valid.left(valid.size() / 4);
            std::uint32_t state = 777;
            for (int i = 0; i < 4096; ++i)
                noisy.append(char((state = state * 1664525u + 1013904223u) >> 24));
            QVERIFY(writeFileBytes(file, noisy));
        }
        if (kind == QLatin1String("badcrc")) {
            valid[20] = char(valid[20] ^ 0x5a); // inside IHDR's data
            QVERIFY(writeFileBytes(file, valid));
        }
        if (kind == QLatin1String("zerowidth")) QVERIFY(writeFileBytes(file, craftedPng(0, 16)));
        if (kind == QLatin1String("random")) {
            QByteArray noise(4096, '\0');
            std::uint32_t state = 12345;
            for (char& c : noise)
                c = char((state = state * 1664525u + 1013904223u) >> 24);
            QVERIFY(writeFileBytes(file, noise));
        }
        if (kind == QLatin1String("text")) QVERIFY(writeFileBytes(file, "not an image\n"));
        if (kind == QLatin1String("empty")) QVERIFY(writeFileBytes(file, {}));
        if (kind == QLatin1String("folder")) QVERIFY(QDir(dir_.path()).mkdir(name));

        auto image = lb::readImage(file.toStdString());
        QVERIFY(!image.ok());
        qInfo("%s", image.message().c_str());
        QVERIFY2(image.message().rfind(file.toStdString() + ": ", 0) == 0, image.message().c_str());
        QVERIFY(isOneLine(image.message()));
        QVERIFY2(image.message().find(fragment.toStdString()) != std::string::npos,
                 image.message().c_str());
        auto mask = lb::readMask(file.toStdString());
        QVERIFY(!mask.ok());
        QCOMPARE(mask.message(), image.message());
    }

    void wrongExtensionStillReads() {
        const QString file = path(QStringLiteral("really-a-png.jpg"));
        const QString png = path(QStringLiteral("really-a-png.png"));
        const auto bytes = bytePattern(8 * 8 * 3);
        QVERIFY(writeWithOiio(png, 8, 8, 3, OIIO::TypeDesc::UINT8, bytes).isEmpty());
        QVERIFY(QFile::copy(png, file));
        auto loaded = lb::readImage(file.toStdString());
        LB_VERIFY_OK(loaded);
        QCOMPARE(loaded->format, std::string("png"));
        QVERIFY(firstDifference(loaded->image.data, bytesToFloats(bytes)).isEmpty());
    }

    void enforcesMaxPixels() {
        const QString file = path(QStringLiteral("20x10.png"));
        QVERIFY(writeWithOiio(file, 20, 10, 1, OIIO::TypeDesc::UINT8, bytePattern(200)).isEmpty());
        lb::ImageReadOptions options;
        options.maxPixels = 199;
        auto refused = lb::readImage(file.toStdString(), options);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.message(), file.toStdString() +
                                        ": 20x10 pixels exceeds the limit of 199 pixels "
                                        "(--max-pixels raises it)");
        QVERIFY(!lb::readMask(file.toStdString(), lb::MaskChannel::Auto, options).ok());
        options.maxPixels = 200;
        QVERIFY(lb::readImage(file.toStdString(), options).ok());
        QVERIFY(lb::readMask(file.toStdString(), lb::MaskChannel::Auto, options).ok());
    }

    // A header claiming 70000x70000 is refused from the header alone, with the default limit.
    void refusesHugeHeaderBeforeDecoding() {
        const QString file = path(QStringLiteral("huge.png"));
        QVERIFY(writeFileBytes(file, craftedPng(70000, 70000)));
        QElapsedTimer timer;
        timer.start();
        auto refused = lb::readImage(file.toStdString());
        QVERIFY(!refused.ok());
        QCOMPARE(refused.message(), file.toStdString() +
                                        ": 70000x70000 pixels exceeds the limit of 268435456 "
                                        "pixels (--max-pixels raises it)");
        QVERIFY(timer.elapsed() < 2000);
    }

    void refusesNonFiniteValues_data() {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<float>("bad");
        QTest::addColumn<bool>("half");
        QTest::newRow("exr float NaN")
            << "nan.exr" << std::numeric_limits<float>::quiet_NaN() << false;
        QTest::newRow("exr float +inf")
            << "inf.exr" << std::numeric_limits<float>::infinity() << false;
        QTest::newRow("exr half -inf")
            << "ninf.exr" << -std::numeric_limits<float>::infinity() << true;
        QTest::newRow("exr half NaN")
            << "hnan.exr" << std::numeric_limits<float>::quiet_NaN() << true;
        QTest::newRow("tiff float NaN")
            << "nan.tif" << std::numeric_limits<float>::quiet_NaN() << false;
    }

    void refusesNonFiniteValues() {
        QFETCH(QString, fileName);
        QFETCH(float, bad);
        QFETCH(bool, half);
        std::vector<float> values(4 * 4 * 3, 0.5f);
        values[5 * 3 + 1] = bad; // x=1, y=1, green
        const QString file = path(fileName);
        QVERIFY(writeWithOiio(file, 4, 4, 3, half ? OIIO::TypeDesc::HALF : OIIO::TypeDesc::FLOAT,
                              values)
                    .isEmpty());
        auto image = lb::readImage(file.toStdString());
        QVERIFY(!image.ok());
        QVERIFY2(image.message().rfind(file.toStdString() + ": non-finite", 0) == 0,
                 image.message().c_str());
        QVERIFY2(image.message().find("x=1, y=1, channel 1") != std::string::npos,
                 image.message().c_str());
        auto mask = lb::readMask(file.toStdString());
        QVERIFY(!mask.ok());
    }

    // --- writers ------------------------------------------------------------------------------

    void writesImages_data() {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("channelsRead");
        QTest::addColumn<QString>("precision"); // byte, float, lossy
        QTest::newRow("png gray") << "w1.png" << 1 << 1 << "byte";
        QTest::newRow("png gray+alpha") << "w2.png" << 2 << 2 << "byte";
        QTest::newRow("png rgb") << "w3.png" << 3 << 3 << "byte";
        QTest::newRow("png rgba") << "w4.png" << 4 << 4 << "byte";
        QTest::newRow("PNG upper-case extension") << "W3.PNG" << 3 << 3 << "byte";
        QTest::newRow("bmp gray") << "w1.bmp" << 1 << 1 << "byte";
        // BMP has no gray+alpha: widened to RGBA, which OpenImageIO writes as 32 bits without bit
        // fields, whose fourth byte readImage leaves unused as PIL does.
        QTest::newRow("bmp gray+alpha: widened to rgba, read as rgb")
            << "w2.bmp" << 2 << 3 << "byte";
        QTest::newRow("bmp rgb") << "w3.bmp" << 3 << 3 << "byte";
        QTest::newRow("bmp rgba: read as rgb") << "w4.bmp" << 4 << 3 << "byte";
        QTest::newRow("webp gray: widened to rgb") << "w1.webp" << 1 << 3 << "byte";
        QTest::newRow("webp gray+alpha: widened to rgba") << "w2.webp" << 2 << 4 << "byte";
        QTest::newRow("webp rgb") << "w3.webp" << 3 << 3 << "byte";
        QTest::newRow("webp rgba") << "w4.webp" << 4 << 4 << "byte";
        QTest::newRow("jpg rgb") << "w3.jpg" << 3 << 3 << "lossy";
        QTest::newRow("jpeg rgba: alpha dropped") << "w4.jpeg" << 4 << 3 << "lossy";
        QTest::newRow("jpg gray") << "w1.jpg" << 1 << 1 << "lossy";
        QTest::newRow("tif gray float") << "w1.tif" << 1 << 1 << "float";
        QTest::newRow("tif gray+alpha float") << "w2.tif" << 2 << 2 << "float";
        QTest::newRow("tiff rgb float") << "w3.tiff" << 3 << 3 << "float";
        QTest::newRow("tif rgba float") << "w4.tif" << 4 << 4 << "float";
        QTest::newRow("exr gray float") << "w1.exr" << 1 << 1 << "float";
        QTest::newRow("exr rgb float") << "w3.exr" << 3 << 3 << "float";
        QTest::newRow("exr rgba float") << "w4.exr" << 4 << 4 << "float";
    }

    void writesImages() {
        QFETCH(QString, fileName);
        QFETCH(int, channels);
        QFETCH(int, channelsRead);
        QFETCH(QString, precision);
        const int w = 16, h = 16;
        lb::ImageBuffer image;
        image.width = w;
        image.height = h;
        image.channels = channels;
        const bool lossy = precision == QLatin1String("lossy");
        if (lossy) {
            image.data = bytesToFloats(smoothPattern(w, h, channels));
        } else {
            image.data = bytesToFloats(bytePattern(std::size_t(w) * h * channels));
            // Off-grid values, out-of-range values and exact half-way points.
            const float extra[] = {-0.25f, 1.5f, 0.5f, 0.3f, 127.5f / 255.0f, 1.0f / 510.0f, 1e-9f};
            for (std::size_t i = 0; i < std::size(extra); ++i)
                image.data[i * 5] = extra[i];
        }
        const bool webp = fileName.endsWith(QLatin1String(".webp"));
        if (webp && (channels == 2 || channels == 4)) // libwebp may recolor alpha-0 pixels
            for (std::size_t i = channels - 1; i < image.data.size(); i += channels)
                image.data[i] = std::max(image.data[i], 1.0f / 255.0f);
        const QString file = path(fileName);
        const lb::Status written = lb::writeImage(file.toStdString(), image);
        LB_VERIFY_OK(written);

        auto loaded = lb::readImage(file.toStdString());
        LB_VERIFY_OK(loaded);
        QCOMPARE(loaded->image.channels, channelsRead);
        QCOMPARE(loaded->isFloat, precision == QLatin1String("float"));
        // Expected: the source channels mapped into the written layout.
        std::vector<float> expected;
        const bool alphaIn = channels == 2 || channels == 4;
        const bool alphaOut = channelsRead == 2 || channelsRead == 4;
        for (std::size_t p = 0; p < std::size_t(w) * h; ++p) {
            const float* s = image.data.data() + p * channels;
            const int colorsOut = alphaOut ? channelsRead - 1 : channelsRead;
            for (int c = 0; c < colorsOut; ++c)
                expected.push_back(s[channels >= 3 ? c : 0]);
            if (alphaOut) expected.push_back(alphaIn ? s[channels - 1] : 1.0f);
        }
        // writeImage premultiplies what goes into OpenEXR; readImage divides it out again
        // (c * a / a: within a unit of float rounding of c).
        const bool exrAlpha = fileName.endsWith(QLatin1String(".exr")) && alphaOut;
        if (exrAlpha)
            for (std::size_t p = 0; p < expected.size(); p += std::size_t(channelsRead)) {
                const float a = expected[p + std::size_t(channelsRead - 1)];
                for (int c = 0; c < channelsRead - 1; ++c)
                    if (a == 0.0f) expected[p + std::size_t(c)] = 0.0f;
            }
        if (precision == QLatin1String("byte")) {
            for (float& v : expected) {
                const float byte =
                    v <= 0.0f ? 0.0f : (v >= 1.0f ? 255.0f : std::nearbyint(v * 255.0f));
                v = float(byte) / 255.0f;
            }
        }
        const QString diff = firstDifference(loaded->image.data, expected,
                                             lossy      ? 6.0f / 255.0f
                                             : exrAlpha ? 1e-6f
                                                        : 0.0f);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
        if (webp) { // the file's own bytes, as libwebp decodes them
            int dw = 0, dh = 0;
            const auto rgba = decodeWebpRgba(file, &dw, &dh);
            QCOMPARE(dw, w);
            QCOMPARE(dh, h);
            std::vector<float> stored;
            for (std::size_t i = 0; i < rgba.size(); ++i)
                if (channelsRead == 4 || i % 4 != 3) stored.push_back(float(rgba[i]) / 255.0f);
            QVERIFY(firstDifference(stored, expected).isEmpty());
        }
        QCOMPARE(entriesOf(dir_.path()).filter(QStringLiteral(".lbtmp")).size(), 0);
    }

    // round(v * 255) with ties to even: 127.5 -> 128, 0.5 -> 0, out of range clamped.
    void writesMaskPng() {
        lb::MaskBuffer mask;
        mask.width = 8;
        mask.height = 2;
        mask.data = {0.0f,
                     1.0f,
                     -1.0f,
                     2.0f,
                     127.5f / 255.0f,
                     0.5f / 255.0f,
                     1.5f / 255.0f,
                     0.5f,
                     std::nanf(""),
                     lb::byteToFloat(1),
                     lb::byteToFloat(254),
                     0.999f,
                     0.001f,
                     0.2f,
                     0.7f,
                     1e-30f};
        const std::vector<int> expected = {0, 255, 0,   255, 128, 0,  2,   128,
                                           0, 1,   254, 255, 0,   51, 178, 0};
        const QString file = path(QStringLiteral("soft-mask.png"));
        const lb::Status written = lb::writeMaskPng(file.toStdString(), mask);
        LB_VERIFY_OK(written);
        const RawPng raw = decodeRawPng(file);
        QVERIFY2(raw.error.isEmpty(), qPrintable(raw.error));
        QCOMPARE(raw.channels, 1);
        QCOMPARE(raw.width, 8);
        QCOMPARE(raw.height, 2);
        for (std::size_t i = 0; i < expected.size(); ++i)
            QCOMPARE(int(raw.bytes[i]), expected[i]);

        // Every byte value round-trips exactly.
        lb::MaskBuffer all;
        all.width = 256;
        all.height = 1;
        for (int v = 0; v < 256; ++v)
            all.data.push_back(lb::byteToFloat(std::uint8_t(v)));
        QVERIFY(lb::writeMaskPng(file.toStdString(), all).ok());
        auto back = lb::readMask(file.toStdString());
        QVERIFY(back.ok());
        QVERIFY(firstDifference(back->data, all.data).isEmpty());
    }

    void writesBinaryMaskPng() {
        lb::BinaryMask mask;
        mask.width = 5;
        mask.height = 3;
        mask.data = {0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 7};
        const QString file = path(QStringLiteral("binary-mask.png"));
        const lb::Status written = lb::writeBinaryMaskPng(file.toStdString(), mask);
        LB_VERIFY_OK(written);
        const RawPng raw = decodeRawPng(file);
        QVERIFY2(raw.error.isEmpty(), qPrintable(raw.error));
        QCOMPARE(raw.channels, 1);
        QCOMPARE(raw.width, 5);
        QCOMPARE(raw.height, 3);
        for (std::size_t i = 0; i < mask.data.size(); ++i)
            QCOMPARE(int(raw.bytes[i]), mask.data[i] ? 255 : 0);
    }

    void refusesBadWrites_data() {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QString>("problem");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("unknown extension .gif") << "out.gif"
                                                << "none"
                                                << ".png, .jpg";
        QTest::newRow("no extension") << "out"
                                      << "none"
                                      << "supported: .png";
        QTest::newRow("unknown extension .xyz") << "out.xyz"
                                                << "none"
                                                << ".exr";
        QTest::newRow("missing folder") << "no/such/folder/out.png"
                                        << "none"
                                        << "does not exist";
        QTest::newRow("empty image") << "empty.png"
                                     << "empty"
                                     << "0x0";
        QTest::newRow("buffer smaller than its size") << "short.png"
                                                      << "short"
                                                      << "does not match";
        QTest::newRow("NaN pixel") << "nan.png"
                                   << "nan"
                                   << "non-finite";
        QTest::newRow("NaN pixel in float file") << "nan.exr"
                                                 << "nan"
                                                 << "non-finite";
        // libjpeg would end the process: refused before writing.
        QTest::newRow("jpeg too wide") << "wide.jpg"
                                       << "wide:70000"
                                       << "too large for jpeg";
        QTest::newRow("webp too wide") << "wide.webp"
                                       << "wide:17000"
                                       << "too large for webp";
        // libpng refuses while writing: the temporary file must go.
        QTest::newRow("png too wide (libpng fails)") << "wide.png"
                                                     << "wide:1000001"
                                                     << "IHDR";
    }

    // A failed write leaves neither the file nor a temporary file, and keeps what was there.
    void refusesBadWrites() {
        QFETCH(QString, fileName);
        QFETCH(QString, problem);
        QFETCH(QString, fragment);
        QTemporaryDir out;
        QVERIFY(out.isValid());
        const QString file = out.filePath(fileName);
        lb::ImageBuffer image;
        image.width = 4;
        image.height = 2;
        image.channels = 3;
        image.data.assign(24, 0.5f);
        if (problem == QLatin1String("empty")) image = lb::ImageBuffer{};
        if (problem == QLatin1String("short")) image.data.resize(23);
        if (problem == QLatin1String("nan")) image.data[7] = std::nanf("");
        if (problem.startsWith(QLatin1String("wide:"))) {
            image.width = problem.mid(5).toInt();
            image.height = 1;
            image.data.assign(std::size_t(image.width) * 3, 0.25f);
        }
        const lb::Status st = lb::writeImage(file.toStdString(), image);
        QVERIFY(!st.ok());
        qInfo("%s", st.message().c_str());
        QVERIFY2(st.message().rfind(file.toStdString() + ": ", 0) == 0, st.message().c_str());
        QVERIFY(isOneLine(st.message()));
        QVERIFY2(st.message().find(fragment.toStdString()) != std::string::npos,
                 st.message().c_str());
        QCOMPARE(entriesOf(out.path()), QStringList());

        // With a file already there, a failed write leaves it as it was.
        if (problem == QLatin1String("none") && fileName.contains(QLatin1Char('/'))) return;
        QVERIFY(writeFileBytes(file, "previous"));
        QVERIFY(!lb::writeImage(file.toStdString(), image).ok());
        QCOMPARE(entriesOf(out.path()), QStringList{QFileInfo(file).fileName()});
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("previous"));
    }

    void maskWritersFailCleanly() {
        QTemporaryDir out;
        QVERIFY(out.isValid());
        const std::string missing = out.filePath(QStringLiteral("gone/mask.png")).toStdString();
        lb::MaskBuffer soft;
        soft.width = soft.height = 2;
        soft.data.assign(4, 0.5f);
        lb::BinaryMask binary;
        binary.width = binary.height = 2;
        binary.data.assign(4, 1);
        for (const lb::Status& st :
             {lb::writeMaskPng(missing, soft), lb::writeBinaryMaskPng(missing, binary),
              lb::writeMaskPng(out.filePath(QStringLiteral("e.png")).toStdString(),
                               lb::MaskBuffer{}),
              lb::writeBinaryMaskPng(out.filePath(QStringLiteral("e.png")).toStdString(),
                                     lb::BinaryMask{})}) {
            QVERIFY(!st.ok());
            QVERIFY(isOneLine(st.message()));
        }
        QCOMPARE(entriesOf(out.path()), QStringList());
    }

    void overwritesExistingFile() {
        const QString file = path(QStringLiteral("overwrite.png"));
        lb::ImageBuffer image;
        image.width = 2;
        image.height = 1;
        image.channels = 1;
        image.data = {0.0f, 1.0f};
        QVERIFY(lb::writeImage(file.toStdString(), image).ok());
        image.data = {1.0f, 0.0f};
        QVERIFY(lb::writeImage(file.toStdString(), image).ok());
        auto loaded = lb::readImage(file.toStdString());
        QVERIFY(loaded.ok());
        QVERIFY(firstDifference(loaded->image.data, {1.0f, 0.0f}).isEmpty());
    }
};

QTEST_GUILESS_MAIN(ImageIOTest)
#include "tst_imageio.moc"
