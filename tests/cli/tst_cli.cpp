// latentbrush-cli as a process: help, the grow command against the goldens, and one clear line
// with a non-zero exit (and no output file left behind) for every kind of bad input.
#include "CliSupport.h"
#include "TestSupport.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/Safetensors.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

namespace {

using lbtest::runCli;
using Run = lbtest::CliRun;

void writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

// A gray 8-bit mask PNG written through the project's own writer (binary 0/255).
void writeMaskPng(const QString& path, int h, int w) {
    lb::BinaryMask m;
    m.height = h;
    m.width = w;
    m.data.assign(std::size_t(h) * w, 0);
    for (int y = h / 4; y < h / 2; ++y)
        for (int x = w / 3; x < w / 2; ++x)
            m.data[std::size_t(y) * w + x] = 1;
    QVERIFY(lb::writeBinaryMaskPng(path.toStdString(), m).ok());
}

int filesIn(const QString& dir) {
    return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot).size();
}

} // namespace

class CliTest : public QObject {
    Q_OBJECT
private slots:
    void helpListsEveryCommand() {
        Run r = runCli({"--help"});
        QCOMPARE(r.exitCode, 0);
        for (const char* word :
             {"encode", "grow", "decode", "info", "--grow", "--mask-channel", "--vae-family",
              "--device", "--dtype", "--save-mask", "--save-pixels", "--size", "--multiple"})
            QVERIFY2(r.out.contains(word), word);
        QCOMPARE(runCli({"grow", "--help"}).exitCode, 0);
    }

    void usageErrors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no command") << QStringList{} << "no command";
        QTest::newRow("unknown command") << QStringList{"paint"} << "unknown command";
        QTest::newRow("unknown option") << QStringList{"grow", "--colour", "x"} << "no option";
        QTest::newRow("grow missing --mask")
            << QStringList{"grow", "--grow", "6", "--output", "o.png"} << "needs --mask";
        QTest::newRow("grow not a number")
            << QStringList{"grow", "--mask", "m.png", "--grow", "six", "--output", "o.png"}
            << "expects an integer";
        QTest::newRow("grow above 1024")
            << QStringList{"grow", "--mask", "m.png", "--grow", "1025", "--output", "o.png"}
            << "outside 0..1024";
        QTest::newRow("grow negative")
            << QStringList{"grow", "--mask", "m.png", "--grow", "-1", "--output", "o.png"}
            << "outside 0..1024";
        QTest::newRow("bad size") << QStringList{"grow",   "--mask", "m.png",    "--grow", "2",
                                                 "--size", "12",     "--output", "o.png"}
                                  << "WxH";
        QTest::newRow("bad family")
            << QStringList{"info", "--vae", "v.safetensors", "--vae-family", "sd9"}
            << "unknown --vae-family";
    }
    void usageErrors() {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        Run r = runCli(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
    }

    void growMatchesGolden() {
        LB_REQUIRE_SHARED();
        const QString caseDir = lbtest::sharedDir() + "/golden/mask-only-grow64";
        QFile jf(caseDir + "/case.json");
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonObject c = QJsonDocument::fromJson(jf.readAll()).object();
        const QJsonArray size = c["image_size_hw"].toArray();
        QTemporaryDir tmp;
        const QString out = tmp.filePath("grown.png");
        Run r = runCli({"grow", "--mask", caseDir + "/mask.png", "--grow",
                        QString::number(c["grow"].toInt()), "--size",
                        QString("%1x%2").arg(size[1].toInt()).arg(size[0].toInt()), "--multiple",
                        QString::number(c["downscale"].toInt()), "--output", out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        auto grown = lb::readImage(out.toStdString());
        LB_VERIFY_OK(grown);
        QCOMPARE(grown->image.channels, 1);
        QCOMPARE(grown->bitsPerSample, 8);
        auto expected =
            lb::SafetensorsFile::open((caseDir + "/expected.safetensors").toStdString());
        QVERIFY(expected.ok());
        const lb::TensorView* noise = (*expected)->find("noise_mask");
        QVERIFY(noise);
        QCOMPARE(std::int64_t(grown->image.height), noise->shape[2]);
        QCOMPARE(std::int64_t(grown->image.width), noise->shape[3]);
        int differing = 0;
        for (std::size_t i = 0; i < grown->image.data.size(); ++i) {
            const float v = grown->image.data[i];
            QVERIFY(v == 0.0f || v == 1.0f); // written as 0/255
            differing += (v == 1.0f) != (noise->data[i] == 1);
        }
        QCOMPARE(differing, 0);
    }

    void growUsesMaskSizeAndMultiple() {
        QTemporaryDir tmp;
        const QString mask = tmp.filePath("m.png");
        writeMaskPng(mask, 50, 37);
        const QString out = tmp.filePath("g.png");
        Run r = runCli({"grow", "--mask", mask, "--grow", "3", "--output", out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        auto grown = lb::readImage(out.toStdString());
        QVERIFY(grown.ok());
        QCOMPARE(grown->image.height, 48); // 50 -> 48, 37 -> 32 with the default multiple 8
        QCOMPARE(grown->image.width, 32);
        r = runCli({"grow", "--mask", mask, "--grow", "3", "--multiple", "4", "--output", out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        grown = lb::readImage(out.toStdString());
        QCOMPARE(grown->image.height, 48);
        QCOMPARE(grown->image.width, 36);
    }

    void growWarnsWhenAspectDiffers() {
        QTemporaryDir tmp;
        const QString mask = tmp.filePath("m.png");
        writeMaskPng(mask, 40, 40);
        Run r = runCli({"grow", "--mask", mask, "--grow", "2", "--size", "160x80", "--output",
                        tmp.filePath("g.png")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("warning") && r.err.contains("aspect"), qPrintable(r.err));
    }

    void badInputsGiveOneLine_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing mask") << "missing"
                                      << "no such file";
        QTest::newRow("corrupt mask") << "corrupt"
                                      << "corrupt.png";
        QTest::newRow("empty mask file") << "empty"
                                         << "empty.png";
        QTest::newRow("mask is a folder") << "folder"
                                          << "folder";
        QTest::newRow("output folder missing") << "nofolder"
                                               << "does not exist";
        QTest::newRow("output not png") << "notpng"
                                        << "extension";
    }
    void badInputsGiveOneLine() {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        QTemporaryDir tmp;
        QString mask = tmp.filePath("m.png");
        QString out = tmp.filePath("out.png");
        if (kind == "missing") mask = tmp.filePath("nothere.png");
        if (kind == "corrupt") {
            mask = tmp.filePath("corrupt.png");
            writeFile(
                mask,
                QByteArray("\x89PNG\r\n\x1a\n this is not a png")); // a PNG signature, then junk
        }
        if (kind == "empty") {
            mask = tmp.filePath("empty.png");
            writeFile(mask, QByteArray());
        }
        if (kind == "folder") {
            mask = tmp.filePath("folder");
            QDir(tmp.path()).mkdir("folder");
        }
        if (kind == "nofolder" || kind == "notpng") writeMaskPng(mask, 16, 16);
        if (kind == "nofolder") out = tmp.filePath("no/such/dir/out.png");
        if (kind == "notpng") out = tmp.filePath("out.jpg");
        const int before = filesIn(tmp.path());
        Run r = runCli({"grow", "--mask", mask, "--grow", "4", "--output", out});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
        QCOMPARE(r.err.trimmed().count('\n'), 0); // one line
        QCOMPARE(filesIn(tmp.path()), before);    // nothing written, no temporary left
    }

    void hostileVaeFiles_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("expected");
        QByteArray huge(8, '\0');
        huge[7] = char(0x7f); // header length ~9e18
        QTest::newRow("header length beyond the file") << huge << "vae.safetensors"
                                                       << "vae.safetensors";
        QByteArray notJson = QByteArray::fromHex("0400000000000000") + "{{{{";
        QTest::newRow("header not JSON") << notJson << "vae.safetensors"
                                         << "vae.safetensors";
        QTest::newRow("pickle") << QByteArray::fromHex("80025d71002e") << "model.ckpt"
                                << "execute code";
        QTest::newRow("zip checkpoint") << QByteArray("PK\x03\x04rest", 8) << "model.pt"
                                        << "execute code";
        QTest::newRow("too short") << QByteArray("abc") << "vae.safetensors"
                                   << "vae.safetensors";
    }
    void hostileVaeFiles() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, name);
        QFETCH(QString, expected);
        QTemporaryDir tmp;
        const QString vae = tmp.filePath(name);
        writeFile(vae, bytes);
        Run r = runCli({"info", "--vae", vae});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
        QCOMPARE(r.err.trimmed().count('\n'), 0);

        const QString image = tmp.filePath("i.png");
        writeMaskPng(image, 32, 32);
        const QString out = tmp.filePath("o.latent");
        r = runCli({"encode", "--image", image, "--vae", vae, "--output", out});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(out));
    }
};

QTEST_GUILESS_MAIN(CliTest)
#include "tst_cli.moc"
