// The live "what the VAE keeps" view in a real main window: what it shows equals Encode + decode
// with the VAE it names (bit for bit); without a chosen VAE, or with one too slow for the
// interactive budget, it runs the built-in TAEF2 and says so; over the budget in float32 it runs
// in bf16 when the precision is automatic, and still equals Encode + decode in that precision;
// a stroke starts a run when it ends, not while it is painted; edits during a run cancel it and
// only the newest inputs' result is ever current; the panel shows the three images and the PSNR.
#include "DocumentLoader.h"
#include "KeptView.h"
#include "LiveRoundTrip.h"
#include "UiTestSupport.h"
#include "VaeChooser.h"

#include "latentbrush/BuiltinVae.h"
#include "latentbrush/Pipeline.h"
#include "latentbrush/Vae.h"

#include "EncodePanel.h"
#include "EncodeSession.h"
#include "GrowPreview.h"
#include "NoiseMaskPreview.h"
#include "PreviewPanel.h"
#include "SliderSpin.h"
#include "TestSupport.h"

#include <QSettings>

#include <cmath>

using namespace lbui;

namespace {

// Paints a filled disc of radius r at (cx, cy) into the document's mask, as one edit.
void paintDisc(MaskDocument* doc, int cx, int cy, int r) {
    const QRect rect = QRect(cx - r, cy - r, 2 * r + 1, 2 * r + 1).intersected(doc->bounds());
    std::vector<float> pixels = doc->readMask(rect);
    for (int y = 0; y < rect.height(); ++y)
        for (int x = 0; x < rect.width(); ++x) {
            const int dx = rect.left() + x - cx, dy = rect.top() + y - cy;
            if (dx * dx + dy * dy <= r * r) pixels[std::size_t(y) * rect.width() + x] = 1.0f;
        }
    doc->writeMask(rect, pixels.data());
}

// The decode of the node's latent for the document's current inputs, through the core.
lb::ImageBuffer encodeThenDecode(lb::Vae& vae, MainWindow& w) {
    auto encoded =
        lb::inpaintEncode(vae, *w.document()->image(), w.document()->mask(), w.preview()->grow());
    if (!encoded) qFatal("encode: %s", encoded.message().c_str());
    auto decoded = vae.decode(encoded->samples);
    if (!decoded) qFatal("decode: %s", decoded.message().c_str());
    return std::move(decoded.value());
}

// The grown noise mask of the document's inputs at the crop multiple `d` (TAEF2's is 16).
lb::BinaryMask noiseMaskAt(MainWindow& w, int d) {
    auto inputs =
        lb::prepareInpaint(*w.document()->image(), w.document()->mask(), w.preview()->grow(), d);
    if (!inputs) qFatal("%s", inputs.message().c_str());
    return inputs->noiseMask;
}

std::shared_ptr<lb::Vae> loadWithDecoder(const std::string& path, lb::VaeLoadOptions options) {
    options.needDecoder = true;
    auto vae = lb::Vae::load(path, options);
    if (!vae) qFatal("%s", vae.message().c_str());
    return vae.value();
}

} // namespace

class TestLiveView : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    // No VAE chosen: the built-in TAEF2 runs, and its result is exactly Encode + decode with it.
    void builtinWithoutAChosenVae() {
        auto w = lbuitest::makeWindow(false, true);
        QVERIFY(w);
        LiveRoundTrip* live = w->liveRoundTrip();
        QVERIFY(live->isEnabled());
        paintDisc(w->document(), 150, 120, 40);
        QTRY_VERIFY_WITH_TIMEOUT(live->resultIsCurrent(), 120000);
        const LiveResult* r = live->result();
        QVERIFY2(r->error.isEmpty(), qPrintable(r->error));
        QVERIFY(r->builtin);
        QCOMPARE(r->vaeName, QStringLiteral("TAEF2 (built-in)"));
        QVERIFY2(r->why.contains(QStringLiteral("no VAE")), qPrintable(r->why));

        // In the precision it names: bf16 where float32 would not fit the budget here.
        lb::VaeLoadOptions options = w->encodePanel()->vaeChooser()->loadOptions();
        QVERIFY(lb::parseComputeDType(r->precision.toStdString(), &options.dtype));
        auto taef2 = loadWithDecoder(lb::builtinVaeSpec("taef2"), options);
        const lb::ImageBuffer expected = encodeThenDecode(*taef2, *w);
        QCOMPARE(r->trip.decoded.height, expected.height);
        QCOMPARE(r->trip.decoded.width, expected.width);
        QVERIFY(r->trip.decoded.data == expected.data);
        QVERIFY(r->trip.noiseMask.data == noiseMaskAt(*w, 16).data);

        // The panel: three images of the crop's size and a caption naming VAE and PSNR.
        KeptView* view = w->keptView();
        QCOMPARE(view->decodedImage().size(), QSize(r->trip.crop.width, r->trip.crop.height));
        QCOMPARE(view->differenceImage().size(), view->decodedImage().size());
        // Built on the worker, they are the synchronous conversions of the trip's buffers.
        QCOMPARE(view->originalImage(), toDisplayImage(r->trip.original));
        QCOMPARE(view->decodedImage(), toDisplayImage(r->trip.decoded));
        QImage heat(r->trip.difference.width, r->trip.difference.height, QImage::Format_RGB32);
        for (int y = 0; y < heat.height(); ++y)
            for (int x = 0; x < heat.width(); ++x)
                heat.setPixel(x, y, KeptView::heatColour(r->trip.difference.row(y)[x]));
        QCOMPARE(view->differenceImage(), heat);
        QVERIFY2(view->caption().contains(QStringLiteral("TAEF2 (built-in)")) &&
                     view->caption().contains(QStringLiteral("PSNR")),
                 qPrintable(view->caption()));
        QVERIFY(std::isfinite(r->trip.psnrKept) && r->trip.psnrKept > 15.0);
        qInfo("built-in TAEF2 on the sample: PSNR %.2f dB outside the mask, %.3f s + %.3f s",
              r->trip.psnrKept, r->trip.encodeSeconds, r->trip.decodeSeconds);
    }

    // A chosen VAE fast enough for the budget is the one that runs (its own instance), and what it
    // shows is exactly Encode + decode with the chooser's model. (The budget is set out of reach
    // of this machine's speed and load: what is tested is the choice, not the machine.)
    void chosenVaeWhenFastEnough() {
        LB_REQUIRE_SHARED();
        auto w = lbuitest::makeWindow(false, true);
        QVERIFY(w);
        w->liveRoundTrip()->setBudgetSeconds(1e9);
        VaeChooser* chooser = w->encodePanel()->vaeChooser();
        chooser->loadFile(lbtest::sharedDir() +
                          QStringLiteral("/models/taef2_encoder.safetensors"));
        QTRY_VERIFY_WITH_TIMEOUT(chooser->vae() != nullptr, 60000);
        paintDisc(w->document(), 200, 100, 30);
        w->previewPanel()->growControl()->setValue(12);
        QTRY_VERIFY_WITH_TIMEOUT(w->liveRoundTrip()->resultIsCurrent(), 120000);
        const LiveResult* r = w->liveRoundTrip()->result();
        QVERIFY2(r->error.isEmpty(), qPrintable(r->error));
        QVERIFY2(!r->builtin, qPrintable(r->why));
        QCOMPARE(r->vaeName, QStringLiteral("taef2_encoder.safetensors"));
        QCOMPARE(r->grow, 12);
        const lb::ImageBuffer expected = encodeThenDecode(*chooser->vae(), *w);
        QVERIFY(r->trip.decoded.data == expected.data);
    }

    // The built-in VAE chosen: it runs whatever the budget (there is nothing faster), unexplained.
    void builtinChosenRunsWhateverTheBudget() {
        auto w = lbuitest::makeWindow(false, true);
        QVERIFY(w);
        w->liveRoundTrip()->setBudgetSeconds(1e-9);
        VaeChooser* chooser = w->encodePanel()->vaeChooser();
        chooser->loadFile(VaeChooser::builtinVaePath());
        QTRY_VERIFY_WITH_TIMEOUT(chooser->usesBuiltinVae(), 60000);
        paintDisc(w->document(), 90, 90, 20);
        QTRY_VERIFY_WITH_TIMEOUT(w->liveRoundTrip()->resultIsCurrent(), 120000);
        const LiveResult* r = w->liveRoundTrip()->result();
        QVERIFY2(r->error.isEmpty(), qPrintable(r->error));
        QVERIFY(r->builtin && !r->chosenSkipped);
        QVERIFY2(!w->keptView()->caption().contains(QStringLiteral("instead")),
                 qPrintable(w->keptView()->caption()));
    }

    // A chosen VAE whose probe says it cannot keep up with the budget: the built-in TAEF2 is
    // shown, and why (a budget no VAE can meet makes any chosen one too slow).
    void slowChosenVaeFallsBack() {
        LB_REQUIRE_SHARED();
        auto w = lbuitest::makeWindow(false, true);
        QVERIFY(w);
        w->liveRoundTrip()->setBudgetSeconds(1e-9);
        VaeChooser* chooser = w->encodePanel()->vaeChooser();
        const QString file = lbtest::sharedDir() + QStringLiteral("/golden/vae/kl4.safetensors");
        chooser->loadFile(file);
        QTRY_VERIFY_WITH_TIMEOUT(chooser->vae() != nullptr, 60000);
        paintDisc(w->document(), 100, 100, 25);
        QTRY_VERIFY_WITH_TIMEOUT(w->liveRoundTrip()->resultIsCurrent(), 180000);
        const LiveResult* r = w->liveRoundTrip()->result();
        QVERIFY2(r->error.isEmpty(), qPrintable(r->error));
        QVERIFY(r->builtin);
        QVERIFY2(r->why.contains(QStringLiteral("kl4.safetensors")) &&
                     r->why.contains(QStringLiteral("would take")),
                 qPrintable(r->why));
        QVERIFY2(w->keptView()->caption().contains(QStringLiteral("instead of the chosen VAE")),
                 qPrintable(w->keptView()->caption()));
    }

    // Edits during a run cancel it; a superseded result is never reported current; the newest
    // inputs' result ends current; quick edits are coalesced by the debounce.
    void newestEditWins() {
        auto w = lbuitest::makeWindow(false, true);
        QVERIFY(w);
        LiveRoundTrip* live = w->liveRoundTrip();
        paintDisc(w->document(), 60, 60, 20);
        QTRY_VERIFY_WITH_TIMEOUT(live->resultIsCurrent(), 120000); // the built-in is loaded

        struct Shown {
            quint64 generation;
            bool current;
        };
        QList<Shown> shown;
        connect(live, &LiveRoundTrip::resultChanged, this, [&] {
            shown << Shown{live->result()->generation, live->resultIsCurrent()};
        });
        const int finishedBefore = live->finishedRuns();
        const int cancelledBefore = live->cancelledRuns();
        paintDisc(w->document(), 120, 90, 20);
        QTRY_VERIFY_WITH_TIMEOUT(live->isRunning(), 10000);
        // Ten quick edits while it runs: it is cancelled, and they make one more run.
        for (int i = 0; i < 10; ++i)
            paintDisc(w->document(), 160 + 8 * i, 140, 12);
        QVERIFY(!live->resultIsCurrent());
        QTRY_VERIFY_WITH_TIMEOUT(live->resultIsCurrent(), 120000);
        const int runs = live->finishedRuns() - finishedBefore;
        const int cancelled = live->cancelledRuns() - cancelledBefore;
        qInfo("11 edits: %d runs finished, %d cancelled", runs, cancelled);
        QVERIFY(runs + cancelled <= 3);
        QVERIFY2(cancelled >= 1 || runs == 2, "the run the edits superseded was neither "
                                              "cancelled nor followed by the newest");
        for (const Shown& s : shown)
            if (s.generation != live->generation()) QVERIFY(!s.current);
        QCOMPARE(live->result()->generation, live->generation());
        QVERIFY(live->result()->trip.noiseMask.data == noiseMaskAt(*w, 16).data);
    }

    // Over the budget, the automatic precision tries bf16 before giving up: whichever precision
    // ran, what is shown is exactly Encode + decode with the VAE in that precision, and a
    // precision other than the session's is named in the caption. An explicit float32 is kept.
    void fasterPrecisionStaysExact() {
        for (const QString& dtype : {QStringLiteral("auto"), QStringLiteral("fp32")}) {
            QSettings().setValue(QStringLiteral("vae/dtype"), dtype);
            auto w = lbuitest::makeWindow(false, true);
            QVERIFY(w);
            LiveRoundTrip* live = w->liveRoundTrip();
            live->setBudgetSeconds(1e-9); // nothing fits: the fastest built-in instance runs
            paintDisc(w->document(), 140, 110, 35);
            QTRY_VERIFY_WITH_TIMEOUT(live->resultIsCurrent(), 120000);
            const LiveResult* r = live->result();
            QVERIFY2(r->error.isEmpty(), qPrintable(r->error));
            QVERIFY(r->builtin);
            qInfo("session precision %s: the live view ran in %s", qPrintable(dtype),
                  qPrintable(r->precision));
            if (dtype == QStringLiteral("fp32")) QCOMPARE(r->precision, QStringLiteral("fp32"));
            QVERIFY(r->precision == QStringLiteral("fp32") ||
                    r->precision == QStringLiteral("bf16"));
            QCOMPARE(r->fasterPrecision, r->precision == QStringLiteral("bf16"));
            QCOMPARE(w->keptView()->caption().contains(QStringLiteral("in bf16")),
                     r->fasterPrecision);

            lb::VaeLoadOptions options = w->encodePanel()->vaeChooser()->loadOptions();
            QVERIFY(lb::parseComputeDType(r->precision.toStdString(), &options.dtype));
            auto taef2 = loadWithDecoder(lb::builtinVaeSpec("taef2"), options);
            QVERIFY(taef2->info().computeDType == r->precision.toStdString());
            const lb::ImageBuffer expected = encodeThenDecode(*taef2, *w);
            QVERIFY(r->trip.decoded.data == expected.data);
        }
        QSettings().remove(QStringLiteral("vae/dtype"));
    }

    // The noise-mask mode: the view is VAEEncode + decode of the crop, no gray fill, exactly the
    // noise-mask Encode + decode; a change of its options makes the shown result stale.
    void noiseMaskModeHasNoGrayFill() {
        auto w = lbuitest::makeWindow(false, true);
        QVERIFY(w);
        LiveRoundTrip* live = w->liveRoundTrip();
        live->setBudgetSeconds(1e9); // float32, the session's precision
        NoiseMaskPreview* noiseMask = w->encodeSession()->noiseMaskPreview();
        QVERIFY(noiseMask);
        NoiseMaskSettings settings;
        settings.mode = lb::EncodeMode::NoiseMask;
        settings.options.expand = 4;
        settings.options.blurRadius = 3;
        settings.options.blurSigma = 1.5;
        noiseMask->setSettings(settings);
        paintDisc(w->document(), 150, 100, 30);
        QTRY_VERIFY_WITH_TIMEOUT(live->resultIsCurrent(), 120000);
        const LiveResult* r = live->result();
        QVERIFY2(r->error.isEmpty(), qPrintable(r->error));
        QVERIFY(r->noiseMaskMode);
        QVERIFY2(w->keptView()->caption().contains(QStringLiteral("soft mask")),
                 qPrintable(w->keptView()->caption()));

        auto taef2 = loadWithDecoder(lb::builtinVaeSpec("taef2"),
                                     w->encodePanel()->vaeChooser()->loadOptions());
        auto encoded = lb::noiseMaskEncode(*taef2, *w->document()->image(), w->document()->mask(),
                                           settings.options);
        LB_VERIFY_OK(encoded);
        auto decoded = taef2->decode(encoded->samples);
        LB_VERIFY_OK(decoded);
        QVERIFY(r->trip.decoded.data == decoded->data);
        // Not the inpaint mode's view: that one gray-fills the disc.
        const lb::ImageBuffer inpaint = encodeThenDecode(*taef2, *w);
        QVERIFY(r->trip.decoded.data != inpaint.data);

        settings.options.expand = 8;
        noiseMask->setSettings(settings);
        QVERIFY(!live->resultIsCurrent());
        QTRY_VERIFY_WITH_TIMEOUT(live->resultIsCurrent(), 120000);
        noiseMask->setSettings(NoiseMaskSettings{}); // saved: later windows start in inpaint mode
    }

    // A brush stroke does not start runs while it is painted, even when it pauses longer than
    // the debounce; its release starts one at once.
    void strokeRunsWhenReleased() {
        auto w = lbuitest::makeWindow(false, true);
        QVERIFY(w);
        LiveRoundTrip* live = w->liveRoundTrip();
        QTRY_VERIFY_WITH_TIMEOUT(live->resultIsCurrent(), 120000); // the sample's first run
        const int runsBefore = live->finishedRuns() + live->cancelledRuns();
        live->setDebounceMs(100);
        QWidget* canvas = w->canvas();
        const QPoint c = canvas->rect().center();
        QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, c);
        QTest::mouseMove(canvas, c + QPoint(30, 10));
        QTest::qWait(700); // a pause seven debounces long, the button held
        QVERIFY(!live->isRunning());
        QVERIFY(live->isPending() && !live->resultIsCurrent());
        QCOMPARE(live->finishedRuns() + live->cancelledRuns(), runsBefore);
        // From now on only the release can start the run within the wait below.
        live->setDebounceMs(600000);
        QTest::qWait(150);
        QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, c + QPoint(30, 10));
        QTRY_VERIFY_WITH_TIMEOUT(live->resultIsCurrent(), 120000);
        QVERIFY2(live->result()->error.isEmpty(), qPrintable(live->result()->error));
        QCOMPARE(live->finishedRuns() + live->cancelledRuns(), runsBefore + 1);
        QVERIFY(live->result()->trip.noiseMask.data == noiseMaskAt(*w, 16).data);
    }

    void offStopsRunning() {
        auto w = lbuitest::makeWindow(false, true);
        QVERIFY(w);
        LiveRoundTrip* live = w->liveRoundTrip();
        live->setEnabled(false);
        paintDisc(w->document(), 60, 60, 20);
        QTest::qWait(600);
        QVERIFY(!live->isRunning() && !live->isPending());
        QVERIFY(!live->result());
        QCOMPARE(w->keptView()->caption(), QStringLiteral("Off."));
    }
};

QTEST_MAIN(TestLiveView)
#include "tst_liveview.moc"
