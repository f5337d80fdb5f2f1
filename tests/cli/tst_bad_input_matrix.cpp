// The bad-input matrix of latentbrush-cli: every row runs the CLI as a process
// on one hostile input - missing files, folders, empty, truncated and corrupt PNG/JPEG/EXR/TIFF/
// WebP/BMP, images of 0 or absurd size, decompression bombs, masks with non-finite values or a
// missing channel, grow outside 0..1024, hostile safetensors, wrong dtypes, NaN/Inf weights,
// missing or mis-shaped tensors, a VAE of another family than asked, pickled checkpoints,
// unwritable, missing or full output folders - and checks: exit status 1 (2 for usage errors),
// exactly one line naming the problem on stderr, nothing on stdout, no signal, no hang, peak
// memory near the baseline, and not one byte changed in the working folder (no partial output,
// no temporary file, the previous output intact). Rows for known bugs are marked QEXPECT_FAIL.
#include "FolderSnapshot.h"
#include "PngCrc.h"
#include "TestSupport.h"
#include "TinyTaesdFiles.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/LatentFile.h"
#include "latentbrush/Safetensors.h"

#include <OpenImageIO/imageio.h>

#include <QCryptographicHash>
#include <QDirIterator>
#include <QTemporaryDir>

#include <dlfcn.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <vector>

namespace {

// ---- running the CLI -------------------------------------------------------------------------

struct Limits {
    long long fileSize = -1;     // RLIMIT_FSIZE in bytes (a "full disk" for every write)
    long long addressSpace = -1; // RLIMIT_AS in bytes
    bool unprivileged = false;   // run as nobody (so that a read-only folder is read-only)
};

struct Outcome {
    int exitCode = -1;
    int signal = 0;
    bool timedOut = false;
    QByteArray out, err;
    long maxRssKb = 0;
    double seconds = 0;
};

QString cliPath() {
    return QStringLiteral(LATENTBRUSH_BINARY_DIR "/app/latentbrush-cli");
}

bool sanitizerBuild() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
    return true;
#else
    return false;
#endif
#else
    return false;
#endif
}

Outcome runCli(const QStringList& args, const Limits& limits = {}, int timeoutMs = 180000) {
    std::vector<std::string> storage{cliPath().toStdString()};
    for (const QString& a : args)
        storage.push_back(a.toStdString());
    std::vector<char*> argv;
    for (std::string& s : storage)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    int outPipe[2], errPipe[2];
    Outcome o;
    if (::pipe2(outPipe, O_CLOEXEC) != 0 || ::pipe2(errPipe, O_CLOEXEC) != 0) return o;
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(outPipe[1], 1);
        ::dup2(errPipe[1], 2);
        ::signal(SIGXFSZ, SIG_IGN); // a write past RLIMIT_FSIZE then fails with EFBIG
        if (limits.fileSize >= 0) {
            const rlimit r{rlim_t(limits.fileSize), rlim_t(limits.fileSize)};
            ::setrlimit(RLIMIT_FSIZE, &r);
        }
        if (limits.addressSpace >= 0) {
            const rlimit r{rlim_t(limits.addressSpace), rlim_t(limits.addressSpace)};
            ::setrlimit(RLIMIT_AS, &r);
        }
        if (limits.unprivileged && ::geteuid() == 0) {
            if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0)
                ::_exit(121);
        }
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(outPipe[1]);
    ::close(errPipe[1]);
    pollfd fds[2] = {{outPipe[0], POLLIN, 0}, {errPipe[0], POLLIN, 0}};
    int open = 2;
    char buffer[65536];
    while (open > 0) {
        const auto elapsed = std::chrono::steady_clock::now() - start;
        const int left =
            timeoutMs - int(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count());
        if (left <= 0) {
            o.timedOut = true;
            ::kill(pid, SIGKILL);
            break;
        }
        if (::poll(fds, 2, left) < 0) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n > 0) {
                (i == 0 ? o.out : o.err).append(buffer, int(n));
            } else {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            }
        }
    }
    for (pollfd& f : fds)
        if (f.fd >= 0) ::close(f.fd);
    int status = 0;
    rusage usage{};
    ::wait4(pid, &status, 0, &usage);
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    o.maxRssKb = usage.ru_maxrss;
    if (WIFEXITED(status)) o.exitCode = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) o.signal = WTERMSIG(status);
    return o;
}

// ---- the working folder and its snapshot -------------------------------------------------------

// Every file under `dir` (hidden ones too) with its size and a hash of its bytes (of its size
// and time only for files over 4 MiB: the sparse "oversized header" file).
std::map<QString, QByteArray> snapshot(const QString& dir) {
    return lbtest::folderSnapshot(dir, lbtest::SnapshotFolders::ByName);
}

using lbtest::describeChanges;

bool writeBytes(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

// ---- hostile files ---------------------------------------------------------------------------

using lbtest::pngCrc32;

void putBigEndian32(QByteArray& bytes, int at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        bytes[at + i] = char((v >> (24 - 8 * i)) & 0xff);
}

// A PNG whose IHDR says width x height (CRC fixed, so that only the size is wrong).
QByteArray pngWithSize(QByteArray png, std::uint32_t width, std::uint32_t height) {
    putBigEndian32(png, 16, width);
    putBigEndian32(png, 20, height);
    putBigEndian32(png, 29, pngCrc32(png.mid(12, 17)));
    return png;
}

using Tensor = lbtest::TinyTensor;

// The tiny TAESD halves of this suite (seed 7).
std::vector<Tensor> taesdHalf(bool encoder) {
    return lbtest::tinyTaesdHalf(encoder, 4, 7);
}

bool writeModel(const QString& path, const std::vector<Tensor>& model) {
    return lbtest::writeTinyModel(path, model).ok();
}

// The raw bytes of a safetensors file from header text and a data section.
QByteArray rawSafetensors(const QByteArray& header, const QByteArray& data) {
    QByteArray out(8, '\0');
    const quint64 n = quint64(header.size());
    for (int i = 0; i < 8; ++i)
        out[i] = char((n >> (8 * i)) & 0xff);
    return out + header + data;
}

// An 8-bit image file written by OpenImageIO itself (for formats and layouts lb::writeImage
// does not produce, and for non-finite float pixels).
bool writeOiio(const QString& path, int w, int h, int channels, OIIO::TypeDesc type,
               const std::vector<float>& pixels, const std::string& comment = {}) {
    OIIO::ImageSpec spec(w, h, channels, type);
    if (!comment.empty()) spec.attribute("ImageDescription", comment);
    auto out = OIIO::ImageOutput::create(path.toStdString());
    if (!out || !out->open(path.toStdString(), spec)) return false;
    const bool ok = out->write_image(OIIO::TypeDesc::FLOAT, pixels.data());
    return out->close() && ok;
}

// An OpenEXR file whose first string attribute claims `size` bytes (the file is ~1 KiB).
QByteArray exrWithHugeStringAttribute(QByteArray exr, std::uint32_t size) {
    int i = 8;
    while (i < exr.size()) {
        const int nameEnd = exr.indexOf('\0', i);
        if (nameEnd < 0 || nameEnd == i) break;
        const int typeEnd = exr.indexOf('\0', nameEnd + 1);
        if (typeEnd < 0) break;
        const QByteArray type = exr.mid(nameEnd + 1, typeEnd - nameEnd - 1);
        const int at = typeEnd + 1;
        std::uint32_t len = 0;
        for (int k = 3; k >= 0; --k)
            len = (len << 8) | std::uint8_t(exr[at + k]);
        if (type == "string") {
            for (int k = 0; k < 4; ++k)
                exr[at + k] = char((size >> (8 * k)) & 0xff);
            return exr;
        }
        i = at + 4 + int(len);
    }
    return {};
}

// A lossless WebP of one color whose header claims width x height: its Huffman codes have a
// single symbol each, so it stays valid at any size (a classic decompression bomb). Empty when
// libwebp's encoder is not reachable in this process.
QByteArray webpBomb(std::uint32_t width, std::uint32_t height) {
    using Encode = std::size_t (*)(const std::uint8_t*, int, int, int, std::uint8_t**);
    using Free = void (*)(void*);
    auto encode = reinterpret_cast<Encode>(::dlsym(RTLD_DEFAULT, "WebPEncodeLosslessRGB"));
    auto release = reinterpret_cast<Free>(::dlsym(RTLD_DEFAULT, "WebPFree"));
    if (!encode || !release) return {};
    std::vector<std::uint8_t> rgb(16 * 16 * 3, 200);
    std::uint8_t* encoded = nullptr;
    const std::size_t n = encode(rgb.data(), 16, 16, 48, &encoded);
    QByteArray file(reinterpret_cast<const char*>(encoded), int(n));
    release(encoded);
    if (file.size() < 25 || file.mid(12, 4) != "VP8L") return {};
    std::uint32_t bits = 0;
    for (int k = 3; k >= 0; --k)
        bits = (bits << 8) | std::uint8_t(file[21 + k]);
    bits = (bits & ~0x0fffffffu) | ((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14);
    for (int k = 0; k < 4; ++k)
        file[21 + k] = char((bits >> (8 * k)) & 0xff);
    return file;
}

// ---- the rows --------------------------------------------------------------------------------

struct Row {
    QStringList args;     // "@/" is the working folder
    QStringList expected; // substrings of the one error line (any of them, case-insensitive)
    int exitCode = 1;
    Limits limits;
    bool memoryCheck = false;
    // A known bug (reported, in someone else's code): the check it breaks is QEXPECT_FAIL-marked,
    // so the row turns into a failure (XPASS) once the bug is fixed.
    enum class Breaks { Nothing, Hang, Exit, Message, Folder, Memory } breaks = Breaks::Nothing;
    int timeoutMs = 180000;
    QString knownBug;
};

} // namespace

Q_DECLARE_METATYPE(Row)

class BadInputMatrix : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString work_; // <tmp>/w: in/ (inputs), out/ (outputs), ro/ (read-only)
    long baselineRssKb_ = 0;
    long long baselineAddressSpace_ = -1;
    bool canDropPrivileges_ = false;

    QString in(const QString& name) const { return work_ + "/in/" + name; }

    void makeInputs() {
        QDir(work_).mkpath("in/folder.png");
        QDir(work_).mkpath("in/folder.safetensors");
        QDir(work_).mkpath("out/folder.png");
        QDir(work_).mkpath("ro");
        for (const char* fifo : {"in/pipe.safetensors", "in/pipe.latent", "in/pipe.png"})
            QVERIFY(::mkfifo((work_ + "/" + fifo).toLocal8Bit().constData(), 0644) == 0);

        // Valid ingredients.
        lb::ImageBuffer image;
        image.height = 40;
        image.width = 32;
        image.channels = 3;
        for (int i = 0; i < 40 * 32 * 3; ++i)
            image.data.push_back(float((i * 37) % 256) / 255.0f);
        QVERIFY(lb::writeImage(in("image.png").toStdString(), image).ok());
        QVERIFY(lb::writeImage(in("image.jpg").toStdString(), image).ok());
        QVERIFY(lb::writeImage(in("image.exr").toStdString(), image).ok());
        QVERIFY(lb::writeImage(in("image.tif").toStdString(), image).ok());
        QVERIFY(lb::writeImage(in("image.webp").toStdString(), image).ok());
        QVERIFY(lb::writeImage(in("image.bmp").toStdString(), image).ok());
        lb::MaskBuffer mask;
        mask.height = 40;
        mask.width = 32;
        for (int i = 0; i < 40 * 32; ++i)
            mask.data.push_back(i % 7 == 0 ? 1.0f : 0.0f);
        QVERIFY(lb::writeMaskPng(in("mask.png").toStdString(), mask).ok());
        // A noisy 256x256 mask: its grown PNG is larger than the "full disk" allows.
        lb::MaskBuffer noise;
        noise.height = noise.width = 256;
        std::uint32_t state = 1;
        for (int i = 0; i < 256 * 256; ++i) {
            state = state * 1664525u + 1013904223u;
            noise.data.push_back((state >> 16) % 3 == 0 ? 1.0f : 0.0f);
        }
        QVERIFY(lb::writeMaskPng(in("noise.png").toStdString(), noise).ok());
        QVERIFY(writeModel(in("taesd_encoder.safetensors"), taesdHalf(true)));
        QVERIFY(writeModel(in("taesd_decoder.safetensors"), taesdHalf(false)));
        lb::LatentFileContents latent;
        latent.samples.shape = {1, 4, 5, 4};
        latent.samples.data.assign(80, 0.1f);
        QVERIFY(lb::writeLatentFile(in("good.latent").toStdString(), latent).ok());
        // Previous outputs that a failing run must leave exactly as they are.
        QVERIFY(lb::writeLatentFile((work_ + "/out/previous.latent").toStdString(), latent).ok());
        QVERIFY(lb::writeMaskPng((work_ + "/out/previous.png").toStdString(), mask).ok());

        // Images: empty, garbage, truncated, corrupt, absurd and zero sizes, bombs, NaN/Inf.
        QVERIFY(writeBytes(in("empty.png"), {}));
        QVERIFY(writeBytes(in("text.png"), "this is not an image\n"));
        for (const char* ext : {"png", "jpg", "exr", "tif", "webp", "bmp"}) {
            const QByteArray good = lbtest::readFileBytes(in(QString("image.") + ext));
            QVERIFY(!good.isEmpty());
            QVERIFY(writeBytes(in(QString("truncated.") + ext), good.left(good.size() / 2)));
            QByteArray corrupt = good;
            for (int i = int(good.size() * 0.4); i < int(good.size() * 0.6); ++i)
                corrupt[i] = char(corrupt[i] ^ 0x5a);
            if (QByteArray(ext) == "bmp") // no checksum: break the header (pixel data offset)
                for (int i = 10; i < 14; ++i)
                    corrupt[i] = char(0xf0);
            QVERIFY(writeBytes(in(QString("corrupt.") + ext), corrupt));
        }
        const QByteArray png = lbtest::readFileBytes(in("image.png"));
        QVERIFY(writeBytes(in("huge.png"), pngWithSize(png, 100000, 100000)));
        QVERIFY(writeBytes(in("zero.png"), pngWithSize(png, 0, 0)));
        QVERIFY(writeBytes(in("wide.png"), pngWithSize(png, 0x7fffffff, 1)));
        std::vector<float> pixels(16 * 16 * 3, 0.5f);
        pixels[100] = std::numeric_limits<float>::quiet_NaN();
        QVERIFY(writeOiio(in("nan.exr"), 16, 16, 3, OIIO::TypeDesc::FLOAT, pixels));
        pixels[100] = std::numeric_limits<float>::infinity();
        QVERIFY(writeOiio(in("inf.exr"), 16, 16, 3, OIIO::TypeDesc::FLOAT, pixels));
        std::vector<float> gray(16 * 16, 0.5f);
        gray[3] = -std::numeric_limits<float>::infinity();
        QVERIFY(writeOiio(in("mask-inf.exr"), 16, 16, 1, OIIO::TypeDesc::FLOAT, gray));
        gray[3] = std::numeric_limits<float>::quiet_NaN();
        QVERIFY(writeOiio(in("mask-nan.tif"), 16, 16, 1, OIIO::TypeDesc::FLOAT, gray));
        lb::ImageBuffer tiny;
        tiny.height = tiny.width = 4;
        tiny.channels = 3;
        tiny.data.assign(48, 0.5f);
        QVERIFY(lb::writeImage(in("tiny.png").toStdString(), tiny).ok());
        QVERIFY(writeOiio(in("commented.exr"), 16, 16, 3, OIIO::TypeDesc::HALF,
                          std::vector<float>(16 * 16 * 3, 0.5f), "a comment"));
        const QByteArray exrBomb =
            exrWithHugeStringAttribute(lbtest::readFileBytes(in("commented.exr")), 0x60000000u);
        QVERIFY2(!exrBomb.isEmpty(), "no string attribute in the EXR written by OpenImageIO");
        QVERIFY(writeBytes(in("attribute-bomb.exr"), exrBomb));
        const QByteArray webp = webpBomb(16383, 16383);
        if (!webp.isEmpty()) QVERIFY(writeBytes(in("bomb.webp"), webp));

        // Safetensors / VAE files.
        QVERIFY(writeBytes(in("empty.safetensors"), {}));
        QVERIFY(writeBytes(in("short.safetensors"), "abc"));
        QByteArray beyond(8, '\0');
        beyond[7] = char(0x7f);
        QVERIFY(writeBytes(in("length-beyond-file.safetensors"), beyond + "{}"));
        { // Header length 150 MB (over the format's 100 MB cap) in a sparse file that long.
            QFile f(in("oversized-header.safetensors"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            const quint64 n = 150ull << 20;
            QByteArray length(8, '\0');
            for (int i = 0; i < 8; ++i)
                length[i] = char((n >> (8 * i)) & 0xff);
            f.write(length + "{");
            QVERIFY(f.resize(qint64(n) + 8));
        }
        QVERIFY(writeBytes(in("not-json.safetensors"), rawSafetensors("{{{{not json", {})));
        const QByteArray eight(8, '\1');
        QVERIFY(writeBytes(
            in("overlap.safetensors"),
            rawSafetensors(R"({"0.weight":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                           R"("0.bias":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                           eight)));
        QVERIFY(writeBytes(
            in("out-of-range.safetensors"),
            rawSafetensors(R"({"0.weight":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})",
                           eight)));
        QVERIFY(writeBytes(
            in("unknown-dtype.safetensors"),
            rawSafetensors(R"({"0.weight":{"dtype":"F128","shape":[1],"data_offsets":[0,8]}})",
                           eight)));
        QVERIFY(
            writeBytes(in("duplicate.safetensors"),
                       rawSafetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                      R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                      eight)));
        QVERIFY(writeBytes(in("model.ckpt"), QByteArray::fromHex("80027d710028580100000061")));
        QVERIFY(
            writeBytes(in("model.pt"), QByteArray("PK\x03\x04\x14\x00\x00\x00", 8) + "archive"));
        QVERIFY(writeBytes(in("pickle.safetensors"),
                           QByteArray::fromHex("8004950a000000000000007d942e")));
        auto variant = [&](const QString& name,
                           const std::function<void(std::vector<Tensor>&)>& edit,
                           bool encoder = true) {
            std::vector<Tensor> m = taesdHalf(encoder);
            edit(m);
            QVERIFY(writeModel(in(name), m));
        };
        variant("taesd-nan.safetensors", [](auto& m) { m[4].values[3] = std::nanf(""); });
        variant("taesd-inf.safetensors",
                [](auto& m) { m[0].values[0] = std::numeric_limits<float>::infinity(); });
        variant("taesd-missing.safetensors", [](auto& m) { m.erase(m.begin() + 5); });
        variant("taesd-misshaped.safetensors", [](auto& m) { m[2].shape = {8, 8, 3, 2}; });
        variant("taesd-int32.safetensors", [](auto& m) { m[2].dtype = lb::DType::I32; });
        variant("taesd-rank5.safetensors", [](auto& m) { m[2].shape.push_back(1); });
        variant("taesd-zero-channels.safetensors", [](auto& m) {
            m[0].shape = {0, 3, 3, 3};
            m[1].shape = {0};
        });
        variant(
            "taesd-lone-decoder.safetensors", [](auto&) {}, false);
        variant("taesd-solo-encoder.safetensors", [](auto&) {});
        variant("no-vae-tensors.safetensors", [](auto& m) {
            for (Tensor& t : m)
                t.name = "model.diffusion." + t.name;
        });

        // Latent files.
        auto rawLatent = [&](const QString& name, const std::string& tensor, lb::DType t,
                             std::vector<std::int64_t> shape, float value) {
            std::int64_t n = 1;
            for (std::int64_t d : shape)
                n *= d;
            std::vector<float> v(std::size_t(n), 0.1f);
            if (!v.empty()) v[0] = value;
            std::vector<std::uint8_t> bytes(std::size_t(n) * lb::dtypeSize(t));
            if (!bytes.empty())
                std::memcpy(bytes.data(), v.data(), std::min(bytes.size(), v.size() * 4));
            QVERIFY(lb::writeSafetensors(in(name).toStdString(),
                                         {{tensor, t, shape, bytes.data(), bytes.size()}}, {})
                        .ok());
        };
        rawLatent("nan.latent", "latent_tensor", lb::DType::F32, {1, 4, 5, 4}, std::nanf(""));
        rawLatent("inf.latent", "latent_tensor", lb::DType::F32, {1, 4, 5, 4},
                  std::numeric_limits<float>::infinity());
        rawLatent("rank3.latent", "latent_tensor", lb::DType::F32, {4, 5, 4}, 0.1f);
        rawLatent("no-latent.latent", "samples", lb::DType::F32, {1, 4, 5, 4}, 0.1f);
        rawLatent("int32.latent", "latent_tensor", lb::DType::I32, {1, 4, 5, 4}, 0.1f);
        rawLatent("eight-channels.latent", "latent_tensor", lb::DType::F32, {1, 8, 5, 4}, 0.1f);
    }

private slots:
    void initTestCase() {
        QVERIFY(QFileInfo(cliPath()).isExecutable());
        QVERIFY(tmp_.isValid());
        work_ = tmp_.path() + "/w";
        QVERIFY(QDir().mkpath(work_));
        makeInputs();
        // Readable by `nobody` (for the read-only rows run unprivileged when we are root).
        for (const QString& p : {tmp_.path(), work_, work_ + "/in", work_ + "/out"})
            QFile::setPermissions(p, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner |
                                         QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther |
                                         QFile::ExeOther);
        QFile::setPermissions(work_ + "/ro", QFile::ReadOwner | QFile::ExeOwner | QFile::ReadGroup |
                                                 QFile::ExeGroup | QFile::ReadOther |
                                                 QFile::ExeOther);
        // The baseline: a good run of each command (also proves the inputs are valid).
        const Outcome grow = runCli({"grow", "--mask", in("mask.png"), "--grow", "4", "--output",
                                     tmp_.path() + "/baseline.png"});
        QVERIFY2(grow.exitCode == 0, grow.err.constData());
        baselineRssKb_ = grow.maxRssKb;
        const Outcome encode =
            runCli({"encode", "--image", in("image.png"), "--mask", in("mask.png"), "--vae",
                    in("taesd_encoder.safetensors"), "--output", tmp_.path() + "/baseline.latent"});
        QVERIFY2(encode.exitCode == 0, encode.err.constData());
        baselineRssKb_ = std::max(baselineRssKb_, encode.maxRssKb);
        const Outcome decode = runCli({"decode", "--latent", in("good.latent"), "--vae",
                                       in("taesd_decoder.safetensors"), "--output",
                                       tmp_.path() + "/baseline-decoded.png"});
        QVERIFY2(decode.exitCode == 0, decode.err.constData());
        // The smallest address-space limit a good grow runs in (release builds only: the
        // sanitizers reserve terabytes of shadow memory).
        if (!sanitizerBuild()) {
            for (long long mb : {768ll, 1024ll, 1280ll, 1536ll, 2048ll}) {
                Limits l;
                l.addressSpace = mb << 20;
                if (runCli({"grow", "--mask", in("image.webp"), "--grow", "1", "--output",
                            tmp_.path() + "/as.png"},
                           l)
                        .exitCode == 0) {
                    baselineAddressSpace_ = l.addressSpace;
                    break;
                }
            }
        }
        // Can a child drop to `nobody` (root) or is the read-only folder read-only already?
        Limits unprivileged;
        unprivileged.unprivileged = true;
        const Outcome probe = runCli({"--version"}, unprivileged);
        canDropPrivileges_ = probe.exitCode == 0;
        qInfo("baseline peak RSS %ld KiB, address-space limit %lld MiB, unprivileged runs: %s",
              baselineRssKb_, baselineAddressSpace_ >> 20, canDropPrivileges_ ? "yes" : "no");
    }

    void matrix_data() {
        QTest::addColumn<Row>("row");
        const QString out = "@/out/result.png", latentOut = "@/out/result.latent";
        const QString vae = "@/in/taesd_encoder.safetensors";
        auto grow = [&](const char* name, const QString& mask, const QStringList& expected,
                        const QStringList& extra = {}, int code = 1) {
            Row r;
            r.args = QStringList{"grow", "--mask", mask, "--grow", "4", "--output", out} + extra;
            r.expected = expected;
            r.exitCode = code;
            QTest::newRow(name) << r;
        };
        auto encode = [&](const char* name, const QString& image, const QString& vaeFile,
                          const QStringList& expected, const QStringList& extra = {}) {
            Row r;
            r.args =
                QStringList{"encode", "--image", image, "--vae", vaeFile, "--output", latentOut} +
                extra;
            r.expected = expected;
            QTest::newRow(name) << r;
        };

        // Mask and image files through grow.
        grow("mask missing", "@/in/nothere.png", {"no such file"});
        grow("mask is a folder", "@/in/folder.png", {"is a folder"});
        grow("mask empty file", "@/in/empty.png", {"empty"});
        grow("mask is text", "@/in/text.png", {"text.png"});
        for (const char* ext : {"png", "jpg", "exr", "tif", "webp", "bmp"}) {
            grow(qPrintable(QString("mask truncated %1").arg(ext)),
                 QString("@/in/truncated.%1").arg(ext), {QString("truncated.") + ext});
            grow(qPrintable(QString("mask corrupt %1").arg(ext)),
                 QString("@/in/corrupt.%1").arg(ext), {QString("corrupt.") + ext});
        }
        grow("png of 0x0 pixels", "@/in/zero.png", {"zero.png"});
        grow("png of 100000x100000 pixels (header)", "@/in/huge.png", {"exceeds the limit"});
        grow("png of 2147483647x1 pixels", "@/in/wide.png", {"wide.png"});
        grow("over --max-pixels", "@/in/mask.png", {"exceeds the limit"}, {"--max-pixels", "100"});
        grow("float mask with NaN", "@/in/mask-nan.tif", {"non-finite"});
        grow("float mask with -Inf", "@/in/mask-inf.exr", {"non-finite"});
        grow("mask without alpha, --mask-channel alpha", "@/in/mask.png", {"no alpha"},
             {"--mask-channel", "alpha"});
        {
            Row r;
            r.args = QStringList{"grow",     "--mask", "@/in/attribute-bomb.exr", "--grow", "4",
                                 "--output", out};
            r.expected = {"attribute-bomb.exr"};
            r.memoryCheck = true; // HeaderChecks.cpp walks the EXR header before OpenEXR sees it
            QTest::newRow("exr attribute bomb (1 KiB file, 1.5 GiB attribute)") << r;
        }
        if (QFileInfo::exists(work_ + "/in/bomb.webp")) {
            grow("webp bomb 16383x16383 over --max-pixels", "@/in/bomb.webp", {"exceeds the limit"},
                 {"--max-pixels", "1000000"});
            Row r;
            r.args = QStringList{"grow",     "--mask", "@/in/bomb.webp", "--grow", "4",
                                 "--output", out,      "--max-pixels",   "1000000"};
            r.expected = {"exceeds the limit"};
            // The baseline limit, set in matrix(): OpenImageIO's WebP reader would allocate the
            // whole canvas (1 GiB) in ImageInput::open; HeaderChecks.cpp reads the size first.
            r.limits.addressSpace = -2;
            QTest::newRow("webp bomb within the baseline address space") << r;
        }
        // Grow values and other arguments (usage errors: exit 2).
        {
            Row r;
            r.args =
                QStringList{"grow", "--mask", "@/in/mask.png", "--grow", "-1", "--output", out};
            r.expected = {"outside 0..1024"};
            r.exitCode = 2;
            QTest::newRow("grow -1") << r;
            r.args[4] = "1025";
            QTest::newRow("grow 1025") << r;
            r.args[4] = "99999999999999999999";
            r.expected = {"expects an integer", "outside"};
            QTest::newRow("grow beyond int64") << r;
            r.args[4] = "6.5";
            r.expected = {"expects an integer"};
            QTest::newRow("grow 6.5") << r;
            r.args = QStringList{"grow",   "--mask", "@/in/mask.png", "--grow", "4",
                                 "--size", "0x0",    "--output",      out};
            r.expected = {"not a valid image size"};
            QTest::newRow("size 0x0") << r;
            r.args = QStringList{"grow",       "--mask", "@/in/mask.png", "--grow", "4",
                                 "--multiple", "0",      "--output",      out};
            r.expected = {"--multiple"};
            QTest::newRow("multiple 0") << r;
            r.args = QStringList{"grow", "--mask", "@/in/mask.png", "--grow", "4", "--output"};
            r.expected = {"needs a value"};
            QTest::newRow("output without a value") << r;
        }
        grow("size larger than --max-pixels", "@/in/mask.png", {"exceeds the limit"},
             {"--size", "1000000x1000000"});
        // Outputs.
        {
            Row r;
            r.args = QStringList{"grow", "--mask",   "@/in/mask.png",           "--grow",
                                 "4",    "--output", "@/missing/sub/result.png"};
            r.expected = {"does not exist"};
            QTest::newRow("output folder missing") << r;
            r.args[6] = "@/out/folder.png";
            r.expected = {"folder"};
            QTest::newRow("output is a folder") << r;
            r.args[6] = "@/out/result.jpg";
            r.expected = {"extension"};
            QTest::newRow("output extension") << r;
            r.args[6] = "@/ro/result.png";
            r.expected = {"ro/result.png"};
            r.limits.unprivileged = true;
            QTest::newRow("output folder read-only") << r;
            r.limits = {};
            r.args = QStringList{"grow", "--mask",   "@/in/noise.png",    "--grow",
                                 "0",    "--output", "@/out/previous.png"};
            r.expected = {"previous.png"};
            r.limits.fileSize = 2048;
            QTest::newRow("output folder full, previous output kept") << r;
            r.args[2] = "@/in/truncated.png";
            r.limits = {};
            r.expected = {"truncated.png"};
            QTest::newRow("bad input, previous output kept") << r;
        }

        // Images through encode (read before the VAE is loaded).
        encode("image missing", "@/in/nothere.png", vae, {"no such file"});
        encode("image truncated png", "@/in/truncated.png", vae, {"truncated.png"});
        encode("image with NaN", "@/in/nan.exr", vae, {"non-finite"});
        encode("image with Inf", "@/in/inf.exr", vae, {"non-finite"});
        encode("image absurd size", "@/in/huge.png", vae, {"exceeds the limit"});
        encode("mask is a folder", "@/in/image.png", vae, {"is a folder"},
               {"--mask", "@/in/folder.png"});
        encode("mask truncated", "@/in/image.png", vae, {"truncated.jpg"},
               {"--mask", "@/in/truncated.jpg"});
        encode("image smaller than the VAE's multiple", "@/in/tiny.png", vae, {"smaller"});
        // VAE files.
        const QString img = "@/in/image.png";
        encode("vae missing", img, "@/in/nothere.safetensors", {"no such file"});
        encode("vae is a folder", img, "@/in/folder.safetensors", {"folder"});
        encode("vae empty", img, "@/in/empty.safetensors", {"empty"});
        encode("vae too short", img, "@/in/short.safetensors", {"too short"});
        encode("vae header length beyond the file", img, "@/in/length-beyond-file.safetensors",
               {"exceeds the file size"});
        encode("vae header over 100 MB", img, "@/in/oversized-header.safetensors",
               {"exceeds the limit"});
        encode("vae header not JSON", img, "@/in/not-json.safetensors", {"not valid JSON"});
        encode("vae overlapping offsets", img, "@/in/overlap.safetensors", {"overlap"});
        encode("vae offsets out of range", img, "@/in/out-of-range.safetensors", {"outside"});
        encode("vae unknown dtype", img, "@/in/unknown-dtype.safetensors", {"unknown dtype"});
        encode("vae duplicate tensor names", img, "@/in/duplicate.safetensors", {"duplicate"});
        encode("vae NaN weight", img, "@/in/taesd-nan.safetensors", {"NaN"});
        encode("vae Inf weight", img, "@/in/taesd-inf.safetensors", {"infinite"});
        encode("vae missing tensor", img, "@/in/taesd-missing.safetensors",
               {"missing", "no tensor"});
        encode("vae mis-shaped tensor", img, "@/in/taesd-misshaped.safetensors", {"shape"});
        encode("vae int32 weights", img, "@/in/taesd-int32.safetensors", {"I32", "dtype"});
        encode("vae rank-5 weight", img, "@/in/taesd-rank5.safetensors", {"shape", "dimension"});
        encode("vae zero channels", img, "@/in/taesd-zero-channels.safetensors",
               {"taesd-zero-channels"});
        encode("vae without VAE tensors", img, "@/in/no-vae-tensors.safetensors",
               {"no-vae-tensors"});
        encode("vae decoder only", img, "@/in/taesd-lone-decoder.safetensors", {"encoder"});
        encode("vae pickled .ckpt", img, "@/in/model.ckpt", {"execute code"});
        encode("vae zip .pt", img, "@/in/model.pt", {"execute code"});
        encode("vae pickle named .safetensors", img, "@/in/pickle.safetensors", {"execute code"});
        encode("vae family autoencoderkl asked", img, vae, {"autoencoderkl", "family"},
               {"--vae-family", "autoencoderkl"});
        encode("vae family taesd3 asked for 4 channels", img, vae, {"taesd3"},
               {"--vae-family", "taesd3"});
        encode("vae family flux2 asked", img, vae, {"flux2", "family"}, {"--vae-family", "flux2"});
        {
            Row r;
            r.args = QStringList{
                "encode", "--image", img, "--vae", vae, "--output", "@/out/previous.latent"};
            r.expected = {"previous.latent"};
            r.limits.fileSize = 1024;
            QTest::newRow("encode output folder full, previous latent kept") << r;
            r.args = QStringList{"encode",   "--image",           img, "--vae", vae,
                                 "--output", "@/ro/result.latent"};
            r.limits = {};
            r.limits.unprivileged = true;
            r.expected = {"ro/result.latent"};
            QTest::newRow("encode output folder read-only") << r;
            r.limits = {};
            r.args = QStringList{"encode",  "--image",     img,
                                 "--vae",   vae,           "--output",
                                 latentOut, "--save-mask", "@/missing/grown.png"};
            r.expected = {"does not exist"};
            QTest::newRow("encode --save-mask folder missing") << r;
            r.args = QStringList{
                "encode",        "--image",         img, "--vae", vae, "--output", latentOut,
                "--save-pixels", "@/out/filled.tif"};
            r.expected = {"filled.tif"};
            r.limits.fileSize = 1024;
            QTest::newRow("encode --save-pixels TIFF on a full disk") << r;
            r.limits = {};
            r.args = QStringList{
                "encode",        "--image",         img, "--vae", vae, "--output", latentOut,
                "--save-pixels", "@/out/filled.gif"};
            r.expected = {"extension"};
            QTest::newRow("encode --save-pixels extension") << r;
            r.args = QStringList{"encode",   "--image", img,           "--vae",          vae,
                                 "--output", latentOut, "--save-mask", "@/out/grown.png"};
            r.expected = {"result.latent"};
            r.limits.fileSize = 1024; // the mask fits, the .latent does not: neither may stay
            QTest::newRow("encode full disk after --save-mask") << r;
            // The same over previous outputs: the previous mask PNG and .latent stay as they were
            // (the new mask was complete, but is not renamed over the old one without the rest).
            r.args = QStringList{"encode",
                                 "--image",
                                 img,
                                 "--vae",
                                 vae,
                                 "--output",
                                 "@/out/previous.latent",
                                 "--save-mask",
                                 "@/out/previous.png"};
            r.expected = {"previous.latent"};
            QTest::newRow("encode full disk, previous --save-mask kept") << r;
        }
        // Latent files through decode.
        auto decode = [&](const char* name, const QString& latent, const QStringList& expected,
                          const QString& vaeFile = "@/in/taesd_decoder.safetensors") {
            Row r;
            r.args = QStringList{"decode", "--latent", latent, "--vae", vaeFile, "--output", out};
            r.expected = expected;
            QTest::newRow(name) << r;
        };
        decode("latent missing", "@/in/nothere.latent", {"no such file"});
        decode("latent NaN", "@/in/nan.latent", {"non-finite"});
        decode("latent Inf", "@/in/inf.latent", {"non-finite"});
        decode("latent rank 3", "@/in/rank3.latent", {"4 dimensions"});
        decode("latent without latent_tensor", "@/in/no-latent.latent", {"no latent_tensor"});
        decode("latent int32", "@/in/int32.latent", {"I32"});
        decode("latent channels differ from the VAE", "@/in/eight-channels.latent", {"channels"});
        decode("latent is a VAE file", "@/in/taesd_encoder.safetensors", {"no latent_tensor"});
        decode("decode with an encoder-only VAE", "@/in/good.latent", {"decoder"},
               "@/in/taesd-solo-encoder.safetensors");
        // A named pipe where a file belongs: refused, never waited on.
        {
            Row r;
            r.args = QStringList{"info", "--vae", "@/in/pipe.safetensors"};
            r.expected = {"not a regular file", "pipe.safetensors"};
            r.timeoutMs = 20000;
            QTest::newRow("vae is a FIFO (info)") << r;
            r.args = QStringList{"decode",
                                 "--latent",
                                 "@/in/pipe.latent",
                                 "--vae",
                                 "@/in/taesd_decoder.safetensors",
                                 "--output",
                                 out};
            QTest::newRow("latent is a FIFO (decode)") << r;
            r = Row{};
            r.args = QStringList{"grow", "--mask", "@/in/pipe.png", "--grow", "4", "--output", out};
            r.expected = {"not a regular file"};
            r.timeoutMs = 20000;
            QTest::newRow("mask is a FIFO") << r;
        }
        // info
        {
            Row r;
            r.args = QStringList{"info", "--vae", "@/in/oversized-header.safetensors"};
            r.expected = {"exceeds the limit"};
            QTest::newRow("info oversized header") << r;
            r.args = QStringList{"info", "--vae", "@/in/model.ckpt"};
            r.expected = {"execute code"};
            QTest::newRow("info pickled checkpoint") << r;
        }
    }

    void matrix() {
        QFETCH(Row, row);
        if (row.limits.unprivileged && !canDropPrivileges_ && ::geteuid() == 0)
            LB_CANNOT_RUN(
                "running as root and cannot drop to nobody: a read-only folder is writable");
        Limits limits = row.limits;
        if (limits.addressSpace == -2) {
            if (baselineAddressSpace_ < 0)
                QSKIP("address-space limits are not usable in sanitizer builds");
            limits.addressSpace = baselineAddressSpace_;
        }
        QStringList args;
        for (const QString& a : row.args)
            args << (a.startsWith("@/") ? work_ + a.mid(1) : a);

        const auto before = snapshot(work_);
        const Outcome o = runCli(args, limits, row.timeoutMs);
        const auto after = snapshot(work_);
        const QString err = QString::fromUtf8(o.err).trimmed();
        const QString context = QString("exit %1, signal %2, %3 s, %4 MiB; stderr: %5")
                                    .arg(o.exitCode)
                                    .arg(o.signal)
                                    .arg(o.seconds, 0, 'f', 1)
                                    .arg(o.maxRssKb / 1024)
                                    .arg(err);

        if (row.breaks == Row::Breaks::Hang) QEXPECT_FAIL("", qPrintable(row.knownBug), Abort);
        QVERIFY2(!o.timedOut, qPrintable("hung: " + context));
        QVERIFY2(o.signal == 0, qPrintable("crashed: " + context));
        if (row.breaks == Row::Breaks::Exit) QEXPECT_FAIL("", qPrintable(row.knownBug), Abort);
        QVERIFY2(o.exitCode == row.exitCode, qPrintable(context));
        QVERIFY2(o.out.isEmpty(), qPrintable("stdout: " + QString::fromUtf8(o.out)));
        QStringList lines = err.split('\n');
        if (row.exitCode == 2 && lines.size() == 2 && lines[1].startsWith("Try "))
            lines.removeLast();
        // Warnings may come first (e.g. "no --mask"); the error itself must be one line.
        while (lines.size() > 1 && lines.first().startsWith("warning: "))
            lines.removeFirst();
        QVERIFY2(lines.size() == 1, qPrintable("not one line: " + err));
        QVERIFY2(lines[0].startsWith("latentbrush-cli: "), qPrintable(err));
        bool named = false;
        for (const QString& e : row.expected)
            named = named || lines[0].contains(e, Qt::CaseInsensitive);
        if (row.breaks == Row::Breaks::Message) QEXPECT_FAIL("", qPrintable(row.knownBug), Abort);
        QVERIFY2(named, qPrintable("expected " + row.expected.join(" or ") + "; " + context));
        const QString changes = describeChanges(before, after);
        if (row.breaks == Row::Breaks::Folder) QEXPECT_FAIL("", qPrintable(row.knownBug), Abort);
        QVERIFY2(changes.isEmpty(), qPrintable("the folder changed: " + changes));
        if (row.memoryCheck) {
            const long limitKb = baselineRssKb_ + 512 * 1024;
            if (row.breaks == Row::Breaks::Memory)
                QEXPECT_FAIL("", qPrintable(row.knownBug), Abort);
            QVERIFY2(o.maxRssKb <= limitKb, qPrintable(QString("peak RSS %1 MiB, baseline %2 MiB: ")
                                                           .arg(o.maxRssKb / 1024)
                                                           .arg(baselineRssKb_ / 1024) +
                                                       context));
        }
    }
};

QTEST_GUILESS_MAIN(BadInputMatrix)
#include "tst_bad_input_matrix.moc"
