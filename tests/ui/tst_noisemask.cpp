// The editor's noise-mask mode: the mode and its GrowMask / ImageBlur options chosen in
// the preview panel and remembered; Encode runs lb::noiseMaskEncode on the worker with the soft
// mask as painted; the strength view is the noise mask on the latent grid (checked against an
// independent bilinear resize); Export writes exactly what `latentbrush-cli encode --mode
// noise-mask` writes for the same files (tensors bit for bit, the same metadata) and a ComfyUI
// workflow of VAEEncode + SetLatentNoiseMask with GrowMask and ImageBlur; regions with this mode
// are refused as the CLI refuses them. Real files, the real window, the built-in TAEF2 and the
// real CLI program.
#include "UiTestSupport.h"

#include "CliSupport.h"
#include "ComfyWorkflow.h"
#include "EncodeSession.h"
#include "ExportLatentDialog.h"
#include "NoiseMaskPanel.h"
#include "NoiseMaskPreview.h"
#include "PreviewPanel.h"
#include "RegionPlanner.h"
#include "Resources.h"
#include "SliderSpin.h"
#include "TestSupport.h"
#include "VaeChooser.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/LatentFile.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPainter>
#include <QRadialGradient>
#include <QSet>
#include <QSignalSpy>
#include <QSpinBox>

#include <algorithm>
#include <cmath>

using namespace lbui;

namespace {

// F.interpolate(mode="bilinear", align_corners=False) of one plane, written from PyTorch's
// documented formula (source = (i + 0.5) * in / out - 0.5, clamped at 0), in double.
lb::MaskBuffer referenceBilinear(const lb::MaskBuffer& in, int outH, int outW) {
    lb::MaskBuffer out;
    out.height = outH;
    out.width = outW;
    out.data.resize(std::size_t(outH) * outW);
    auto source = [](int i, int inSize, int outSize, int* i0, int* i1, double* t) {
        const double s = std::max(0.0, (i + 0.5) * double(inSize) / outSize - 0.5);
        *i0 = std::min(int(s), inSize - 1);
        *i1 = std::min(*i0 + 1, inSize - 1);
        *t = s - *i0;
    };
    for (int y = 0; y < outH; ++y) {
        int y0, y1;
        double ty;
        source(y, in.height, outH, &y0, &y1, &ty);
        for (int x = 0; x < outW; ++x) {
            int x0, x1;
            double tx;
            source(x, in.width, outW, &x0, &x1, &tx);
            const double top = in.row(y0)[x0] * (1 - tx) + in.row(y0)[x1] * tx;
            const double bottom = in.row(y1)[x0] * (1 - tx) + in.row(y1)[x1] * tx;
            out.row(y)[x] = float(top * (1 - ty) + bottom * ty);
        }
    }
    return out;
}

// A soft mask file: a radial gradient, a flat 50 % gray block and a hard white block.
QString writeSoftMask(const QString& path, QSize size) {
    QImage mask(size, QImage::Format_Grayscale8);
    mask.fill(0);
    QPainter p(&mask);
    QRadialGradient g(QPointF(300, 260), 120);
    g.setColorAt(0, Qt::white);
    g.setColorAt(1, Qt::black);
    p.fillRect(QRect(180, 140, 240, 240), g);
    p.fillRect(QRect(620, 420, 90, 60), QColor(128, 128, 128));
    p.fillRect(QRect(500, 120, 40, 50), Qt::white);
    p.end();
    return mask.save(path) ? path : QString();
}

// The node types of a ComfyUI UI-format workflow, after checking that every link joins existing
// nodes and that each input's link is listed in the graph's links.
QStringList workflowNodeTypes(const QJsonObject& graph, QString* problem) {
    QMap<int, QJsonObject> nodes;
    QStringList types;
    for (const QJsonValue& v : graph.value(QStringLiteral("nodes")).toArray()) {
        const QJsonObject n = v.toObject();
        nodes.insert(n.value(QStringLiteral("id")).toInt(), n);
        types << n.value(QStringLiteral("type")).toString();
    }
    QSet<int> linkIds;
    for (const QJsonValue& v : graph.value(QStringLiteral("links")).toArray()) {
        const QJsonArray l = v.toArray();
        if (l.size() != 6 || !nodes.contains(l[1].toInt()) || !nodes.contains(l[3].toInt())) {
            *problem = QStringLiteral("a link joins unknown nodes");
            return {};
        }
        const QJsonObject target = nodes.value(l[3].toInt());
        const QJsonArray inputs = target.value(QStringLiteral("inputs")).toArray();
        if (l[4].toInt() >= inputs.size() ||
            inputs[l[4].toInt()].toObject().value(QStringLiteral("link")).toInt() != l[0].toInt()) {
            *problem = QStringLiteral("link %1 does not reach its input").arg(l[0].toInt());
            return {};
        }
        linkIds.insert(l[0].toInt());
    }
    for (const QJsonObject& n : nodes)
        for (const QJsonValue& in : n.value(QStringLiteral("inputs")).toArray())
            if (!linkIds.contains(in.toObject().value(QStringLiteral("link")).toInt(-1))) {
                *problem = QStringLiteral("%1 has an unconnected input")
                               .arg(n.value(QStringLiteral("type")).toString());
                return {};
            }
    return types;
}

QJsonObject nodeOfType(const QJsonObject& graph, const QString& type) {
    for (const QJsonValue& v : graph.value(QStringLiteral("nodes")).toArray())
        if (v.toObject().value(QStringLiteral("type")).toString() == type) return v.toObject();
    return {};
}

} // namespace

class TestNoiseMask : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    void exportEqualsTheCli() {
        const QString vaePath = VaeChooser::builtinVaePath();
        if (vaePath.isEmpty()) LB_CANNOT_RUN("the built-in TAEF2 is not installed");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString photo = dir.filePath(QStringLiteral("photo.png"));
        QVERIFY(QFile::copy(sampleImagePath(), photo));
        const QImage image(photo);
        QVERIFY(!image.isNull());
        const QString maskFile =
            writeSoftMask(dir.filePath(QStringLiteral("mask.png")), image.size());
        QVERIFY(!maskFile.isEmpty());

        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        w->openImage(photo, maskFile);
        MaskDocument& doc = *w->document();
        QTRY_VERIFY_WITH_TIMEOUT(doc.imagePath() == photo && doc.maskPath() == maskFile, 30000);

        // The mode and options through the panel's own widgets.
        auto* panel = w->findChild<NoiseMaskPanel*>();
        QVERIFY(panel);
        EncodeSession* session = w->encodeSession();
        NoiseMaskPreview* preview = session->noiseMaskPreview();
        QVERIFY(preview);
        QVERIFY(!preview->noiseMaskMode());
        QVERIFY(!panel->expandBox()->isEnabled()); // inpaint: the options are off
        panel->modeBox()->setCurrentIndex(1);
        panel->expandBox()->setValue(3);
        panel->taperedBox()->setChecked(false);
        panel->blurRadiusBox()->setValue(4);
        panel->blurSigmaBox()->setValue(1.5);
        QVERIFY(preview->noiseMaskMode());
        QVERIFY(panel->expandBox()->isEnabled());
        QCOMPARE(preview->settings().options.expand, 3);
        QCOMPARE(preview->settings().options.taperedCorners, false);
        QCOMPARE(preview->settings().options.blurRadius, 4);
        QCOMPARE(preview->settings().options.blurSigma, 1.5);
        QVERIFY2(panel->infoText().contains(QStringLiteral("noise mask")),
                 qPrintable(panel->infoText()));
        // Remembered in QSettings, as the next start reads them.
        QSettings s;
        QCOMPARE(s.value(QStringLiteral("encode/mode")).toString(), QStringLiteral("noise-mask"));
        QVERIFY(NoiseMaskSettings::load() == preview->settings());

        session->loadVae(vaePath);
        QTRY_VERIFY_WITH_TIMEOUT(!session->isLoadingVae() && session->vae(), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(session->canEncode(), 30000);
        QVERIFY(session->encode());
        QTRY_VERIFY_WITH_TIMEOUT(!session->isRunning() && session->hasResult(), 300000);
        QVERIFY(session->resultIsCurrent());
        const EncodeResult* result = session->result();
        QVERIFY(result->output.noiseMaskMode);
        QVERIFY(result->source.noiseMask == preview->settings());
        // The soft values are kept (no rounding in this mode).
        const lb::MaskBuffer& soft = result->output.softMask;
        QCOMPARE(soft.height, doc.height());
        QCOMPARE(soft.width, doc.width());
        const auto between = std::count_if(soft.data.begin(), soft.data.end(),
                                           [](float v) { return v > 0.01f && v < 0.99f; });
        QVERIFY2(between > 1000, qPrintable(QString::number(between)));
        // The live preview is the encoded mask.
        QVERIFY(preview->noiseMask().data == soft.data);
        // The panel's coverage line describes that soft mask, not the rounded and grown one.
        auto* coverage = w->findChild<QLabel*>(QStringLiteral("coverageLine"));
        QVERIFY(coverage);
        double softSum = 0.0;
        for (const float v : soft.data)
            softSum += v;
        const auto touched =
            std::count_if(soft.data.begin(), soft.data.end(), [](float v) { return v > 0.0f; });
        const double samples = double(soft.data.size());
        QCOMPARE(coverage->text(), QStringLiteral("Soft noise_mask: touches %1 %   mean %2 %")
                                       .arg(100.0 * double(touched) / samples, 0, 'f', 1)
                                       .arg(100.0 * softSum / samples, 0, 'f', 1));
        // A changed option makes the result stale; changing it back, the editor re-encodes.
        panel->blurRadiusBox()->setValue(5);
        QVERIFY(session->isStale());
        panel->blurRadiusBox()->setValue(4);
        QVERIFY(session->encode());
        QTRY_VERIFY_WITH_TIMEOUT(!session->isRunning() && session->resultIsCurrent(), 300000);

        const QString editorLatent = dir.filePath(QStringLiteral("editor.latent"));
        QString error;
        QStringList written;
        QVERIFY2(session->exportLatent(editorLatent, &error, true, &written), qPrintable(error));
        const QString editorMask = dir.filePath(QStringLiteral("editor.mask.png"));
        const QString painted = dir.filePath(QStringLiteral("editor.painted.png"));
        const QString workflow = dir.filePath(QStringLiteral("editor.workflow.json"));
        QCOMPARE(written, (QStringList{editorLatent, editorMask, painted, workflow}));

        const QString cliLatent = dir.filePath(QStringLiteral("cli.latent"));
        const QString cliMask = dir.filePath(QStringLiteral("cli.mask.png"));
        const lbtest::CliRun run = lbtest::runCli(
            {QStringLiteral("encode"), QStringLiteral("--mode"), QStringLiteral("noise-mask"),
             QStringLiteral("--image"), photo, QStringLiteral("--mask"), maskFile,
             QStringLiteral("--vae"), vaePath, QStringLiteral("--mask-expand"), QStringLiteral("3"),
             QStringLiteral("--square-corners"), QStringLiteral("--mask-blur"),
             QStringLiteral("4,1.5"), QStringLiteral("--output"), cliLatent,
             QStringLiteral("--save-mask"), cliMask});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));

        lb::LatentFileContents fromEditor, fromCli;
        lbuitest::verifyLatentEqualsCli(editorLatent, cliLatent, &fromEditor, &fromCli);
        if (QTest::currentTestFailed()) return;
        QCOMPARE(fromEditor.metadata.at("encode.mode"), std::string("noise-mask"));
        QCOMPARE(fromEditor.metadata.at("mask.expand"), std::string("3"));
        QCOMPARE(fromEditor.metadata.at("mask.tapered_corners"), std::string("false"));
        QCOMPARE(fromEditor.metadata.at("mask.blur_radius"), std::string("4"));
        QCOMPARE(fromEditor.metadata.at("mask.blur_sigma"), std::string("1.5"));
        // The soft mask beside it is the CLI's --save-mask PNG.
        const QImage ours(editorMask), theirs(cliMask);
        QVERIFY(!ours.isNull() && !theirs.isNull());
        QCOMPARE(ours.convertToFormat(QImage::Format_Grayscale8),
                 theirs.convertToFormat(QImage::Format_Grayscale8));
        // The painted mask is the mask file as loaded (8-bit in, 8-bit out).
        QCOMPARE(QImage(painted).convertToFormat(QImage::Format_Grayscale8),
                 QImage(maskFile).convertToFormat(QImage::Format_Grayscale8));

        // The workflow: valid JSON, VAEEncode + SetLatentNoiseMask with GrowMask and ImageBlur.
        QFile wf(workflow);
        QVERIFY(wf.open(QIODevice::ReadOnly));
        QJsonParseError parse;
        const QJsonDocument json = QJsonDocument::fromJson(wf.readAll(), &parse);
        QVERIFY2(parse.error == QJsonParseError::NoError, qPrintable(parse.errorString()));
        QString problem;
        const QStringList types = workflowNodeTypes(json.object(), &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        for (const char* t : {"LoadImage", "VAEEncode", "LoadImageMask", "GrowMask", "MaskToImage",
                              "ImageBlur", "ImageToMask", "SetLatentNoiseMask", "KSampler"})
            QVERIFY2(types.contains(QLatin1String(t)), t);
        QVERIFY(!types.contains(QStringLiteral("VAEEncodeForInpaint")));
        QCOMPARE(nodeOfType(json.object(), QStringLiteral("GrowMask"))
                     .value(QStringLiteral("widgets_values"))
                     .toArray(),
                 (QJsonArray{3, false}));
        QCOMPARE(nodeOfType(json.object(), QStringLiteral("ImageBlur"))
                     .value(QStringLiteral("widgets_values"))
                     .toArray(),
                 (QJsonArray{4, 1.5}));
        QCOMPARE(nodeOfType(json.object(), QStringLiteral("LoadImage"))
                     .value(QStringLiteral("widgets_values"))
                     .toArray()
                     .at(0)
                     .toString(),
                 QStringLiteral("photo.png"));
        QCOMPARE(nodeOfType(json.object(), QStringLiteral("LoadImageMask"))
                     .value(QStringLiteral("widgets_values"))
                     .toArray()
                     .at(0)
                     .toString(),
                 QStringLiteral("editor.painted.png"));

        // The strength view: the CLI's noise_mask resized bilinearly to the latent grid.
        lb::MaskBuffer cliNoise;
        cliNoise.height = int(fromCli.noiseMask.shape[2]);
        cliNoise.width = int(fromCli.noiseMask.shape[3]);
        cliNoise.data = fromCli.noiseMask.data;
        const int latentH = int(fromCli.samples.shape[2]), latentW = int(fromCli.samples.shape[3]);
        const lb::MaskBuffer expected = referenceBilinear(cliNoise, latentH, latentW);
        const lb::MaskBuffer& strength = preview->strength();
        QCOMPARE(strength.height, latentH);
        QCOMPARE(strength.width, latentW);
        double worst = 0;
        for (std::size_t i = 0; i < expected.data.size(); ++i)
            worst = std::max(worst, double(std::abs(strength.data[i] - expected.data[i])));
        QVERIFY2(worst <= 1e-6, qPrintable(QString::number(worst)));
        // On the canvas: one latent cell is d x d pixels of its gray, drawn nearest.
        panel->strengthBox()->setChecked(true);
        QVERIFY(preview->showStrength());
        const int d = int(std::stoi(fromCli.metadata.at("vae.downscale")));
        const QRect crop = preview->cropRect();
        const QImage shown = w->canvas()->grab().toImage();
        const qreal ratio = shown.devicePixelRatio();
        int checked = 0;
        for (int cy : {latentH / 3, latentH / 2}) {
            for (int cx : {latentW / 4, latentW / 2}) {
                const QPointF at = w->canvas()->imageToWidget(
                    QPointF(crop.left() + cx * d + d / 2.0, crop.top() + cy * d + d / 2.0));
                const QPoint px = (at * ratio).toPoint();
                if (!shown.rect().contains(px)) continue;
                const int gray =
                    int(std::lround(std::clamp(strength.row(cy)[cx], 0.0f, 1.0f) * 255.0f));
                QVERIFY2(std::abs(qRed(shown.pixel(px)) - gray) <= 1,
                         qPrintable(QStringLiteral("cell %1,%2: %3 on the canvas, %4 expected")
                                        .arg(cx)
                                        .arg(cy)
                                        .arg(qRed(shown.pixel(px)))
                                        .arg(gray)));
                ++checked;
            }
        }
        QVERIFY(checked > 0);

        // Back in the inpaint mode, the line is the rounded and grown mask's again.
        panel->modeBox()->setCurrentIndex(0);
        QVERIFY(!preview->noiseMaskMode());
        QVERIFY2(coverage->text().startsWith(QStringLiteral("Masked (round): ")),
                 qPrintable(coverage->text()));
        panel->modeBox()->setCurrentIndex(1); // as remembered for the next functions
    }

    void regionsAreRefused() {
        const QString vaePath = VaeChooser::builtinVaePath();
        if (vaePath.isEmpty()) LB_CANNOT_RUN("the built-in TAEF2 is not installed");
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        EncodeSession* session = w->encodeSession();
        // The previous test's choice was remembered: this window starts in the noise-mask mode.
        auto* panel = w->findChild<NoiseMaskPanel*>();
        QVERIFY(panel);
        QCOMPARE(panel->modeBox()->currentIndex(), 1);
        QVERIFY(session->noiseMaskPreview()->noiseMaskMode());
        session->loadVae(vaePath);
        QTRY_VERIFY_WITH_TIMEOUT(!session->isLoadingVae() && session->vae(), 60000);
        QVERIFY(session->canEncode());

        RegionSettings r;
        r.mode = RegionSettings::Mode::Auto;
        w->regionPlanner()->setSettings(r);
        QVERIFY(session->modeConflict());
        QVERIFY(!session->canEncode());
        QSignalSpy messages(session, &EncodeSession::message);
        QVERIFY(!session->encode());
        QCOMPARE(messages.size(), 1);
        QVERIFY(messages.at(0).at(0).toString().contains(QStringLiteral("inpaint mode only")));
        QVERIFY(messages.at(0).at(1).toBool());
        QVERIFY(panel->infoText().contains(QStringLiteral("inpaint mode only")));
        QVERIFY(!session->isRunning());

        // grow_mask_by is the inpaint mode's only.
        auto* grow = w->findChild<PreviewPanel*>()->growControl();
        QVERIFY(!grow->isEnabled());

        // The inpaint mode with regions, or the noise-mask mode without them, may encode.
        panel->modeBox()->setCurrentIndex(0);
        QVERIFY(!session->modeConflict());
        QVERIFY(session->canEncode());
        QVERIFY(grow->isEnabled());
        panel->modeBox()->setCurrentIndex(1);
        QVERIFY(!session->canEncode());
        r.mode = RegionSettings::Mode::Off;
        w->regionPlanner()->setSettings(r);
        QVERIFY(session->canEncode());
    }

    void softBrushValuesAreKept() {
        // A soft, half-opaque brush stroke painted with the mouse reaches the encode as painted.
        const QString vaePath = VaeChooser::builtinVaePath();
        if (vaePath.isEmpty()) LB_CANNOT_RUN("the built-in TAEF2 is not installed");
        lbuitest::initEnvironment();
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        auto* panel = w->findChild<NoiseMaskPanel*>();
        QVERIFY(panel);
        panel->modeBox()->setCurrentIndex(1); // expand 0, no blur: the mask itself
        w->brush()->setSize(60);
        w->brush()->setHardness(0.1);
        w->brush()->setOpacity(0.5);
        QWidget* canvas = w->canvas();
        QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(200, 200));
        for (int x = 210; x <= 320; x += 10)
            QTest::mouseMove(canvas, QPoint(x, 200 + (x - 200) / 5));
        QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(320, 224));
        const lb::MaskBuffer painted = w->document()->mask();
        const auto soft = std::count_if(painted.data.begin(), painted.data.end(),
                                        [](float v) { return v > 0.01f && v < 0.49f; });
        QVERIFY2(soft > 100, qPrintable(QString::number(soft)));
        QVERIFY(*std::max_element(painted.data.begin(), painted.data.end()) <= 0.5f + 1e-6f);

        EncodeSession* session = w->encodeSession();
        session->loadVae(vaePath);
        QTRY_VERIFY_WITH_TIMEOUT(!session->isLoadingVae() && session->vae(), 60000);
        QVERIFY(session->encode());
        QTRY_VERIFY_WITH_TIMEOUT(!session->isRunning() && session->resultIsCurrent(), 300000);
        QVERIFY(session->result()->output.noiseMaskMode);
        QVERIFY(session->result()->output.softMask.data == painted.data);
        // The canvas's live tint follows the painted mask (it is redone within kRefreshMs).
        QTRY_VERIFY_WITH_TIMEOUT(!session->noiseMaskPreview()->noiseMaskImage().isNull(), 5000);
        const QImage& tint = session->noiseMaskPreview()->noiseMaskImage();
        std::size_t strongest = 0;
        for (std::size_t i = 0; i < painted.data.size(); ++i)
            if (painted.data[i] > painted.data[strongest]) strongest = i;
        const int sx = int(strongest % std::size_t(painted.width));
        const int sy = int(strongest / std::size_t(painted.width));
        QCOMPARE(qAlpha(tint.pixel(sx, sy)), int(255.0f * painted.data[strongest] * 0.6f + 0.5f));

        // The inpaint mode rounds the same stroke (0/1 noise_mask).
        panel->modeBox()->setCurrentIndex(0);
        QVERIFY(session->isStale());
        QVERIFY(session->encode());
        QTRY_VERIFY_WITH_TIMEOUT(!session->isRunning() && session->resultIsCurrent(), 300000);
        const EncodeOutput& inpaint = session->result()->output;
        QVERIFY(!inpaint.noiseMaskMode);
        QVERIFY(std::all_of(inpaint.noiseMask.data.begin(), inpaint.noiseMask.data.end(),
                            [](std::uint8_t v) { return v == 0 || v == 1; }));
    }

    void workflowWithoutMaskSteps() {
        // No expand and no blur: no GrowMask and no ImageBlur nodes, still a connected graph.
        const QJsonDocument json = QJsonDocument::fromJson(comfyNoiseMaskWorkflowFor(
            QStringLiteral("a.png"), QStringLiteral("a.painted.png"), lb::NoiseMaskOptions{}));
        QVERIFY(json.isObject());
        QString problem;
        const QStringList types = workflowNodeTypes(json.object(), &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY(types.contains(QStringLiteral("VAEEncode")));
        QVERIFY(types.contains(QStringLiteral("SetLatentNoiseMask")));
        QVERIFY(!types.contains(QStringLiteral("GrowMask")));
        QVERIFY(!types.contains(QStringLiteral("ImageBlur")));
        // The export dialog lists the noise-mask export's files.
        {
            ExportLatentDialog dialog(QDir::temp().filePath(QStringLiteral("x.latent")));
            dialog.setSaveWorkflow(true);
            dialog.setNoiseMaskMode(true);
            QStringList texts;
            for (const QLabel* l : dialog.findChildren<QLabel*>())
                texts << l->text();
            const QString all = texts.join(QLatin1Char('\n'));
            QVERIFY2(all.contains(QStringLiteral("x.painted.png")) &&
                         all.contains(QStringLiteral("x.workflow.json")) &&
                         all.contains(QStringLiteral("soft noise_mask")),
                     qPrintable(all));
        }
        // A blur too large for the image is reported before any encode.
        lbuitest::initEnvironment();
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        auto* panel = w->findChild<NoiseMaskPanel*>();
        panel->modeBox()->setCurrentIndex(1);
        panel->blurRadiusBox()->setValue(lb::kMaxMaskBlur);
        NoiseMaskPreview* preview = w->encodeSession()->noiseMaskPreview();
        QVERIFY(!preview->optionsProblem().isEmpty());
        QVERIFY(panel->infoText().contains(QStringLiteral("Mask blur")));
        QVERIFY(preview->noiseMask().empty());
        QVERIFY(!preview->error().isEmpty());
    }
};

QTEST_MAIN(TestNoiseMask)
#include "tst_noisemask.moc"
