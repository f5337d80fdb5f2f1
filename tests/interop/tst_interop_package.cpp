// The .deb of this build: scripts/check-deb.sh runs `cpack -G DEB` into a temporary folder and
// checks the package (programs, desktop entry, icons at every hicolor size, the .latent MIME
// type, the ComfyUI workflows and node package, the declared Debian dependencies). The install
// test in a fresh Debian 12 root (--root-test) needs root, debootstrap and a network, so it is
// not run here.
#include "TestSupport.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

class InteropPackage : public QObject {
    Q_OBJECT
private slots:
    void debContents() {
        const QString bin = QStringLiteral(LATENTBRUSH_BINARY_DIR);
        if (QStandardPaths::findExecutable("cpack").isEmpty() ||
            QStandardPaths::findExecutable("dpkg-deb").isEmpty())
            LB_CANNOT_RUN("cpack or dpkg-deb not installed");
        if (!QFileInfo::exists(bin + "/app/latentbrush") ||
            !QFileInfo::exists(bin + "/app/latentbrush-cli"))
            LB_CANNOT_RUN(
                "the editor and the CLI are not both built here (LATENTBRUSH_BUILD_UI=OFF?)");
        if (!QFileInfo::exists(bin + "/installer/icons/hicolor/512x512/apps/latentbrush.png"))
            LB_CANNOT_RUN("the icons are not rendered yet: build the default target first");
        QTemporaryDir out;
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start("bash", {QStringLiteral(LATENTBRUSH_SOURCE_DIR "/scripts/check-deb.sh"), bin,
                         "--out", out.path()});
        QVERIFY(p.waitForFinished(600000));
        const QString log = QString::fromUtf8(p.readAll());
        qInfo("%s", qPrintable(log));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QVERIFY2(p.exitCode() == 0, "scripts/check-deb.sh failed (see its FAIL lines above)");
        QVERIFY(log.contains("package contents OK"));
    }
};

QTEST_GUILESS_MAIN(InteropPackage)
#include "tst_interop_package.moc"
