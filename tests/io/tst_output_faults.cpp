// Outputs under faults and inputs that would make a decoder allocate what a header claims:
//  - every image writer on a full disk (RLIMIT_FSIZE in a forked child: writes fail with EFBIG)
//    fails with one line naming the file, leaves the previous file and no temporary file;
//  - AtomicWriteGroup: all outputs or none, the previous files restored when a rename fails;
//  - stale temporary files of killed writers are removed, conservatively;
//  - EXR headers and WebP canvases are checked before OpenEXR / OpenImageIO allocate.
#include "latentbrush/AtomicFile.h"
#include "latentbrush/ImageIO.h"

#include "TestSupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using lbtest::fileSha1;

bool writeBytes(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QStringList temporaries(const QString& dir) {
    return QDir(dir)
        .entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot)
        .filter(QStringLiteral(".lbtmp"));
}

// Runs the private slot fullDiskChild of this program in a new process (fork and exec: a forked
// copy of a process with thread pools, OpenEXR's among them, can deadlock) whose files may not
// grow beyond `limit` bytes; the child's error text ("" when the write succeeded), or what went
// wrong with the child.
std::string withFileSizeLimit(long long limit, const QString& kind, const QString& file,
                              const QString& resultFile) {
    QFile::remove(resultFile);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::signal(SIGXFSZ, SIG_IGN);
        const int devNull = ::open("/dev/null", O_WRONLY);
        ::dup2(devNull, 1);
        ::dup2(devNull, 2);
        const rlimit r{rlim_t(limit), rlim_t(limit)};
        ::setrlimit(RLIMIT_FSIZE, &r);
        ::setenv("LB_FULLDISK_KIND", kind.toLocal8Bit().constData(), 1);
        ::setenv("LB_FULLDISK_FILE", file.toLocal8Bit().constData(), 1);
        ::setenv("LB_FULLDISK_RESULT", resultFile.toLocal8Bit().constData(), 1);
        ::alarm(60);
        const char* self = "/proc/self/exe";
        ::execl(self, self, "fullDiskChild", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFSIGNALED(status))
        return "crashed or hung (signal " + std::to_string(WTERMSIG(status)) + ")";
    QFile result(resultFile);
    if (!result.open(QIODevice::ReadOnly))
        return "the child wrote no result (exit " + std::to_string(WEXITSTATUS(status)) + ")";
    const QByteArray text = result.readAll();
    return text == "ok" ? std::string() : text.toStdString();
}

lb::ImageBuffer noiseImage(int width, int height, int channels) {
    lb::ImageBuffer image;
    image.width = width;
    image.height = height;
    image.channels = channels;
    unsigned state = 12345;
    image.data.resize(std::size_t(width) * std::size_t(height) * std::size_t(channels));
    for (float& v : image.data) {
        state = state * 1103515245u + 12345u;
        v = float((state >> 16) & 0xff) / 255.0f;
    }
    return image;
}

// A dead process id: a child that has exited and been reaped.
pid_t deadPid() {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
}

void makeOld(const QString& path) {
    const timespec times[2] = {{std::time(nullptr) - 3600, 0}, {std::time(nullptr) - 3600, 0}};
    QVERIFY(::utimensat(AT_FDCWD, path.toLocal8Bit().constData(), times, 0) == 0);
}

QByteArray le32(quint32 v) {
    QByteArray b(4, '\0');
    for (int i = 0; i < 4; ++i)
        b[i] = char((v >> (8 * i)) & 0xff);
    return b;
}

constexpr qint64 kActualSize = std::numeric_limits<qint64>::min();

QByteArray exrAttribute(const char* name, const char* type, const QByteArray& value,
                        qint64 declaredSize = kActualSize) {
    return QByteArray(name) + '\0' + QByteArray(type) + '\0' +
           le32(quint32(declaredSize != kActualSize ? declaredSize : value.size())) + value;
}

QByteArray box2i(qint32 x0, qint32 y0, qint32 x1, qint32 y1) {
    return le32(quint32(x0)) + le32(quint32(y0)) + le32(quint32(x1)) + le32(quint32(y1));
}

// A scanline EXR header with one half channel Y, the data window given, then `extra` attributes.
QByteArray exrFile(const QByteArray& dataWindow, const QByteArray& extra, int padding = 64) {
    QByteArray chlist = QByteArray("Y") + '\0' + le32(1) + le32(0) + le32(1) + le32(1) + '\0';
    QByteArray f("\x76\x2f\x31\x01", 4);
    f += le32(2);
    f += exrAttribute("channels", "chlist", chlist);
    f += exrAttribute("compression", "compression", QByteArray(1, '\0'));
    f += exrAttribute("dataWindow", "box2i", dataWindow);
    f += exrAttribute("displayWindow", "box2i", dataWindow);
    f += extra;
    f += '\0';
    f += QByteArray(padding, '\0');
    return f;
}

} // namespace

class OutputFaults : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString path(const QString& name) const { return dir_.filePath(name); }

private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    // Every writer on a full disk: an error naming the file, the previous version intact, no
    // temporary file left.
    void fullDiskKeepsThePreviousFile_data() {
        QTest::addColumn<QString>("name");
        for (const char* name : {"mask.png", "image.png", "image.tif", "image.exr", "image.jpg",
                                 "image.bmp", "image.webp", "latent.latent"})
            QTest::newRow(name) << QString(name);
    }
    void fullDiskKeepsThePreviousFile() {
        QFETCH(QString, name);
        const QString out = path("full-" + name);
        const std::string file = out.toStdString();
        const lb::ImageBuffer small = noiseImage(8, 8, 3);
        lb::Status first;
        if (name.endsWith(".latent")) {
            first = lb::writeBytesAtomically(file, "previous", 8);
        } else {
            first = lb::writeImage(file, small);
        }
        LB_VERIFY_OK(first);
        const QByteArray before = fileSha1(out);
        const std::string error = withFileSizeLimit(2048, name, out, path("result-" + name));
        QFile::remove(path("result-" + name));
        const QString text = QString::fromStdString(error);
        QVERIFY2(!error.empty(), "the write on a full disk reported success");
        QVERIFY2(!text.contains("crashed"), qPrintable(text));
        QVERIFY2(!text.contains('\n'), qPrintable("not one line: " + text));
        QVERIFY2(text.contains(out), qPrintable("the file is not named: " + text));
        QCOMPARE(fileSha1(out), before);
        QCOMPARE(temporaries(dir_.path()), QStringList());
    }

    // The child of withFileSizeLimit: the big write, its error into LB_FULLDISK_RESULT.
    void fullDiskChild() {
        const QString kind = qEnvironmentVariable("LB_FULLDISK_KIND");
        // Nothing to check in the test run itself: fullDiskKeepsThePreviousFile checks what
        // this function reports when it runs as that test's child.
        if (kind.isEmpty()) return;
        const std::string file = qEnvironmentVariable("LB_FULLDISK_FILE").toStdString();
        const lb::ImageBuffer big = noiseImage(256, 256, 3);
        lb::Status st;
        if (kind == "mask.png") {
            lb::MaskBuffer mask;
            mask.width = mask.height = 256;
            mask.data.assign(big.data.begin(), big.data.begin() + 256 * 256);
            st = lb::writeMaskPng(file, mask);
        } else if (kind.endsWith(".latent")) {
            st = lb::writeBytesAtomically(file, big.data.data(), big.data.size() * 4);
        } else {
            st = lb::writeImage(file, big);
        }
        QFile result(qEnvironmentVariable("LB_FULLDISK_RESULT"));
        ::rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
        ::setrlimit(RLIMIT_FSIZE, &unlimited); // root may raise it again; else the text is short
        QVERIFY(result.open(QIODevice::WriteOnly));
        result.write(st ? QByteArray("ok") : QByteArray::fromStdString(st.message()));
    }

    void groupWithoutCommitWritesNothing() {
        const QString a = path("g1-a.png"), b = path("g1-b.bin");
        {
            lb::AtomicWriteGroup group;
            QVERIFY(lb::writeImage(a.toStdString(), noiseImage(8, 8, 3)).ok());
            QVERIFY(lb::writeBytesAtomically(b.toStdString(), "abc", 3).ok());
            QVERIFY(!QFile::exists(a));
            QVERIFY(!QFile::exists(b));
            QCOMPARE(temporaries(dir_.path()).size(), 2);
        }
        QVERIFY(!QFile::exists(a));
        QVERIFY(!QFile::exists(b));
        QCOMPARE(temporaries(dir_.path()), QStringList());
    }

    void groupCommitWritesAll() {
        const QString a = path("g2-a.bin"), b = path("g2-b.bin");
        QVERIFY(writeBytes(a, "old a"));
        lb::AtomicWriteGroup group;
        QVERIFY(lb::writeBytesAtomically(a.toStdString(), "new a", 5).ok());
        QVERIFY(lb::writeBytesAtomically(b.toStdString(), "new b", 5).ok());
        QCOMPARE(fileSha1(a), QCryptographicHash::hash("old a", QCryptographicHash::Sha1));
        QVERIFY(group.commit().ok());
        QCOMPARE(fileSha1(a), QCryptographicHash::hash("new a", QCryptographicHash::Sha1));
        QCOMPARE(fileSha1(b), QCryptographicHash::hash("new b", QCryptographicHash::Sha1));
        QCOMPARE(temporaries(dir_.path()), QStringList());
        // Writes after the commit are not part of the group any more.
        QVERIFY(lb::writeBytesAtomically(b.toStdString(), "newer", 5).ok());
        QCOMPARE(fileSha1(b), QCryptographicHash::hash("newer", QCryptographicHash::Sha1));
    }

    // The second rename fails (its destination became a folder): the first destination gets its
    // previous content back, a destination that did not exist is not left behind.
    void groupRollsBackWhenARenameFails() {
        const QString a = path("g3-a.bin"), b = path("g3-b.bin"), c = path("g3-c.bin");
        QVERIFY(writeBytes(a, "old a"));
        const QByteArray oldA = fileSha1(a);
        lb::AtomicWriteGroup group;
        QVERIFY(lb::writeBytesAtomically(a.toStdString(), "new a", 5).ok());
        QVERIFY(lb::writeBytesAtomically(c.toStdString(), "new c", 5).ok());
        QVERIFY(lb::writeBytesAtomically(b.toStdString(), "new b", 5).ok());
        QVERIFY(QDir().mkpath(b + "/inside"));
        const lb::Status st = group.commit();
        QVERIFY(!st.ok());
        QVERIFY2(QString::fromStdString(st.message()).contains(b), st.message().c_str());
        QCOMPARE(fileSha1(a), oldA);
        QVERIFY(!QFile::exists(c));
        QCOMPARE(temporaries(dir_.path()), QStringList());
        QVERIFY(QDir(b).removeRecursively());
    }

    void staleTemporariesOfDeadWritersAreRemoved() {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const pid_t dead = deadPid();
        const QString d = QString::number(dead), live = QString::number(::getppid());
        const QString staleOld = ".out.lbtmp" + d + "-3.png";
        const QString staleNew = ".out.lbtmp" + d + "-4.png";
        const QString liveOld = ".out.lbtmp" + live + "-0.png";
        const QStringList others = {".other.lbtmp" + d + "-1.png", ".out.lbtmp" + d + "-1.tif",
                                    ".out.lbtmpx" + d + "-1.png",  ".out.lbtmp" + d + "-1x.png",
                                    "out.lbtmp" + d + "-1.png",    ".out.lbtmp" + d + ".png"};
        for (const QString& name : QStringList{staleOld, staleNew, liveOld} + others)
            QVERIFY(writeBytes(tmp.filePath(name), "leftover"));
        for (const QString& name : QStringList{staleOld, liveOld} + others)
            makeOld(tmp.filePath(name));
        QDir(tmp.path()).mkdir(".out.lbtmp" + d + "-9.png"); // a folder: never removed
        makeOld(tmp.filePath(".out.lbtmp" + d + "-9.png"));

        QVERIFY(lb::writeBytesAtomically(tmp.filePath("out.png").toStdString(), "x", 1).ok());
        QVERIFY2(!QFile::exists(tmp.filePath(staleOld)), "a dead writer's old file was kept");
        QVERIFY2(QFile::exists(tmp.filePath(staleNew)), "a recent file was removed");
        QVERIFY2(QFile::exists(tmp.filePath(liveOld)), "a live process's file was removed");
        for (const QString& name : others)
            QVERIFY2(QFile::exists(tmp.filePath(name)), qPrintable("removed: " + name));
        QVERIFY(QFileInfo(tmp.filePath(".out.lbtmp" + d + "-9.png")).isDir());
        // With no minimum age the recent one goes too; nothing else does.
        QCOMPARE(lb::removeStaleTemporaries(tmp.filePath("out.png").toStdString(), 0), 1);
        QVERIFY(!QFile::exists(tmp.filePath(staleNew)));
        QVERIFY(QFile::exists(tmp.filePath(liveOld)));
    }

    // Headers that would make OpenEXR or OpenImageIO allocate what they claim are refused first,
    // whatever the file is named.
    void allocationBombsAreRefusedFromTheirHeader_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        const QByteArray window = box2i(0, 0, 7, 7);
        QTest::newRow("exr string attribute of 1.5 GiB")
            << "a.exr" << exrFile(window, exrAttribute("comments", "string", "abc", 0x60000000))
            << "claims 1610612736 bytes";
        QTest::newRow("exr unknown attribute of 2 GiB, named .png")
            << "b.png" << exrFile(window, exrAttribute("x", "madeup", "abc", 0x7fffffff))
            << "claims";
        QTest::newRow("exr negative attribute size")
            << "c.exr" << exrFile(window, exrAttribute("x", "string", "abc", -5)) << "claims -5";
        QTest::newRow("exr stringvector entry of 2 GiB")
            << "d.exr"
            << exrFile(window, exrAttribute("names", "stringvector", le32(0x7fffffff) + "abcd"))
            << "a string of attribute";
        QTest::newRow("exr string of 20 MiB (in a 20 MiB file)")
            << "e.exr"
            << exrFile(window, exrAttribute("big", "string", QByteArray(20 << 20, 'x'), 20 << 20))
            << "at most";
        QTest::newRow("exr preview of 2^34 bytes")
            << "f.exr"
            << exrFile(window, exrAttribute("preview", "preview", le32(65536) + le32(65536), 8))
            << "preview";
        QTest::newRow("exr data window over --max-pixels")
            << "g.exr" << exrFile(box2i(0, 0, 99999, 99999), {}) << "exceeds the limit";
        QTest::newRow("exr data window of 2^31 x 2^31")
            << "h.exr" << exrFile(box2i(-0x7fffffff, -0x7fffffff, 0x7fffffff, 0x7fffffff), {})
            << "exceeds the limit";
        QTest::newRow("exr offset table beyond the file")
            << "i.exr" << exrFile(box2i(0, 0, 0, 99999), {}) << "chunks";
        QTest::newRow("exr empty data window")
            << "j.exr" << exrFile(box2i(5, 5, 0, 0), {}) << "empty data window";
        QByteArray vp8x = "RIFF" + le32(22) + "WEBPVP8X" + le32(10) + QByteArray(4, '\0');
        vp8x += QByteArray("\xfe\x3f\x00\xfe\x3f\x00", 6); // 16383 x 16383
        vp8x += QByteArray(16, '\0');
        QTest::newRow("webp VP8X canvas 16383x16383") << "k.webp" << vp8x << "16383x16383";
        QTest::newRow("webp VP8X canvas, named .png") << "l.png" << vp8x << "exceeds the limit";
        const quint32 bits = 0x3fffu | (0x3fffu << 14); // 16384 x 16384
        QByteArray vp8l = "RIFF" + le32(30) + "WEBPVP8L" + le32(10) + QByteArray(1, '\x2f') +
                          le32(bits) + QByteArray(16, '\0');
        QTest::newRow("webp VP8L canvas 16384x16384") << "m.webp" << vp8l << "16384x16384";
    }
    void allocationBombsAreRefusedFromTheirHeader() {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const QString file = path("bomb-" + name);
        QVERIFY(writeBytes(file, bytes));
        lb::ImageReadOptions options;
        options.maxPixels = 1000000;
        for (int kind = 0; kind < 2; ++kind) {
            const std::string error =
                kind == 0 ? [&] {
                    auto r = lb::readImage(file.toStdString(), options);
                    return r ? std::string() : r.message();
                }()
                          : [&] {
                                auto r = lb::readMask(file.toStdString(), lb::MaskChannel::Auto,
                                                      options);
                                return r ? std::string() : r.message();
                            }();
            const QString text = QString::fromStdString(error);
            QVERIFY2(!error.empty(), "accepted");
            QVERIFY2(text.contains(expected), qPrintable("expected " + expected + " in: " + text));
            QVERIFY2(text.contains(file), qPrintable(text));
            QVERIFY2(!text.contains('\n'), qPrintable(text));
        }
    }

    // Real files of those formats still load, and the limit is what --max-pixels says.
    void goodExrAndWebpStillLoad() {
        const lb::ImageBuffer image = noiseImage(40, 32, 3);
        for (const char* name : {"good.exr", "good.webp"}) {
            const std::string file = path(name).toStdString();
            QVERIFY(lb::writeImage(file, image).ok());
            auto r = lb::readImage(file);
            LB_VERIFY_OK(r);
            QCOMPARE(r->image.width, 40);
            QCOMPARE(r->image.height, 32);
            lb::ImageReadOptions tight;
            tight.maxPixels = 40 * 32 - 1;
            auto refused = lb::readImage(file, tight);
            QVERIFY(!refused.ok());
            QVERIFY2(QString::fromStdString(refused.message()).contains("exceeds the limit"),
                     refused.message().c_str());
        }
    }
};

QTEST_GUILESS_MAIN(OutputFaults)
#include "tst_output_faults.moc"
