// An imported region result survives a crash like the mask: after a region encode
// with the built-in TAEF2 and File > Import Result... with the feather changed, the autosave
// holds the import (result files, feather, regions, grown mask) even though the mask itself is
// saved; the session then stops as a crash would, a new window offers it back, and Restore
// shows the same stitch again without encoding: same regions, feather and exported bytes.
// Closing the import leaves the mask alone in the autosave; a file cut short is refused.
#include "UiTestSupport.h"

#include "EncodeSession.h"
#include "RecoveryBar.h"
#include "RegionPlanner.h"
#include "Resources.h"
#include "StitchSession.h"
#include "TestSupport.h"
#include "VaeChooser.h"

#include "latentbrush/ImageIO.h"

#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QTemporaryDir>

using namespace lbui;

class TestStitchRecovery : public QObject {
    Q_OBJECT
private slots:
    void init() { lbuitest::initEnvironment(); }

    void importSurvivesCrash() {
        const QString vaePath = VaeChooser::builtinVaePath();
        if (vaePath.isEmpty()) LB_CANNOT_RUN("the built-in TAEF2 is not installed");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString photo = dir.filePath(QStringLiteral("photo.png"));
        const QString maskFile = dir.filePath(QStringLiteral("mask.png"));
        QVERIFY(lbuitest::writePhotoWithMarks(photo, maskFile,
                                              {QRect(120, 90, 60, 40), QRect(600, 420, 50, 70)}));

        QString error, autosaveFile;
        QStringList results;
        QByteArray exported;
        std::optional<AutosavedStitch> kept;
        {
            auto w = lbuitest::makeWindow();
            QVERIFY(w);
            RegionSettings s;
            s.mode = RegionSettings::Mode::Separate;
            s.target = RegionSettings::Target::Size;
            s.targetWidth = 128;
            s.targetHeight = 128;
            const QString notReady =
                lbuitest::openForRegionEncode(w.get(), photo, maskFile, s, vaePath);
            QVERIFY2(notReady.isEmpty(), qPrintable(notReady));
            MaskDocument& doc = *w->document();
            EncodeSession* session = w->encodeSession();
            QVERIFY(session->encode());
            QTRY_VERIFY_WITH_TIMEOUT(!session->isRunning() && session->hasResult(), 300000);
            const auto regions = session->result()->output.regions;
            QVERIFY(regions);
            QCOMPARE(regions->pixels.size(), std::size_t(2));
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
            stitch->setFeather(4.0f);
            const QString ours = dir.filePath(QStringLiteral("before-crash.png"));
            QVERIFY2(stitch->exportImage(ours, &error), qPrintable(error));
            exported = lbtest::readFileBytes(ours);
            QVERIFY(!exported.isEmpty());

            // The mask is the saved file: the autosave is kept for the import alone.
            QVERIFY(!doc.isModified());
            AutosaveManager* autosave = w->autosave();
            QVERIFY(autosave->saveNow());
            autosaveFile = autosave->filePath();
            QVERIFY(QFileInfo::exists(autosaveFile));
            auto read = AutosaveManager::read(autosaveFile, &error);
            QVERIFY2(read, qPrintable(error));
            QVERIFY(read->stitch);
            QCOMPARE(read->stitch->results, results);
            QCOMPARE(read->stitch->feather, 4.0f);
            QCOMPARE(read->stitch->rects.size(), qsizetype(2));
            QCOMPARE(read->stitch->scaledWidth, 128);
            QVERIFY(read->mask == doc.mask().data);
            kept = read->stitch;
            // A file cut short anywhere is refused with a reason, never read half.
            const QByteArray bytes = lbtest::readFileBytes(autosaveFile);
            const QString cut = dir.filePath(QStringLiteral("cut.lbmask"));
            for (qsizetype n = 0; n < bytes.size();
                 n += std::max<qsizetype>(1, bytes.size() / 400)) {
                QFile f(cut);
                QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
                f.write(bytes.left(n));
                f.close();
                QString why;
                QVERIFY2(!AutosaveManager::read(cut, &why), qPrintable(QString::number(n)));
                QVERIFY(!why.isEmpty());
            }
            autosave->abandonForTest(); // a crash: the file stays, the lock goes
        }

        QCOMPARE(AutosaveManager::orphanedAutosaves(), QStringList{autosaveFile});
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        w->offerAutosaveRecovery();
        QVERIFY(w->recoveryBar()->isVisible());
        QVERIFY2(w->recoveryBar()->text().contains(QStringLiteral("imported result of 2")),
                 qPrintable(w->recoveryBar()->text()));
        QVERIFY(w->recoveryBar()->trigger(QStringLiteral("Restore")));
        StitchSession* stitch = w->stitchSession();
        QTRY_VERIFY_WITH_TIMEOUT(stitch->isActive(), 30000);
        QCOMPARE(w->document()->imagePath(), photo);
        QCOMPARE(stitch->feather(), 4.0f);
        QCOMPARE(stitch->resultPaths(), results);
        QVERIFY(!w->encodeSession()->hasResult()); // no encode was needed
        const QString again = dir.filePath(QStringLiteral("after-crash.png"));
        QVERIFY2(stitch->exportImage(again, &error), qPrintable(error));
        QVERIFY(lbtest::readFileBytes(again) == exported);
        QVERIFY(!QFileInfo::exists(autosaveFile)); // taken over by this session
        QVERIFY(stitch->autosaveState() == kept);

        // This session keeps it too, until the import is closed.
        AutosaveManager* autosave = w->autosave();
        QVERIFY(autosave->saveNow());
        QVERIFY(QFileInfo::exists(autosave->filePath()));
        QVERIFY(AutosaveManager::read(autosave->filePath())->stitch == kept);
        // The mask came back as an unsaved edit (the image opened without its mask file): closing
        // the import leaves the mask in the autosave, saving the mask then removes it.
        QVERIFY(w->document()->isModified());
        stitch->close();
        QVERIFY(!autosave->stitch());
        QVERIFY(autosave->saveNow());
        auto left = AutosaveManager::read(autosave->filePath());
        QVERIFY(left && !left->stitch);
        QVERIFY(left->mask == w->document()->mask().data);
        w->document()->markSaved();
        QVERIFY(!QFileInfo::exists(autosave->filePath()));

        // A kept import that no longer fits (its result file gone): the mask comes back, the
        // import does not, with one line saying why.
        QFile::remove(results[1]);
        QVERIFY(!stitch->restore(*kept, &error));
        QVERIFY2(error.contains(QStringLiteral("sampled_1.png")), qPrintable(error));
        QVERIFY(!stitch->isActive());
        QSettings().clear();
    }
};

QTEST_MAIN(TestStitchRecovery)
#include "tst_stitchrecovery.moc"
