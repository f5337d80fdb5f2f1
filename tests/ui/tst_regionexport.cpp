// The editor's region encode and export: with regions on, Encode runs the region encode
// through EncodeSession (on the worker, as a whole-image encode does) and the result records the
// region settings; Export writes the region .latent exactly as `latentbrush-cli encode --region`
// writes it for the same files (tensors and metadata) and one grown mask per region at the
// region's size. Real files, the real window, the built-in TAEF2 and the real CLI program.
#include "UiTestSupport.h"

#include "CliSupport.h"
#include "EncodeSession.h"
#include "GrowPreview.h"
#include "RegionPlanner.h"
#include "Resources.h"
#include "TestSupport.h"
#include "VaeChooser.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/LatentFile.h"
#include "latentbrush/regions/RegionLatent.h"

#include <QImage>
#include <QPainter>

using namespace lbui;

class TestRegionExport : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    void exportEqualsTheCli() {
        const QString vaePath = VaeChooser::builtinVaePath();
        if (vaePath.isEmpty()) LB_CANNOT_RUN("the built-in TAEF2 is not installed");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // A real photo file and a real mask file with two marks.
        const QString photo = dir.filePath(QStringLiteral("photo.png"));
        const QString maskFile = dir.filePath(QStringLiteral("mask.png"));
        QVERIFY(lbuitest::writePhotoWithMarks(photo, maskFile,
                                              {QRect(120, 90, 60, 40), QRect(700, 520, 50, 70)}));

        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        RegionSettings s;
        s.mode = RegionSettings::Mode::Separate;
        s.target = RegionSettings::Target::Size;
        s.targetWidth = 256;
        s.targetHeight = 192;
        s.method = lb::regions::ResizeMethod::Area;
        const QString notReady =
            lbuitest::openForRegionEncode(w.get(), photo, maskFile, s, vaePath);
        QVERIFY2(notReady.isEmpty(), qPrintable(notReady));
        EncodeSession* session = w->encodeSession();
        QVERIFY(session->encode());
        QTRY_VERIFY_WITH_TIMEOUT(!session->isRunning() && session->hasResult(), 300000);
        QVERIFY(session->resultIsCurrent());
        const EncodeResult* result = session->result();
        QVERIFY(result->output.regions);
        QVERIFY(result->source.regions.has_value());
        QCOMPARE(*result->source.regions, s);
        QCOMPARE(result->output.regions->plan.rects.size(), std::size_t(2));
        QCOMPARE(result->output.samples.shape.at(0), std::int64_t(2));

        // Changing the region settings makes the result stale.
        RegionSettings other = s;
        other.method = lb::regions::ResizeMethod::Bicubic;
        w->regionPlanner()->setSettings(other);
        QVERIFY(session->isStale());
        w->regionPlanner()->setSettings(s);

        const QString editorLatent = dir.filePath(QStringLiteral("editor.latent"));
        QString error;
        QStringList written;
        QVERIFY2(session->exportLatent(editorLatent, &error, false, &written), qPrintable(error));
        const QString mask0 = EncodeSession::regionMaskPath(editorLatent, 0);
        const QString mask1 = EncodeSession::regionMaskPath(editorLatent, 1);
        QCOMPARE(written, (QStringList{editorLatent, mask0, mask1}));

        const QString cliLatent = dir.filePath(QStringLiteral("cli.latent"));
        const QString cliGrown = dir.filePath(QStringLiteral("grown.png"));
        const lbtest::CliRun run =
            lbtest::runCli({QStringLiteral("encode"),
                            QStringLiteral("--image"),
                            photo,
                            QStringLiteral("--mask"),
                            maskFile,
                            QStringLiteral("--vae"),
                            vaePath,
                            QStringLiteral("--grow"),
                            QString::number(w->findChild<GrowPreview*>()->grow()),
                            QStringLiteral("--region"),
                            QStringLiteral("auto"),
                            QStringLiteral("--regions"),
                            QStringLiteral("separate"),
                            QStringLiteral("--target"),
                            QStringLiteral("256x192"),
                            QStringLiteral("--resize"),
                            QStringLiteral("area"),
                            QStringLiteral("--output"),
                            cliLatent,
                            QStringLiteral("--save-mask"),
                            cliGrown});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));

        lb::LatentFileContents fromEditor;
        lbuitest::verifyLatentEqualsCli(editorLatent, cliLatent, &fromEditor);
        if (QTest::currentTestFailed()) return;
        QCOMPARE(QString::fromStdString(fromEditor.metadata.at("region.count")),
                 QStringLiteral("2"));

        // The grown masks beside it are the CLI's --save-mask files, byte for byte decoded.
        for (int i = 0; i < 2; ++i) {
            const QImage ours(EncodeSession::regionMaskPath(editorLatent, i));
            const QImage theirs(QString::fromStdString(lb::regions::indexedPath(
                QFile::encodeName(cliGrown).toStdString(), std::size_t(i))));
            QVERIFY(!ours.isNull() && !theirs.isNull());
            QCOMPARE(ours.size(), QSize(256, 192));
            QCOMPARE(ours.convertToFormat(QImage::Format_Grayscale8),
                     theirs.convertToFormat(QImage::Format_Grayscale8));
        }
    }
};

QTEST_MAIN(TestRegionExport)
#include "tst_regionexport.moc"
