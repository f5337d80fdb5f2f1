// The image an Apply makes is never lost: after a region encode with the built-in TAEF2,
// File > Import Result... and Apply on a 16-bit photo, File > Export Image... stays available
// and writes the applied image byte for byte as `latentbrush-cli stitch` writes the same stitch
// (undoing the Apply disables it again); closing the window asks about the applied image that was
// not exported (and about the mask as well when it has unsaved changes); and a crash after Apply
// keeps the applied samples in the autosave: Restore brings them back as the image, one undo step
// above the file's pixels, still to be exported. Import Result, Apply and Export Image of the
// applied image on the thread pool give the same photo, the same one undo step and the same bytes
// as the synchronous calls; closing while an Apply or an export runs waits for it.
#include "UiTestSupport.h"

#include "CanvasLayers.h"
#include "CliSupport.h"
#include "EncodeSession.h"
#include "GrowPreview.h"
#include "RecoveryBar.h"
#include "RegionPlanner.h"
#include "Resources.h"
#include "StitchSession.h"
#include "TestSupport.h"
#include "VaeChooser.h"

#include "latentbrush/ImageIO.h"

#include <QAbstractButton>
#include <QFileInfo>
#include <QMessageBox>
#include <QPainter>
#include <QSignalSpy>
#include <QTimer>

#include <memory>

using namespace lbui;

namespace {

// One stitched result to apply: a 16-bit photo (values no 8-bit file holds) with a marked mask,
// its region latent and "sampled" results (the regions' encoder inputs inverted), as real files.
struct Fixture {
    QString photo, maskFile, latent;
    QStringList results;
};

void writePhoto(const QTemporaryDir& dir, Fixture* f) {
    f->photo = dir.filePath(QStringLiteral("photo.png"));
    f->maskFile = dir.filePath(QStringLiteral("mask.png"));
    const QString samplePath = dir.filePath(QStringLiteral("sample.png"));
    QVERIFY(QFile::copy(sampleImagePath(), samplePath)); // a resource: copied to a real file
    auto sample = lb::readImage(QFile::encodeName(samplePath).toStdString());
    QVERIFY(sample.ok());
    lb::ImageBuffer img = lb::toRgb(sample->image);
    for (std::size_t i = 0; i < img.data.size(); ++i)
        img.data[i] = std::min(1.0f, img.data[i] + float(i % 5) / 65535.0f);
    QVERIFY(
        lb::writeImage(QFile::encodeName(f->photo).toStdString(), img, lb::SampleDepth::U16).ok());
    QImage mask(img.width, img.height, QImage::Format_Grayscale8);
    mask.fill(0);
    {
        QPainter p(&mask);
        p.fillRect(QRect(120, 90, 60, 40), Qt::white);
    }
    QVERIFY(mask.save(f->maskFile));
}

// Opens the photo with its mask, encodes its region and imports the results (shown, not applied).
void encodeAndImport(MainWindow* w, const QTemporaryDir& dir, Fixture* f) {
    const QString vaePath = VaeChooser::builtinVaePath();
    RegionSettings s;
    s.mode = RegionSettings::Mode::Auto;
    s.target = RegionSettings::Target::Size;
    s.targetWidth = 128;
    s.targetHeight = 128;
    const QString notReady = lbuitest::openForRegionEncode(w, f->photo, f->maskFile, s, vaePath);
    QVERIFY2(notReady.isEmpty(), qPrintable(notReady));
    EncodeSession* session = w->encodeSession();
    QVERIFY(session->encode());
    QTRY_VERIFY_WITH_TIMEOUT(!session->isRunning() && session->hasResult(), 300000);
    const auto regions = session->result()->output.regions;
    QVERIFY(regions);
    QString error;
    f->latent = dir.filePath(QStringLiteral("regions.latent"));
    QVERIFY2(session->exportLatent(f->latent, &error), qPrintable(error));
    f->results.clear();
    for (std::size_t i = 0; i < regions->pixels.size(); ++i) {
        lb::ImageBuffer r = regions->pixels[i];
        for (float& v : r.data)
            v = 1.0f - v;
        const QString path = dir.filePath(QStringLiteral("sampled_%1.png").arg(i));
        QVERIFY(lb::writeImage(QFile::encodeName(path).toStdString(), r));
        f->results << path;
    }
    QVERIFY(w->importResults(f->results));
}

// `latentbrush-cli stitch` of the fixture's files: the bytes it writes.
QByteArray cliStitch(const QTemporaryDir& dir, const Fixture& f) {
    QStringList args{QStringLiteral("stitch"), QStringLiteral("--image"), f.photo,
                     QStringLiteral("--latent"), f.latent};
    for (const QString& r : f.results)
        args << QStringLiteral("--result") << r;
    const QString out = dir.filePath(QStringLiteral("cli.png"));
    args << QStringLiteral("--output") << out;
    const lbtest::CliRun run = lbtest::runCli(args);
    if (run.exitCode != 0) qWarning("%s", qPrintable(run.err));
    return run.exitCode == 0 ? lbtest::readFileBytes(out) : QByteArray();
}

// Answers the next message box (closing the window asks) with the button whose text contains
// `button`; its text is recorded in `seen` (one entry per box). Calls made one after the other
// answer the boxes in that order.
void answerNextBox(const QString& button, QStringList* seen) {
    QTimer::singleShot(0, [button, seen] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box || !box->isVisible() || box->property("answered").toBool()) {
            QTimer::singleShot(20, [button, seen] { answerNextBox(button, seen); });
            return;
        }
        box->setProperty("answered", true);
        *seen << box->text();
        for (QAbstractButton* b : box->buttons())
            if (b->text().remove(QLatin1Char('&')).contains(button)) {
                b->click();
                return;
            }
        *seen << QStringLiteral("(no button %1)").arg(button);
        box->reject();
    });
}

// Each case's start: the photo written into `dir`, a window, its region encoded and the results
// imported (shown, not applied); null, with the failure recorded, when a step failed.
std::unique_ptr<MainWindow> windowWithImport(const QTemporaryDir& dir, Fixture* f) {
    writePhoto(dir, f);
    if (QTest::currentTestFailed()) return nullptr;
    auto w = lbuitest::makeWindow();
    if (!w) {
        QTest::qFail("the window was not exposed", __FILE__, __LINE__);
        return nullptr;
    }
    encodeAndImport(w.get(), dir, f);
    if (QTest::currentTestFailed()) return nullptr;
    return w;
}

} // namespace

class TestApplyExport : public QObject {
    Q_OBJECT
private slots:
    void init() { lbuitest::initEnvironment(); }

    void exportAfterApplyAndThePrompt() {
        if (VaeChooser::builtinVaePath().isEmpty())
            LB_CANNOT_RUN("the built-in TAEF2 is not installed");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Fixture f;
        const auto w = windowWithImport(dir, &f);
        if (!w) return;
        MaskDocument& doc = *w->document();
        StitchSession* stitch = w->stitchSession();
        QAction* exportImage = w->action(QStringLiteral("exportImage"));
        QVERIFY(exportImage->isEnabled()); // the result shown
        QVERIFY(!doc.imageIsApplied());
        const QByteArray cliBytes = cliStitch(dir, f);
        QVERIFY(!cliBytes.isEmpty());
        const std::shared_ptr<const lb::ImageBuffer> filePixels = doc.image();
        const lb::ImageBuffer stitched = stitch->stitched();

        // Apply: the import closes, Export Image stays, the image is applied and not exported.
        QVERIFY(stitch->apply());
        QVERIFY(!stitch->isActive());
        QVERIFY(exportImage->isEnabled());
        QVERIFY(doc.imageIsApplied() && doc.hasUnexportedImage());
        QVERIFY(doc.appliedSamples()->data == stitched.data);
        QCOMPARE(doc.appliedDepth(), lb::SampleDepth::U16);
        QVERIFY(!doc.maskModified()); // the Apply is no mask change
        QVERIFY(doc.isModified());

        // Closing asks about the image (not the mask): Cancel keeps the window open.
        QStringList seen;
        answerNextBox(QStringLiteral("Cancel"), &seen);
        QVERIFY(!w->close());
        QCOMPARE(seen.size(), 1);
        QVERIFY2(seen[0].contains(QStringLiteral("applied result that is not exported")) &&
                     seen[0].contains(QStringLiteral("photo.png")),
                 qPrintable(seen.join('|')));
        // With a mask edit as well: the image first, then the mask.
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(400, 300));
        QVERIFY(doc.maskModified());
        seen.clear();
        answerNextBox(QStringLiteral("Discard"), &seen);
        answerNextBox(QStringLiteral("Cancel"), &seen);
        QVERIFY(!w->close());
        QCOMPARE(seen.size(), 2);
        QVERIFY2(seen[0].contains(QStringLiteral("applied result")), qPrintable(seen[0]));
        QVERIFY2(seen[1].contains(QStringLiteral("The mask of")), qPrintable(seen[1]));
        doc.undoStack()->undo(); // the stroke
        QVERIFY(!doc.maskModified());
        QVERIFY(doc.hasUnexportedImage());

        // Export Image writes the applied image: byte for byte the CLI's stitch, at 16 bits.
        const QString ours = dir.filePath(QStringLiteral("applied.png"));
        QString error;
        QVERIFY2(stitch->exportAppliedImage(ours, &error), qPrintable(error));
        QVERIFY(lbtest::readFileBytes(ours) == cliBytes);
        QVERIFY(!doc.hasUnexportedImage());
        QVERIFY(exportImage->isEnabled());

        // Undo: the file's pixels again, nothing to export; redo: the exported image again.
        doc.undoStack()->undo();
        QVERIFY(doc.image() == filePixels);
        QVERIFY(!doc.imageIsApplied() && !doc.hasUnexportedImage());
        QVERIFY(!exportImage->isEnabled());
        QVERIFY(!stitch->exportAppliedImage(dir.filePath(QStringLiteral("none.png")), &error));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("none.png"))));
        doc.undoStack()->redo();
        QVERIFY(exportImage->isEnabled());
        QVERIFY(doc.imageIsApplied() && !doc.hasUnexportedImage());

        // Applied again after an undo: new samples, to export again; the autosave keeps them
        // beside it until closing lets them go.
        doc.undoStack()->undo();
        QVERIFY(w->importResults(f.results));
        QVERIFY(stitch->apply());
        QVERIFY(doc.hasUnexportedImage());
        AutosaveManager* autosave = w->autosave();
        QVERIFY(autosave->saveNow());
        QVERIFY(QFileInfo::exists(AutosaveManager::pixelsPathFor(autosave->filePath())));
        const QString autosaveFile = autosave->filePath();
        // Discard the image, save the mask (to its file): the window closes and keeps nothing.
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(400, 300));
        QVERIFY(doc.maskModified());
        seen.clear();
        answerNextBox(QStringLiteral("Discard"), &seen);
        answerNextBox(QStringLiteral("Save"), &seen);
        QVERIFY(w->close());
        QCOMPARE(seen.size(), 2);
        QVERIFY(!doc.isModified());
        QVERIFY(!QFileInfo::exists(autosaveFile));
        QVERIFY(!QFileInfo::exists(AutosaveManager::pixelsPathFor(autosaveFile)));
        QSettings().clear();
    }

    void importApplyAndExportOnTheThreadPool() {
        if (VaeChooser::builtinVaePath().isEmpty())
            LB_CANNOT_RUN("the built-in TAEF2 is not installed");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Fixture f;
        const auto w = windowWithImport(dir, &f); // the synchronous import: the reference
        if (!w) return;
        MaskDocument& doc = *w->document();
        StitchSession* stitch = w->stitchSession();
        const lb::ImageBuffer syncStitched = stitch->stitched();
        const QImage syncDisplay = stitch->stitchedDisplay().copy();
        const auto syncKept = stitch->autosaveState();
        QVERIFY(syncKept);
        const std::shared_ptr<const lb::ImageBuffer> filePixels = doc.image();
        const QByteArray cliBytes = cliStitch(dir, f);
        QVERIFY(!cliBytes.isEmpty());
        QString error;

        // Import Result on the thread pool: the call returns at once, then the same stitch shows.
        stitch->close();
        QSignalSpy imported(stitch, &StitchSession::importFinished);
        QVERIFY2(stitch->startImport(f.results, &error), qPrintable(error));
        QVERIFY(stitch->isImporting());
        QVERIFY(!stitch->isActive());
        QVERIFY(imported.wait(120000));
        QVERIFY2(imported.last().at(1).toString().isEmpty(),
                 qPrintable(imported.last().at(1).toString()));
        QVERIFY(stitch->isActive() && !stitch->isImporting());
        QVERIFY(stitch->stitched().data == syncStitched.data);
        QCOMPARE(stitch->stitchedDisplay(), syncDisplay);
        // The autosave keeps the same state, its grown mask one buffer shared with the session.
        const auto kept = stitch->autosaveState();
        QVERIFY(kept && *kept == *syncKept);
        QVERIFY(kept->grown == syncKept->grown);
        QVERIFY(w->autosave()->stitch());
        QCOMPARE(w->autosave()->stitch()->grown.constData(), kept->grown.constData());
        // An import asked for during a restitch, and again while it runs: the newest wins, the
        // restitch is dropped and the import's own feather is shown.
        const float importFeather = stitch->feather();
        stitch->setFeather(importFeather + 3.0f);
        QVERIFY(stitch->isRestitching());
        QVERIFY(stitch->startImport(f.results, &error));
        QVERIFY(stitch->startImport(f.results, &error));
        QTRY_VERIFY_WITH_TIMEOUT(!stitch->isImporting() && !stitch->isRestitching(), 120000);
        QCOMPARE(stitch->feather(), importFeather);
        QVERIFY(stitch->stitched().data == syncStitched.data);
        QCOMPARE(stitch->stitchedDisplay(), syncDisplay);
        // A wrong count is refused at once; a file that cannot be read reports one line naming
        // it and leaves the result shown as it was.
        QVERIFY(!stitch->startImport(f.results + f.results, &error));
        QVERIFY(!error.isEmpty());
        const QString missing = dir.filePath(QStringLiteral("missing.png"));
        QStringList withMissing = f.results;
        withMissing.last() = missing;
        imported.clear();
        QVERIFY(stitch->startImport(withMissing, &error));
        QVERIFY(imported.wait(120000));
        QVERIFY2(imported.last().at(1).toString().contains(QStringLiteral("missing.png")),
                 qPrintable(imported.last().at(1).toString()));
        QVERIFY(stitch->isActive());
        QVERIFY(stitch->stitched().data == syncStitched.data);

        // Apply on the thread pool: one undo step, the image the synchronous compose gives.
        const int steps = doc.undoStack()->count();
        CanvasLayers* layers = w->layers();
        using Layer = CanvasLayers::Layer;
        const QImage overlayBefore = layers->fullLayer(Layer::MaskOverlay).copy();
        (void)layers->fullLayer(Layer::Encoder);
        QSignalSpy applied(stitch, &StitchSession::applyFinished);
        QVERIFY(stitch->startApply());
        QVERIFY(stitch->isApplying());
        QVERIFY(!stitch->startApply()); // a second click while it runs: nothing more
        QVERIFY(!w->findChild<QAbstractButton*>(QStringLiteral("stitchApply"))->isEnabled());
        QVERIFY(applied.wait(120000));
        QCOMPARE(applied.count(), 1);
        QVERIFY2(applied.last().at(0).toString().isEmpty(),
                 qPrintable(applied.last().at(0).toString()));
        QVERIFY(!stitch->isApplying() && !stitch->isActive());
        QCOMPARE(doc.undoStack()->count(), steps + 1);
        QVERIFY(doc.imageIsApplied() && doc.hasUnexportedImage());
        QVERIFY(doc.appliedSamples()->data == syncStitched.data);
        QVERIFY(doc.image()->data == lb::toRgb(syncStitched).data);
        QCOMPARE(doc.displayImage(), syncDisplay);
        QCOMPARE(doc.appliedDepth(), lb::SampleDepth::U16);
        // The canvas layers follow: the same as layers built afresh for the applied image (the
        // mask layers kept as they were, the encoder input redrawn from the new pixels).
        {
            CanvasLayers fresh(&doc, w->findChild<GrowPreview*>());
            QCOMPARE(layers->fullLayer(Layer::MaskOverlay), overlayBefore);
            QCOMPARE(layers->fullLayer(Layer::MaskOverlay), fresh.fullLayer(Layer::MaskOverlay));
            QCOMPARE(layers->fullLayer(Layer::Grown), fresh.fullLayer(Layer::Grown));
            QCOMPARE(layers->fullLayer(Layer::Encoder), fresh.fullLayer(Layer::Encoder));
        }

        // Export Image of the applied image on the thread pool: the CLI's bytes, then exported.
        QSignalSpy exported(stitch, &StitchSession::exportFinished);
        const QString ours = dir.filePath(QStringLiteral("applied-async.png"));
        QVERIFY2(stitch->startExportAppliedImage(ours, &error), qPrintable(error));
        QVERIFY(stitch->isExporting());
        QVERIFY(
            !stitch->startExportAppliedImage(dir.filePath(QStringLiteral("again.png")), &error));
        QVERIFY(exported.wait(120000));
        QVERIFY2(exported.last().at(1).toString().isEmpty(),
                 qPrintable(exported.last().at(1).toString()));
        QVERIFY(lbtest::readFileBytes(ours) == cliBytes);
        QVERIFY(!doc.hasUnexportedImage());
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("again.png"))));
        // Undo: the file's pixels again.
        doc.undoStack()->undo();
        QVERIFY(doc.image() == filePixels);
        QVERIFY(!doc.imageIsApplied());

        // Closing while an Apply runs: the Apply is made first, so the prompt asks about it.
        QVERIFY(w->importResults(f.results));
        QVERIFY(stitch->startApply());
        QStringList seen;
        answerNextBox(QStringLiteral("Cancel"), &seen);
        QVERIFY(!w->close());
        QVERIFY(!stitch->isApplying());
        QCOMPARE(seen.size(), 1);
        QVERIFY2(seen[0].contains(QStringLiteral("applied result that is not exported")),
                 qPrintable(seen.join('|')));
        QVERIFY(doc.appliedSamples()->data == syncStitched.data);
        // Closing while its export runs: the write ends first, nothing is left to ask about.
        const QString atClose = dir.filePath(QStringLiteral("at-close.png"));
        QVERIFY2(stitch->startExportAppliedImage(atClose, &error), qPrintable(error));
        QVERIFY(w->close());
        QVERIFY(!stitch->isExporting());
        QVERIFY(lbtest::readFileBytes(atClose) == cliBytes);
        QSettings().clear();
    }

    void crashAfterApplyRestoresTheImage() {
        if (VaeChooser::builtinVaePath().isEmpty())
            LB_CANNOT_RUN("the built-in TAEF2 is not installed");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Fixture f;
        lb::ImageBuffer stitched;
        std::vector<float> filePixels;
        QString autosaveFile, error;
        {
            const auto w = windowWithImport(dir, &f);
            if (!w) return;
            MaskDocument& doc = *w->document();
            filePixels = doc.image()->data;
            stitched = w->stitchSession()->stitched();
            QVERIFY(w->stitchSession()->apply());
            QVERIFY(!doc.maskModified()); // the mask is its saved file: kept for the image alone
            AutosaveManager* autosave = w->autosave();
            QVERIFY(autosave->saveNow());
            autosaveFile = autosave->filePath();
            auto read = AutosaveManager::read(autosaveFile, &error);
            QVERIFY2(read, qPrintable(error));
            QVERIFY(read->applied);
            QCOMPARE(read->applied->depth, int(lb::SampleDepth::U16));
            QCOMPARE(read->applied->channels, 3);
            auto pixels = AutosaveManager::readAppliedPixels(*read, &error);
            QVERIFY2(pixels, qPrintable(error));
            QVERIFY(pixels->data == stitched.data);
            // A pixels file cut short is refused with a reason naming it.
            const QByteArray bytes =
                lbtest::readFileBytes(AutosaveManager::pixelsPathFor(autosaveFile));
            AutosavedMask cut = *read;
            cut.file = dir.filePath(QStringLiteral("cut.lbmask"));
            for (const qsizetype n :
                 {qsizetype(0), qsizetype(10), bytes.size() / 2, bytes.size() - 1}) {
                QFile out(AutosaveManager::pixelsPathFor(cut.file));
                QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
                out.write(bytes.left(n));
                out.close();
                QVERIFY(!AutosaveManager::readAppliedPixels(cut, &error));
                QVERIFY2(error.contains(QStringLiteral("cut.lbpixels")), qPrintable(error));
            }
            autosave->abandonForTest(); // a crash: the files stay, the lock goes
        }

        QCOMPARE(AutosaveManager::orphanedAutosaves(), QStringList{autosaveFile});
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        w->offerAutosaveRecovery();
        QVERIFY2(w->recoveryBar()->text().contains(QStringLiteral("applied result")),
                 qPrintable(w->recoveryBar()->text()));
        QVERIFY(w->recoveryBar()->trigger(QStringLiteral("Restore")));
        MaskDocument& doc = *w->document();
        QTRY_VERIFY_WITH_TIMEOUT(doc.imagePath() == f.photo && doc.imageIsApplied(), 30000);
        QVERIFY(doc.appliedSamples()->data == stitched.data);
        QVERIFY(doc.image()->data == stitched.data); // RGB: the samples are the pixels
        QCOMPARE(doc.appliedDepth(), lb::SampleDepth::U16);
        QVERIFY(doc.hasUnexportedImage());
        QVERIFY(w->action(QStringLiteral("exportImage"))->isEnabled());
        QVERIFY(!QFileInfo::exists(autosaveFile)); // taken over by this session
        QVERIFY(!QFileInfo::exists(AutosaveManager::pixelsPathFor(autosaveFile)));
        AutosaveManager* autosave = w->autosave();
        QVERIFY(autosave->saveNow());
        QVERIFY(AutosaveManager::read(autosave->filePath())->applied);
        // Export writes the CLI's bytes; undo goes back to the file's pixels.
        const QByteArray cliBytes = cliStitch(dir, f);
        QVERIFY(!cliBytes.isEmpty());
        const QString ours = dir.filePath(QStringLiteral("restored.png"));
        QVERIFY2(w->stitchSession()->exportAppliedImage(ours, &error), qPrintable(error));
        QVERIFY(lbtest::readFileBytes(ours) == cliBytes);
        QVERIFY(!doc.hasUnexportedImage());
        QVERIFY(autosave->saveNow());
        QVERIFY(!QFileInfo::exists(AutosaveManager::pixelsPathFor(autosave->filePath())));
        doc.undoStack()->undo();
        QVERIFY(!doc.imageIsApplied());
        QVERIFY(doc.image()->data == filePixels);
        doc.markSaved();
        QSettings().clear();
    }
};

QTEST_MAIN(TestApplyExport)
#include "tst_applyexport.moc"
