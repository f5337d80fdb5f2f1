// Helpers of the interoperability tests: running latentbrush-cli and /usr/bin/python3, and an
// INDEPENDENT safetensors reader (QJsonDocument over the raw bytes; none of the project's own
// file code) that applies the validation rules of the reference `safetensors` package, so a file
// it accepts is one that `safetensors.torch.load_file` (ComfyUI's LoadLatent) accepts too.
#pragma once

#include "CliSupport.h"
#include "TestSupport.h"

// Qt's own PNG codec (QtGui) decodes and writes the test images; a build without Qt Gui (editor
// off) skips the suite.
#if __has_include(<QImage>)
#include <QImage>
#define LB_HAVE_QIMAGE 1
#endif

#include <QByteArray>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace interop {

using Run = lbtest::CliRun;
using lbtest::runCli;
using lbtest::runProgram;

inline QString kl4Vae() {
    const QString shared = lbtest::sharedDir();
    return shared.isEmpty() ? QString() : shared + "/golden/vae/kl4.safetensors";
}

// /usr/bin/python3 (Debian's, with python3-numpy / python3-torch) when it can import `module`.
inline bool pythonHas(const QString& module) {
    if (!QFileInfo::exists("/usr/bin/python3")) return false;
    return runProgram("/usr/bin/python3", {"-c", "import " + module}).exitCode == 0;
}

inline QString interopDir() {
    return QStringLiteral(LATENTBRUSH_SOURCE_DIR "/tests/interop");
}

// ---- the independent safetensors reader --------------------------------------------------

struct StTensor {
    QString dtype;
    std::vector<std::int64_t> shape;
    std::int64_t begin = 0, end = 0;
    QByteArray bytes;
    std::int64_t numel() const {
        std::int64_t n = 1;
        for (std::int64_t d : shape)
            n *= d;
        return n;
    }
    float f32(std::int64_t i) const {
        float v;
        std::memcpy(&v, bytes.constData() + i * 4, 4);
        return v;
    }
};

struct StFile {
    QString error; // empty when the file is valid
    QMap<QString, StTensor> tensors;
    QMap<QString, QString> metadata;
    bool ok() const { return error.isEmpty(); }
};

inline int dtypeSize(const QString& d) {
    static const QMap<QString, int> sizes = {{"BOOL", 1},    {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1},
                                             {"F8_E4M3", 1}, {"I16", 2}, {"U16", 2}, {"F16", 2},
                                             {"BF16", 2},    {"I32", 4}, {"U32", 4}, {"F32", 4},
                                             {"F64", 8},     {"I64", 8}, {"U64", 8}};
    return sizes.value(d, 0);
}

// The rules of safetensors' Rust `SafeTensors::deserialize` / `Metadata::validate`: an 8-byte
// little-endian header length N (at most 100,000,000), a JSON object header starting with '{',
// `__metadata__` a map of strings, every tensor a known dtype with a shape and data_offsets, the
// tensors' byte ranges contiguous from 0 to the end of the file without holes, and each range
// exactly numel * dtype size bytes.
inline StFile readSafetensors(const QString& path) {
    StFile f;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        f.error = "cannot open " + path;
        return f;
    }
    const QByteArray all = file.readAll();
    if (all.size() < 8) {
        f.error = "shorter than the 8-byte header length";
        return f;
    }
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | std::uint8_t(all[i]);
    if (n > 100000000ull || 8 + n > std::uint64_t(all.size())) {
        f.error = QString("bad header length %1").arg(n);
        return f;
    }
    const QByteArray header = all.mid(8, qsizetype(n));
    if (!header.startsWith('{')) {
        f.error = "the header does not start with '{'";
        return f;
    }
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(header, &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject()) {
        f.error = "the header is not a JSON object: " + perr.errorString();
        return f;
    }
    const QByteArray data = all.mid(8 + qsizetype(n));
    const QJsonObject root = doc.object();
    std::vector<StTensor*> order;
    for (auto it = root.begin(); it != root.end(); ++it) {
        if (it.key() == "__metadata__") {
            if (!it.value().isObject()) {
                f.error = "__metadata__ is not an object";
                return f;
            }
            const QJsonObject md = it.value().toObject();
            for (auto m = md.begin(); m != md.end(); ++m) {
                if (!m.value().isString()) {
                    f.error = "__metadata__." + m.key() + " is not a string";
                    return f;
                }
                f.metadata[m.key()] = m.value().toString();
            }
            continue;
        }
        const QJsonObject t = it.value().toObject();
        StTensor st;
        st.dtype = t["dtype"].toString();
        if (dtypeSize(st.dtype) == 0) {
            f.error = it.key() + ": unknown dtype '" + st.dtype + "'";
            return f;
        }
        if (!t["shape"].isArray() || !t["data_offsets"].isArray() ||
            t["data_offsets"].toArray().size() != 2) {
            f.error = it.key() + ": no shape or data_offsets";
            return f;
        }
        for (const QJsonValue& d : t["shape"].toArray()) {
            if (!d.isDouble() || d.toDouble() < 0 || d.toDouble() != std::floor(d.toDouble())) {
                f.error = it.key() + ": bad shape";
                return f;
            }
            st.shape.push_back(std::int64_t(d.toDouble()));
        }
        st.begin = std::int64_t(t["data_offsets"].toArray()[0].toDouble());
        st.end = std::int64_t(t["data_offsets"].toArray()[1].toDouble());
        if (st.begin > st.end || st.end > data.size()) {
            f.error = it.key() + ": data_offsets outside the file";
            return f;
        }
        if (st.numel() * dtypeSize(st.dtype) != st.end - st.begin) {
            f.error = it.key() + ": data_offsets do not match dtype and shape";
            return f;
        }
        st.bytes = data.mid(qsizetype(st.begin), qsizetype(st.end - st.begin));
        f.tensors[it.key()] = st;
    }
    for (auto it = f.tensors.begin(); it != f.tensors.end(); ++it)
        order.push_back(&it.value());
    std::stable_sort(order.begin(), order.end(), [](const StTensor* a, const StTensor* b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    std::int64_t expected = 0;
    for (const StTensor* t : order) {
        if (t->begin != expected) {
            f.error = QString("tensor bytes are not contiguous at offset %1").arg(expected);
            return f;
        }
        expected = t->end;
    }
    if (expected != data.size())
        f.error =
            QString("the tensors cover %1 of the %2 data bytes").arg(expected).arg(data.size());
    return f;
}

#ifdef LB_HAVE_QIMAGE
// ---- ComfyUI's image loaders, with Qt's PNG decoder (not OpenImageIO) -----------------------

// LoadImageMask: the file converted to RGBA (PIL's convert("RGBA"): gray -> R=G=B, A=255),
// then channel c as float(v) / 255, and 1 - that for the alpha channel.
inline std::vector<float> loadImageMask(const QString& path, char channel, int* h, int* w) {
    QImage img(path);
    std::vector<float> m;
    if (img.isNull()) return m;
    img = img.convertToFormat(QImage::Format_RGBA8888);
    *h = img.height();
    *w = img.width();
    const int index = channel == 'R' ? 0 : channel == 'G' ? 1 : channel == 'B' ? 2 : 3;
    m.resize(std::size_t(*h) * std::size_t(*w));
    for (int y = 0; y < *h; ++y) {
        const uchar* row = img.constScanLine(y);
        for (int x = 0; x < *w; ++x) {
            const float v = float(row[x * 4 + index]) / 255.0f;
            m[std::size_t(y) * std::size_t(*w) + std::size_t(x)] = channel == 'A' ? 1.0f - v : v;
        }
    }
    return m;
}
#endif

// torch.round (half to even) of a float in [0, 1].
inline float roundHalfEven(float v) {
    return std::nearbyint(v);
}

} // namespace interop

#ifdef LB_HAVE_QIMAGE
namespace interop {

// Test inputs drawn with QImage (not the project's writers): an 8-bit RGB photo-like pattern
// of w x h and an 8-bit gray soft-edged mask of mw x mh (a disc whose edge ramps through 127
// and 128, plus a thin stroke).
inline bool writeTestImage(const QString& path, int w, int h, bool withAlpha = false) {
    QImage img(w, h, withAlpha ? QImage::Format_RGBA8888 : QImage::Format_RGB888);
    for (int y = 0; y < h; ++y) {
        uchar* row = img.scanLine(y);
        const int n = withAlpha ? 4 : 3;
        for (int x = 0; x < w; ++x) {
            row[x * n + 0] = uchar((x * 7 + y * 3) % 256);
            row[x * n + 1] = uchar((y * 11 + 40) % 256);
            row[x * n + 2] = uchar((x * y + 5) % 256);
            if (withAlpha) row[x * n + 3] = uchar(x < w / 2 ? 255 : 30); // replaced by rgba
        }
    }
    return img.save(path, "PNG");
}

inline bool writeTestMask(const QString& path, int w, int h) {
    QImage m(w, h, QImage::Format_Grayscale8);
    const double cx = w * 0.45, cy = h * 0.55, r = std::min(w, h) * 0.3;
    for (int y = 0; y < h; ++y) {
        uchar* row = m.scanLine(y);
        for (int x = 0; x < w; ++x) {
            const double d = std::hypot(x - cx, y - cy);
            double v = std::clamp((r - d) / 4.0 + 0.5, 0.0, 1.0); // soft edge ~4 px wide
            if (x == w - 5 && y > 2 && y < h / 2) v = 1.0;        // a one-pixel stroke
            row[x] = uchar(std::lround(v * 255.0));
        }
        if (y == 1) row[3] = 127, row[4] = 128; // both sides of 0.5
    }
    return m.save(path, "PNG");
}

} // namespace interop
#else
namespace interop {
inline bool writeTestImage(const QString&, int, int, bool = false) {
    return false;
}
inline bool writeTestMask(const QString&, int, int) {
    return false;
}
inline std::vector<float> loadImageMask(const QString&, char, int*, int*) {
    return {};
}
} // namespace interop
#endif

// Skips when the suite was built without Qt Gui.
#ifdef LB_HAVE_QIMAGE
#define LB_REQUIRE_QIMAGE() ((void)0)
#else
#define LB_REQUIRE_QIMAGE() QSKIP("built without Qt Gui (LATENTBRUSH_BUILD_UI=OFF): no PNG codec")
#endif
