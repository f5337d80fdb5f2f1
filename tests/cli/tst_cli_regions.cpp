// latentbrush-cli encode --region and stitch end to end, through real files (OpenImageIO): a
// photograph with a two-part mask encoded as separate regions with the real TAEF2, the gray-filled
// region pixels modified and saved as the "sampled results", stitched back; every pixel outside
// the grown mask must be the original's own value bit for bit (8-bit, 16-bit and float originals),
// and every pixel inside must equal B * result + (1 - B) * original, B = min(1, dist / F), with
// dist and the grown mask computed here independently (brute force). Bad inputs: one line, no file.
#include "CliSupport.h"
#include "GrowBruteForce.h"
#include "TestSupport.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/LatentFile.h"
#include "latentbrush/regions/Stitch.h"

#include <QTemporaryDir>

#include <cmath>
#include <limits>

using lbtest::growBruteForce;
using lbtest::runCli;

namespace {

// min(1, dist / F) by brute force over the pixels outside the mask.
std::vector<float> blendBruteForce(const lb::BinaryMask& m, float feather) {
    std::vector<std::pair<int, int>> outside;
    for (int y = 0; y < m.height; ++y)
        for (int x = 0; x < m.width; ++x)
            if (!m.row(y)[x]) outside.push_back({y, x});
    std::vector<float> b(m.data.size(), 0.0f);
    for (int y = 0; y < m.height; ++y)
        for (int x = 0; x < m.width; ++x) {
            if (!m.row(y)[x]) continue;
            long long best = std::numeric_limits<long long>::max();
            for (auto [oy, ox] : outside)
                best =
                    std::min(best, (long long)(y - oy) * (y - oy) + (long long)(x - ox) * (x - ox));
            const float d = outside.empty() ? std::numeric_limits<float>::infinity()
                                            : float(std::sqrt(double(best)));
            b[std::size_t(y) * m.width + x] = feather <= 0 ? 1.0f : std::min(1.0f, d / feather);
        }
    return b;
}

QString taef2() {
    return QString::fromStdString(lbtest::sharedPath("models/taef2_encoder.safetensors"));
}

} // namespace

class CliRegions : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString mask_;

    QString path(const QString& name) const { return dir_.filePath(name); }

    // A two-part mask for a 451x300 image (chelsea.png), written as 8-bit PNG.
    void writeMask() {
        lb::MaskBuffer m{300, 451, std::vector<float>(300 * 451, 0.0f)};
        for (int y = 0; y < 300; ++y)
            for (int x = 0; x < 451; ++x) {
                const bool a = (y - 120) * (y - 120) + (x - 150) * (x - 150) < 30 * 30;
                const bool b = y >= 200 && y < 230 && x >= 330 && x < 420;
                if (a || b) m.data[std::size_t(y) * 451 + x] = 1.0f;
            }
        mask_ = path("mask.png");
        QVERIFY(lb::writeMaskPng(mask_.toStdString(), m).ok());
    }

private slots:
    void initTestCase() {
        LB_REQUIRE_SHARED();
        QVERIFY(dir_.isValid());
        writeMask();
    }

    void roundTrip_data() {
        QTest::addColumn<QString>("ext");
        QTest::addColumn<int>("depth"); // 8, 16, 32 (float)
        QTest::newRow("8-bit png") << "png" << 8;
        QTest::newRow("16-bit png") << "png" << 16;
        QTest::newRow("float tif") << "tif" << 32;
    }
    void roundTrip() {
        QFETCH(QString, ext);
        QFETCH(int, depth);
        const QString tag = QString::number(depth);
        // the original at the depth asked, from the photograph (16-bit and float with values
        // no 8-bit file holds)
        auto photo = lb::readImage(lbtest::sharedPath("data/chelsea.png"));
        QVERIFY(photo.ok());
        lb::ImageBuffer img = photo->image;
        if (depth != 8)
            for (std::size_t i = 0; i < img.data.size(); ++i)
                img.data[i] = std::min(1.0f, img.data[i] + float(i % 7) / 65535.0f);
        const QString original = path("original" + tag + "." + ext);
        QVERIFY(lb::writeImage(original.toStdString(), img,
                               depth == 8    ? lb::SampleDepth::U8
                               : depth == 16 ? lb::SampleDepth::U16
                                             : lb::SampleDepth::F32)
                    .ok());
        const QString latent = path("regions" + tag + ".latent");
        auto run = runCli({"encode",
                           "--image",
                           original,
                           "--mask",
                           mask_,
                           "--vae",
                           taef2(),
                           "--grow",
                           "6",
                           "--region",
                           "auto",
                           "--regions",
                           "separate",
                           "--target-area",
                           "16384",
                           "--resize",
                           "area",
                           "--output",
                           latent,
                           "--save-mask",
                           path("grown" + tag + ".png"),
                           "--save-pixels",
                           path("pixels" + tag + ".png")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        auto contents = lb::readLatentFile(latent.toStdString());
        QVERIFY(contents.ok());
        const auto& meta = contents->metadata;
        QCOMPARE(meta.at("region.count"), std::string("2"));
        QCOMPARE(meta.at("region.scaled"), std::string("128,128"));
        QCOMPARE(meta.at("region.method"), std::string("area"));
        QCOMPARE(meta.at("stitch.feather"), std::string("3"));
        QCOMPARE(meta.at("source.size"), std::string("451,300"));
        QCOMPARE(contents->samples.shape, (std::vector<std::int64_t>{2, 128, 8, 8}));
        QCOMPARE(contents->noiseMask.shape, (std::vector<std::int64_t>{2, 1, 128, 128}));

        // the "sampled results": the gray-filled region pixels, inverted
        QStringList results;
        for (int i = 0; i < 2; ++i) {
            const QString px = path("pixels" + tag + "_" + QString::number(i) + ".png");
            QVERIFY2(QFileInfo::exists(px), qPrintable(px));
            QVERIFY(QFileInfo::exists(path("grown" + tag + "_" + QString::number(i) + ".png")));
            auto p = lb::readImage(px.toStdString());
            QVERIFY(p.ok());
            lb::ImageBuffer r = p->image;
            for (float& v : r.data)
                v = 1.0f - v;
            const QString out = path("result" + tag + "_" + QString::number(i) + ".png");
            QVERIFY(lb::writeImage(out.toStdString(), r).ok());
            results << "--result" << out;
        }
        const QString stitched = path("stitched" + tag + "." + ext);
        run = runCli(QStringList{"stitch", "--image", original, "--latent", latent} + results +
                     QStringList{"--output", stitched});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));

        // independent expectation
        auto orig = lb::readImageSamples(original.toStdString());
        auto out = lb::readImageSamples(stitched.toStdString());
        QVERIFY(orig.ok() && out.ok());
        QCOMPARE(out->bitsPerSample, orig->bitsPerSample);
        QCOMPARE(out->isFloat, orig->isFloat);
        auto maskFile = lb::readMask(mask_.toStdString());
        QVERIFY(maskFile.ok());
        lb::BinaryMask rounded{300, 451, std::vector<std::uint8_t>(300 * 451)};
        for (std::size_t i = 0; i < rounded.data.size(); ++i)
            rounded.data[i] = maskFile->data[i] >= 0.5f && maskFile->data[i] != 0.5f ? 1 : 0;
        const lb::BinaryMask grown = growBruteForce(rounded, 6);
        const std::vector<float> B = blendBruteForce(grown, 3.0f);
        std::vector<lb::ImageBuffer> back;
        std::vector<int> rx, ry, rw, rh;
        for (int i = 0; i < 2; ++i) {
            int x, y, w, h;
            QVERIFY(std::sscanf(meta.at("region." + std::to_string(i) + ".rect").c_str(),
                                "%d,%d,%d,%d", &x, &y, &w, &h) == 4);
            auto r = lb::readImage(
                path("result" + tag + "_" + QString::number(i) + ".png").toStdString());
            QVERIFY(r.ok());
            back.push_back(lb::regions::scaleBack(r->image, w, h));
            rx.push_back(x), ry.push_back(y), rw.push_back(w), rh.push_back(h);
        }
        const float scale = depth == 8 ? 255.0f : 65535.0f;
        long long untouched = 0, blended = 0;
        for (int y = 0; y < 300; ++y)
            for (int x = 0; x < 451; ++x) {
                const float b = B[std::size_t(y) * 451 + x];
                for (int c = 0; c < 3; ++c) {
                    const std::size_t k = (std::size_t(y) * 451 + x) * 3 + c;
                    const float o = orig->image.data[k], got = out->image.data[k];
                    if (b == 0.0f) {
                        QVERIFY2(
                            got == o,
                            qPrintable(
                                QString("(%1,%2) outside the grown mask changed").arg(x).arg(y)));
                        ++untouched;
                        continue;
                    }
                    int region = -1;
                    for (int i = 0; i < 2; ++i)
                        if (x >= rx[i] && x < rx[i] + rw[i] && y >= ry[i] && y < ry[i] + rh[i])
                            region = i;
                    QVERIFY(region >= 0);
                    const lb::ImageBuffer& r = back[std::size_t(region)];
                    const float v =
                        r.data[(std::size_t(y - ry[region]) * r.width + (x - rx[region])) * 3 + c];
                    const float want = b * v + (1.0f - b) * o;
                    if (depth == 32) {
                        QCOMPARE(got, want);
                    } else {
                        const float q = std::nearbyint(std::clamp(want, 0.0f, 1.0f) * scale);
                        QCOMPARE(std::nearbyint(got * scale), q);
                    }
                    ++blended;
                }
            }
        QVERIFY(blended > 1000);
        qInfo("%lld samples untouched (bit for bit), %lld blended as the formula says", untouched,
              blended);
    }

    void badInputs() {
        const QString original = path("original8.png"), latent = path("regions8.latent");
        if (!QFileInfo::exists(latent)) QSKIP("needs roundTrip's files");
        const QString r0 = path("result8_0.png"), r1 = path("result8_1.png");
        const QString out = path("bad.png");
        auto expectError = [&](const QStringList& args, const QString& needle) {
            auto run = runCli(args);
            QVERIFY2(run.exitCode != 0, qPrintable(args.join(' ')));
            QVERIFY2(!run.err.trimmed().isEmpty() && run.err.trimmed().count('\n') <= 1,
                     qPrintable(run.err));
            QVERIFY2(run.err.contains(needle), qPrintable(run.err + " lacks " + needle));
            QVERIFY2(!QFileInfo::exists(out), "an output was written");
        };
        // wrong count
        expectError(
            {"stitch", "--image", original, "--latent", latent, "--result", r0, "--output", out},
            "holds 2 region");
        // wrong size
        expectError({"stitch", "--image", original, "--latent", latent, "--result", r0, "--result",
                     mask_, "--output", out},
                    "were scaled to 128x128");
        // not the original
        auto p = lb::readImage(original.toStdString());
        QVERIFY(p.ok());
        lb::ImageBuffer other = p->image;
        other.data[100] = other.data[100] > 0.5f ? 0.0f : 1.0f;
        const QString otherPath = path("other.png");
        QVERIFY(lb::writeImage(otherPath.toStdString(), other).ok());
        expectError({"stitch", "--image", otherPath, "--latent", latent, "--result", r0, "--result",
                     r1, "--output", out},
                    "is not the image");
        // an empty mask with --region auto; a region outside the image
        lb::MaskBuffer empty{300, 451, std::vector<float>(300 * 451, 0.0f)};
        const QString emptyMask = path("empty.png");
        QVERIFY(lb::writeMaskPng(emptyMask.toStdString(), empty).ok());
        const QString badLatent = path("bad.latent");
        auto run = runCli({"encode", "--image", original, "--mask", emptyMask, "--vae", taef2(),
                           "--region", "auto", "--output", badLatent});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.err.contains("empty"), qPrintable(run.err));
        QVERIFY(!QFileInfo::exists(badLatent));
        run = runCli({"encode", "--image", original, "--mask", mask_, "--vae", taef2(), "--region",
                      "400,250,100,100", "--output", badLatent});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.err.contains("400,250,100,100") && run.err.contains("451x300"),
                 qPrintable(run.err));
        QVERIFY(!QFileInfo::exists(badLatent));
        run = runCli({"encode", "--image", original, "--vae", taef2(), "--target", "64x64",
                      "--output", badLatent});
        QCOMPARE(run.exitCode, 2); // a region option without --region is a usage error
        QVERIFY(!QFileInfo::exists(badLatent));
    }
};

QTEST_GUILESS_MAIN(CliRegions)
#include "tst_cli_regions.moc"
