// Atomic writes under SIGKILL: a child process rewrites one file over and over
// - a 24 MiB .latent through writeLatentFile, and a grown-mask PNG through latentbrush-cli - and
// is killed at random moments, many times. After every kill the destination must be exactly the
// previous version or exactly the new one, never a mix, a truncation or missing. Temporary files
// that a kill leaves behind are counted (a killed process cannot remove them) and must be hidden
// names beside the destination, never the destination itself.
#include "TestSupport.h"

#include "latentbrush/LatentFile.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

namespace {

// Iterations: LATENTBRUSH_KILL_ITERATIONS overrides (CI keeps the default).
int iterations(int fallback) {
    const QByteArray env = qgetenv("LATENTBRUSH_KILL_ITERATIONS");
    return env.isEmpty() ? fallback : std::max(1, env.toInt());
}

// Version v of the latent: every value is v, so that a mix of two versions shows.
lb::LatentFileContents version(int v) {
    lb::LatentFileContents c;
    c.samples.shape = {1, 16, 384, 256}; // 6 Mi floats = 24 MiB
    c.samples.data.assign(std::size_t(16) * 384 * 256, float(v));
    c.hasNoiseMask = true;
    c.noiseMask.shape = {1, 1, 64, 64};
    c.noiseMask.data.assign(64 * 64, float(v % 2));
    c.metadata = {{"version", std::to_string(v)}};
    return c;
}

// The version the file holds, or -1 (with `why`) when it is not one whole version.
int versionIn(const QString& path, QString* why) {
    auto r = lb::readLatentFile(path.toStdString());
    if (!r) {
        *why = QString::fromStdString(r.message());
        return -1;
    }
    const int v = std::stoi(r->metadata.count("version") ? r->metadata.at("version") : "-1");
    const lb::LatentFileContents want = version(v);
    if (r->samples.shape != want.samples.shape || r->samples.data != want.samples.data ||
        r->noiseMask.data != want.noiseMask.data) {
        *why = QString("the values are not all those of version %1").arg(v);
        return -1;
    }
    return v;
}

QStringList leftovers(const QString& dir, const QString& keep) {
    QStringList files = QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot);
    files.removeAll(keep);
    return files;
}

using lbtest::fileSha1;

} // namespace

class AtomicKill : public QObject {
    Q_OBJECT
private slots:
    // A child writes versions 1, 2, 3... of one .latent in a loop; it is killed after a random
    // delay spread over about one write; the file must then hold one whole version.
    void killedLibraryWriterLeavesAWholeFile() {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString path = tmp.filePath("out.latent");
        QVERIFY(lb::writeLatentFile(path.toStdString(), version(0)).ok());

        // How long one write takes here (the kill delays are spread over 1.3 of it).
        QElapsedTimer timer;
        timer.start();
        QVERIFY(lb::writeLatentFile(path.toStdString(), version(0)).ok());
        const qint64 writeUs = std::max<qint64>(1000, timer.nsecsElapsed() / 1000);

        std::mt19937 rng(20240607);
        const int n = iterations(150);
        int sawOld = 0, sawNew = 0, interrupted = 0, previous = 0;
        for (int i = 0; i < n; ++i) {
            const pid_t pid = ::fork();
            QVERIFY(pid >= 0);
            if (pid == 0) {
                for (int v = previous + 1;; ++v)
                    if (!lb::writeLatentFile(path.toStdString(), version(v))) ::_exit(3);
            }
            const qint64 delayUs = std::uniform_int_distribution<qint64>(0, writeUs * 13 / 10)(rng);
            std::this_thread::sleep_for(std::chrono::microseconds(delayUs));
            ::kill(pid, SIGKILL);
            int status = 0;
            ::waitpid(pid, &status, 0);
            QVERIFY2(WIFSIGNALED(status), "the writer stopped by itself (a write failed)");

            QString why;
            const int v = versionIn(path, &why);
            QVERIFY2(v >= previous,
                     qPrintable(QString("after kill %1 (%2 us): %3").arg(i).arg(delayUs).arg(why)));
            (v == previous ? sawOld : sawNew) += 1;
            previous = v;
            const QStringList left = leftovers(tmp.path(), "out.latent");
            if (!left.isEmpty()) ++interrupted;
            for (const QString& name : left) {
                QVERIFY2(name.startsWith('.'), qPrintable("a visible temporary file: " + name));
                QFile::remove(tmp.filePath(name));
            }
        }
        qInfo("library writer: %d kills (one write %lld us): %d left the previous version, %d a "
              "newer one, %d interrupted a write in progress (temporary file left behind)",
              n, writeUs, sawOld, sawNew, interrupted);
        QVERIFY2(interrupted > n / 10, "too few kills landed during a write to prove anything");
    }

    // latentbrush-cli grow writes a 3072x3072 grown mask over a previous one and is killed at
    // random moments: the output is the previous file or the complete new one.
    void killedCliLeavesAWholeOutput() {
        const QString cli = QStringLiteral(LATENTBRUSH_BINARY_DIR "/app/latentbrush-cli");
        if (!QFileInfo(cli).isExecutable())
            LB_CANNOT_RUN("latentbrush-cli is not built (no OpenImageIO)");
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        // killAfterMs >= 0: kill that long after the start; < -1: kill -killAfterMs - 2 ms after
        // the temporary output file appears (a kill in the middle of writing it).
        auto runGrow = [&](const QString& mask, const QString& out, int grow, int killAfterMs) {
            QProcess p;
            p.start(cli, {"grow", "--mask", mask, "--grow", QString::number(grow), "--size",
                          "3072x3072", "--output", out});
            if (!p.waitForStarted(30000)) return -3;
            if (killAfterMs < -1) {
                const QDir dir = QFileInfo(out).dir();
                const QString pattern = "." + QFileInfo(out).completeBaseName() + ".lbtmp*";
                while (dir.entryList({pattern}, QDir::Files | QDir::Hidden).isEmpty())
                    if (p.waitForFinished(1)) return p.exitCode();
                if (p.waitForFinished(-killAfterMs - 2)) return p.exitCode();
                ::kill(pid_t(p.processId()), SIGKILL);
                p.waitForFinished(30000);
                return -1;
            }
            if (killAfterMs >= 0) {
                if (p.waitForFinished(killAfterMs)) return p.exitCode();
                ::kill(pid_t(p.processId()), SIGKILL);
                p.waitForFinished(30000);
                return -1;
            }
            p.waitForFinished(300000);
            return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
        };
        // A small noisy PNG mask, resized by --size to 3072x3072 (a large output PNG).
        {
            const QString small = tmp.filePath("noise.pgm");
            QFile f(small);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QByteArray pgm = "P5\n97 89\n255\n";
            std::mt19937 rng(7);
            for (int i = 0; i < 97 * 89; ++i)
                pgm.append(char(rng() % 2 ? 255 : 0));
            f.write(pgm);
            f.close();
            const QString outA = tmp.filePath("a.png"), outB = tmp.filePath("b.png");
            QElapsedTimer t;
            t.start();
            QCOMPARE(runGrow(small, outA, 0, -1), 0);
            const qint64 oneRunMs = t.elapsed();
            QCOMPARE(runGrow(small, outB, 3, -1), 0);
            const QByteArray hashA = fileSha1(outA), hashB = fileSha1(outB);
            QVERIFY(hashA != hashB);

            // Each round rewrites out.png with the other version; the kill lands somewhere in
            // the run (startup, reading, growing, encoding the PNG, renaming).
            const QString out = tmp.filePath("out.png");
            QVERIFY(QFile::copy(outA, out));
            std::mt19937 rng2(99);
            const int n = iterations(30);
            int kept = 0, replaced = 0, interrupted = 0;
            QByteArray current = hashA;
            for (int i = 0; i < n; ++i) {
                const bool toB = current == hashA;
                // Even rounds: anywhere in the run; odd rounds: while the output is written.
                const int delay = i % 2 == 0 ? std::uniform_int_distribution<int>(
                                                   int(oneRunMs / 3), int(oneRunMs * 11 / 10))(rng2)
                                             : -2 - std::uniform_int_distribution<int>(0, 40)(rng2);
                const int rc = runGrow(small, out, toB ? 3 : 0, delay);
                const QByteArray now = fileSha1(out);
                QVERIFY2(now == hashA || now == hashB,
                         qPrintable(QString("round %1 (kill after %2 ms, exit %3): the output is "
                                            "neither version")
                                        .arg(i)
                                        .arg(delay)
                                        .arg(rc)));
                (now == current ? kept : replaced) += 1;
                current = now;
                const QStringList left =
                    leftovers(tmp.path(), "out.png").filter(QRegularExpression("lbtmp"));
                if (!left.isEmpty()) ++interrupted;
                for (const QString& name : left) {
                    QVERIFY2(name.startsWith('.'), qPrintable("a visible temporary file: " + name));
                    QFile::remove(tmp.filePath(name));
                }
            }
            qInfo("latentbrush-cli grow: %d kills (one run %lld ms): %d kept the previous output, "
                  "%d had replaced it, %d interrupted the write of the output",
                  n, oneRunMs, kept, replaced, interrupted);
            QVERIFY2(interrupted >= n / 6, "too few kills landed while the output was written");
        }
    }
};

QTEST_GUILESS_MAIN(AtomicKill)
#include "tst_atomic_kill.moc"
