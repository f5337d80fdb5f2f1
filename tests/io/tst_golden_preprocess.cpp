// The golden cases of ../shared/golden, up to the VAE: the files read through OpenImageIO, the
// mask resized, cropped, grown and the image gray-filled, compared with the reference outputs:
// noise_mask identical, pixels within 1e-6.
#include "TestSupport.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/Safetensors.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <cstring>

class GoldenPreprocess : public QObject {
    Q_OBJECT
private slots:
    void cases_data() {
        QTest::addColumn<QString>("caseDir");
        const QString shared = lbtest::sharedDir();
        if (shared.isEmpty()) {
            QTest::newRow("no shared data") << QString();
            return;
        }
        QDir golden(shared + "/golden");
        for (const QString& name : golden.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
            if (QFileInfo(golden.filePath(name) + "/case.json").exists())
                QTest::newRow(qPrintable(name)) << golden.filePath(name);
    }

    void cases() {
        QFETCH(QString, caseDir);
        if (caseDir.isEmpty()) LB_REQUIRE_SHARED();
        QFile jsonFile(caseDir + "/case.json");
        QVERIFY(jsonFile.open(QIODevice::ReadOnly));
        const QJsonObject c = QJsonDocument::fromJson(jsonFile.readAll()).object();
        const int grow = c["grow"].toInt();
        const int d = c["downscale"].toInt();
        const QJsonArray imageSize = c["image_size_hw"].toArray();
        const int H = imageSize[0].toInt(), W = imageSize[1].toInt();

        auto expected =
            lb::SafetensorsFile::open((caseDir + "/expected.safetensors").toStdString());
        LB_VERIFY_OK(expected);
        const lb::TensorView* noise = (*expected)->find("noise_mask");
        QVERIFY(noise);
        QCOMPARE(noise->dtype, lb::DType::U8);

        lb::BinaryMask ours;
        lb::CropRect crop;
        const lb::TensorView* pixels = (*expected)->find("pixels");
        if (c.contains("image")) {
            auto image = lb::readImage((caseDir + "/" + c["image"].toString()).toStdString());
            LB_VERIFY_OK(image);
            QCOMPARE(image->image.height, H);
            QCOMPARE(image->image.width, W);
            lb::MaskBuffer mask;
            if (c.contains("mask")) {
                auto m = lb::readMask((caseDir + "/" + c["mask"].toString()).toStdString());
                LB_VERIFY_OK(m);
                mask = std::move(*m);
            } else {
                QVERIFY(image->hasAlpha);
                mask = lb::maskFromAlpha(*image);
            }
            auto prepared = lb::prepareInpaint(image->image, mask, grow, d);
            LB_VERIFY_OK(prepared);
            ours = prepared->noiseMask;
            crop = prepared->crop;
            QVERIFY(pixels);
            QCOMPARE(pixels->dtype, lb::DType::F32);
            QCOMPARE(std::size_t(pixels->numel()), prepared->pixels.data.size());
            const float* ref = reinterpret_cast<const float*>(pixels->data);
            double maxError = 0.0;
            for (std::size_t i = 0; i < prepared->pixels.data.size(); ++i) {
                float r;
                std::memcpy(&r, ref + i, sizeof r);
                maxError = std::max(maxError, double(std::fabs(prepared->pixels.data[i] - r)));
            }
            qInfo("pixels: max |error| = %.3g", maxError);
            QVERIFY2(maxError <= 1e-6, qPrintable(QString("pixels differ by %1").arg(maxError)));
        } else {
            auto m = lb::readMask((caseDir + "/" + c["mask"].toString()).toStdString());
            LB_VERIFY_OK(m);
            auto grown = lb::noiseMaskForSize(*m, H, W, grow, d, &crop);
            LB_VERIFY_OK(grown);
            ours = std::move(*grown);
        }
        const QJsonArray offset = c["crop_offset_hw"].toArray();
        QCOMPARE(crop.top, offset[0].toInt());
        QCOMPARE(crop.left, offset[1].toInt());
        QCOMPARE(noise->shape, (std::vector<std::int64_t>{1, 1, ours.height, ours.width}));
        int differing = 0;
        for (std::size_t i = 0; i < ours.data.size(); ++i)
            differing += ours.data[i] != noise->data[i];
        QCOMPARE(differing, 0);
    }
};

QTEST_GUILESS_MAIN(GoldenPreprocess)
#include "tst_golden_preprocess.moc"
