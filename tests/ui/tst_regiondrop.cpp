// Drag and drop of sampled results onto the editor: real QDropEvents carrying file
// URLs. After a region encode of the open image, the sampled result PNG of its one region, and
// then the results of two regions dropped together as a batch of files, go to File > Import
// Result... and the stitched image equals `latentbrush-cli stitch`'s; a file that does not fit
// the regions opens as an image, as an ordinary image dropped does (as before), and the status
// bar says which happened and why. Real files, the real window, the built-in TAEF2, the real CLI.
#include "UiTestSupport.h"

#include "CliSupport.h"
#include "EncodeSession.h"
#include "GrowPreview.h"
#include "RegionPlanner.h"
#include "Resources.h"
#include "StitchSession.h"
#include "TestSupport.h"
#include "VaeChooser.h"

#include "latentbrush/ImageIO.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QImage>
#include <QMimeData>
#include <QPainter>
#include <QStatusBar>
#include <QUrl>

using namespace lbui;

namespace {

bool sameImage(const QString& a, const QString& b) {
    const QImage x(a), y(b);
    return !x.isNull() &&
           x.convertToFormat(QImage::Format_RGB32) == y.convertToFormat(QImage::Format_RGB32);
}

// Drags the files over the window and drops them, as a file manager does.
void dropFiles(QWidget* window, const QStringList& paths) {
    QMimeData mime;
    QList<QUrl> urls;
    for (const QString& p : paths)
        urls << QUrl::fromLocalFile(p);
    mime.setUrls(urls);
    const QPoint at(window->width() / 2, window->height() / 2);
    QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(window, &drop);
    QVERIFY(drop.isAccepted());
}

// Each region's encoder input inverted, written as a real PNG: a "sampled" result.
QStringList writeResults(const EncodeResult& result, const QString& dir, const QString& stem) {
    QStringList out;
    for (std::size_t i = 0; i < result.output.regions->pixels.size(); ++i) {
        lb::ImageBuffer r = result.output.regions->pixels[i];
        for (float& v : r.data)
            v = 1.0f - v;
        const QString path = QDir(dir).filePath(QStringLiteral("%1_%2.png").arg(stem).arg(i));
        if (!lb::writeImage(QFile::encodeName(path).toStdString(), r)) return {};
        out << path;
    }
    return out;
}

} // namespace

class TestRegionDrop : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    void droppedResultsStitchAsTheCliDoes() {
        const QString vaePath = VaeChooser::builtinVaePath();
        if (vaePath.isEmpty()) LB_CANNOT_RUN("the built-in TAEF2 is not installed");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString photo = dir.filePath(QStringLiteral("photo.png"));
        const QString maskFile = dir.filePath(QStringLiteral("mask.png"));
        QVERIFY(lbuitest::writePhotoWithMarks(photo, maskFile,
                                              {QRect(120, 90, 60, 40), QRect(600, 420, 50, 70)}));

        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        w->openImage(photo, maskFile);
        MaskDocument& doc = *w->document();
        QTRY_VERIFY_WITH_TIMEOUT(doc.imagePath() == photo && doc.maskPath() == maskFile, 30000);
        EncodeSession* session = w->encodeSession();
        StitchSession* stitch = w->stitchSession();
        session->loadVae(vaePath);
        QTRY_VERIFY_WITH_TIMEOUT(!session->isLoadingVae() && session->vae(), 60000);
        const int d = w->preview()->multiple();

        // An ordinary image, dropped further down.
        QImage small(12 * d, 8 * d, QImage::Format_RGB32);
        small.fill(QColor(200, 30, 30));
        const QString smallPath = dir.filePath(QStringLiteral("small.png"));
        QVERIFY(small.save(smallPath));

        // One region: a manual rectangle, encoded.
        RegionSettings s;
        s.mode = RegionSettings::Mode::Manual;
        s.manual = QRect(64, 48, 12 * d, 8 * d);
        w->regionPlanner()->setSettings(s);
        QTRY_VERIFY_WITH_TIMEOUT(session->canEncode(), 30000);
        QVERIFY(session->encode());
        QTRY_VERIFY_WITH_TIMEOUT(!session->isRunning() && session->hasResult(), 300000);
        QCOMPARE(session->result()->output.regions->plan.rects.size(), std::size_t(1));
        const QString latent = dir.filePath(QStringLiteral("one.latent"));
        QString error;
        QVERIFY2(session->exportLatent(latent, &error), qPrintable(error));

        auto cliStitch = [&](const QString& latentPath, const QStringList& files,
                             const QString& out) {
            QStringList args{QStringLiteral("stitch"), QStringLiteral("--image"), photo,
                             QStringLiteral("--latent"), latentPath};
            for (const QString& f : files)
                args << QStringLiteral("--result") << f;
            args << QStringLiteral("--output") << out;
            return lbtest::runCli(args);
        };

        // The sampled result of the one region, dropped: stitched as `stitch` does.
        const QStringList results = writeResults(*session->result(), dir.path(), "sampled");
        QCOMPARE(results.size(), 1);
        dropFiles(w.get(), results);
        // read and stitched on the thread pool
        QTRY_VERIFY_WITH_TIMEOUT(!stitch->isImporting() && stitch->isActive(), 60000);
        QCOMPARE(doc.imagePath(), photo); // not opened as an image
        QVERIFY2(w->statusBar()->currentMessage().contains(QStringLiteral("stitched")),
                 qPrintable(w->statusBar()->currentMessage()));
        const QString cliOut = dir.filePath(QStringLiteral("cli-one.png"));
        lbtest::CliRun run = cliStitch(latent, results, cliOut);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QString ours = dir.filePath(QStringLiteral("editor-one.png"));
        QVERIFY2(stitch->exportImage(ours, &error), qPrintable(error));
        QVERIFY(sameImage(ours, cliOut));
        QVERIFY(!sameImage(ours, photo));
        stitch->close();

        // Two regions (auto, separate) and their results dropped together as a batch of files.
        s.mode = RegionSettings::Mode::Separate;
        s.target = RegionSettings::Target::Size;
        s.targetWidth = 12 * d;
        s.targetHeight = 10 * d;
        w->regionPlanner()->setSettings(s);
        QVERIFY(session->encode());
        QTRY_VERIFY_WITH_TIMEOUT(!session->isRunning() && session->hasResult(), 300000);
        QCOMPARE(session->result()->output.regions->plan.rects.size(), std::size_t(2));
        const QString batchLatent = dir.filePath(QStringLiteral("batch.latent"));
        QVERIFY2(session->exportLatent(batchLatent, &error), qPrintable(error));
        const QStringList batch = writeResults(*session->result(), dir.path(), "batch");
        QCOMPARE(batch.size(), 2);
        dropFiles(w.get(), batch);
        QTRY_VERIFY_WITH_TIMEOUT(!stitch->isImporting() && stitch->isActive(), 60000);
        QVERIFY2(w->statusBar()->currentMessage().contains(QStringLiteral("2 files")),
                 qPrintable(w->statusBar()->currentMessage()));
        const QString cliBatch = dir.filePath(QStringLiteral("cli-batch.png"));
        run = cliStitch(batchLatent, batch, cliBatch);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QString oursBatch = dir.filePath(QStringLiteral("editor-batch.png"));
        QVERIFY2(stitch->exportImage(oursBatch, &error), qPrintable(error));
        QVERIFY(sameImage(oursBatch, cliBatch));
        stitch->close();

        // A batch of the wrong count goes to the import, which says what is wrong; nothing opens.
        dropFiles(w.get(), {batch[0], batch[1], results[0]});
        QVERIFY(!stitch->isActive());
        QCOMPARE(doc.imagePath(), photo);

        // A single image that is not a result (the encode holds two regions) opens as the image,
        // and the status bar says why.
        dropFiles(w.get(), {smallPath});
        QVERIFY2(w->statusBar()->currentMessage().contains(QStringLiteral("opened as the image")),
                 qPrintable(w->statusBar()->currentMessage()));
        QTRY_VERIFY_WITH_TIMEOUT(doc.imagePath() == smallPath, 30000);
        QCOMPARE(doc.width(), 12 * d);
        QVERIFY(!stitch->isActive());

        // With no region encode of the open image, an ordinary image dropped opens as before.
        QImage other(320, 240, QImage::Format_RGB32);
        other.fill(QColor(40, 90, 160));
        const QString otherPath = dir.filePath(QStringLiteral("other.png"));
        QVERIFY(other.save(otherPath));
        dropFiles(w.get(), {otherPath});
        QVERIFY2(w->statusBar()->currentMessage().contains(QStringLiteral("no region encode")),
                 qPrintable(w->statusBar()->currentMessage()));
        QTRY_VERIFY_WITH_TIMEOUT(doc.imagePath() == otherPath, 30000);
        QCOMPARE(doc.width(), 320);
        doc.markSaved();
        QSettings().clear();
    }
};

QTEST_MAIN(TestRegionDrop)
#include "tst_regiondrop.moc"
