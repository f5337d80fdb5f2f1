// The editor's region work off the GUI thread (docs/REGIONS.md; "without stutter"): the region
// planning runs on the thread pool after a mask edit and a result older than the newest edit is
// dropped; the mask it plans on is a snapshot (ui/MaskSnapshots), never changed under a reader
// (an encode keeps the mask it encoded); an Encode shares a snapshot instead of copying the mask;
// feather steps that arrive while a restitch runs make one newer restitch, whose result the
// display shows; File > Export Image writes on the thread pool while the event loop goes on, byte
// for byte what the synchronous export writes, with the busy indicator in the status bar, one
// error line for a path it cannot write, and closing the window while it runs waits for the
// complete file.
#include "UiTestSupport.h"

#include "DocumentLoader.h"
#include "EncodeSession.h"
#include "GrowPreview.h"
#include "InfoBar.h"
#include "RegionPlanner.h"
#include "StitchSession.h"
#include "TestSupport.h"
#include "VaeChooser.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/regions/RegionPlan.h"

#include <QDir>
#include <QProgressBar>
#include <QSignalSpy>

using namespace lbui;

namespace {

void paintRect(MaskDocument& doc, const QRect& rect) {
    const std::vector<float> ones(std::size_t(rect.width()) * rect.height(), 1.0f);
    doc.writeMask(rect, ones.data());
}

QList<QRect> expectedRects(MainWindow& w) {
    const lb::BinaryMask grown =
        lb::growBinary(lb::roundMask(w.document()->mask()), w.findChild<GrowPreview*>()->grow());
    auto plan = lb::regions::planRegions(w.regionPlanner()->settings().request(), grown,
                                         w.findChild<GrowPreview*>()->multiple());
    QList<QRect> out;
    if (plan)
        for (const auto& r : plan->rects)
            out.append(QRect(r.x, r.y, r.w, r.h));
    return out;
}

// A smooth synthetic photo of width x height, put into the window's document.
void openSynthetic(MainWindow& w, int width, int height) {
    lb::ImageBuffer img;
    img.width = width;
    img.height = height;
    img.channels = 3;
    img.data.resize(std::size_t(width) * height * 3);
    for (std::size_t i = 0; i < img.data.size(); ++i)
        img.data[i] = float((i * 7919) % 1000) / 1000.0f;
    QImage display = toDisplayImage(img);
    w.document()->setImage(std::make_shared<lb::ImageBuffer>(std::move(img)), std::move(display),
                           QStringLiteral("synthetic.png"));
}

} // namespace

class TestRegionWorkers : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    void planningRunsOnTheThreadPoolAndDropsStaleResults() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        // Large enough that a planning job is still running when the next edit arrives.
        openSynthetic(*w, 4000, 3000);
        RegionPlanner* planner = w->regionPlanner();
        RegionSettings s;
        s.mode = RegionSettings::Mode::Auto;
        planner->setSettings(s);
        paintRect(*w->document(), QRect(500, 400, 80, 60));
        planner->flush();
        QCOMPARE(planner->rects(), expectedRects(*w));
        QVERIFY(!planner->isPlanning());
        const QList<QRect> first = planner->rects();

        QSignalSpy changed(planner, &RegionPlanner::planChanged);
        paintRect(*w->document(), QRect(3000, 2500, 50, 50));
        QVERIFY(planner->isPlanning());
        QCoreApplication::processEvents(); // starts the job; returns while it runs
        QVERIFY(planner->isPlanning());
        QCOMPARE(planner->rects(), first); // the old plan stays until the new one arrives
        // A newer edit while that job runs: its result is stale, only the newest is shown.
        paintRect(*w->document(), QRect(100, 2800, 40, 40));
        // An encode asking for the mask now gets all of it, the job running or not.
        QVERIFY(planner->maskSnapshot()->data == w->document()->mask().data);
        QTRY_VERIFY_WITH_TIMEOUT(!planner->isPlanning(), 60000);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(planner->rects(), expectedRects(*w));
        QVERIFY(planner->rects()[0].contains(QRect(100, 400, 2950, 2440)));
    }

    void theMaskSnapshotIsSharedAndNeverChangedUnderAReader() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        MaskDocument& doc = *w->document();
        RegionPlanner* planner = w->regionPlanner();
        QTRY_VERIFY_WITH_TIMEOUT(!planner->isPlanning(), 30000); // the open's job ended
        paintRect(doc, QRect(10, 10, 20, 20));
        const std::shared_ptr<const lb::MaskBuffer> before = planner->maskSnapshot();
        QVERIFY(before);
        QVERIFY(before->data == doc.mask().data);
        QCOMPARE(planner->maskSnapshot().get(), before.get()); // nothing changed: the same copy
        paintRect(doc, QRect(100, 100, 30, 30));
        QTRY_VERIFY_WITH_TIMEOUT(!planner->isPlanning(), 30000);
        const std::shared_ptr<const lb::MaskBuffer> after = planner->maskSnapshot();
        QVERIFY(after->data == doc.mask().data);
        QVERIFY(after.get() != before.get()); // a reader held the old one: copied, not changed
        QCOMPARE(before->data[std::size_t(110) * before->width + 110], 0.0f);
        QCOMPARE(after->data[std::size_t(110) * after->width + 110], 1.0f);
        // Edits right before the request: the snapshot follows them all the same.
        paintRect(doc, QRect(200, 150, 10, 10));
        QVERIFY(planner->maskSnapshot()->data == doc.mask().data);
    }

    void encodeRestitchAndExportOffTheGuiThread() {
        const QString vaePath = VaeChooser::builtinVaePath();
        if (vaePath.isEmpty()) LB_CANNOT_RUN("the built-in TAEF2 is not installed");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString photo = dir.filePath(QStringLiteral("photo.png"));
        const QString maskFile = dir.filePath(QStringLiteral("mask.png"));
        QVERIFY(lbuitest::writePhotoWithMarks(photo, maskFile,
                                              {QRect(120, 90, 60, 40), QRect(700, 520, 50, 70)}));
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        RegionSettings s;
        s.mode = RegionSettings::Mode::Separate;
        s.target = RegionSettings::Target::Size;
        s.targetWidth = 192;
        s.targetHeight = 160;
        const QString notReady =
            lbuitest::openForRegionEncode(w.get(), photo, maskFile, s, vaePath);
        QVERIFY2(notReady.isEmpty(), qPrintable(notReady));
        MaskDocument& doc = *w->document();
        EncodeSession* session = w->encodeSession();
        QTRY_VERIFY_WITH_TIMEOUT(!w->regionPlanner()->isPlanning(), 30000);

        // The encode shares the planner's mask copy: no copy of the mask on the GUI thread.
        const std::shared_ptr<const lb::MaskBuffer> snapshot = w->regionPlanner()->maskSnapshot();
        QVERIFY(session->encode());
        QTRY_VERIFY_WITH_TIMEOUT(!session->isRunning() && session->hasResult(), 300000);
        QCOMPARE(session->result()->source.mask.get(), snapshot.get());
        QVERIFY(snapshot->data == doc.mask().data);
        const auto regions = session->result()->output.regions;
        QVERIFY(regions);
        QStringList results;
        for (std::size_t i = 0; i < regions->pixels.size(); ++i) {
            lb::ImageBuffer r = regions->pixels[i];
            for (float& v : r.data)
                v = 1.0f - v;
            const QString path = dir.filePath(QStringLiteral("sampled_%1.png").arg(i));
            QVERIFY(lb::writeImage(QFile::encodeName(path).toStdString(), r));
            results << path;
        }
        QVERIFY(w->importResults(results));
        StitchSession* stitch = w->stitchSession();
        QVERIFY(stitch->isActive());

        // Feather steps while a restitch runs: one newer restitch, the newest feather shown.
        QSignalSpy changed(stitch, &StitchSession::changed);
        stitch->setFeather(3.5f);
        QVERIFY(stitch->isRestitching());
        stitch->setFeather(5.5f);
        stitch->setFeather(7.5f);
        QCOMPARE(stitch->feather(), 7.5f);
        QCOMPARE(changed.count(), 0); // nothing shown before a restitch ends
        QTRY_VERIFY_WITH_TIMEOUT(!stitch->isRestitching(), 60000);
        QCOMPARE(changed.count(), 1); // feather 3.5's result was stale: dropped
        const QImage shown = stitch->stitchedDisplay();
        const QImage expected = toDisplayImage(lb::toRgb(stitch->stitched()));
        QCOMPARE(shown, expected);
        // The toggle stays instant: no restitch.
        stitch->setShowOriginal(true);
        QVERIFY(!stitch->isRestitching());
        stitch->setShowOriginal(false);

        // Export Image on the thread pool: the call returns at once, the event loop goes on.
        const QString sync = dir.filePath(QStringLiteral("sync.png"));
        QString error;
        QVERIFY2(stitch->exportImage(sync, &error), qPrintable(error));
        const QString async = dir.filePath(QStringLiteral("async.png"));
        QSignalSpy started(stitch, &StitchSession::exportStarted);
        QSignalSpy finished(stitch, &StitchSession::exportFinished);
        int turns = 0;
        QTimer tick;
        connect(&tick, &QTimer::timeout, this, [&turns] { ++turns; });
        tick.start(0);
        QVERIFY2(stitch->startExportImage(async, &error), qPrintable(error));
        QVERIFY(stitch->isExporting());
        QCOMPARE(started.count(), 1);
        QCOMPARE(finished.count(), 0);
        QVERIFY(w->findChild<QWidget*>(QStringLiteral("exportImageStatus"))->isVisible());
        QVERIFY(w->findChild<QProgressBar*>(QStringLiteral("exportImageBusy"))->isVisible());
        // A second export while one runs is refused with a reason.
        QVERIFY(!stitch->startExportImage(dir.filePath(QStringLiteral("again.png")), &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(finished.wait(120000));
        tick.stop();
        QVERIFY(turns > 0); // the event loop ran while the file was written
        QVERIFY(!stitch->isExporting());
        QCOMPARE(finished.at(0).at(0).toString(), async);
        QVERIFY2(finished.at(0).at(1).toString().isEmpty(),
                 qPrintable(finished.at(0).at(1).toString()));
        QVERIFY(!w->findChild<QWidget*>(QStringLiteral("exportImageStatus"))->isVisible());
        QVERIFY(lbtest::readFileBytes(async) == lbtest::readFileBytes(sync));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("again.png"))));

        // A path that cannot be written: one error line naming it, nothing written.
        const QString bad = dir.filePath(QStringLiteral("no-such-folder/out.png"));
        QVERIFY(stitch->startExportImage(bad, &error));
        QVERIFY(finished.wait(120000));
        QVERIFY(!finished.last().at(1).toString().isEmpty());
        QVERIFY2(w->findChild<InfoBar*>()->text().contains(QDir::toNativeSeparators(bad)),
                 qPrintable(w->findChild<InfoBar*>()->text()));
        QVERIFY(!QFileInfo::exists(bad));

        // Closing the window while an export runs waits for the complete file.
        const QString atClose = dir.filePath(QStringLiteral("at-close.png"));
        QVERIFY(stitch->startExportImage(atClose, &error));
        doc.markSaved();
        QVERIFY(w->close());
        QVERIFY(!stitch->isExporting());
        QVERIFY(lbtest::readFileBytes(atClose) == lbtest::readFileBytes(sync));
        QStringList leftovers = QDir(dir.path()).entryList(QDir::Files | QDir::Hidden);
        leftovers.removeIf(
            [](const QString& name) { return !name.contains(QStringLiteral("lbtmp")); });
        QVERIFY2(leftovers.isEmpty(), qPrintable(leftovers.join(QLatin1Char(' '))));
    }
};

QTEST_MAIN(TestRegionWorkers)
#include "tst_regionworkers.moc"
