// The editor under faults: an editor process painting through real mouse events is killed
// (SIGKILL) at random moments many times; each time a restart offers the mask back, never torn,
// with at most the last few seconds lost. Damaged autosaves are set aside, not fatal, and a
// second editor process never touches the first one's autosave.
#include "TestSupport.h"
#include "UiTestSupport.h"

#include "RecoveryBar.h"
#include "Resources.h"

#include <QDataStream>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QThread>

#include <csignal>
#include <cstdio>
#include <limits>

#include <signal.h>
#include <time.h>

using namespace lbui;

namespace {

// The child's strokes: short horizontal drags on a grid, one per stroke, so that the restored
// mask tells which strokes it holds.
constexpr double kBrush = 9.0;
constexpr int kStep = 22, kMargin = 15, kDrag = 6;
const QPoint kOffset(20, 20); // widget position of image (0, 0) at zoom 1

QPointF strokePoint(int i, int columns) {
    return QPointF(kMargin + (i % columns) * kStep + 0.5, kMargin + (i / columns) * kStep + 0.5);
}

qint64 nowMs() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t); // the same clock in both processes
    return qint64(t.tv_sec) * 1000 + t.tv_nsec / 1000000;
}

void say(const QString& line) {
    std::printf("%s\n", qPrintable(line));
    std::fflush(stdout);
}

std::unique_ptr<MainWindow> childWindow() {
    auto w = std::make_unique<MainWindow>();
    w->openSample();
    w->show();
    if (!QTest::qWaitForWindowExposed(w.get())) return nullptr;
    w->canvas()->setZoom(1.0, QPointF(0, 0));
    w->canvas()->panBy(QPointF(kOffset) - w->canvas()->offset());
    w->brush()->setSettings({kBrush, 1.0, 1.0});
    return w;
}

// LB_FAULT_CHILD=paint: paint strokes through mouse events until killed, logging each one.
// LB_FAULT_CHILD=hold: paint one stroke, autosave, print the file, then idle until killed.
int childMain(int argc, char** argv) {
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    Application::setIdentity();
    auto w = childWindow();
    if (!w) return 3;
    const QByteArray mode = qgetenv("LB_FAULT_CHILD");
    QWidget* canvas = w->canvas();
    const int columns = std::min((canvas->width() - 2 * kOffset.x()) / kStep,
                                 (w->document()->width() - kMargin) / kStep);
    const int rows = std::min((canvas->height() - 2 * kOffset.y()) / kStep,
                              (w->document()->height() - kMargin) / kStep);
    auto stroke = [&](int i) {
        const QPoint p = strokePoint(i, columns).toPoint() + kOffset;
        QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, p);
        QTest::mouseMove(canvas, p + QPoint(kDrag / 2, 0));
        QTest::mouseMove(canvas, p + QPoint(kDrag, 0));
        QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, p + QPoint(kDrag, 0));
    };
    if (mode == "hold") {
        stroke(0);
        if (!w->autosave()->saveNow()) return 4;
        say(QStringLiteral("file %1").arg(w->autosave()->filePath()));
        return app.exec();
    }
    QObject::connect(w->autosave(), &AutosaveManager::saved,
                     [](const QString&) { say(QStringLiteral("saved %1").arg(nowMs())); });
    QRandomGenerator rng(qEnvironmentVariableIntValue("LB_SEED"));
    const bool fast = qEnvironmentVariableIsSet("LB_FAST");
    say(QStringLiteral("ready %1 %2").arg(columns).arg(nowMs()));
    for (int i = 0; i < columns * rows; ++i) {
        stroke(i);
        say(QStringLiteral("stroke %1 %2").arg(i).arg(nowMs()));
        // Painting rhythm: quick strokes with a pause now and then (fast: back to back).
        const int pause = fast                  ? int(rng.bounded(1, 30))
                          : rng.bounded(8) == 0 ? int(rng.bounded(1500, 3500))
                                                : int(rng.bounded(20, 250));
        QTest::qWait(pause);
    }
    return app.exec();
}

struct KillFigures {
    int kills = 0;
    int recovered = 0;
    int torn = 0;
    qint64 maxLostMs = 0;
    int saves = 0;
};

void writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(bytes), bytes.size());
}

// An autosave in the file format of AutosaveManager, with whatever mask and size we like.
QByteArray autosaveBytes(int w, int h, const std::vector<float>& mask, int claimedW = -1) {
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    s.setVersion(QDataStream::Qt_6_0);
    const QByteArray raw(reinterpret_cast<const char*>(mask.data()),
                         qsizetype(mask.size() * sizeof(float)));
    s << quint32(0x4c424d4b) << quint32(1) << sampleImagePath() << QDateTime::currentDateTimeUtc()
      << qint32(claimedW < 0 ? w : claimedW) << qint32(h) << qCompress(raw, 1);
    return out;
}

QString orphanPath(const QString& tag) {
    return QDir(AutosaveManager::folder())
        .filePath(QStringLiteral("autosave-999999-1-%1.lbmask").arg(tag));
}

} // namespace

class TestAutosaveFaults : public QObject {
    Q_OBJECT
private:
    // One round of kills; LB_KILL_ITERATIONS overrides the count.
    void killRounds(int iterations, bool fast, int minDelayMs, int maxDelayMs, KillFigures& fig);

private slots:
    void init() { lbuitest::initEnvironment(); }

    void writesShortlyAfterEditsEvenWhilePainting();
    void killedAtRandomMomentsLosesOnlyTheLastSeconds();
    void killedWhileWritingNeverTearsTheFile();
    void corruptAutosaveIsSetAside_data();
    void corruptAutosaveIsSetAside();
    void damagedBytesNeverCrashTheReader();
    void secondInstanceDoesNotClobberTheFirst();
    void reusedPidDoesNotTakeOverAnOrphan();
};

void TestAutosaveFaults::killRounds(int iterations, bool fast, int minDelayMs, int maxDelayMs,
                                    KillFigures& fig) {
    QRandomGenerator rng(fast ? 4242 : 1234);
    const qint64 bound = AutosaveManager::kDefaultMaxDelayMs + 2500; // + one write, loaded machine
    for (int it = 0; it < iterations; ++it) {
        QDir(AutosaveManager::folder()).removeRecursively();
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LB_FAULT_CHILD"), QStringLiteral("paint"));
        env.insert(QStringLiteral("LB_SEED"), QString::number(it + (fast ? 1000 : 0)));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        if (fast) {
            // An autosave after every stroke, back to back: most kills land inside a write.
            env.insert(QStringLiteral("LB_FAST"), QStringLiteral("1"));
            env.insert(QStringLiteral("LATENTBRUSH_AUTOSAVE_DELAY_MS"), QStringLiteral("0"));
            env.insert(QStringLiteral("LATENTBRUSH_AUTOSAVE_MAX_DELAY_MS"), QStringLiteral("0"));
        }
        child.setProcessEnvironment(env);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForStarted());
        QByteArray out;
        while (!out.contains("ready")) {
            QVERIFY2(child.waitForReadyRead(60000), "the editor child did not start");
            out += child.readAllStandardOutput();
        }
        const int delay = int(rng.bounded(minDelayMs, maxDelayMs));
        QThread::msleep(ulong(delay));
        const qint64 killedAt = nowMs();
        ::kill(pid_t(child.processId()), SIGKILL);
        QVERIFY(child.waitForFinished(30000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        out += child.readAllStandardOutput();
        ++fig.kills;

        int columns = 1;
        std::vector<qint64> strokeAt;
        for (const QByteArray& line : out.split('\n')) {
            const QList<QByteArray> f = line.split(' ');
            if (f.value(0) == "ready") columns = f.value(1).toInt();
            if (f.value(0) == "stroke") strokeAt.push_back(f.value(2).toLongLong());
            if (f.value(0) == "saved") ++fig.saves;
        }
        const int logged = int(strokeAt.size());

        // Restart: every leftover reads back (nothing torn), one session, one file.
        const AutosaveScan scan = AutosaveManager::scanOrphans();
        fig.torn += int(scan.setAside.size());
        QVERIFY2(scan.setAside.isEmpty(), qPrintable(scan.reasons.join(QLatin1Char(';'))));
        QVERIFY(scan.recoverable.size() <= 1);
        const QStringList stray =
            QDir(AutosaveManager::folder()).entryList({QStringLiteral("*.lbmask.*")}, QDir::Files);
        QVERIFY2(stray.isEmpty(), qPrintable(stray.join(QLatin1Char(' '))));

        int kept = 0; // strokes in the restored mask (a prefix of those painted)
        if (!scan.recoverable.empty()) {
            auto w = lbuitest::makeWindow(false);
            QVERIFY(w);
            w->offerAutosaveRecovery();
            QVERIFY(w->recoveryBar()->isVisible());
            QCOMPARE(QApplication::activeModalWidget(), nullptr);
            QVERIFY(w->recoveryBar()->trigger(QStringLiteral("Restore")));
            const lb::MaskBuffer& m = w->document()->mask();
            const int width = m.width;
            auto at = [&](QPointF p) { return m.data[std::size_t(p.y()) * width + int(p.x())]; };
            const int total = std::max(1, (m.height - kMargin) / kStep) * columns;
            while (kept < total && at(strokePoint(kept, columns)) > 0.5f)
                ++kept;
            for (int i = kept; i < total; ++i)
                QVERIFY2(
                    at(strokePoint(i, columns)) == 0.0f,
                    qPrintable(
                        QStringLiteral("stroke %1 restored without stroke %2").arg(i).arg(kept)));
            // Nothing but those strokes: every painted pixel lies near one of them.
            const int reach = int(kBrush / 2) + 2;
            for (int y = 0; y < m.height; ++y)
                for (int x = 0; x < width; ++x) {
                    if (m.data[std::size_t(y) * width + x] == 0.0f) continue;
                    bool near = false;
                    for (int i = 0; i < kept && !near; ++i) {
                        const QPointF p = strokePoint(i, columns);
                        near = x >= p.x() - reach && x <= p.x() + kDrag + reach &&
                               y >= p.y() - reach && y <= p.y() + reach;
                    }
                    QVERIFY2(near, qPrintable(QStringLiteral("stray pixel %1,%2").arg(x).arg(y)));
                }
            QVERIFY(kept >= 1);
            QVERIFY2(kept <= logged + 1, "the autosave holds strokes that were never painted");
            ++fig.recovered;
            w->document()->markSaved();
        }
        // What was lost: the strokes after `kept`; the oldest of them sets the figure.
        if (kept < logged) {
            const qint64 lost = killedAt - strokeAt[std::size_t(kept)];
            fig.maxLostMs = std::max(fig.maxLostMs, lost);
            QVERIFY2(lost <= bound,
                     qPrintable(QStringLiteral("iteration %1: %2 ms of painting lost (killed "
                                               "after %3 ms, %4 of %5 strokes kept)")
                                    .arg(it)
                                    .arg(lost)
                                    .arg(delay)
                                    .arg(kept)
                                    .arg(logged)));
        }
    }
}

void TestAutosaveFaults::writesShortlyAfterEditsEvenWhilePainting() {
    auto w = lbuitest::makeWindow();
    QVERIFY(w);
    AutosaveManager* a = w->autosave();
    QCOMPARE(a->delayMs(), AutosaveManager::kDefaultDelayMs);
    QCOMPARE(a->maxDelayMs(), AutosaveManager::kDefaultMaxDelayMs);
    a->setDelays(150, 400);
    QList<qint64> savedAt;
    connect(a, &AutosaveManager::saved, this, [&savedAt] { savedAt << nowMs(); });
    // Painting without a pause (a dab every 40 ms for 1.2 s): the cap still writes.
    const qint64 start = nowMs();
    for (int i = 0; i < 30; ++i) {
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(60 + 8 * i, 100));
        QTest::qWait(40);
    }
    QVERIFY(!savedAt.isEmpty());
    QVERIFY2(savedAt.first() - start <= 400 + 300,
             qPrintable(QStringLiteral("first write after %1 ms").arg(savedAt.first() - start)));
    // After the last edit: one more write within the delay, holding the final mask.
    QTRY_VERIFY_WITH_TIMEOUT(!a->isWriting() && AutosaveManager::read(a->filePath()) &&
                                 AutosaveManager::read(a->filePath())->mask ==
                                     w->document()->mask().data,
                             2000);
    w->document()->markSaved();
}

void TestAutosaveFaults::killedAtRandomMomentsLosesOnlyTheLastSeconds() {
    bool ok = false;
    int n = qEnvironmentVariableIntValue("LB_KILL_ITERATIONS", &ok);
    if (!ok || n <= 0) n = 20;
    KillFigures fig;
    killRounds(n, false, 300, 6500, fig);
    if (QTest::currentTestFailed()) return;
    qInfo("kill -9 while painting: %d kills, %d restored, %d torn, at most %lld ms of painting "
          "lost (bound %d ms + one write)",
          fig.kills, fig.recovered, fig.torn, fig.maxLostMs, AutosaveManager::kDefaultMaxDelayMs);
}

void TestAutosaveFaults::killedWhileWritingNeverTearsTheFile() {
    bool ok = false;
    int n = qEnvironmentVariableIntValue("LB_KILL_ITERATIONS", &ok);
    if (!ok || n <= 0) n = 20;
    KillFigures fig;
    killRounds(n, true, 200, 1500, fig);
    if (QTest::currentTestFailed()) return;
    qInfo("kill -9 during back-to-back autosaves: %d kills, %d autosaves written before them, "
          "%d restored, %d torn, at most %lld ms lost",
          fig.kills, fig.saves, fig.recovered, fig.torn, fig.maxLostMs);
}

void TestAutosaveFaults::corruptAutosaveIsSetAside_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("alongsideValid");
    const int w = 64, h = 48;
    std::vector<float> mask(std::size_t(w) * h, 0.0f);
    for (std::size_t i = 0; i < mask.size(); i += 3)
        mask[i] = 1.0f;
    const QByteArray valid = autosaveBytes(w, h, mask);
    QRandomGenerator rng(7);
    QByteArray random(valid.size(), Qt::Uninitialized);
    for (char& c : random)
        c = char(rng.bounded(256));
    QByteArray flipped = valid;
    flipped[flipped.size() - 20] = char(flipped[flipped.size() - 20] ^ 0x5a);
    std::vector<float> nan = mask;
    nan[100] = std::numeric_limits<float>::quiet_NaN();

    QTest::newRow("empty file") << QByteArray() << false;
    QTest::newRow("truncated to the header") << valid.left(10) << false;
    QTest::newRow("truncated in the middle") << valid.left(valid.size() / 2) << false;
    QTest::newRow("last byte missing") << valid.left(valid.size() - 1) << false;
    QTest::newRow("random bytes") << random << false;
    QTest::newRow("wrong size in the header") << autosaveBytes(w, h, mask, w + 1) << false;
    QTest::newRow("bytes flipped in the mask data") << flipped << false;
    QTest::newRow("data after the mask") << valid + QByteArray("trailing") << false;
    QTest::newRow("NaN in the mask") << autosaveBytes(w, h, nan) << false;
    QTest::newRow("random bytes beside a good autosave") << random << true;
}

void TestAutosaveFaults::corruptAutosaveIsSetAside() {
    QFETCH(QByteArray, bytes);
    QFETCH(bool, alongsideValid);
    QDir().mkpath(AutosaveManager::folder());
    const QString bad = orphanPath(QStringLiteral("bad"));
    writeFile(bad, bytes);
    std::vector<float> good;
    if (alongsideValid) {
        auto w = lbuitest::makeWindow(false);
        QVERIFY(w);
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(300, 300));
        QVERIFY(w->autosave()->saveNow());
        good = w->document()->mask().data;
        w->autosave()->abandonForTest();
    }

    auto w = lbuitest::makeWindow(false);
    QVERIFY(w);
    w->offerAutosaveRecovery(); // not fatal: no exception, no modal dialog
    QCOMPARE(QApplication::activeModalWidget(), nullptr);
    QVERIFY(!QFileInfo::exists(bad));
    const QString aside = bad + QStringLiteral(".corrupt");
    QVERIFY(QFileInfo::exists(aside));
    QCOMPARE(lbtest::readFileBytes(aside), bytes); // kept as it was, for a bug report
    QVERIFY(w->recoveryBar()->isVisible());
    QVERIFY2(w->recoveryBar()->text().contains(QStringLiteral("set aside")),
             qPrintable(w->recoveryBar()->text()));
    QVERIFY(w->recoveryBar()->text().contains(QFileInfo(aside).fileName()));
    if (alongsideValid) {
        QVERIFY(w->recoveryBar()->trigger(QStringLiteral("Restore")));
        QVERIFY(w->document()->mask().data == good);
        w->document()->markSaved();
    } else {
        // Only the note: nothing to restore, nothing to click but the close button.
        QVERIFY(w->recoveryBar()->offers().empty());
        QVERIFY(!w->recoveryBar()->trigger(QStringLiteral("Restore")));
    }
    // Set aside once: the next start neither offers nor reports it again.
    QVERIFY(AutosaveManager::orphanedAutosaves().isEmpty());
    const AutosaveScan again = AutosaveManager::scanOrphans();
    QVERIFY(again.setAside.isEmpty());
    QVERIFY(again.recoverable.empty());
}

void TestAutosaveFaults::damagedBytesNeverCrashTheReader() {
    const int w = 97, h = 61;
    std::vector<float> mask(std::size_t(w) * h);
    QRandomGenerator rng(99);
    for (float& v : mask)
        v = float(rng.bounded(2));
    const QByteArray valid = autosaveBytes(w, h, mask);
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("a.lbmask"));
    int rejected = 0, accepted = 0;
    // zlib's complaints about the damaged blocks are expected here: keep the log readable.
    static QtMessageHandler previous = nullptr;
    previous = qInstallMessageHandler(
        [](QtMsgType type, const QMessageLogContext& context, const QString& text) {
            if (!text.startsWith(QLatin1String("qUncompress"))) previous(type, context, text);
        });
    auto restore = qScopeGuard([] { qInstallMessageHandler(previous); });
    for (int i = 0; i < 3000; ++i) {
        QByteArray b = valid;
        switch (i % 3) {
        case 0:
            b.truncate(qsizetype(rng.bounded(int(valid.size()))));
            break;
        case 1:
            for (int k = 0, n = 1 + int(rng.bounded(4)); k < n; ++k) {
                const int at = int(rng.bounded(int(b.size())));
                b[at] = char(b[at] ^ char(1 + rng.bounded(255)));
            }
            break;
        default:
            b.replace(int(rng.bounded(int(b.size()))), 4, QByteArray("\xff\xff\xff\x7f", 4));
        }
        writeFile(file, b);
        QString error;
        auto m = AutosaveManager::read(file, &error);
        if (!m) {
            QVERIFY(!error.isEmpty());
            ++rejected;
            continue;
        }
        // Accepted only when the mask itself is intact (a flip in the path or the time).
        QCOMPARE(m->width, w);
        QCOMPARE(m->height, h);
        QVERIFY(m->mask == mask);
        ++accepted;
    }
    qInfo("3000 damaged autosaves: %d rejected, %d accepted with the mask intact", rejected,
          accepted);
}

void TestAutosaveFaults::secondInstanceDoesNotClobberTheFirst() {
    QProcess first;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LB_FAULT_CHILD"), QStringLiteral("hold"));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    first.setProcessEnvironment(env);
    first.start(QCoreApplication::applicationFilePath(), {});
    QByteArray out;
    while (!out.contains('\n')) {
        QVERIFY2(first.waitForReadyRead(60000), "the first editor did not start");
        out += first.readAllStandardOutput();
    }
    const QString firstFile = QString::fromLocal8Bit(out.trimmed()).section(QLatin1Char(' '), 1);
    QVERIFY2(QFileInfo::exists(firstFile), qPrintable(firstFile));
    const QByteArray before = lbtest::readFileBytes(firstFile);

    {
        // The second instance (this process): its own file, nothing offered, nothing touched.
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        QVERIFY(w->autosave()->filePath() != firstFile);
        QVERIFY(!AutosaveManager::orphanedAutosaves().contains(firstFile));
        w->offerAutosaveRecovery();
        QVERIFY(!w->recoveryBar()->isVisible());
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(200, 200));
        QVERIFY(w->autosave()->saveNow());
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(260, 200));
        QTRY_VERIFY_WITH_TIMEOUT(!w->autosave()->isWriting() &&
                                     AutosaveManager::read(w->autosave()->filePath()) &&
                                     AutosaveManager::read(w->autosave()->filePath())->mask ==
                                         w->document()->mask().data,
                                 10000);
        QCOMPARE(lbtest::readFileBytes(firstFile), before);
        w->autosave()->discard();
        QCOMPARE(lbtest::readFileBytes(firstFile), before);
        w->document()->markSaved();
        w->close();
    }
    QCOMPARE(lbtest::readFileBytes(firstFile), before);
    QCOMPARE(first.state(), QProcess::Running);

    // Once the first instance is gone, its autosave is offered, intact.
    ::kill(pid_t(first.processId()), SIGKILL);
    QVERIFY(first.waitForFinished(30000));
    QCOMPARE(AutosaveManager::orphanedAutosaves(), QStringList{firstFile});
    QCOMPARE(lbtest::readFileBytes(firstFile), before);
    auto w = lbuitest::makeWindow();
    QVERIFY(w);
    w->offerAutosaveRecovery();
    QVERIFY(w->recoveryBar()->trigger(QStringLiteral("Restore")));
    QVERIFY(w->document()->isModified());
    w->document()->markSaved();
}

void TestAutosaveFaults::reusedPidDoesNotTakeOverAnOrphan() {
    // A crashed session that had this process's pid and the same instance number.
    QDir().mkpath(AutosaveManager::folder());
    const QString orphan =
        QDir(AutosaveManager::folder())
            .filePath(
                QStringLiteral("autosave-%1-1.lbmask").arg(QCoreApplication::applicationPid()));
    std::vector<float> mask(std::size_t(1030) * 774, 0.0f);
    mask[5000] = 1.0f;
    const QByteArray bytes = autosaveBytes(1030, 774, mask);
    writeFile(orphan, bytes);
    auto w = lbuitest::makeWindow();
    QVERIFY(w);
    QVERIFY(w->autosave()->filePath() != orphan);
    QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(200, 200));
    QVERIFY(w->autosave()->saveNow());
    QCOMPARE(lbtest::readFileBytes(orphan), bytes);
    QCOMPARE(AutosaveManager::orphanedAutosaves(), QStringList{orphan});
    w->document()->markSaved();
}

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsSet("LB_FAULT_CHILD")) return childMain(argc, argv);
    QApplication app(argc, argv);
    TestAutosaveFaults test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_autosavefaults.moc"
