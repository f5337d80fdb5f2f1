// Smoke test of the real program: `latentbrush IMG --quit-after S` under Xvfb (xvfb-run) opens
// the image, shows the window and quits cleanly (exit 0, settings written on close); without any
// display, --help, --version and a bad option are answered on the terminal (as over SSH).
#include "TestSupport.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

class TestSmoke : public QObject {
    Q_OBJECT
private slots:
    void startsWithImageAndQuitsCleanly_data() {
        QTest::addColumn<bool>("withImage");
        QTest::newRow("with an image") << true;
        QTest::newRow("sample image") << false;
    }

    void startsWithImageAndQuitsCleanly() {
        QFETCH(bool, withImage);
        const QString xvfb = QStandardPaths::findExecutable(QStringLiteral("xvfb-run"));
        if (xvfb.isEmpty()) LB_CANNOT_RUN("xvfb-run is not installed (apt-get install xvfb xauth)");
        const QString program = QStringLiteral(LATENTBRUSH_BINARY_DIR "/app/latentbrush");
        if (!QFileInfo::exists(program))
            LB_CANNOT_RUN("the latentbrush program has not been built");
        QTemporaryDir home;
        QVERIFY(home.isValid());
        QImage image(320, 200, QImage::Format_RGB32);
        image.fill(QColor(40, 90, 160));
        const QString imagePath = home.filePath(QStringLiteral("smoke.png"));
        QVERIFY(image.save(imagePath));

        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("QT_QPA_PLATFORM")); // the real xcb platform on Xvfb
        env.insert(QStringLiteral("HOME"), home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral(".config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral(".local/share")));
        p.setProcessEnvironment(env);
        QStringList args{QStringLiteral("-a"), QStringLiteral("-s"),
                         QStringLiteral("-screen 0 1600x1000x24"), program};
        if (withImage) args << imagePath;
        args << QStringLiteral("--quit-after") << QStringLiteral("3");
        p.start(xvfb, args);
        QVERIFY(p.waitForFinished(120000));
        const QString err = QString::fromLocal8Bit(p.readAllStandardError());
        QVERIFY2(p.exitStatus() == QProcess::NormalExit, qPrintable(err));
        QVERIFY2(p.exitCode() == 0, qPrintable(err));
        // Closing the window wrote the settings: the clean-quit path ran.
        QSettings settings(home.filePath(QStringLiteral(".config/Latentbrush/Latentbrush.conf")),
                           QSettings::IniFormat);
        QVERIFY2(!settings.value(QStringLiteral("window/geometry")).toByteArray().isEmpty(),
                 qPrintable(err));
        if (withImage)
            QCOMPARE(settings.value(QStringLiteral("recent/images")).toStringList().value(0),
                     QFileInfo(imagePath).absoluteFilePath());
    }

    void answersTextWithoutADisplay_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("expected");
        QTest::newRow("--help") << QStringList{"--help"} << 0 << QStringLiteral("Usage:");
        QTest::newRow("-h with an image")
            << QStringList{"photo.png", "-h"} << 0 << QStringLiteral("--mask");
        QTest::newRow("--version")
            << QStringList{"--version"} << 0 << QStringLiteral("Latentbrush " LATENTBRUSH_VERSION);
        QTest::newRow("unknown option")
            << QStringList{"--bogus"} << 1 << QStringLiteral("Unknown option 'bogus'");
    }

    void answersTextWithoutADisplay() {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, expected);
        const QString program = QStringLiteral(LATENTBRUSH_BINARY_DIR "/app/latentbrush");
        if (!QFileInfo::exists(program))
            LB_CANNOT_RUN("the latentbrush program has not been built");
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
            env.remove(QString::fromLatin1(name)); // xcb, the default, cannot connect
        p.setProcessEnvironment(env);
        p.start(program, args);
        QVERIFY(p.waitForFinished(60000));
        const QString out =
            QString::fromLocal8Bit(p.readAllStandardOutput() + p.readAllStandardError());
        QVERIFY2(p.exitStatus() == QProcess::NormalExit, qPrintable(out));
        QCOMPARE(p.exitCode(), exitCode);
        QVERIFY2(out.contains(expected), qPrintable(out));
        QVERIFY2(!out.contains("platform plugin"), qPrintable(out));
    }
};

QTEST_GUILESS_MAIN(TestSmoke)
#include "tst_smoke.moc"
