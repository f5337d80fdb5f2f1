// The bad-input matrix of the core: safetensors files, VAE files, .latent files,
// mask and image buffers and output folders that are wrong in one way each. Every row must give
// one error line that names the problem (and the file, where there is one), never succeed, crash
// or hang, and leave the folder exactly as it was (no partial output, no temporary file, the
// previous file intact). Rows that need limits (a full disk, a read-only folder) or may hang (a
// FIFO) run in a forked child with a deadline. Rows for known bugs are marked QEXPECT_FAIL.
#include "FolderSnapshot.h"
#include "TestSupport.h"
#include "TinyTaesdFiles.h"

#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/LatentFile.h"
#include "latentbrush/Safetensors.h"
#include "latentbrush/Vae.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QTemporaryDir>

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// ---- files -------------------------------------------------------------------------------------

bool writeBytes(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

QByteArray rawSafetensors(const QByteArray& header, const QByteArray& data = {}) {
    QByteArray out(8, '\0');
    const quint64 n = quint64(header.size());
    for (int i = 0; i < 8; ++i)
        out[i] = char((n >> (8 * i)) & 0xff);
    return out + header + data;
}

QByteArray entry(const char* name, const char* dtype, const char* shape, const char* offsets) {
    return QByteArray("\"") + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape +
           ",\"data_offsets\":" + offsets + "}";
}

std::map<QString, QByteArray> snapshot(const QString& dir) {
    return lbtest::folderSnapshot(dir, lbtest::SnapshotFolders::BySizeAndTime);
}

// ---- a tiny TAESD encoder and decoder (taesd.py's layout, 8 channels wide) -------------------

using Tensor = lbtest::TinyTensor;
using Model = lbtest::TinyModel;

// The tiny TAESD halves of this suite (seed 11).
Model taesdHalf(bool encoder, std::int64_t latent = 4) {
    return lbtest::tinyTaesdHalf(encoder, latent, 11);
}

// "" when written, else the error.
std::string writeModel(const QString& path, const Model& model) {
    const lb::Status st = lbtest::writeTinyModel(path, model);
    return st ? std::string() : st.message();
}

// Loads `path` (encoder wanted unless `decoder`) and encodes / decodes a small input; returns
// the first error, or "" when everything was accepted.
std::string loadAndRun(const QString& path, std::optional<lb::VaeFamily> family = {},
                       bool decoder = false) {
    lb::VaeLoadOptions options;
    options.device = "cpu";
    options.family = family;
    options.needEncoder = !decoder;
    options.needDecoder = decoder;
    auto vae = lb::Vae::load(path.toStdString(), options);
    if (!vae) return vae.message();
    const int d = (*vae)->info().downscale;
    if (!decoder) {
        lb::ImageBuffer image;
        image.height = image.width = 2 * d;
        image.channels = 3;
        image.data.assign(std::size_t(4 * d * d * 3), 0.5f);
        auto latent = (*vae)->encode(image);
        return latent ? std::string() : latent.message();
    }
    lb::LatentBuffer latent;
    latent.shape = {1, (*vae)->info().latentChannels, 2, 2};
    latent.data.assign(std::size_t((*vae)->info().latentChannels) * 4, 0.1f);
    auto image = (*vae)->decode(latent);
    return image ? std::string() : image.message();
}

std::string latentError(const QString& path) {
    auto r = lb::readLatentFile(path.toStdString());
    return r ? std::string() : r.message();
}

std::string safetensorsError(const QString& path) {
    auto r = lb::SafetensorsFile::open(path.toStdString());
    return r ? std::string() : r.message();
}

// Writes a latent of F32 values as the tensor `name` (readLatentFile's input, unchecked).
void rawLatent(const QString& path, const std::string& name, lb::DType t,
               const std::vector<std::int64_t>& shape, float first,
               const std::vector<std::int64_t>& maskShape = {}) {
    std::int64_t n = 1;
    for (std::int64_t d : shape)
        n *= d;
    std::vector<float> v(std::size_t(n), 0.25f);
    if (!v.empty()) v[0] = first;
    std::vector<std::uint8_t> bytes(std::size_t(n) * lb::dtypeSize(t));
    if (t == lb::DType::F32 && !bytes.empty()) std::memcpy(bytes.data(), v.data(), bytes.size());
    if (t == lb::DType::F16 || t == lb::DType::BF16) {
        std::uint16_t bits = std::isnan(first) ? (t == lb::DType::F16 ? 0x7e00 : 0x7fc0)
                                               : (t == lb::DType::F16 ? 0x7c00 : 0x7f80);
        if (!bytes.empty()) std::memcpy(bytes.data(), &bits, 2);
    }
    std::vector<lb::TensorToWrite> tensors{{name, t, shape, bytes.data(), bytes.size()}};
    std::vector<float> mask;
    if (!maskShape.empty()) {
        std::int64_t m = 1;
        for (std::int64_t d : maskShape)
            m *= d;
        mask.assign(std::size_t(m), 1.0f);
        tensors.push_back({"noise_mask", lb::DType::F32, maskShape, mask.data(), mask.size() * 4});
    }
    QVERIFY(lb::writeSafetensors(path.toStdString(), tensors, {}).ok());
}

// ---- rows ---------------------------------------------------------------------------------------

struct Limits {
    long long fileSize = -1;   // RLIMIT_FSIZE: a full disk
    bool unprivileged = false; // as nobody, so that a read-only folder is read-only for root too
    bool fork = false;         // in a child with a deadline (a call that may hang)
};

struct Row {
    std::function<void(const QString& dir)> prepare;
    std::function<std::string(const QString& dir)> act; // the error, "" = accepted
    QStringList expected;                               // any of these, case-insensitive
    Limits limits;
    QString knownBug; // non-empty: the row is expected to fail (QEXPECT_FAIL) for this reason
};

// Runs `act` in a forked child with limits and an 8 s deadline; "" also when it crashed or hung
// (the caller reports those through `how`).
std::string runForked(const Row& row, const QString& dir, QString* how) {
    int fds[2];
    if (::pipe(fds) != 0) return "pipe failed";
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        ::signal(SIGXFSZ, SIG_IGN);
        if (row.limits.fileSize >= 0) {
            const rlimit r{rlim_t(row.limits.fileSize), rlim_t(row.limits.fileSize)};
            ::setrlimit(RLIMIT_FSIZE, &r);
        }
        if (row.limits.unprivileged && ::geteuid() == 0)
            if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0)
                ::_exit(121);
        const std::string message = row.act(dir);
        (void)!::write(fds[1], message.data(), message.size());
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string message;
    pollfd p{fds[0], POLLIN, 0};
    char buffer[4096];
    bool hung = false;
    for (;;) {
        const int ready = ::poll(&p, 1, 8000);
        if (ready == 0) {
            hung = true;
            ::kill(pid, SIGKILL);
            break;
        }
        const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        if (n <= 0) break;
        message.append(buffer, std::size_t(n));
    }
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (hung)
        *how = "hung (killed after 8 s)";
    else if (WIFSIGNALED(status))
        *how = QString("crashed with signal %1").arg(WTERMSIG(status));
    else if (WEXITSTATUS(status) == 121)
        *how = "could not drop privileges";
    return message;
}

} // namespace

Q_DECLARE_METATYPE(Row)

class BadInputs : public QObject {
    Q_OBJECT

private slots:
    void matrix_data() {
        QTest::addColumn<Row>("row");
        auto add = [](const char* name, std::function<void(const QString&)> prepare,
                      std::function<std::string(const QString&)> act, QStringList expected,
                      Limits limits = {}, QString knownBug = {}) {
            QTest::newRow(name) << Row{std::move(prepare), std::move(act), std::move(expected),
                                       limits, std::move(knownBug)};
        };
        auto bytes = [](const char* file, QByteArray content) {
            return
                [file, content](const QString& d) { QVERIFY(writeBytes(d + "/" + file, content)); };
        };
        auto openST = [](const char* file) {
            return [file](const QString& d) { return safetensorsError(d + "/" + file); };
        };
        auto none = [](const QString&) {};
        const QByteArray one = entry("a", "F32", "[1]", "[0,4]");
        const QByteArray four(4, '\1'), eight(8, '\1');

        // --- safetensors containers
        // ---------------------------------------------------------------
        add("st missing", none, openST("nothere.safetensors"), {"no such file"});
        add("st folder", [](const QString& d) { QDir(d).mkdir("f.safetensors"); },
            openST("f.safetensors"), {"folder"});
        add("st device file", none, [](const QString&) { return safetensorsError("/dev/zero"); },
            {"not a regular file"});
        add(
            "st fifo",
            [](const QString& d) {
                QVERIFY(::mkfifo((d + "/pipe.safetensors").toLocal8Bit().constData(), 0644) == 0);
            },
            openST("pipe.safetensors"), {"not a regular file"}, Limits{-1, false, true});
        add("st empty", bytes("e.safetensors", {}), openST("e.safetensors"), {"empty"});
        add("st 3 bytes", bytes("s.safetensors", "abc"), openST("s.safetensors"), {"too short"});
        add("st header length beyond the file",
            bytes("b.safetensors", QByteArray("\0\0\0\0\0\0\1\0{}", 10)), // 2^48
            openST("b.safetensors"), {"exceeds the file size"});
        add("st header over the 100 MB cap",
            [](const QString& d) {
                QFile f(d + "/big.safetensors");
                QVERIFY(f.open(QIODevice::WriteOnly));
                const quint64 n = 101ull << 20;
                QByteArray length(8, '\0');
                for (int i = 0; i < 8; ++i)
                    length[i] = char((n >> (8 * i)) & 0xff);
                f.write(length + "{");
                QVERIFY(f.resize(qint64(n) + 8)); // sparse
            },
            openST("big.safetensors"), {"exceeds the limit"});
        add("st header length 0", bytes("z.safetensors", QByteArray(8, '\0') + "xx"),
            openST("z.safetensors"), {"empty"});
        add("st header not JSON", bytes("j.safetensors", rawSafetensors("{\"a\": nope}")),
            openST("j.safetensors"), {"not valid JSON"});
        add("st header a JSON array", bytes("a.safetensors", rawSafetensors("[1,2]")),
            openST("a.safetensors"), {"array"});
        add("st header with NUL", bytes("n.safetensors", rawSafetensors(QByteArray("{}\0   ", 6))),
            openST("n.safetensors"), {"NUL"});
        add("st overlapping offsets",
            bytes("o.safetensors", rawSafetensors("{" + entry("a", "F32", "[2]", "[0,8]") + "," +
                                                      entry("b", "F32", "[1]", "[4,8]") + "}",
                                                  eight)),
            openST("o.safetensors"), {"overlap"});
        add("st offsets out of range",
            bytes("r.safetensors",
                  rawSafetensors("{" + entry("a", "F32", "[4]", "[0,16]") + "}", four)),
            openST("r.safetensors"), {"outside the data"});
        add("st offsets end before begin",
            bytes("e.safetensors",
                  rawSafetensors("{" + entry("a", "F32", "[0]", "[4,0]") + "}", four)),
            openST("e.safetensors"), {"end before"});
        add("st gap between tensors",
            bytes("g.safetensors",
                  rawSafetensors("{" + entry("a", "F32", "[1]", "[4,8]") + "}", eight)),
            openST("g.safetensors"), {"belong to no tensor"});
        add("st trailing bytes", bytes("t.safetensors", rawSafetensors("{" + one + "}", eight)),
            openST("t.safetensors"), {"belong to no tensor"});
        add("st size does not match the shape",
            bytes("m.safetensors",
                  rawSafetensors("{" + entry("a", "F32", "[3]", "[0,8]") + "}", eight)),
            openST("m.safetensors"), {"needs 12 bytes"});
        add("st unknown dtype",
            bytes("u.safetensors",
                  rawSafetensors("{" + entry("a", "F128", "[1]", "[0,4]") + "}", four)),
            openST("u.safetensors"), {"unknown dtype"});
        add("st duplicate names",
            bytes("d.safetensors", rawSafetensors("{" + one + "," + one + "}", four)),
            openST("d.safetensors"), {"duplicate"});
        add("st negative dimension",
            bytes("n.safetensors",
                  rawSafetensors("{" + entry("a", "F32", "[-1]", "[0,4]") + "}", four)),
            openST("n.safetensors"), {"negative"});
        add("st rank 9",
            bytes("k.safetensors",
                  rawSafetensors("{" + entry("a", "F32", "[1,1,1,1,1,1,1,1,1]", "[0,4]") + "}",
                                 four)),
            openST("k.safetensors"), {"dimensions"});
        add("st huge shape product",
            bytes("h.safetensors",
                  rawSafetensors("{" + entry("a", "F32", "[4294967296,4294967296]", "[0,4]") + "}",
                                 four)),
            openST("h.safetensors"), {"too large"});
        add("st metadata not strings",
            bytes("md.safetensors",
                  rawSafetensors("{\"__metadata__\":{\"k\":1}," + one + "}", four)),
            openST("md.safetensors"), {"__metadata__"});
        add("st pickled .ckpt", bytes("m.ckpt", QByteArray::fromHex("80027d710028580100000061")),
            openST("m.ckpt"), {"execute code"});
        add("st zip .pt", bytes("m.pt", QByteArray("PK\x03\x04\x14\x00\x00\x00", 8)),
            openST("m.pt"), {"execute code"});
        add("st pickle named .safetensors",
            bytes("p.safetensors", QByteArray::fromHex("8004950a000000000000007d942e")),
            openST("p.safetensors"), {"execute code"});
        add("st .pth that is not safetensors", bytes("m.pth", "junk junk junk"), openST("m.pth"),
            {"execute code"});

        // --- VAE files
        // ------------------------------------------------------------------------------
        auto model = [](const char* file, std::function<void(Model&)> edit, bool encoder = true,
                        std::int64_t latent = 4) {
            return [=](const QString& d) {
                Model m = taesdHalf(encoder, latent);
                edit(m);
                const std::string error = writeModel(d + "/" + file, m);
                QVERIFY2(error.empty(), error.c_str());
            };
        };
        auto load = [](const char* file, std::optional<lb::VaeFamily> family = {},
                       bool decoder = false) {
            return [=](const QString& d) { return loadAndRun(d + "/" + file, family, decoder); };
        };
        auto noEdit = [](Model&) {};
        add("vae NaN weight", model("taesd-a.safetensors", [](Model& m) { m[4].values[3] = kNaN; }),
            load("taesd-a.safetensors"), {"NaN"});
        add("vae Inf weight",
            model("taesd-b.safetensors", [](Model& m) { m[0].values[0] = -kInf; }),
            load("taesd-b.safetensors"), {"infinite"});
        add("vae huge weights overflow to Inf",
            model("taesd-c.safetensors",
                  [](Model& m) {
                      for (Tensor& t : m)
                          for (float& v : t.values)
                              v = v > 0 ? 3e38f : -3e38f;
                  }),
            load("taesd-c.safetensors"), {"non-finite", "NaN", "infinite"});
        add("vae missing tensor",
            model("taesd-d.safetensors", [](Model& m) { m.erase(m.begin() + 5); }),
            load("taesd-d.safetensors"), {"missing"});
        add("vae mis-shaped tensor",
            model("taesd-e.safetensors",
                  [](Model& m) {
                      m[2].shape = {8, 8, 3, 2};
                  }),
            load("taesd-e.safetensors"), {"shape"});
        add("vae int32 weights",
            model("taesd-f.safetensors", [](Model& m) { m[2].dtype = lb::DType::I32; }),
            load("taesd-f.safetensors"), {"I32"});
        add("vae bool weights",
            model("taesd-g.safetensors", [](Model& m) { m[3].dtype = lb::DType::BOOL; }),
            load("taesd-g.safetensors"), {"BOOL"});
        add("vae rank-5 weight",
            model("taesd-h.safetensors", [](Model& m) { m[2].shape.push_back(1); }),
            load("taesd-h.safetensors"), {"shape"});
        add("vae zero channels",
            model("taesd-i.safetensors",
                  [](Model& m) {
                      m[0].shape = {0, 3, 3, 3};
                      m[1].shape = {0};
                  }),
            load("taesd-i.safetensors"), {"taesd-i.safetensors"});
        add("vae no VAE tensors",
            model("taesd-j.safetensors",
                  [](Model& m) {
                      for (Tensor& t : m)
                          t.name = "model.diffusion_model." + t.name;
                  }),
            load("taesd-j.safetensors"), {"taesd-j.safetensors"});
        add("vae decoder-only file to encode", model("taesd-k-decoder.safetensors", noEdit, false),
            load("taesd-k-decoder.safetensors"), {"encoder"});
        add("vae encoder-only file to decode", model("taesd-l-encoder.safetensors", noEdit),
            load("taesd-l-encoder.safetensors", {}, true), {"decoder"});
        add("vae family autoencoderkl asked", model("taesd-m.safetensors", noEdit),
            load("taesd-m.safetensors", lb::VaeFamily::AutoencoderKL), {"autoencoderkl"});
        add("vae family flux2 asked", model("taesd-n.safetensors", noEdit),
            load("taesd-n.safetensors", lb::VaeFamily::Flux2), {"flux2"});
        add("vae family taesd3 asked for 4 channels", model("taesd-o.safetensors", noEdit),
            load("taesd-o.safetensors", lb::VaeFamily::Taesd3), {"taesd3"});
        add("vae family taef2 asked without pool blocks", model("taesd-p.safetensors", noEdit),
            load("taesd-p.safetensors", lb::VaeFamily::Taef2), {"taef2"});
        add("vae 7 latent channels", model("taesd-q.safetensors", noEdit, true, 7),
            load("taesd-q.safetensors"), {"7 latent channels"});
        add("vae as a .latent", model("taesd-r.safetensors", noEdit),
            [](const QString& d) { return latentError(d + "/taesd-r.safetensors"); },
            {"no latent_tensor"});

        // --- .latent files
        // ----------------------------------------------------------------------------
        auto latent = [](const char* file, const std::string& name, lb::DType t,
                         std::vector<std::int64_t> shape, float first,
                         std::vector<std::int64_t> mask = {}) {
            return
                [=](const QString& d) { rawLatent(d + "/" + file, name, t, shape, first, mask); };
        };
        auto readL = [](const char* file) {
            return [file](const QString& d) { return latentError(d + "/" + file); };
        };
        add("latent NaN", latent("a.latent", "latent_tensor", lb::DType::F32, {1, 4, 2, 2}, kNaN),
            readL("a.latent"), {"non-finite"});
        add("latent F16 Inf",
            latent("b.latent", "latent_tensor", lb::DType::F16, {1, 4, 2, 2}, kInf),
            readL("b.latent"), {"non-finite"});
        add("latent BF16 NaN",
            latent("c.latent", "latent_tensor", lb::DType::BF16, {1, 4, 2, 2}, kNaN),
            readL("c.latent"), {"non-finite"});
        add("latent rank 3", latent("d.latent", "latent_tensor", lb::DType::F32, {4, 2, 2}, 0.f),
            readL("d.latent"), {"4 dimensions"});
        add("latent zero dimension",
            latent("e.latent", "latent_tensor", lb::DType::F32, {1, 4, 0, 2}, 0.f),
            readL("e.latent"), {"invalid shape"});
        add("latent I32", latent("f.latent", "latent_tensor", lb::DType::I32, {1, 4, 2, 2}, 0.f),
            readL("f.latent"), {"I32"});
        add("latent missing latent_tensor",
            latent("g.latent", "samples", lb::DType::F32, {1, 4, 2, 2}, 0.f), readL("g.latent"),
            {"no latent_tensor"});
        add("latent noise_mask of rank 3",
            latent("h.latent", "latent_tensor", lb::DType::F32, {1, 4, 2, 2}, 0.f, {1, 16, 16}),
            readL("h.latent"), {"noise_mask"});
        add("latent noise_mask of another batch",
            latent("i.latent", "latent_tensor", lb::DType::F32, {1, 4, 2, 2}, 0.f, {2, 1, 16, 16}),
            readL("i.latent"), {"noise_mask"});
        add(
            "latent fifo",
            [](const QString& d) {
                QVERIFY(::mkfifo((d + "/pipe.latent").toLocal8Bit().constData(), 0644) == 0);
            },
            readL("pipe.latent"), {"not a regular file"}, Limits{-1, false, true});

        // --- masks, images and grow values -------------------------------------------------------
        auto prepare = [](lb::ImageBuffer image, lb::MaskBuffer mask, int grow, int multiple) {
            return [=](const QString&) {
                auto r = lb::prepareInpaint(image, mask, grow, multiple);
                return r ? std::string() : r.message();
            };
        };
        lb::ImageBuffer image;
        image.height = image.width = 16;
        image.channels = 3;
        image.data.assign(16 * 16 * 3, 0.5f);
        lb::MaskBuffer mask;
        mask.height = mask.width = 16;
        mask.data.assign(256, 0.0f);
        add("grow -1", none, prepare(image, mask, -1, 8), {"outside 0..1024"});
        add("grow 1025", none, prepare(image, mask, 1025, 8), {"outside 0..1024"});
        add("grow INT_MIN", none, prepare(image, mask, std::numeric_limits<int>::min(), 8),
            {"outside 0..1024"});
        lb::MaskBuffer m2 = mask;
        m2.data[17] = kNaN;
        add("mask NaN", none, prepare(image, m2, 6, 8), {"finite"});
        m2.data[17] = -kInf;
        add("mask -Inf", none, prepare(image, m2, 6, 8), {"finite"});
        m2.data[17] = 1.5f;
        add("mask 1.5", none, prepare(image, m2, 6, 8), {"0..1"});
        m2.data[17] = -0.25f;
        add("mask -0.25", none, prepare(image, m2, 6, 8), {"0..1"});
        lb::MaskBuffer m3 = mask;
        m3.data.resize(100);
        add("mask buffer shorter than its size", none, prepare(image, m3, 6, 8),
            {"does not match"});
        lb::MaskBuffer m4 = mask;
        m4.height = -3;
        add("mask of negative height", none, prepare(image, m4, 6, 8), {"does not match"});
        lb::ImageBuffer i2 = image;
        i2.data[5] = kNaN;
        add("image NaN", none, prepare(i2, mask, 6, 8), {"non-finite"});
        i2.data[5] = kInf;
        add("image Inf", none, prepare(i2, mask, 6, 8), {"non-finite"});
        lb::ImageBuffer i3 = image;
        i3.channels = 5;
        i3.data.assign(16 * 16 * 5, 0.5f);
        add("image of 5 channels", none, prepare(i3, mask, 6, 8), {"image"});
        i3.channels = 0;
        i3.data.clear();
        add("image of 0 channels", none, prepare(i3, mask, 6, 8), {"image"});
        lb::ImageBuffer i4 = image;
        i4.height = i4.width = 0;
        i4.data.clear();
        add("image of 0x0 pixels", none, prepare(i4, mask, 6, 8), {"empty"});
        lb::ImageBuffer i5 = image;
        i5.height = i5.width = 4;
        i5.data.assign(4 * 4 * 3, 0.5f);
        add("image smaller than the multiple", none, prepare(i5, mask, 6, 8), {"smaller"});
        add("multiple 0", none, prepare(image, mask, 6, 0), {"multiple"});
        lb::ImageBuffer i6 = image;
        i6.data.resize(10);
        add("image buffer shorter than its size", none, prepare(i6, mask, 6, 8),
            {"does not match"});
        add("noise mask of an empty mask", none,
            [mask](const QString&) {
                auto r = lb::noiseMaskForSize(lb::MaskBuffer{}, 16, 16, 6, 8);
                return r ? std::string() : r.message();
            },
            {"empty"});

        // --- outputs
        // ------------------------------------------------------------------------------------
        auto previous = [](const QString& d) {
            lb::LatentFileContents c;
            c.samples.shape = {1, 4, 2, 2};
            c.samples.data.assign(16, 0.5f);
            QVERIFY(lb::writeLatentFile((d + "/previous.latent").toStdString(), c).ok());
            QDir(d).mkdir("ro");
            QFile::setPermissions(d + "/ro", QFile::ReadOwner | QFile::ExeOwner | QFile::ReadOther |
                                                 QFile::ExeOther | QFile::ReadGroup |
                                                 QFile::ExeGroup);
            QFile::setPermissions(d, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner |
                                         QFile::ReadOther | QFile::ExeOther | QFile::ReadGroup |
                                         QFile::ExeGroup);
        };
        auto writeLatent = [](const char* file, std::int64_t values, float first = 0.5f) {
            return [=](const QString& d) {
                lb::LatentFileContents c;
                c.samples.shape = {1, 4, values / 4, 1};
                c.samples.data.assign(std::size_t(values), 0.25f);
                c.samples.data[0] = first;
                lb::Status st = lb::writeLatentFile((d + "/" + file).toStdString(), c);
                return st ? std::string() : st.message();
            };
        };
        add("write NaN latent over the previous one", previous,
            writeLatent("previous.latent", 16, kNaN), {"non-finite"});
        add("write into a missing folder", previous, writeLatent("missing/x.latent", 16),
            {"does not exist"});
        add("write onto a folder", previous, writeLatent("ro", 16), {"folder"});
        add("write into a read-only folder", previous, writeLatent("ro/x.latent", 16),
            {"ro/x.latent"}, Limits{-1, true, true});
        add("write on a full disk over the previous one", previous,
            writeLatent("previous.latent", 1 << 16), {"previous.latent"},
            Limits{4096, false, true});
        add("write a tensor name that is not UTF-8", previous,
            [](const QString& d) {
                const float v = 1.0f;
                lb::Status st =
                    lb::writeSafetensors((d + "/bad.safetensors").toStdString(),
                                         {{"\xff\xfe", lb::DType::F32, {1}, &v, 4}}, {});
                return st ? std::string() : st.message();
            },
            {"UTF-8"});
        add("write a shape that does not match the data", previous,
            [](const QString& d) {
                const float v[2] = {1, 2};
                lb::Status st = lb::writeSafetensors((d + "/bad.safetensors").toStdString(),
                                                     {{"a", lb::DType::F32, {3}, v, 8}}, {});
                return st ? std::string() : st.message();
            },
            {"expected"});
    }

    void matrix() {
        QFETCH(Row, row);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString dir = tmp.path();
        row.prepare(dir);
        if (QTest::currentTestFailed()) return;
        if (row.limits.unprivileged && ::geteuid() == 0) {
            // A child that cannot become nobody cannot see a read-only folder as read-only.
            Row probe{
                row.prepare, [](const QString&) { return std::string("ok"); }, {}, row.limits, {}};
            QString how;
            if (runForked(probe, dir, &how) != "ok")
                LB_CANNOT_RUN("cannot drop root privileges here");
        }
        const auto before = snapshot(dir);
        QString how;
        const std::string message = row.limits.fork ? runForked(row, dir, &how) : row.act(dir);
        const auto after = snapshot(dir);
        const QString text = QString::fromStdString(message);
        if (!row.knownBug.isEmpty()) QEXPECT_FAIL("", qPrintable(row.knownBug), Abort);
        QVERIFY2(how.isEmpty(), qPrintable(how));
        QVERIFY2(!message.empty(), "accepted: no error");
        QVERIFY2(!text.contains('\n') && !text.contains('\r'), qPrintable("not one line: " + text));
        bool named = false;
        for (const QString& e : row.expected)
            named = named || text.contains(e, Qt::CaseInsensitive);
        QVERIFY2(named, qPrintable("expected " + row.expected.join(" or ") + " in: " + text));
        const QString changed = lbtest::describeChanges(before, after);
        QVERIFY2(changed.isEmpty(), qPrintable("the folder changed: " + changed));
        // Removing the temporary folder must work (a read-only folder is made writable first).
        QFile::setPermissions(dir + "/ro", QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }
};

QTEST_GUILESS_MAIN(BadInputs)
#include "tst_bad_inputs.moc"
