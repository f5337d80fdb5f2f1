// The editor remembers its VAE: the real program, started again after a crash, preselects the
// last VAE that loaded and loads it in the background with the device, kernels, precision and
// threads it was used with; a VAE file that is gone or damaged falls back quietly (a status-bar
// note, no error), and one place (VaeChooser::chooseAtStart) decides what to load at start.
#include "EditorProcess.h"
#include "TestSupport.h"
#include "UiTestSupport.h"

#include "VaeChooser.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

using namespace lbuitest;
using lbui::VaeChooser;
using lbui::VaeStartChoice;

namespace {

QString sharedVae() {
    return lbtest::sharedDir() + QStringLiteral("/models/taef2_encoder.safetensors");
}

// `vae` of a state, as a person reads the VAE panel.
QJsonObject vaeOf(const QJsonObject& state) {
    return state.value("vae").toObject();
}

} // namespace

class TestStartVae : public QObject {
    Q_OBJECT
private:
    QTemporaryDir home_;
    QString image_;

    // A first session: loads `vae` with the given choices through the panel, then dies (SIGKILL):
    // what it remembers was written when the choices were made, not at a clean quit.
    void firstSessionLoads(const QString& vae) {
        EditorProcess editor(home_.path());
        QVERIFY(editor.start({image_}));
        QVERIFY(editor.waitForEvent(QStringLiteral("shown")) >= 0);
        // Nothing remembered yet: the built-in TAEF2 is preselected.
        QVERIFY2(
            editor.waitForEvent(QStringLiteral("vae-loaded ") + VaeChooser::builtinVaePath()) >= 0,
            qPrintable(editor.events().join(QLatin1Char('|'))));
        for (const char* choice : {"choose vaeDevice cpu", "choose vaeKernels reference",
                                   "choose vaeDType fp32", "spin vaeCpuThreads 2"}) {
            const QJsonObject r = editor.command(QString::fromLatin1(choice));
            QVERIFY2(r.value("ok").toBool(), qPrintable(r.value("error").toString()));
        }
        QVERIFY(editor.command(QStringLiteral("vae ") + vae).value("ok").toBool());
        QVERIFY2(editor.waitForEvent(QStringLiteral("vae-loaded ") +
                                     QFileInfo(vae).absoluteFilePath()) >= 0,
                 qPrintable(editor.events().join(QLatin1Char('|'))));
        const QJsonObject inUse = vaeOf(editor.state()).value("inUse").toObject();
        QCOMPARE(inUse.value("kernels").toString(), QStringLiteral("reference"));
        QCOMPARE(inUse.value("device").toString(), QStringLiteral("cpu"));
        QCOMPARE(inUse.value("dtype").toString(), QStringLiteral("fp32"));
        QVERIFY(editor.killHard());
    }

private slots:
    void initTestCase() {
        QVERIFY(home_.isValid());
        image_ = home_.filePath(QStringLiteral("photo.png"));
        QVERIFY(writeNoiseImage(image_, 128, 96, 5));
    }

    void init() {
        QDir(home_.filePath(QStringLiteral(".config"))).removeRecursively();
        QDir(home_.filePath(QStringLiteral(".local"))).removeRecursively();
    }

    // The decision alone: what is loaded at start, and what is said when the last VAE is gone.
    void chooseAtStart_data() {
        QTest::addColumn<QString>("requested");
        QTest::addColumn<QString>("remembered");
        QTest::addColumn<int>("source");
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("note");
        const QString here = home_.filePath(QStringLiteral("here.safetensors"));
        const QString gone = home_.filePath(QStringLiteral("gone.safetensors"));
        {
            QFile f(here);
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        using S = VaeStartChoice::Source;
        const QString builtin = VaeChooser::builtinVaePath();
        QVERIFY2(!builtin.isEmpty(), "the built-in VAE is not in the build tree");
        QTest::newRow("nothing asked, nothing remembered: the built-in VAE")
            << ""
            << "" << int(S::Builtin) << builtin << false;
        QTest::newRow("the remembered VAE is there")
            << "" << here << int(S::Remembered) << here << false;
        QTest::newRow("the remembered VAE is gone: the built-in VAE, and a note")
            << "" << gone << int(S::Builtin) << builtin << true;
        QTest::newRow("--vae wins over the remembered one")
            << gone << here << int(S::CommandLine) << gone << false;
    }

    void chooseAtStart() {
        QFETCH(QString, requested);
        QFETCH(QString, remembered);
        QFETCH(int, source);
        QFETCH(QString, path);
        QFETCH(bool, note);
        const VaeStartChoice choice = VaeChooser::chooseAtStart(requested, remembered);
        QCOMPARE(int(choice.source), source);
        QCOMPARE(choice.path, path);
        QCOMPARE(!choice.note.isEmpty(), note);
        if (note)
            QVERIFY2(choice.note.contains(QFileInfo(remembered).fileName()),
                     qPrintable(choice.note));
    }

    // A first start with an empty home folder, nothing downloaded: the built-in TAEF2 is chosen,
    // Encode encodes the sample image and its decode is shown.
    void firstStartEncodesWithTheBuiltinVae() {
        if (!editorBuilt()) LB_CANNOT_RUN("the latentbrush program has not been built");
        EditorProcess editor(home_.path());
        QVERIFY(editor.start({}));
        QVERIFY2(
            editor.waitForEvent(QStringLiteral("vae-loaded ") + VaeChooser::builtinVaePath()) >= 0,
            qPrintable(editor.events().join(QLatin1Char('|'))));
        QJsonObject s = editor.waitForState(
            [](const QJsonObject& st) { return st.value("encodeEnabled").toBool(); });
        QVERIFY(vaeOf(s).value("info").toString().contains(QStringLiteral("Built-in")));
        const QJsonObject r = editor.command(QStringLiteral("encode"));
        QVERIFY2(r.value("ok").toBool(), qPrintable(r.value("error").toString()));
        s = editor.waitForState(
            [](const QJsonObject& st) {
                return st.value("encoded").toBool() && st.value("decodedShown").toBool();
            },
            180000);
        QVERIFY2(s.value("encoded").toBool() && s.value("decodedShown").toBool(),
                 qPrintable(QJsonDocument(s).toJson()));
        QVERIFY(!s.value("info").toObject().value("visible").toBool()); // no error on the way
        QVERIFY(editor.quit());
    }

    void lastVaeAndChoicesComeBack() {
        LB_REQUIRE_SHARED();
        if (!editorBuilt()) LB_CANNOT_RUN("the latentbrush program has not been built");
        firstSessionLoads(sharedVae());
        if (QTest::currentTestFailed()) return;

        EditorProcess editor(home_.path());
        QVERIFY(editor.start({image_}));
        const int shown = editor.waitForEvent(QStringLiteral("shown"));
        QVERIFY(shown >= 0);
        // Preselected at once, loading or loaded (never "No VAE"), with the remembered choices.
        const QJsonObject early = vaeOf(editor.state());
        QCOMPARE(early.value("shown").toString(), QFileInfo(sharedVae()).absoluteFilePath());
        QCOMPARE(early.value("device").toString(), QStringLiteral("cpu"));
        QCOMPARE(early.value("kernels").toString(), QStringLiteral("reference"));
        QCOMPARE(early.value("dtype").toString(), QStringLiteral("fp32"));
        QCOMPARE(early.value("threads").toInt(), 2);
        // In the background: the window was up before the VAE was.
        const int loaded = editor.waitForEvent(QStringLiteral("vae-loaded"));
        QVERIFY2(loaded > shown, qPrintable(editor.events().join(QLatin1Char('|'))));
        const QJsonObject s = editor.waitForState(
            [](const QJsonObject& st) { return st.value("encodeEnabled").toBool(); });
        QVERIFY(s.value("encodeEnabled").toBool());
        QCOMPARE(vaeOf(s).value("path").toString(), QFileInfo(sharedVae()).absoluteFilePath());
        const QJsonObject inUse = vaeOf(s).value("inUse").toObject();
        QCOMPARE(inUse.value("kernels").toString(), QStringLiteral("reference"));
        QCOMPARE(inUse.value("device").toString(), QStringLiteral("cpu"));
        QCOMPARE(inUse.value("dtype").toString(), QStringLiteral("fp32"));
        QVERIFY(!s.value("info").toObject().value("visible").toBool());
        QVERIFY(editor.quit());
    }

    void sessionsBeforeTheSettingUseTheRecentList() {
        // A settings file of a version that kept only the recent list: its first entry loads.
        LB_REQUIRE_SHARED();
        if (!editorBuilt()) LB_CANNOT_RUN("the latentbrush program has not been built");
        {
            QSettings settings(editorSettingsFile(home_.path()), QSettings::IniFormat);
            settings.setValue(QStringLiteral("recent/vaes"), QStringList{sharedVae()});
        }
        EditorProcess editor(home_.path());
        QVERIFY(editor.start({image_}));
        QVERIFY2(editor.waitForEvent(QStringLiteral("vae-loaded")) >= 0,
                 qPrintable(editor.events().join(QLatin1Char('|'))));
        QCOMPARE(vaeOf(editor.state()).value("path").toString(),
                 QFileInfo(sharedVae()).absoluteFilePath());
        QVERIFY(editor.quit());
    }

    void vanishedVaeFallsBackQuietly() {
        LB_REQUIRE_SHARED();
        if (!editorBuilt()) LB_CANNOT_RUN("the latentbrush program has not been built");
        const QString copy = home_.filePath(QStringLiteral("moved-away.safetensors"));
        QFile::remove(copy);
        QVERIFY(QFile::copy(sharedVae(), copy));
        firstSessionLoads(copy);
        if (QTest::currentTestFailed()) return;
        QVERIFY(QFile::remove(copy));

        EditorProcess editor(home_.path());
        QVERIFY(editor.start({image_}));
        QVERIFY(editor.waitForEvent(QStringLiteral("image ") + image_) >= 0);
        const QJsonObject s = editor.state();
        QVERIFY2(s.value("status").toString().contains(QStringLiteral("moved-away.safetensors")),
                 qPrintable(s.value("status").toString()));
        QVERIFY(s.value("status").toString().contains(QStringLiteral("no longer")));
        // It falls back to the built-in TAEF2: Encode works, and nothing shouts.
        const QJsonObject after = editor.waitForState(
            [](const QJsonObject& st) { return st.value("encodeEnabled").toBool(); });
        QCOMPARE(vaeOf(after).value("path").toString(), VaeChooser::builtinVaePath());
        QVERIFY(!after.value("info").toObject().value("visible").toBool()); // no error bar
        QVERIFY(!s.value("modal").toBool());
        QCOMPARE(vaeOf(s).value("kernels").toString(), QStringLiteral("reference"));
        QVERIFY(editor.quit());
    }

    void damagedVaeFallsBackQuietlyOnce() {
        LB_REQUIRE_SHARED();
        if (!editorBuilt()) LB_CANNOT_RUN("the latentbrush program has not been built");
        const QString copy = home_.filePath(QStringLiteral("damaged.safetensors"));
        QFile::remove(copy);
        QVERIFY(QFile::copy(sharedVae(), copy));
        firstSessionLoads(copy);
        if (QTest::currentTestFailed()) return;
        {
            QFile f(copy);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write("not a safetensors file");
        }
        {
            EditorProcess editor(home_.path());
            QVERIFY(editor.start({image_}));
            QVERIFY2(editor.waitForEvent(QStringLiteral("vae-note")) >= 0,
                     qPrintable(editor.events().join(QLatin1Char('|'))));
            const QJsonObject s = editor.waitForState(
                [](const QJsonObject& st) { return !vaeOf(st).value("loading").toBool(); });
            QVERIFY2(s.value("status").toString().contains(QStringLiteral("could not be loaded")),
                     qPrintable(s.value("status").toString()));
            QVERIFY(!s.value("info").toObject().value("visible").toBool());
            // The built-in TAEF2 takes its place.
            const QJsonObject after = editor.waitForState(
                [](const QJsonObject& st) { return st.value("encodeEnabled").toBool(); });
            QCOMPARE(vaeOf(after).value("path").toString(), VaeChooser::builtinVaePath());
            QCOMPARE(editor.indexOfEvent(QStringLiteral("vae-failed")), -1);
            QVERIFY(editor.quit());
        }
        // Said once: the next start does not try it again (the built-in VAE was the last one).
        EditorProcess editor(home_.path());
        QVERIFY(editor.start({image_}));
        QVERIFY(editor.waitForEvent(QStringLiteral("vae-loaded ")) >= 0);
        const QJsonObject s = editor.state();
        QCOMPARE(vaeOf(s).value("path").toString(), VaeChooser::builtinVaePath());
        QCOMPARE(editor.indexOfEvent(QStringLiteral("vae-note")), -1);
        QVERIFY(editor.quit());
    }

    void failedReloadKeepsTheVaeAndItsChoices() {
        // A reload with new choices that fails leaves the VAE in use and the panel showing the
        // choices it runs with (remembered so, too).
        LB_REQUIRE_SHARED();
        if (!editorBuilt()) LB_CANNOT_RUN("the latentbrush program has not been built");
        const QString copy = home_.filePath(QStringLiteral("reload.safetensors"));
        QFile::remove(copy);
        QVERIFY(QFile::copy(sharedVae(), copy));
        EditorProcess editor(home_.path());
        QVERIFY(editor.start({image_, QStringLiteral("--vae"), copy}));
        QVERIFY(editor.waitForEvent(QStringLiteral("vae-loaded")) >= 0);
        const QString kernelsBefore = vaeOf(editor.state()).value("kernels").toString();
        const QString otherKernels =
            kernelsBefore == "fast" ? QStringLiteral("reference") : QStringLiteral("fast");
        {
            QFile f(copy);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write("damaged after it loaded");
        }
        QVERIFY(editor.command(QStringLiteral("choose vaeKernels ") + otherKernels)
                    .value("ok")
                    .toBool());
        QVERIFY(editor.waitForEvent(QStringLiteral("vae-failed")) >= 0);
        const QJsonObject s = editor.waitForState(
            [](const QJsonObject& st) { return !vaeOf(st).value("loading").toBool(); });
        QCOMPARE(vaeOf(s).value("kernels").toString(), kernelsBefore);
        QCOMPARE(vaeOf(s).value("inUse").toObject().value("kernels").toString(), kernelsBefore);
        QCOMPARE(vaeOf(s).value("path").toString(), QFileInfo(copy).absoluteFilePath());
        QVERIFY(s.value("encodeEnabled").toBool());
        QVERIFY(s.value("info").toObject().value("text").toString().contains(
            QStringLiteral("stays loaded")));
        QVERIFY(editor.quit());
        QSettings settings(editorSettingsFile(home_.path()), QSettings::IniFormat);
        QCOMPARE(settings.value(QStringLiteral("vae/kernels")).toString(), kernelsBefore);
    }
};

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    lbuitest::initEnvironment(); // chooseAtStart reads nothing, but keep this process's own
    TestStartVae test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_startvae.moc"
