// The Latentbrush Stitch node (comfyui/latentbrush_nodes/stitch.py) against `latentbrush-cli
// stitch`: region latents written by the CLI with the real TAEF2 (two separate regions scaled up,
// whose results are scaled back with area; one region scaled down, scaled back with bicubic),
// the gray-filled region pixels inverted as the "sampled results", stitched by the CLI with the
// default feather and feather 0; tests/interop/comfy_stitch_check.py runs the node under Debian's
// python3 on the same files (read as ComfyUI's LoadImage reads them), with the grown mask from
// the latent's stitch.mask_runs and from the mask input, and requires the node's output rounded
// as the CLI rounds to equal the CLI's PNG byte for byte; bad inputs give one error each.
#include "InteropSupport.h"

#include <QDir>
#include <QTemporaryDir>

using namespace interop;

namespace {

#ifdef LB_HAVE_QIMAGE
// A two-part soft mask: a hard rectangle and a soft-edged disc.
bool writeTwoPartMask(const QString& path, int w, int h) {
    QImage m(w, h, QImage::Format_Grayscale8);
    for (int y = 0; y < h; ++y) {
        uchar* row = m.scanLine(y);
        for (int x = 0; x < w; ++x) {
            double v = (x >= 20 && x < 45 && y >= 30 && y < 50) ? 1.0 : 0.0;
            const double d = std::hypot(x - 160.0, y - 85.0);
            v = std::max(v, std::clamp((18.0 - d) / 3.0 + 0.5, 0.0, 1.0));
            row[x] = uchar(std::lround(v * 255.0));
        }
    }
    return m.save(path, "PNG");
}

bool invertImage(const QString& from, const QString& to) {
    QImage img(from);
    if (img.isNull()) return false;
    img = img.convertToFormat(QImage::Format_RGB888);
    img.invertPixels();
    return img.save(to, "PNG");
}
#endif

} // namespace

class InteropComfyStitch : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;

private slots:
    void nodeEqualsTheCli() {
        LB_REQUIRE_QIMAGE();
        LB_REQUIRE_SHARED();
        if (!pythonHas("torch")) LB_CANNOT_RUN("/usr/bin/python3 cannot import torch");
#ifdef LB_HAVE_QIMAGE
        const QString dir = tmp_.path();
        const QString image = dir + "/photo.png", mask = dir + "/mask.png";
        QVERIFY(writeTestImage(image, 200, 120));
        QVERIFY(writeTwoPartMask(mask, 200, 120));
        const QString taef2 = lbtest::sharedDir() + "/models/taef2_encoder.safetensors";
        const QStringList common = {"encode", "--image",  image, "--mask",   mask,  "--vae",
                                    taef2,    "--device", "cpu", "--region", "auto"};
        Run r = runCli(common + QStringList{"--regions", "separate", "--target-area", "16384",
                                            "--output", dir + "/two.latent", "--save-pixels",
                                            dir + "/two.png"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("2 region(s)"), qPrintable(r.err));
        r = runCli(common + QStringList{"--target-area", "8192", "--output", dir + "/one.latent",
                                        "--save-pixels", dir + "/one.png"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("1 region(s)"), qPrintable(r.err));
        for (const char* name : {"two_0", "two_1", "one_0"})
            QVERIFY(invertImage(dir + "/" + name + ".png", dir + "/r_" + name + ".png"));

        const QMap<QString, QStringList> results = {
            {"two", {dir + "/r_two_0.png", dir + "/r_two_1.png"}}, {"one", {dir + "/r_one_0.png"}}};
        QJsonArray cases;
        for (const QString& latent : {QString("two"), QString("one")}) {
            for (int feather : {-1, 0}) {
                const QString out =
                    dir + "/" + latent + (feather < 0 ? "_default" : "_f0") + ".png";
                QStringList args = {"stitch", "--image", image, "--latent",
                                    dir + "/" + latent + ".latent"};
                for (const QString& res : results[latent])
                    args << "--result" << res;
                if (feather >= 0) args << "--feather" << QString::number(feather);
                r = runCli(args + QStringList{"--output", out});
                QVERIFY2(r.exitCode == 0, qPrintable(r.err));
                for (bool withMask : {false, true}) {
                    QJsonObject c;
                    c["name"] = QString("%1 region(s), feather %2, %3")
                                    .arg(latent, feather < 0 ? "default" : "0",
                                         withMask ? "mask input" : "stitch.mask_runs");
                    c["original"] = image;
                    c["latent"] = dir + "/" + latent + ".latent";
                    c["results"] = QJsonArray::fromStringList(results[latent]);
                    c["feather"] = feather < 0 ? QJsonValue() : QJsonValue(feather);
                    c["mask"] = withMask ? QJsonValue(mask) : QJsonValue();
                    c["expected"] = out;
                    cases.append(c);
                }
            }
        }
        QFile f(dir + "/cases.json");
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(cases).toJson());
        f.close();

        r = runProgram("/usr/bin/python3", {interopDir() + "/comfy_stitch_check.py",
                                            QStringLiteral(LATENTBRUSH_SOURCE_DIR), f.fileName()});
        qInfo("%s", qPrintable(r.out));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        const QJsonObject summary = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(summary["cases"].toArray().size(), 8);
        for (const QJsonValue& c : summary["cases"].toArray()) {
            QCOMPARE(c["bytes_differing"].toInt(), 0);
            QVERIFY(c["changed_by_stitch"].toInt() > 1000);
        }
        QCOMPARE(summary["errors"].toArray().size(), 7);
        QVERIFY(summary["failures"].toArray().isEmpty());
        QVERIFY(
            !QFileInfo::exists(LATENTBRUSH_SOURCE_DIR "/comfyui/latentbrush_nodes/__pycache__"));
#endif
    }
};

QTEST_GUILESS_MAIN(InteropComfyStitch)
#include "tst_interop_comfy_stitch.moc"
