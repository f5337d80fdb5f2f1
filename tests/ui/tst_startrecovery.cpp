// A crash never hides its own recovery: the real editor, killed (SIGKILL) after painting, is
// started again with the same image, another image or none, with the image load slower and
// faster than the offer; the offer stays visible through the loads, says when the opened image
// is the one the mask belongs to, and Restore gives back the painted mask bit for bit.
#include "EditorProcess.h"
#include "TestSupport.h"

#include "AutosaveManager.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

using namespace lbuitest;

namespace {

// What a killed editor left: its autosave and the mask it held when it died.
struct Crash {
    QString autosave;
    std::vector<float> mask;
};

bool isFound(int index) {
    return index >= 0;
}

} // namespace

class TestStartRecovery : public QObject {
    Q_OBJECT
private:
    QTemporaryDir home_;
    QString photo_, other_, third_;

    // `latentbrush IMAGE`, two strokes through mouse events (a 21 px one through three points
    // between pixel centres, a 9 px one), the editor's own autosave catching up, then SIGKILL.
    Crash crashAfterPainting(const QString& image, int seed) {
        Crash crash;
        EditorProcess editor(home_.path());
        if (!editor.start({image})) return crash;
        if (!isFound(editor.waitForEvent(QStringLiteral("image ") + image))) {
            qWarning("the editor did not open %s: %s", qPrintable(image),
                     qPrintable(editor.stderrText()));
            return crash;
        }
        const int d = seed * 7;
        const QStringList strokes{QStringLiteral("paint 21 %1.5 %2.25 %3 %4 %5.75 %6")
                                      .arg(20 + d)
                                      .arg(30 + d)
                                      .arg(140 + d)
                                      .arg(70)
                                      .arg(90)
                                      .arg(150 - d),
                                  QStringLiteral("paint 9 %1 12 %2.5 100").arg(200 - d).arg(180)};
        for (const QString& stroke : strokes)
            if (!editor.command(stroke).value("ok").toBool()) return crash;
        const QString dump = home_.filePath(QStringLiteral("painted-%1.raw").arg(seed));
        if (!editor.command(QStringLiteral("dump-mask ") + dump).value("ok").toBool()) return crash;
        const std::vector<float> painted = readFloats(dump);
        const QString autosave = editor.state().value("autosaveFile").toString();
        // The autosave follows the edits within seconds (its own delays, nothing forced).
        QElapsedTimer clock;
        clock.start();
        for (;;) {
            const auto saved = lbui::AutosaveManager::read(autosave);
            if (saved && saved->mask == painted) break;
            if (clock.elapsed() > 20000) {
                qWarning("the autosave %s never held the painted mask", qPrintable(autosave));
                return crash;
            }
            QThread::msleep(100);
        }
        if (!editor.killHard()) return crash;
        crash.autosave = autosave;
        crash.mask = painted;
        return crash;
    }

    // Restores through the bar of `editor` and checks the mask of `crash` came back exactly.
    void checkRestored(EditorProcess& editor, const Crash& crash, const QString& image) {
        const QJsonObject s = editor.waitForState([&](const QJsonObject& st) {
            return st.value("image").toString() == image && st.value("undoCount").toInt() >= 1 &&
                   !st.value("loadingImage").toBool();
        });
        QCOMPARE(s.value("image").toString(), image);
        QCOMPARE(s.value("undoCount").toInt(), 1); // one undoable step, on a fresh document
        QVERIFY(s.value("modified").toBool());
        const QString dump = home_.filePath(QStringLiteral("restored.raw"));
        QVERIFY(editor.command(QStringLiteral("dump-mask ") + dump).value("ok").toBool());
        const std::vector<float> restored = readFloats(dump);
        QCOMPARE(restored.size(), crash.mask.size());
        QVERIFY2(restored == crash.mask, "the restored mask differs from the painted one");
        QVERIFY(!QFileInfo::exists(crash.autosave)); // answered: not offered again
    }

private slots:
    void initTestCase() {
        QVERIFY(home_.isValid());
        photo_ = home_.filePath(QStringLiteral("photo.png"));
        other_ = home_.filePath(QStringLiteral("other.png"));
        third_ = home_.filePath(QStringLiteral("third.png"));
        QVERIFY(writeNoiseImage(photo_, 320, 240, 1));
        QVERIFY(writeNoiseImage(other_, 256, 200, 2));
        QVERIFY(writeNoiseImage(third_, 160, 120, 3));
    }

    void init() {
        QDir(home_.filePath(QStringLiteral(".local"))).removeRecursively();
        QDir(home_.filePath(QStringLiteral(".config"))).removeRecursively();
    }

    void offerSurvivesTheStartAndRestores_data() {
        QTest::addColumn<QString>("startWith"); // "painted", "other" or "" (the sample)
        QTest::addColumn<int>("loadDelayMs");
        QTest::addColumn<int>("offerDelayMs");
        QTest::addColumn<QString>("order"); // "offer first", "load first", or "" (any)
        QTest::addColumn<bool>("restoreWhileLoading");
        QTest::newRow("same image, the load slower than the offer")
            << "painted" << 2500 << 0 << "offer first" << false;
        QTest::newRow("same image, the load faster than the offer")
            << "painted" << 0 << 2500 << "load first" << false;
        // Long enough that the load is still running when the test looks, however slowly a
        // loaded machine starts the editor (4 s was not, once, on 2 busy cores).
        QTest::newRow("same image, Restore clicked while it loads")
            << "painted" << 12000 << 0 << "offer first" << true;
        QTest::newRow("another image, the load slower than the offer")
            << "other" << 2500 << 0 << "offer first" << false;
        QTest::newRow("another image, the load faster than the offer")
            << "other" << 0 << 2500 << "load first" << false;
        QTest::newRow("no image (the sample)") << "" << 0 << 0 << "" << false;
    }

    void offerSurvivesTheStartAndRestores() {
        QFETCH(QString, startWith);
        QFETCH(int, loadDelayMs);
        QFETCH(int, offerDelayMs);
        QFETCH(QString, order);
        QFETCH(bool, restoreWhileLoading);
        if (!editorBuilt()) LB_CANNOT_RUN("the latentbrush program has not been built");
        const Crash crash = crashAfterPainting(photo_, 1);
        QVERIFY2(!crash.autosave.isEmpty(), "the first editor did not paint and autosave");
        QVERIFY(QFileInfo::exists(crash.autosave));

        EditorProcess editor(home_.path());
        editor.setEnv(QStringLiteral("LATENTBRUSH_TEST_LOAD_DELAY_MS"),
                      QString::number(loadDelayMs));
        editor.setEnv(QStringLiteral("LATENTBRUSH_TEST_RECOVERY_DELAY_MS"),
                      QString::number(offerDelayMs));
        const QString image = startWith == "painted" ? photo_
                              : startWith == "other" ? other_
                                                     : QString();
        QVERIFY(editor.start(image.isEmpty() ? QStringList{} : QStringList{image}));
        const int offered = editor.waitForEvent(QStringLiteral("recovery 1"));
        QVERIFY2(isFound(offered), qPrintable(editor.stderrText()));

        if (restoreWhileLoading) {
            // The image is still loading: the row says so, and Restore waits for it.
            QCOMPARE(editor.indexOfEvent(QStringLiteral("image ")), -1);
            const QJsonObject s = editor.state();
            QVERIFY(s.value("loadingImage").toBool());
            QVERIFY2(s.value("recovery")
                         .toObject()
                         .value("text")
                         .toString()
                         .contains(QStringLiteral("is the image being opened")),
                     qPrintable(s.value("recovery").toObject().value("text").toString()));
            QVERIFY(editor.command(QStringLiteral("recovery Restore")).value("ok").toBool());
            QVERIFY(isFound(editor.waitForEvent(QStringLiteral("image ") + photo_)));
            checkRestored(editor, crash, photo_);
            QCOMPARE(editor.countEvents(QStringLiteral("image ")), 1); // no second load
            return;
        }

        const QString opened = image.isEmpty() ? QStringLiteral("image :") : "image " + image;
        const int loaded = editor.waitForEvent(opened);
        QVERIFY2(isFound(loaded), qPrintable(editor.events().join(QLatin1Char('|'))));
        if (order == "offer first")
            QVERIFY2(offered < loaded, qPrintable(editor.events().join(QLatin1Char('|'))));
        if (order == "load first")
            QVERIFY2(loaded < offered, qPrintable(editor.events().join(QLatin1Char('|'))));

        // Both happened, in that order: the offer is still there, and says what Restore does.
        const QJsonObject s = editor.state();
        const QJsonObject bar = s.value("recovery").toObject();
        QVERIFY2(bar.value("visible").toBool(), qPrintable(editor.events().join(QLatin1Char('|'))));
        QCOMPARE(bar.value("offers").toArray().size(), 1);
        QCOMPARE(bar.value("offers").toArray().at(0).toObject().value("image").toString(), photo_);
        const QString text = bar.value("text").toString();
        QVERIFY2(text.contains(QStringLiteral("did not close properly")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("photo.png")), qPrintable(text));
        if (startWith == "painted")
            QVERIFY2(text.contains(QStringLiteral("is the image you opened")), qPrintable(text));
        else
            QVERIFY2(text.contains(QStringLiteral("Restore opens that image")), qPrintable(text));
        QVERIFY(!s.value("modal").toBool());
        QCOMPARE(editor.indexOfEvent(QStringLiteral("recovery-hidden")), -1);

        QVERIFY(editor.command(QStringLiteral("recovery Restore")).value("ok").toBool());
        checkRestored(editor, crash, photo_);
        QVERIFY(!editor.state().value("recovery").toObject().value("visible").toBool());
        if (startWith == "painted") // straight into the open image: no second load
            QCOMPARE(editor.countEvents(QStringLiteral("image ")), 1);
    }

    void severalCrashedSessionsAreEachOffered() {
        if (!editorBuilt()) LB_CANNOT_RUN("the latentbrush program has not been built");
        const Crash first = crashAfterPainting(photo_, 1);
        QVERIFY(!first.autosave.isEmpty());
        QThread::msleep(1100); // distinct times: the newest is listed first
        const Crash second = crashAfterPainting(other_, 2);
        QVERIFY(!second.autosave.isEmpty());

        EditorProcess editor(home_.path());
        editor.setEnv(QStringLiteral("LATENTBRUSH_TEST_LOAD_DELAY_MS"), QStringLiteral("1500"));
        QVERIFY(editor.start({photo_}));
        QVERIFY(isFound(editor.waitForEvent(QStringLiteral("recovery 2"))));
        QVERIFY(isFound(editor.waitForEvent(QStringLiteral("image ") + photo_)));
        QJsonObject bar = editor.state().value("recovery").toObject();
        QVERIFY(bar.value("visible").toBool());
        const QJsonArray offers = bar.value("offers").toArray();
        QCOMPARE(offers.size(), 2);
        QCOMPARE(offers.at(0).toObject().value("file").toString(), second.autosave);
        QCOMPARE(offers.at(1).toObject().value("file").toString(), first.autosave);
        // The row of the opened image first, then the other.
        const QStringList rows = bar.value("text").toString().split(QLatin1Char('\n'));
        QCOMPARE(rows.size(), 3); // the header and one row each
        QVERIFY2(rows[1].contains(QStringLiteral("photo.png")) &&
                     rows[1].contains(QStringLiteral("is the image you opened")),
                 qPrintable(rows[1]));
        QVERIFY2(rows[2].contains(QStringLiteral("other.png")) &&
                     rows[2].contains(QStringLiteral("Restore opens that image")),
                 qPrintable(rows[2]));

        // A later load before any answer: both stay offered.
        QVERIFY(editor.command(QStringLiteral("open ") + third_).value("ok").toBool());
        QVERIFY(isFound(editor.waitForEvent(QStringLiteral("image ") + third_)));
        bar = editor.state().value("recovery").toObject();
        QVERIFY(bar.value("visible").toBool());
        QCOMPARE(bar.value("offers").toArray().size(), 2);
        QVERIFY(!bar.value("text").toString().contains(QStringLiteral("is the image you opened")));

        // Each one restores into its own image, bit for bit; the other stays offered.
        QVERIFY(editor.command(QStringLiteral("recovery Restore ") + first.autosave)
                    .value("ok")
                    .toBool());
        checkRestored(editor, first, photo_);
        bar = editor.state().value("recovery").toObject();
        QVERIFY(bar.value("visible").toBool());
        QCOMPARE(bar.value("offers").toArray().size(), 1);
        QVERIFY(editor
                    .command(QStringLiteral("save-mask ") +
                             home_.filePath(QStringLiteral("photo_mask.png")))
                    .value("ok")
                    .toBool());
        QVERIFY(editor.command(QStringLiteral("recovery Restore ") + second.autosave)
                    .value("ok")
                    .toBool());
        checkRestored(editor, second, other_);
        QVERIFY(!editor.state().value("recovery").toObject().value("visible").toBool());
    }

    void discardForgetsOnlyThatMask() {
        if (!editorBuilt()) LB_CANNOT_RUN("the latentbrush program has not been built");
        const Crash first = crashAfterPainting(photo_, 1);
        QVERIFY(!first.autosave.isEmpty());
        const Crash second = crashAfterPainting(other_, 2);
        QVERIFY(!second.autosave.isEmpty());
        {
            EditorProcess editor(home_.path());
            QVERIFY(editor.start({}));
            QVERIFY(isFound(editor.waitForEvent(QStringLiteral("recovery 2"))));
            QVERIFY(editor.command(QStringLiteral("recovery Discard ") + first.autosave)
                        .value("ok")
                        .toBool());
            QVERIFY(!QFileInfo::exists(first.autosave));
            QVERIFY(QFileInfo::exists(second.autosave));
            QCOMPARE(editor.state().value("recovery").toObject().value("offers").toArray().size(),
                     1);
            QVERIFY(editor.quit()); // unanswered: kept for the next start
        }
        EditorProcess editor(home_.path());
        QVERIFY(editor.start({}));
        QVERIFY(isFound(editor.waitForEvent(QStringLiteral("recovery 1"))));
        QVERIFY(editor.command(QStringLiteral("recovery Restore")).value("ok").toBool());
        checkRestored(editor, second, other_);
    }
};

QTEST_GUILESS_MAIN(TestStartRecovery)
#include "tst_startrecovery.moc"
