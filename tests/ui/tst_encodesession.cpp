// EncodeSession on its own (a document, a grow preview and the session, no window) and as the
// window's actions see it: a result keeps the VAE that encoded it, so an export after a VAE change
// still describes that VAE (with the core's .latent builder); nothing encodes while a VAE loads,
// and Ctrl+Return follows canEncode(); a result goes stale when the mask or the grow changes.
#include "UiTestSupport.h"

#include "EncodePanel.h"
#include "EncodeSession.h"
#include "GrowPreview.h"
#include "MaskDocument.h"
#include "TestSupport.h"
#include "VaeChooser.h"

#include "latentbrush/LatentContents.h"
#include "latentbrush/LatentFile.h"
#include "latentbrush/Vae.h"

#include <QAction>
#include <QFileInfo>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace lbui;

namespace {

QString taef2Path() {
    return lbtest::sharedDir() + QStringLiteral("/models/taef2_encoder.safetensors");
}

QString kl4Path() {
    return lbtest::sharedDir() + QStringLiteral("/golden/vae/kl4.safetensors");
}

// A document, its grow preview and a session over them, as the window wires them.
struct Editor {
    MaskDocument doc;
    GrowPreview preview{&doc};
    EncodeSession session{&doc, &preview};
};

// A 96 x 80 RGB gradient opened as /photos/photo.png, nothing masked.
void openGradient(MaskDocument& doc) {
    auto image = std::make_shared<lb::ImageBuffer>();
    image->height = 80;
    image->width = 96;
    image->channels = 3;
    image->data.resize(std::size_t(80) * 96 * 3);
    for (int y = 0; y < 80; ++y)
        for (int x = 0; x < 96; ++x) {
            float* p = image->row(y) + std::size_t(x) * 3;
            p[0] = float(x) / 95.0f;
            p[1] = float(y) / 79.0f;
            p[2] = float((x + y) % 17) / 16.0f;
        }
    QImage display(96, 80, QImage::Format_RGB32);
    display.fill(Qt::gray);
    doc.setImage(image, display, QStringLiteral("/photos/photo.png"));
}

void paintRect(MaskDocument& doc, const QRect& rect) {
    const std::vector<float> ones(std::size_t(rect.width()) * rect.height(), 1.0f);
    doc.writeMask(rect, ones.data());
}

bool loadAndWait(EncodeSession& session, const QString& path) {
    session.loadVae(path);
    return QTest::qWaitFor([&session] { return !session.isLoadingVae(); }, 60000) &&
           session.vae() && session.vaePath() == QFileInfo(path).absoluteFilePath();
}

bool encodeAndWait(EncodeSession& session) {
    if (!session.encode()) return false;
    return QTest::qWaitFor([&session] { return session.resultIsCurrent(); }, 120000) &&
           QTest::qWaitFor([&session] { return !session.isRunning(); }, 120000);
}

} // namespace

class TestEncodeSession : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    // Encoded with TAEF2 (fast kernels), then kl4 loaded with the exact kernels: the export is
    // still the TAEF2 encode, and its metadata the core builder's for the TAEF2 VAE.
    void exportAfterVaeChangeDescribesTheEncodingVae() {
        LB_REQUIRE_SHARED();
        Editor e;
        openGradient(e.doc);
        paintRect(e.doc, QRect(30, 20, 24, 18));
        e.preview.setGrow(6);
        VaeChoices choices;
        choices.cpuThreads = 2;
        e.session.setVaeChoices(choices);
        QVERIFY(loadAndWait(e.session, taef2Path()));
        QVERIFY(encodeAndWait(e.session));

        const EncodeResult* result = e.session.result();
        QVERIFY(result);
        const std::shared_ptr<lb::Vae> encoder = e.session.vae();
        const lb::VaeInfo encoderInfo = encoder->info();
        QVERIFY(result->source.vae == encoder);
        QCOMPARE(result->source.vaePath, QFileInfo(taef2Path()).absoluteFilePath());
        QVERIFY(result->source.vaeChoices == choices);
        QCOMPARE(result->source.grow, 6);
        QCOMPARE(result->source.maskRevision, e.session.maskRevision());
        QCOMPARE(std::string(lb::kernelsName(encoderInfo.kernels)), std::string("fast"));

        // Another VAE, another family and other kernels.
        choices.kernels = lb::Kernels::Reference;
        e.session.setVaeChoices(choices);
        QVERIFY(loadAndWait(e.session, kl4Path()));
        const lb::VaeInfo& loadedInfo = e.session.vae()->info();
        QCOMPARE(std::string(lb::kernelsName(loadedInfo.kernels)), std::string("reference"));
        QVERIFY(loadedInfo.family != encoderInfo.family);
        QVERIFY(e.session.hasResult());
        QVERIFY(e.session.isStale());
        QVERIFY(e.session.result()->source.vae == encoder); // the result keeps its VAE

        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("after-change.latent"));
        QString error;
        QVERIFY2(e.session.exportLatent(out, &error), qPrintable(error));
        auto back = lb::readLatentFile(QFile::encodeName(out).toStdString());
        LB_VERIFY_OK(back);
        QVERIFY(back->samples.data == result->output.samples.data);
        QCOMPARE(back->samples.shape, result->output.samples.shape);
        QCOMPARE(back->metadata.at("vae.file"), std::string("taef2_encoder.safetensors"));
        QCOMPARE(back->metadata.at("vae.family"),
                 std::string(lb::vaeFamilyName(encoderInfo.family)));
        QCOMPARE(back->metadata.at("vae.latent_channels"),
                 std::to_string(encoderInfo.latentChannels));
        QCOMPARE(back->metadata.at("vae.downscale"), std::to_string(encoderInfo.downscale));
        QCOMPARE(back->metadata.at("vae.kernels"), std::string("fast"));
        QCOMPARE(back->metadata.at("grow_mask_by"), std::string("6"));
        QCOMPARE(back->metadata.at("source.image"), std::string("photo.png"));
        QCOMPARE(back->metadata.at("source.mask"), std::string("painted"));
        QCOMPARE(back->metadata.at("source.precision"), std::string("reference"));

        // Exactly what the CLI's builder makes of the same encode with the encoding VAE.
        lb::InpaintEncodeResult same;
        same.samples = result->output.samples;
        same.noiseMask = result->output.noiseMask;
        same.crop = result->output.crop;
        const lb::LatentFileContents expected =
            lb::makeLatentFileContents(std::move(same), encoderInfo, 6, taef2Path().toStdString(),
                                       "/photos/photo.png", "painted");
        QVERIFY(back->metadata == expected.metadata);
        QVERIFY(back->noiseMask.data == expected.noiseMask.data);
    }

    // A VAE being replaced: canEncode() is false, encode() refuses, and the window's Encode
    // action (Ctrl+Return) and button are disabled until the load ends.
    void noEncodeWhileAVaeLoads() {
        LB_REQUIRE_SHARED();
        auto w = lbuitest::makeWindow(false);
        QVERIFY(w);
        EncodeSession* session = w->encodeSession();
        VaeChooser* chooser = w->encodePanel()->vaeChooser();
        QAction* encode = w->action(QStringLiteral("encode"));
        QPushButton* button = nullptr;
        for (QPushButton* b : w->encodePanel()->findChildren<QPushButton*>())
            if (b->text() == QStringLiteral("Encode")) button = b;
        QVERIFY(button);

        chooser->loadFile(taef2Path());
        QVERIFY(session->isLoadingVae());
        QVERIFY(!session->canEncode());
        QVERIFY(!encode->isEnabled() && !button->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!session->isLoadingVae() && session->vae(), 60000);
        QVERIFY(session->canEncode());
        QVERIFY(encode->isEnabled() && button->isEnabled());

        // A reload (another VAE) while one is loaded: the old one is still there, but Encode
        // waits for the new one.
        chooser->loadFile(kl4Path());
        QVERIFY(session->isLoadingVae());
        QVERIFY(session->vae() != nullptr);
        QVERIFY(!session->canEncode());
        QVERIFY(!encode->isEnabled());
        QVERIFY(!button->isEnabled());
        encode->trigger(); // Ctrl+Return: nothing starts
        QVERIFY(!session->encode());
        QVERIFY(!session->isRunning());
        QVERIFY(!session->hasResult());
        QTRY_VERIFY_WITH_TIMEOUT(!session->isLoadingVae(), 60000);
        QCOMPARE(session->vaePath(), QFileInfo(kl4Path()).absoluteFilePath());
        QVERIFY(session->canEncode());
        QVERIFY(encode->isEnabled() && button->isEnabled());
        w->document()->markSaved();
    }

    // The result records the mask revision and grow it was made with; a change of either makes
    // it stale (signalled), and encoding again makes it current with the new inputs.
    void resultGoesStaleWhenMaskOrGrowChange() {
        LB_REQUIRE_SHARED();
        Editor e;
        openGradient(e.doc);
        paintRect(e.doc, QRect(10, 10, 20, 20));
        e.preview.setGrow(4);
        QVERIFY(loadAndWait(e.session, taef2Path()));
        QVERIFY(encodeAndWait(e.session));
        QCOMPARE(e.session.result()->source.grow, 4);
        const quint64 encodedRevision = e.session.result()->source.maskRevision;
        QCOMPARE(encodedRevision, e.session.maskRevision());
        QVERIFY(!e.session.isStale());

        QSignalSpy changed(&e.session, &EncodeSession::stateChanged);
        paintRect(e.doc, QRect(50, 40, 8, 8));
        QVERIFY(e.session.maskRevision() > encodedRevision);
        QVERIFY(e.session.isStale());
        QVERIFY(!e.session.resultIsCurrent());
        QVERIFY(e.session.hasResult()); // kept, flagged
        QVERIFY(changed.count() >= 1);
        QVERIFY(e.session.canEncode());

        QVERIFY(encodeAndWait(e.session));
        QCOMPARE(e.session.result()->source.maskRevision, e.session.maskRevision());
        QVERIFY(!e.session.isStale());

        changed.clear();
        e.preview.setGrow(8);
        QVERIFY(e.session.isStale());
        QVERIFY(changed.count() >= 1);
        QVERIFY(encodeAndWait(e.session));
        QCOMPARE(e.session.result()->source.grow, 8);
        QCOMPARE(e.session.result()->output.grow, 8);
        QVERIFY(e.session.resultIsCurrent());
    }
};

QTEST_MAIN(TestEncodeSession)
#include "tst_encodesession.moc"
