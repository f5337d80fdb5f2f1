// Encoding and exporting under faults: cancelling an encode at any moment leaves the document,
// the result and the files as they were and a new encode works; the export writes the .latent,
// the grown mask beside it (NAME.mask.png, equal to noise_mask) and, when asked, the ComfyUI
// workflow naming both; a failed export leaves nothing behind.
#include "UiTestSupport.h"

#include "ComfyWorkflow.h"
#include "EncodePanel.h"
#include "EncodeSession.h"
#include "ExportLatentDialog.h"
#include "GrowPreview.h"
#include "InfoBar.h"
#include "PreviewPanel.h"
#include "SliderSpin.h"
#include "TestSupport.h"
#include "VaeChooser.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/LatentFile.h"
#include "latentbrush/Pipeline.h"
#include "latentbrush/Vae.h"

#include <QAction>
#include <QCheckBox>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QTimer>

using namespace lbui;

namespace {

QStringList filesIn(const QString& dir) {
    return QDir(dir).entryList(QDir::Files | QDir::Hidden, QDir::Name);
}

QString vaePath() {
    return lbtest::sharedDir() + QStringLiteral("/golden/vae/kl4.safetensors");
}

bool loadVae(MainWindow* w) {
    w->encodePanel()->vaeChooser()->loadFile(vaePath());
    return QTest::qWaitFor([w] { return w->encodePanel()->vaeChooser()->vae() != nullptr; }, 60000);
}

// Opens a generated 384 x 320 image: large enough for a cancel to land inside the encode,
// small enough for the reference encode on one thread.
bool openTestImage(MainWindow* w, const QString& folder) {
    QImage image(384, 320, QImage::Format_RGB32);
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            image.setPixel(x, y, qRgb(x * 255 / 383, y * 255 / 319, (x ^ y) & 255));
    const QString path = folder + QStringLiteral("/image.png");
    if (!image.save(path)) return false;
    w->openImage(path);
    return QTest::qWaitFor([w, path] { return w->document()->imagePath() == path; }, 30000);
}

// Encodes and waits for the result and the decode preview that follows it.
bool encodeAndWait(MainWindow* w) {
    EncodePanel* panel = w->encodePanel();
    panel->encode();
    return QTest::qWaitFor([panel] { return panel->session()->resultIsCurrent(); }, 120000) &&
           QTest::qWaitFor([panel] { return !panel->session()->job()->isRunning(); }, 120000);
}

} // namespace

class TestEncodeFaults : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    void cancelLeavesEditorAndFilesConsistent_data() {
        QTest::addColumn<int>("cancelAfterMs");
        for (int ms : {0, 1, 5, 20, 60, 150, 400})
            QTest::newRow(qPrintable(QStringLiteral("cancel after %1 ms").arg(ms))) << ms;
    }

    void cancelLeavesEditorAndFilesConsistent() {
        LB_REQUIRE_SHARED();
        QFETCH(int, cancelAfterMs);
        auto w = lbuitest::makeWindow(false);
        QVERIFY(w);
        QTemporaryDir images;
        QVERIFY(openTestImage(w.get(), images.path()));
        QVERIFY(loadVae(w.get()));
        EncodePanel* panel = w->encodePanel();
        w->brush()->setSize(60);
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier,
                          w->canvas()->imageToWidget(QPointF(150, 120)).toPoint());
        QElapsedTimer clock;
        clock.start();
        QVERIFY(encodeAndWait(w.get()));
        qInfo("encode + decode preview of 384 x 320: %lld ms", clock.elapsed());
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a.latent"));
        QString error;
        QVERIFY2(panel->session()->exportLatent(a, &error), qPrintable(error));
        const QStringList filesBefore = filesIn(dir.path());
        QCOMPARE(filesBefore,
                 (QStringList{QStringLiteral("a.latent"), QStringLiteral("a.mask.png")}));
        const QByteArray latentBefore = lbtest::readFileBytes(a),
                         maskBefore = lbtest::readFileBytes(dir.filePath("a.mask.png"));

        // A new encode (another grow), cancelled after `cancelAfterMs`.
        w->previewPanel()->growControl()->setValue(10);
        const std::vector<float> maskData = w->document()->mask().data;
        const int undoCount = w->document()->undoStack()->count();
        const bool modified = w->document()->isModified();
        panel->encode();
        QVERIFY(panel->session()->job()->isRunning());
        QVERIFY(w->action(QStringLiteral("cancelEncode"))->isEnabled()); // at once
        if (cancelAfterMs > 0) QTest::qWait(cancelAfterMs);
        w->action(QStringLiteral("cancelEncode"))->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->session()->job()->isRunning(), 120000);
        const bool finished = panel->session()->resultIsCurrent();
        if (cancelAfterMs == 0) QVERIFY(!finished); // cancelled before the first step
        qInfo("cancel after %d ms: %s", cancelAfterMs,
              finished ? "the encode had finished (result kept)" : "cancelled");

        // The document is untouched; the files are exactly what they were.
        QVERIFY(w->document()->mask().data == maskData);
        QCOMPARE(w->document()->undoStack()->count(), undoCount);
        QCOMPARE(w->document()->isModified(), modified);
        QCOMPARE(filesIn(dir.path()), filesBefore);
        QCOMPARE(lbtest::readFileBytes(a), latentBefore);
        QCOMPARE(lbtest::readFileBytes(dir.filePath("a.mask.png")), maskBefore);
        QCOMPARE(w->action(QStringLiteral("exportLatent"))->isEnabled(), finished);
        QCOMPARE(QApplication::activeModalWidget(), nullptr);
        if (!finished) {
            // Nothing to export: no partial .latent appears.
            QVERIFY(
                !panel->session()->exportLatent(dir.filePath(QStringLiteral("b.latent")), &error));
            QCOMPARE(filesIn(dir.path()), filesBefore);
        }

        // A new encode works and gives the core's result.
        QVERIFY(encodeAndWait(w.get()));
        auto ref = lb::inpaintEncode(*panel->vaeChooser()->vae(), *w->document()->image(),
                                     w->document()->mask(), 10);
        QVERIFY(ref.ok());
        QVERIFY(panel->session()->result()->output.samples.data == ref->samples.data);
        QVERIFY(panel->session()->result()->output.noiseMask.data == ref->noiseMask.data);
        QVERIFY2(panel->session()->exportLatent(dir.filePath(QStringLiteral("b.latent")), &error),
                 qPrintable(error));
        QCOMPARE(filesIn(dir.path()).size(), 4);
        QCOMPARE(lbtest::readFileBytes(a), latentBefore);
        w->document()->markSaved();
    }

    void cancelKeepsAStillCurrentResult() {
        LB_REQUIRE_SHARED();
        auto w = lbuitest::makeWindow(false);
        QVERIFY(w);
        QTemporaryDir images;
        QVERIFY(openTestImage(w.get(), images.path()));
        QVERIFY(loadVae(w.get()));
        EncodePanel* panel = w->encodePanel();
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier,
                          w->canvas()->imageToWidget(QPointF(150, 120)).toPoint());
        QVERIFY(encodeAndWait(w.get()));
        const std::vector<float> samples = panel->session()->result()->output.samples.data;
        panel->encode(); // the same inputs again, then cancelled at once
        w->action(QStringLiteral("cancelEncode"))->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->session()->job()->isRunning(), 120000);
        QVERIFY(panel->session()->resultIsCurrent());
        QVERIFY(panel->session()->result()->output.samples.data == samples);
        QVERIFY(w->action(QStringLiteral("exportLatent"))->isEnabled());
        w->document()->markSaved();
    }

    void exportWritesLatentMaskAndWorkflow() {
        LB_REQUIRE_SHARED();
        const QString base = lbtest::sharedDir() + QStringLiteral("/golden/kl4-odd-size-grow6/");
        auto w = lbuitest::makeWindow(false);
        QVERIFY(w);
        w->openImage(base + QStringLiteral("image.png"), base + QStringLiteral("mask.png"));
        QTRY_COMPARE(w->document()->imagePath(), base + QStringLiteral("image.png"));
        w->previewPanel()->growControl()->setValue(6);
        QVERIFY(loadVae(w.get()));
        QVERIFY(encodeAndWait(w.get()));
        EncodePanel* panel = w->encodePanel();

        QTemporaryDir dir;
        const QString latent = dir.filePath(QStringLiteral("my photo.latent"));
        QString error;
        QStringList written;
        QVERIFY2(panel->session()->exportLatent(latent, &error, true, &written), qPrintable(error));
        const QString maskFile = dir.filePath(QStringLiteral("my photo.mask.png"));
        const QString workflowFile = dir.filePath(QStringLiteral("my photo.workflow.json"));
        QCOMPARE(written, (QStringList{latent, maskFile, workflowFile}));
        QCOMPARE(filesIn(dir.path()), (QStringList{QStringLiteral("my photo.latent"),
                                                   QStringLiteral("my photo.mask.png"),
                                                   QStringLiteral("my photo.workflow.json")}));

        // The mask PNG is the noise_mask of the .latent, pixel for pixel, as LoadImageMask
        // (channel red) reads it.
        auto back = lb::readLatentFile(QFile::encodeName(latent).toStdString());
        QVERIFY(back.ok());
        QVERIFY(back->hasNoiseMask);
        auto png = lb::readMask(QFile::encodeName(maskFile).toStdString(), lb::MaskChannel::Red);
        LB_VERIFY_OK(png);
        QCOMPARE(std::int64_t(png->height), back->noiseMask.shape[2]);
        QCOMPARE(std::int64_t(png->width), back->noiseMask.shape[3]);
        QVERIFY(png->data == back->noiseMask.data);
        const lb::BinaryMask& nm = panel->session()->result()->output.noiseMask;
        for (std::size_t i = 0; i < nm.data.size(); ++i)
            QCOMPARE(png->data[i], float(nm.data[i]));
        QVERIFY(nm.data == w->preview()->noiseMask().data);

        // The workflow: the shipped graph, with the two files named as exported.
        const QJsonDocument wf = QJsonDocument::fromJson(lbtest::readFileBytes(workflowFile));
        QVERIFY(wf.isObject());
        const QJsonDocument shipped = QJsonDocument::fromJson(comfyWorkflowTemplate());
        QCOMPARE(wf.object()["nodes"].toArray().size(), shipped.object()["nodes"].toArray().size());
        QCOMPARE(wf.object()["links"], shipped.object()["links"]);
        QStringList types;
        for (const QJsonValue& n : wf.object()["nodes"].toArray()) {
            const QJsonObject node = n.toObject();
            types << node["type"].toString();
            const QJsonArray values = node["widgets_values"].toArray();
            if (node["type"] == QStringLiteral("LoadLatent"))
                QCOMPARE(values.at(0).toString(), QStringLiteral("my photo.latent"));
            if (node["type"] == QStringLiteral("LoadImageMask")) {
                QCOMPARE(values.at(0).toString(), QStringLiteral("my photo.mask.png"));
                QCOMPARE(values.at(1).toString(), QStringLiteral("red"));
            }
        }
        for (const char* t : {"LoadLatent", "LoadImageMask", "SetLatentNoiseMask", "KSampler"})
            QVERIFY2(types.contains(QLatin1String(t)), t);
        QVERIFY(!lbtest::readFileBytes(workflowFile).contains("\"photo.latent\""));
        QVERIFY(!lbtest::readFileBytes(workflowFile).contains("/photo.latent"));
        w->document()->markSaved();
    }

    void embeddedWorkflowIsTheDocumentedOne() {
        QFile docs(QStringLiteral(LATENTBRUSH_SOURCE_DIR) +
                   QStringLiteral("/docs/workflows/inpaint_from_latentbrush.json"));
        QVERIFY(docs.open(QIODevice::ReadOnly));
        QCOMPARE(comfyWorkflowTemplate(), docs.readAll());
    }

    void exportDialogOffersTheWorkflow() {
        LB_REQUIRE_SHARED();
        auto w = lbuitest::makeWindow(false);
        QVERIFY(w);
        QTemporaryDir images;
        QVERIFY(openTestImage(w.get(), images.path()));
        QVERIFY(loadVae(w.get()));
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier,
                          w->canvas()->imageToWidget(QPointF(150, 120)).toPoint());
        QVERIFY(encodeAndWait(w.get()));
        QTemporaryDir dir;
        for (bool withWorkflow : {true, false}) {
            const QString name = withWorkflow ? QStringLiteral("with") : QStringLiteral("without");
            QString note;
            bool offered = false;
            QTimer::singleShot(0, this, [&] {
                auto* dialog = qobject_cast<ExportLatentDialog*>(QApplication::activeModalWidget());
                if (!dialog) return;
                auto* box = dialog->findChild<QCheckBox*>(QStringLiteral("saveWorkflow"));
                offered = box && box->isVisible();
                note = dialog->findChild<QLabel*>(QStringLiteral("comfyNote"))->text();
                dialog->setSaveWorkflow(withWorkflow);
                dialog->setLatentPath(dir.filePath(name)); // no extension: .latent is added
                dialog->accept();
            });
            w->action(QStringLiteral("exportLatent"))->trigger();
            QVERIFY(offered);
            QVERIFY(note.contains(QStringLiteral("SetLatentNoiseMask")));
            QVERIFY(note.contains(QStringLiteral("LoadImageMask")));
            QVERIFY(QFileInfo::exists(dir.filePath(name + QStringLiteral(".latent"))));
            QVERIFY(QFileInfo::exists(dir.filePath(name + QStringLiteral(".mask.png"))));
            QCOMPARE(QFileInfo::exists(dir.filePath(name + QStringLiteral(".workflow.json"))),
                     withWorkflow);
            QVERIFY(w->infoBar()->isVisible());
            QCOMPARE(w->infoBar()->kind(), InfoBar::Kind::Information);
            QVERIFY(w->infoBar()->text().contains(name + QStringLiteral(".mask.png")));
        }
        // The choice is remembered.
        ExportLatentDialog again(dir.filePath(QStringLiteral("x.latent")));
        QVERIFY(!again.saveWorkflow());
        w->document()->markSaved();
    }

    void failedExportLeavesNothing() {
        LB_REQUIRE_SHARED();
        auto w = lbuitest::makeWindow(false);
        QVERIFY(w);
        QTemporaryDir images;
        QVERIFY(openTestImage(w.get(), images.path()));
        QVERIFY(loadVae(w.get()));
        QVERIFY(encodeAndWait(w.get()));
        QTemporaryDir dir;
        QString error;
        const QString missing = dir.filePath(QStringLiteral("no/such/folder/x.latent"));
        QVERIFY(!w->encodeSession()->exportLatent(missing, &error, true));
        QVERIFY(!error.isEmpty());
        QVERIFY(filesIn(dir.path()).isEmpty());
        w->document()->markSaved();
    }
};

QTEST_MAIN(TestEncodeFaults)
#include "tst_encodefaults.moc"
