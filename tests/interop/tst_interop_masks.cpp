// Masks as ComfyUI's image loaders read them, with Qt's PNG decoder and, when python3-pil is
// installed, ComfyUI's own loader code re-run in Python:
// - the grown mask written by `encode --save-mask` through LoadImageMask (channel red) is the
//   .latent's noise_mask, bit for bit, so LoadLatent + LoadImageMask + SetLatentNoiseMask give
//   the latent VAEEncodeForInpaint gives;
// - `latentbrush-cli rgba` writes the image + mask as the PNG with alpha that LoadImage turns
//   into the mask (mask = 1 - alpha), and encoding that PNG alone gives the same latent and
//   noise_mask as the image and mask files.
#include "InteropSupport.h"

#include <QTemporaryDir>

using namespace interop;

namespace {

QByteArray floatBytes(const std::vector<float>& v) {
    return QByteArray(reinterpret_cast<const char*>(v.data()), qsizetype(v.size() * sizeof(float)));
}

} // namespace

class InteropMasks : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString image_, imageWithAlpha_, mask_, latent_, grown_;
    static constexpr int kW = 75, kH = 53, kGrow = 6, kX = 48, kY = 72;

private slots:
    void initTestCase() {
        LB_REQUIRE_QIMAGE();
        if (kl4Vae().isEmpty()) return;
        image_ = tmp_.filePath("photo.png");
        imageWithAlpha_ = tmp_.filePath("photo-rgba.png");
        mask_ = tmp_.filePath("mask.png");
        latent_ = tmp_.filePath("photo.latent");
        grown_ = tmp_.filePath("photo.mask.png");
        QVERIFY(writeTestImage(image_, kW, kH));
        QVERIFY(writeTestImage(imageWithAlpha_, kW, kH, true));
        QVERIFY(writeTestMask(mask_, kW, kH));
        Run r = runCli({"encode", "--image", image_, "--mask", mask_, "--vae", kl4Vae(), "--grow",
                        QString::number(kGrow), "--device", "cpu", "--dtype", "fp32", "--output",
                        latent_, "--save-mask", grown_});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    }

    // LoadImageMask(channel "red") of the grown mask == noise_mask; SetLatentNoiseMask reshapes
    // it to [1, 1, X, Y], the noise_mask's shape. Channel "alpha" would give all zeros (an 8-bit
    // gray PNG is opaque): the workflow must use red.
    void grownMaskAsLoadImageMask() {
        LB_REQUIRE_SHARED();
        const StFile f = readSafetensors(latent_);
        QVERIFY2(f.ok(), qPrintable(f.error));
        const StTensor& nm = f.tensors["noise_mask"];
        int h = 0, w = 0;
        const std::vector<float> red = loadImageMask(grown_, 'R', &h, &w);
        QCOMPARE(h, kX);
        QCOMPARE(w, kY);
        QCOMPARE(nm.shape, (std::vector<std::int64_t>{1, 1, h, w}));
        QCOMPARE(floatBytes(red), nm.bytes);
        const std::vector<float> alpha = loadImageMask(grown_, 'A', &h, &w);
        QVERIFY(std::all_of(alpha.begin(), alpha.end(), [](float v) { return v == 0.0f; }));
        bool any = false;
        for (std::int64_t i = 0; i < nm.numel(); ++i)
            any = any || nm.f32(i) == 1.0f;
        QVERIFY2(any, "the test mask should mask something");
    }

    void grownMaskInPythonLoadImageMask() {
        LB_REQUIRE_SHARED();
        if (!pythonHas("numpy")) LB_CANNOT_RUN("/usr/bin/python3 with numpy not found");
        const QString out = tmp_.filePath("loadimagemask.f32");
        Run r = runProgram("/usr/bin/python3", {interopDir() + "/comfy_loaders.py", "loadimagemask",
                                                grown_, "red", out});
        if (r.exitCode == 77)
            QFAIL(qPrintable("ComfyUI's LoadImageMask in Python: " + r.out.trimmed()));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object()["shape"].toArray(),
                 (QJsonArray{1, kX, kY}));
        QCOMPARE(lbtest::readFileBytes(out), readSafetensors(latent_).tensors["noise_mask"].bytes);
    }

    // `rgba` and then LoadImage: RGB kept, alpha = 1 - mask; encoding the RGBA PNG alone gives
    // the latent and noise_mask of image + mask (and, for the golden case, its noise_mask).
    void rgbaAsLoadImage_data() {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("mask");
        QTest::addColumn<int>("grow");
        QTest::addColumn<bool>("sameSize");
        QTest::addColumn<QString>("golden");
        QTest::newRow("soft mask, same size") << "photo.png"
                                              << "mask.png" << kGrow << true << "";
        QTest::newRow("RGBA image: its alpha is replaced") << "photo-rgba.png"
                                                           << "mask.png" << 3 << true << "";
        const QString shared = lbtest::sharedDir();
        if (!shared.isEmpty()) {
            const QString g = shared + "/golden/kl4-mask-2x-ties-grow4";
            QTest::newRow("golden: mask at 2x, 0.5 ties")
                << g + "/image.png" << g + "/mask.png" << 4 << false << g;
        }
    }
    void rgbaAsLoadImage() {
        QFETCH(QString, image);
        QFETCH(QString, mask);
        QFETCH(int, grow);
        QFETCH(bool, sameSize);
        QFETCH(QString, golden);
        LB_REQUIRE_SHARED();
        if (!image.contains('/')) image = tmp_.filePath(image);
        if (!mask.contains('/')) mask = tmp_.filePath(mask);
        const QString rgba = tmp_.filePath("rgba.png");
        QFile::remove(rgba);
#ifdef LB_HAVE_QIMAGE
        Run r = runCli({"rgba", "--image", image, "--mask", mask, "--output", rgba});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        QImage out(rgba), src(image), m(mask);
        QVERIFY(!out.isNull() && !src.isNull() && !m.isNull());
        QVERIFY(out.hasAlphaChannel());
        QCOMPARE(out.size(), src.size());
        out = out.convertToFormat(QImage::Format_RGBA8888); // unassociated, as PIL reads it
        src = src.convertToFormat(QImage::Format_RGBA8888);
        m = m.convertToFormat(QImage::Format_Grayscale8);
        int colorDiffs = 0, alphaDiffs = 0;
        std::vector<float> loadImageMaskValues;
        for (int y = 0; y < out.height(); ++y) {
            const uchar* o = out.constScanLine(y);
            const uchar* s = src.constScanLine(y);
            for (int x = 0; x < out.width(); ++x) {
                for (int c = 0; c < 3; ++c)
                    colorDiffs += o[x * 4 + c] != s[x * 4 + c];
                if (sameSize) alphaDiffs += o[x * 4 + 3] != 255 - m.constScanLine(y)[x];
                loadImageMaskValues.push_back(1.0f - float(o[x * 4 + 3]) / 255.0f);
            }
        }
        QCOMPARE(colorDiffs, 0);
        QCOMPARE(alphaDiffs, 0);

        if (pythonHas("numpy")) {
            const QString pyMask = tmp_.filePath("loadimage.f32");
            Run p = runProgram("/usr/bin/python3",
                               {interopDir() + "/comfy_loaders.py", "loadimage", rgba, pyMask});
            if (p.exitCode == 77)
                qInfo("ComfyUI's LoadImage in Python skipped: %s", qPrintable(p.out.trimmed()));
            else {
                QVERIFY2(p.exitCode == 0, qPrintable(p.err));
                QCOMPARE(lbtest::readFileBytes(pyMask), floatBytes(loadImageMaskValues));
            }
        }

        // The same node inputs: encoding the RGBA PNG alone == encoding image + mask.
        const QString fromPair = tmp_.filePath("pair.latent"),
                      fromRgba = tmp_.filePath("rgba.latent");
        QFile::remove(fromPair);
        QFile::remove(fromRgba);
        const QStringList common{"--vae",    kl4Vae(), "--grow",  QString::number(grow),
                                 "--device", "cpu",    "--dtype", "fp32"};
        r = runCli(QStringList{"encode", "--image", image, "--mask", mask, "--output", fromPair} +
                   common);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runCli(QStringList{"encode", "--image", rgba, "--output", fromRgba} + common);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const StFile a = readSafetensors(fromPair), b = readSafetensors(fromRgba);
        QVERIFY2(a.ok() && b.ok(), qPrintable(a.error + b.error));
        QCOMPARE(b.tensors["noise_mask"].bytes, a.tensors["noise_mask"].bytes);
        QCOMPARE(b.tensors["latent_tensor"].bytes, a.tensors["latent_tensor"].bytes);

        if (!golden.isEmpty()) {
            const StFile g = readSafetensors(golden + "/expected.safetensors");
            QVERIFY2(g.ok(), qPrintable(g.error));
            const StTensor& gm = g.tensors["noise_mask"];
            QCOMPARE(gm.dtype, QString("U8"));
            const StTensor& nm = b.tensors["noise_mask"];
            QCOMPARE(nm.shape, gm.shape);
            int differing = 0;
            for (std::int64_t i = 0; i < gm.numel(); ++i)
                differing += (nm.f32(i) == 1.0f) != (gm.bytes[qsizetype(i)] == 1);
            QCOMPARE(differing, 0);
        }
#else
        Q_UNUSED(grow);
        Q_UNUSED(sameSize);
        LB_REQUIRE_QIMAGE();
#endif
    }
};

QTEST_GUILESS_MAIN(InteropMasks)
#include "tst_interop_masks.moc"
