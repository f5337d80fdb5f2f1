// latentbrush-cli batch: shards cover every image exactly once, finished outputs are skipped,
// a bad file is reported at the end without stopping the others.
#include "CliSupport.h"
#include "TestSupport.h"

#include "latentbrush/Commands.h"
#include "latentbrush/ImageIO.h"
#include "latentbrush/LatentFile.h"

#include <QProcess>
#include <QTemporaryDir>

#include <map>
#include <set>

namespace {

using lbtest::runCli;
using Run = lbtest::CliRun;

void touch(const QString& path) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
}

void writeTestImage(const QString& path, int h, int w, int seed) {
    lb::ImageBuffer img;
    img.height = h;
    img.width = w;
    img.channels = 4;
    img.data.resize(std::size_t(h) * w * 4);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            float* p = img.row(y) + x * 4;
            p[0] = float((x * 7 + seed) % 256) / 255.0f;
            p[1] = float((y * 5 + seed) % 256) / 255.0f;
            p[2] = float((x + y + seed) % 256) / 255.0f;
            p[3] = (x > w / 3 && x < w / 2 && y > h / 4) ? 0.0f : 1.0f; // transparent = regenerate
        }
    QVERIFY(lb::writeImage(path.toStdString(), img).ok());
}

} // namespace

class CliBatch : public QObject {
    Q_OBJECT
private slots:
    void shardsCoverEveryImageOnce_data() {
        QTest::addColumn<int>("shards");
        for (int n : {1, 2, 3, 7, 16})
            QTest::newRow(qPrintable(QString("%1 shards").arg(n))) << n;
    }
    void shardsCoverEveryImageOnce() {
        QFETCH(int, shards);
        QTemporaryDir tmp;
        std::set<std::string> all;
        for (int i = 0; i < 200; ++i) {
            const QString name = QString("img_%1.%2").arg(i).arg(i % 3 ? "png" : "JPG");
            touch(tmp.filePath(name));
            all.insert(name.toStdString());
        }
        touch(tmp.filePath("notes.txt"));   // not an image
        touch(tmp.filePath(".hidden.png")); // hidden
        std::map<std::string, int> seen;
        for (int s = 0; s < shards; ++s) {
            auto names = lb::batchInputs(tmp.path().toStdString(), s, shards);
            QVERIFY(names.ok());
            for (const std::string& n : *names)
                ++seen[n];
        }
        QCOMPARE(seen.size(), all.size());
        for (const auto& [name, count] : seen) {
            QVERIFY2(all.count(name), name.c_str());
            QCOMPARE(count, 1);
        }
        // A shard's share depends on the names alone: adding files never moves existing ones.
        auto before = lb::batchInputs(tmp.path().toStdString(), 0, shards);
        touch(tmp.filePath("zzz_new.png"));
        auto after = lb::batchInputs(tmp.path().toStdString(), 0, shards);
        for (const std::string& n : *before)
            QVERIFY(std::find(after->begin(), after->end(), n) != after->end());
    }

    void batchEncodesSkipsAndReports() {
        LB_REQUIRE_SHARED();
        const QString vae = lbtest::sharedDir() + "/golden/vae/kl4.safetensors";
        QTemporaryDir tmp;
        QDir(tmp.path()).mkdir("in");
        QDir(tmp.path()).mkdir("out");
        for (int i = 0; i < 3; ++i)
            writeTestImage(tmp.filePath(QString("in/p%1.png").arg(i)), 40, 48, i);
        QFile bad(tmp.filePath("in/broken.png"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("not an image at all");
        bad.close();
        const QStringList args{
            "batch",  "--images", tmp.filePath("in"), "--vae", vae, "--out", tmp.filePath("out"),
            "--grow", "4",        "--device",         "cpu"};
        Run r = runCli(args);
        QCOMPARE(r.exitCode, 1); // one file failed
        QVERIFY2(r.out.contains("3 encoded") && r.out.contains("1 failed"), qPrintable(r.out));
        QVERIFY2(r.out.contains("broken.png"), qPrintable(r.out));
        for (int i = 0; i < 3; ++i) {
            auto latent =
                lb::readLatentFile(tmp.filePath(QString("out/p%1.latent").arg(i)).toStdString());
            QVERIFY(latent.ok());
            QCOMPARE(latent->samples.shape, (std::vector<std::int64_t>{1, 4, 5, 6}));
            QVERIFY(latent->hasNoiseMask);
            QVERIFY(QFileInfo::exists(tmp.filePath(QString("out/p%1.mask.png").arg(i))));
        }
        QVERIFY(!QFileInfo::exists(tmp.filePath("out/broken.latent")));
        r = runCli(args); // second run: everything done is skipped
        QVERIFY2(r.out.contains("0 encoded") && r.out.contains("3 skipped"), qPrintable(r.out));
    }
};

QTEST_GUILESS_MAIN(CliBatch)
#include "tst_cli_batch.moc"
