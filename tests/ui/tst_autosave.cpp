// Never lose work: the mask is autosaved atomically to the application's data folder and,
// after the process is killed, offered back (non-modally) and restored bit for bit.
#include "UiTestSupport.h"

#include "RecoveryBar.h"

#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>

#include <csignal>
#include <cstdio>

using namespace lbui;

namespace {

// Image points and brush of the child's stroke, shared with the checks.
const QPointF kA(100.5, 120.25), kB(260.0, 180.0);
constexpr double kSize = 31.0;

// The child process: paints, autosaves, and dies without any cleanup.
int childMain(int argc, char** argv) {
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    Application::setIdentity();
    MainWindow w;
    w.openSample();
    w.brush()->setSize(kSize);
    w.brush()->beginStroke(kA, 1.0, false, false);
    w.brush()->continueStroke(kB, 1.0);
    w.brush()->endStroke();
    if (!w.autosave()->saveNow()) return 3;
    std::printf("%s\n", qPrintable(w.autosave()->filePath()));
    std::fflush(stdout);
    std::raise(SIGKILL);
    return 4;
}

} // namespace

class TestAutosave : public QObject {
    Q_OBJECT
private slots:
    void init() { lbuitest::initEnvironment(); }

    void periodicAutosaveWritesFile() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        AutosaveManager* a = w->autosave();
        QVERIFY(QFileInfo(a->filePath())
                    .absolutePath()
                    .startsWith(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)));
        QVERIFY(!QFileInfo::exists(a->filePath())); // nothing to save yet
        a->setInterval(50);
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(100, 100));
        QTRY_VERIFY(QFileInfo::exists(a->filePath()));
        auto saved = AutosaveManager::read(a->filePath());
        QVERIFY(saved);
        QVERIFY(saved->mask == w->document()->mask().data);
        QCOMPARE(saved->imagePath, w->document()->imagePath());
        // Saving the mask makes the autosave obsolete.
        QTemporaryDir dir;
        QVERIFY(w->saveMaskTo(dir.filePath(QStringLiteral("m.png"))));
        QVERIFY(!QFileInfo::exists(a->filePath()));
        // Our own live autosave is never offered as a crash leftover.
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(200, 100));
        QVERIFY(a->saveNow());
        QVERIFY(AutosaveManager::orphanedAutosaves().isEmpty());
        w->document()->markSaved();
    }

    void quitAutosavesUnsavedMask() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(100, 100));
        w->autosave()->shutdown(); // as on quit without saving
        QVERIFY(QFileInfo::exists(w->autosave()->filePath()));
    }

    void recoversAfterCrashInProcess() {
        std::vector<float> mask;
        {
            auto w = lbuitest::makeWindow();
            QVERIFY(w);
            w->brush()->setSize(25);
            QTest::mousePress(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(100, 100));
            QTest::mouseMove(w->canvas(), QPoint(300, 200));
            QTest::mouseRelease(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(300, 200));
            QVERIFY(w->autosave()->saveNow());
            mask = w->document()->mask().data;
            w->autosave()->abandonForTest();
        }
        QCOMPARE(AutosaveManager::orphanedAutosaves().size(), 1);
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        w->offerAutosaveRecovery();
        QVERIFY(w->recoveryBar()->isVisible());
        QCOMPARE(QApplication::activeModalWidget(), nullptr);
        QVERIFY(w->recoveryBar()->trigger(QStringLiteral("Restore")));
        QVERIFY(w->document()->mask().data == mask);
        QVERIFY(w->document()->isModified());
        QVERIFY(AutosaveManager::orphanedAutosaves().isEmpty());
        w->document()->undoStack()->undo(); // the restore is one undoable step
        QVERIFY(w->document()->mask().data != mask);
        w->document()->markSaved();
    }

    void recoversAfterProcessIsKilled() {
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LB_AUTOSAVE_CHILD"), QStringLiteral("1"));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        child.setProcessEnvironment(env);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForFinished(60000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        const QString file = QString::fromLocal8Bit(child.readAllStandardOutput()).trimmed();
        QVERIFY2(QFileInfo::exists(file), qPrintable(file));

        const QStringList orphans = AutosaveManager::orphanedAutosaves();
        QCOMPARE(orphans, QStringList{file});
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        w->offerAutosaveRecovery();
        QVERIFY(w->recoveryBar()->isVisible());
        QVERIFY(w->recoveryBar()->text().contains(QStringLiteral("did not close properly")));
        QVERIFY(w->recoveryBar()->trigger(QStringLiteral("Restore")));
        const auto expected = lbuitest::expectedStroke(
            w->document()->width(), w->document()->height(), {kA, kB}, kSize / 2.0, 1.0f,
            std::vector<float>(w->document()->mask().data.size(), 0.0f));
        QCOMPARE(lbuitest::countMismatches(w->document()->mask().data, expected), 0);
        QVERIFY(!QFileInfo::exists(file));
        w->document()->markSaved();
    }

    void discardRemovesLeftover() {
        {
            auto w = lbuitest::makeWindow();
            QVERIFY(w);
            QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(100, 100));
            QVERIFY(w->autosave()->saveNow());
            w->autosave()->abandonForTest();
        }
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        w->offerAutosaveRecovery();
        QVERIFY(w->recoveryBar()->trigger(QStringLiteral("Discard")));
        QVERIFY(AutosaveManager::orphanedAutosaves().isEmpty());
        QCOMPARE(w->document()->undoStack()->count(), 0);
    }
};

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsSet("LB_AUTOSAVE_CHILD")) return childMain(argc, argv);
    QApplication app(argc, argv);
    TestAutosave test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_autosave.moc"
