// Encoding from the editor: the VAE loads off the GUI thread, the encode runs in the
// background with progress while the window stays responsive, Cancel works, the export loads
// back with noise_mask and metadata, and the decode preview appears.
#include "UiTestSupport.h"

#include "DecodeView.h"
#include "EncodePanel.h"
#include "EncodeSession.h"
#include "GrowPreview.h"
#include "PreviewPanel.h"
#include "SliderSpin.h"
#include "TestSupport.h"
#include "VaeChooser.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/LatentFile.h"
#include "latentbrush/Pipeline.h"
#include "latentbrush/Safetensors.h"
#include "latentbrush/Vae.h"

#include <QAction>
#include <QComboBox>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <cmath>

using namespace lbui;

class TestEncode : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    void encodeExportAndDecode() {
        LB_REQUIRE_SHARED();
        const QString base = lbtest::sharedDir() + QStringLiteral("/golden/kl4-odd-size-grow6/");
        const QString vaePath = lbtest::sharedDir() + QStringLiteral("/golden/vae/kl4.safetensors");
        auto w = lbuitest::makeWindow(false);
        QVERIFY(w);
        w->openImage(base + QStringLiteral("image.png"), base + QStringLiteral("mask.png"));
        QTRY_COMPARE(w->document()->imagePath(), base + QStringLiteral("image.png"));
        w->previewPanel()->growControl()->setValue(6);

        EncodePanel* panel = w->encodePanel();
        QVERIFY(!w->action(QStringLiteral("encode"))->isEnabled()); // no VAE yet
        panel->vaeChooser()->loadFile(vaePath);
        QVERIFY(panel->vaeChooser()->isLoading());
        QTRY_VERIFY_WITH_TIMEOUT(panel->vaeChooser()->vae() != nullptr, 60000);
        const lb::VaeInfo& info = panel->vaeChooser()->vae()->info();
        QCOMPARE(w->preview()->multiple(), info.downscale);
        QVERIFY(w->action(QStringLiteral("encode"))->isEnabled());

        QList<double> progress;
        connect(panel->session()->job(), &EncodeJob::progress, this,
                [&progress](double f, const QString&) { progress << f; });
        w->action(QStringLiteral("encode"))->trigger();
        QVERIFY(panel->session()->job()->isRunning() || panel->session()->hasResult());
        QTRY_VERIFY_WITH_TIMEOUT(panel->session()->resultIsCurrent(), 120000);
        QVERIFY(!progress.isEmpty());
        QVERIFY(w->action(QStringLiteral("exportLatent"))->isEnabled());

        // The editor's encode equals the core's on the same inputs.
        auto ref = lb::inpaintEncode(*panel->vaeChooser()->vae(), *w->document()->image(),
                                     w->document()->mask(), 6);
        QVERIFY(ref.ok());
        QVERIFY(panel->session()->result()->output.samples.data == ref->samples.data);
        QVERIFY(panel->session()->result()->output.noiseMask.data ==
                w->preview()->noiseMask().data);

        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("out.latent"));
        QString error;
        QVERIFY2(panel->session()->exportLatent(out, &error), qPrintable(error));
        auto back = lb::readLatentFile(out.toStdString());
        LB_VERIFY_OK(back);
        QVERIFY(back->samples.data == ref->samples.data);
        QVERIFY(back->hasNoiseMask);
        const lb::BinaryMask& nm = w->preview()->noiseMask();
        QCOMPARE(back->noiseMask.shape, (std::vector<std::int64_t>{1, 1, nm.height, nm.width}));
        for (std::size_t i = 0; i < nm.data.size(); ++i)
            QCOMPARE(back->noiseMask.data[i], float(nm.data[i]));
        for (const char* key : {"latentbrush.version", "grow_mask_by", "vae.family", "vae.file",
                                "vae.latent_channels", "vae.downscale", "source.image",
                                "source.mask", "crop.offset", "crop.size"})
            QVERIFY2(back->metadata.count(key), key);
        QCOMPARE(back->metadata["grow_mask_by"], std::string("6"));
        QCOMPARE(back->metadata["source.mask"], std::string("mask.png"));
        const lb::CropRect crop = w->preview()->crop();
        QCOMPARE(back->metadata["crop.offset"],
                 std::to_string(crop.top) + "," + std::to_string(crop.left));

        // kl4 has a decoder: the comparison view fills in.
        if (info.hasDecoder) {
            auto* view = w->findChild<DecodeView*>();
            QVERIFY(view);
            QTRY_VERIFY_WITH_TIMEOUT(view->hasImages(), 120000);
        }

        // Painting afterwards makes the result stale: export is disabled until re-encoding.
        QTRY_VERIFY(!panel->session()->job()->isRunning());
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier,
                          w->canvas()->imageToWidget(QPointF(10, 10)).toPoint());
        QVERIFY(!panel->session()->resultIsCurrent());
        QVERIFY(!w->action(QStringLiteral("exportLatent"))->isEnabled());
        w->document()->markSaved();
    }

    // "Exact kernels" in the VAE panel reloads the VAE with ComfyUI's own operations; the
    // editor's latent is then the golden one bit for bit (on 2 cores, as the goldens were
    // measured), and the export records the kernels.
    void exactKernelsGiveTheGoldenLatent() {
        LB_REQUIRE_SHARED();
        const QString base = lbtest::sharedDir() + QStringLiteral("/golden/kl4-odd-size-grow6/");
        const QString vaePath = lbtest::sharedDir() + QStringLiteral("/golden/vae/kl4.safetensors");
        auto w = lbuitest::makeWindow(false);
        QVERIFY(w);
        w->openImage(base + QStringLiteral("image.png"), base + QStringLiteral("mask.png"));
        QTRY_COMPARE(w->document()->imagePath(), base + QStringLiteral("image.png"));
        w->previewPanel()->growControl()->setValue(6);
        EncodePanel* panel = w->encodePanel();
        // The goldens were made with 2 CPU threads: the same count gives the same bits anywhere.
        panel->vaeChooser()->setCpuThreads(2);
        panel->vaeChooser()->loadFile(vaePath);
        QTRY_VERIFY_WITH_TIMEOUT(panel->vaeChooser()->vae() != nullptr, 60000);
        QCOMPARE(std::string(lb::kernelsName(panel->vaeChooser()->vae()->info().kernels)),
                 std::string("fast"));

        auto* kernels = panel->vaeChooser()->findChild<QComboBox*>(QStringLiteral("vaeKernels"));
        QVERIFY(kernels);
        const int exact = kernels->findData(QStringLiteral("reference"));
        QVERIFY(exact >= 0);
        kernels->setCurrentIndex(exact);
        emit kernels->activated(exact); // as a click does
        QTRY_VERIFY_WITH_TIMEOUT(!panel->vaeChooser()->isLoading() && panel->vaeChooser()->vae() &&
                                     panel->vaeChooser()->vae()->info().kernels ==
                                         lb::Kernels::Reference,
                                 60000);
        QVERIFY(panel->vaeChooser()->summary().contains(QStringLiteral("exact")));

        panel->encode();
        QTRY_VERIFY_WITH_TIMEOUT(panel->session()->resultIsCurrent(), 120000);
        auto expected = lb::SafetensorsFile::open((base + "expected.safetensors").toStdString());
        QVERIFY(expected.ok());
        const lb::TensorView* samples = (*expected)->find("samples");
        QVERIFY(samples);
        const auto& got = panel->session()->result()->output.samples.data;
        QCOMPARE(std::int64_t(got.size()), samples->numel());
        double worst = 0.0;
        for (std::size_t i = 0; i < got.size(); ++i)
            worst = std::max(worst,
                             std::fabs(double(got[i]) -
                                       double(reinterpret_cast<const float*>(samples->data)[i])));
        qInfo("exact kernels: max |error| vs the golden samples %.3g", worst);
        QCOMPARE(worst, 0.0);

        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("exact.latent"));
        QString error;
        QVERIFY2(panel->session()->exportLatent(out, &error), qPrintable(error));
        auto back = lb::readLatentFile(out.toStdString());
        QVERIFY(back.ok());
        QCOMPARE(back->metadata.at("vae.kernels"), std::string("reference"));

        // back to the default for the other tests of this process
        const int fast = kernels->findData(QStringLiteral("fast"));
        kernels->setCurrentIndex(fast);
        emit kernels->activated(fast);
        QTRY_VERIFY_WITH_TIMEOUT(!panel->vaeChooser()->isLoading(), 60000);
        w->document()->markSaved();
    }

    void cancelKeepsWindowResponsive() {
        LB_REQUIRE_SHARED();
        const QString vaePath = lbtest::sharedDir() + QStringLiteral("/golden/vae/kl4.safetensors");
        auto w = lbuitest::makeWindow(false); // the sample image, 1030 x 774
        QVERIFY(w);
        EncodePanel* panel = w->encodePanel();
        panel->vaeChooser()->loadFile(vaePath);
        QTRY_VERIFY_WITH_TIMEOUT(panel->vaeChooser()->vae() != nullptr, 60000);
        w->brush()->setSize(80);
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(300, 300));
        panel->encode();
        QVERIFY(panel->session()->job()->isRunning());
        // The event loop keeps running: a stroke during the encode paints at once.
        QElapsedTimer t;
        t.start();
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(500, 300));
        QVERIFY(t.elapsed() < 1000);
        QCOMPARE(w->document()->undoStack()->count(), 2);
        w->action(QStringLiteral("cancelEncode"))->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->session()->job()->isRunning(), 120000);
        // cancelled, or stale because of the second stroke
        QVERIFY(!panel->session()->resultIsCurrent());
        QVERIFY(!w->action(QStringLiteral("exportLatent"))->isEnabled());
        w->document()->markSaved();
    }
};

QTEST_MAIN(TestEncode)
#include "tst_encode.moc"
