// The ComfyUI workflow the editor's Export writes for a region encode (ui/ComfyWorkflow
// comfyRegionWorkflowFor): every node, widget value and link checked against the result's region
// plan, and an independent check that the graph computes our latent: comfy_region_workflow.py
// (Debian's python3 with torch and PIL, no ComfyUI) runs the graph link by link with plain
// mirrors of the stock nodes, and the encoder's input and noise_mask it reaches must equal what
// `latentbrush-cli encode --region ... --save-pixels --save-mask` writes for the same files.
// Real files, the real window (offscreen), the built-in TAEF2 and the real CLI program.
#include "UiTestSupport.h"

#include "CliSupport.h"
#include "ComfyWorkflow.h"
#include "EncodeSession.h"
#include "ExportLatentDialog.h"
#include "GrowPreview.h"
#include "RegionPlanner.h"
#include "TestSupport.h"
#include "VaeChooser.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/regions/ExactResize.h"
#include "latentbrush/regions/RegionLatent.h"
#include "latentbrush/regions/RegionPlan.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMap>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

using namespace lbui;

namespace {

// A UI-format (litegraph) workflow with its links resolved.
struct Workflow {
    QMap<int, QJsonObject> nodes;
    QMap<int, QJsonArray> links; // id -> [id, from, fromSlot, to, toSlot, type]

    QList<int> ofType(const QString& type) const {
        QList<int> ids;
        for (auto it = nodes.begin(); it != nodes.end(); ++it)
            if (it->value(QStringLiteral("type")).toString() == type) ids << it.key();
        return ids;
    }
    int titled(const QString& title) const {
        for (auto it = nodes.begin(); it != nodes.end(); ++it)
            if (it->value(QStringLiteral("title")).toString() == title) return it.key();
        return 0;
    }
    QJsonArray widgets(int id) const {
        return nodes.value(id).value(QStringLiteral("widgets_values")).toArray();
    }
    // The (node, output slot) that feeds input `name` of node `id`; {0, -1} when none does.
    std::pair<int, int> source(int id, const QString& name) const {
        for (const QJsonValue& v : nodes.value(id).value(QStringLiteral("inputs")).toArray()) {
            const QJsonObject in = v.toObject();
            if (in.value(QStringLiteral("name")).toString() != name) continue;
            const QJsonArray l = links.value(in.value(QStringLiteral("link")).toInt(-1));
            if (l.size() != 6) return {0, -1};
            return {l[1].toInt(), l[2].toInt()};
        }
        return {0, -1};
    }
};

// Parses `json` and checks the graph's consistency: each link joins existing nodes, reaches
// the input that names it, is listed by the output it leaves, and carries the type of both
// ends; every input is linked. An empty string when all holds.
QString parseWorkflow(const QByteArray& json, Workflow* wf) {
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError) return error.errorString();
    const QJsonObject graph = doc.object();
    for (const QJsonValue& v : graph.value(QStringLiteral("nodes")).toArray())
        wf->nodes.insert(v.toObject().value(QStringLiteral("id")).toInt(), v.toObject());
    for (const QJsonValue& v : graph.value(QStringLiteral("links")).toArray())
        wf->links.insert(v.toArray().at(0).toInt(), v.toArray());
    if (graph.value(QStringLiteral("last_node_id")).toInt() != wf->nodes.size() ||
        graph.value(QStringLiteral("last_link_id")).toInt() != wf->links.size())
        return QStringLiteral("last_node_id / last_link_id do not count the nodes / links");
    for (const QJsonArray& l : wf->links) {
        const int id = l[0].toInt();
        if (l.size() != 6 || !wf->nodes.contains(l[1].toInt()) || !wf->nodes.contains(l[3].toInt()))
            return QStringLiteral("link %1 joins unknown nodes").arg(id);
        const QJsonArray outputs =
            wf->nodes[l[1].toInt()].value(QStringLiteral("outputs")).toArray();
        const QJsonArray inputs = wf->nodes[l[3].toInt()].value(QStringLiteral("inputs")).toArray();
        if (l[2].toInt() >= outputs.size() || l[4].toInt() >= inputs.size())
            return QStringLiteral("link %1 names a slot that does not exist").arg(id);
        const QJsonObject out = outputs[l[2].toInt()].toObject();
        const QJsonObject in = inputs[l[4].toInt()].toObject();
        if (in.value(QStringLiteral("link")).toInt() != id)
            return QStringLiteral("link %1 does not reach its input").arg(id);
        if (!out.value(QStringLiteral("links")).toArray().contains(id))
            return QStringLiteral("link %1 is not listed by its output").arg(id);
        const QString type = l[5].toString();
        if (out.value(QStringLiteral("type")).toString() != type ||
            in.value(QStringLiteral("type")).toString() != type)
            return QStringLiteral("link %1 carries %2 between %3 and %4")
                .arg(id)
                .arg(type, out.value(QStringLiteral("type")).toString(),
                     in.value(QStringLiteral("type")).toString());
    }
    for (const QJsonObject& n : wf->nodes)
        for (const QJsonValue& in : n.value(QStringLiteral("inputs")).toArray())
            if (!wf->links.contains(in.toObject().value(QStringLiteral("link")).toInt(-1)))
                return QStringLiteral("%1 has an unconnected input %2")
                    .arg(n.value(QStringLiteral("type")).toString(),
                         in.toObject().value(QStringLiteral("name")).toString());
    return {};
}

// A mask file of the image's size with antialiased (soft-edged) ellipses: values k / 255.
bool writeSoftMask(const QString& path, QSize size, const QList<QRect>& marks) {
    QImage mask(size, QImage::Format_Grayscale8);
    mask.fill(0);
    {
        QPainter p(&mask);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(Qt::NoPen);
        p.setBrush(Qt::white);
        for (const QRect& r : marks)
            p.drawEllipse(r);
    }
    return mask.save(path);
}

std::vector<float> readFloats(const QString& path) {
    const QByteArray bytes = lbtest::readFileBytes(path);
    std::vector<float> out(std::size_t(bytes.size()) / sizeof(float));
    std::memcpy(out.data(), bytes.constData(), out.size() * sizeof(float));
    return out;
}

} // namespace

class TestRegionWorkflow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    void workflowComputesTheLatent_data() {
        QTest::addColumn<bool>("separate");
        QTest::addColumn<QList<QRect>>("marks");
        QTest::addColumn<int>("targetWidth");
        QTest::addColumn<int>("targetHeight");
        QTest::addColumn<int>("method");
        QTest::addColumn<int>("regions");
        using M = lb::regions::ResizeMethod;
        QTest::newRow("one auto region, bicubic")
            << false << QList<QRect>{QRect(300, 200, 90, 70)} << 320 << 240 << int(M::Bicubic) << 1;
        QTest::newRow("one auto region, bilinear")
            << false << QList<QRect>{QRect(520, 330, 60, 110)} << 192 << 320 << int(M::Bilinear)
            << 1;
        QTest::newRow("two separate regions, area")
            << true << QList<QRect>{QRect(120, 90, 60, 40), QRect(640, 470, 50, 70)} << 256 << 192
            << int(M::Area) << 2;
        QTest::newRow("two separate regions, nearest-exact")
            << true << QList<QRect>{QRect(100, 380, 70, 60), QRect(600, 80, 90, 50)} << 192 << 256
            << int(M::NearestExact) << 2;
    }

    void workflowComputesTheLatent() {
        QFETCH(bool, separate);
        QFETCH(QList<QRect>, marks);
        QFETCH(int, targetWidth);
        QFETCH(int, targetHeight);
        QFETCH(int, method);
        QFETCH(int, regions);
        const QString vaePath = VaeChooser::builtinVaePath();
        if (vaePath.isEmpty()) LB_CANNOT_RUN("the built-in TAEF2 is not installed");
        if (!QFileInfo::exists(QStringLiteral("/usr/bin/python3")) ||
            lbtest::runProgram(QStringLiteral("/usr/bin/python3"),
                               {QStringLiteral("-c"), QStringLiteral("import torch, numpy, PIL")})
                    .exitCode != 0)
            LB_CANNOT_RUN("/usr/bin/python3 with python3-torch, python3-numpy and python3-pil "
                          "is needed for the workflow's independent check");
        const auto resize = lb::regions::ResizeMethod(method);
        const QString methodName = QString::fromLatin1(lb::regions::resizeMethodName(resize));

        // The folder plays ComfyUI's input/: the photo and everything Export writes.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString photo = dir.filePath(QStringLiteral("photo.png"));
        const QString maskFile = dir.filePath(QStringLiteral("marks.png"));
        QVERIFY(QFile::copy(sampleImagePath(), photo));
        const QSize imageSize = QImage(photo).size();
        QVERIFY(writeSoftMask(maskFile, imageSize, marks));

        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        RegionSettings s;
        s.mode = separate ? RegionSettings::Mode::Separate : RegionSettings::Mode::Auto;
        s.target = RegionSettings::Target::Size;
        s.targetWidth = targetWidth;
        s.targetHeight = targetHeight;
        s.method = resize;
        const QString notReady =
            lbuitest::openForRegionEncode(w.get(), photo, maskFile, s, vaePath);
        QVERIFY2(notReady.isEmpty(), qPrintable(notReady));
        EncodeSession* session = w->encodeSession();
        QVERIFY(session->encode());
        QTRY_VERIFY_WITH_TIMEOUT(!session->isRunning() && session->hasResult(), 300000);
        const EncodeResult* result = session->result();
        QVERIFY(result->output.regions);
        const lb::regions::RegionPlan& plan = result->output.regions->plan;
        QCOMPARE(int(plan.rects.size()), regions);
        QCOMPARE(plan.scaledWidth, targetWidth);
        QCOMPARE(plan.scaledHeight, targetHeight);
        const int grow = result->output.grow;
        QCOMPARE(grow, w->findChild<GrowPreview*>()->grow());

        // Export with the workflow: the .latent, one grown mask per region, the mask as
        // encoded and the workflow, each named in `written`.
        const QString latent = dir.filePath(QStringLiteral("photo.regions.latent"));
        QString error;
        QStringList written;
        QVERIFY2(session->exportLatent(latent, &error, true, &written), qPrintable(error));
        QStringList expected{latent};
        QStringList grownNames;
        for (int i = 0; i < regions; ++i) {
            expected << EncodeSession::regionMaskPath(latent, i);
            grownNames << QFileInfo(EncodeSession::regionMaskPath(latent, i)).fileName();
        }
        const QString painted = EncodeSession::paintedMaskPath(latent);
        const QString workflowPath = dir.filePath(QStringLiteral("photo.regions.workflow.json"));
        expected << painted << workflowPath;
        QCOMPARE(written, expected);
        QCOMPARE(QFileInfo(painted).fileName(), QStringLiteral("photo.regions.painted.png"));
        // The mask as encoded is the mask file, value for value (its values are k / 255).
        QCOMPARE(QImage(painted).convertToFormat(QImage::Format_Grayscale8),
                 QImage(maskFile).convertToFormat(QImage::Format_Grayscale8));

        // --- Every node, widget value and link ---
        Workflow wf;
        const QString problem = parseWorkflow(lbtest::readFileBytes(workflowPath), &wf);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        // A photo from disk read at 8 bits: nothing keeps the graph from reproducing the latent.
        const QJsonObject about = QJsonDocument::fromJson(lbtest::readFileBytes(workflowPath))
                                      .object()
                                      .value(QStringLiteral("extra"))
                                      .toObject()
                                      .value(QStringLiteral("latentbrush"))
                                      .toObject();
        QVERIFY(!about.contains(QStringLiteral("notes")));
        QCOMPARE(about.value(QStringLiteral("method")).toString(), methodName);
        QCOMPARE(about.value(QStringLiteral("regions")).toArray().size(), regions);
        const int many = regions > 1 ? 1 : 0;
        const QList<std::pair<const char*, int>> counts{{"CheckpointLoaderSimple", 1},
                                                        {"CLIPTextEncode", 2},
                                                        {"LoadImage", 1},
                                                        {"LoadImageMask", 1 + many * regions},
                                                        {"ImageCrop", regions},
                                                        {"ImageScale", regions},
                                                        {"CropMask", regions},
                                                        {"VAEEncodeForInpaint", regions},
                                                        {"LatentBatch", regions - 1},
                                                        {"MaskToImage", many * regions},
                                                        {"ImageBatch", regions - 1},
                                                        {"ImageToMask", many},
                                                        {"SetLatentNoiseMask", many},
                                                        {"KSampler", 1},
                                                        {"VAEDecode", 1},
                                                        {"SaveImage", 1}};
        int total = 0;
        for (const auto& [type, n] : counts) {
            QVERIFY2(wf.ofType(QLatin1String(type)).size() == n, type);
            total += n;
        }
        QCOMPARE(wf.nodes.size(), total);
        const int checkpoint = wf.ofType(QStringLiteral("CheckpointLoaderSimple")).first();
        const int loadImage = wf.ofType(QStringLiteral("LoadImage")).first();
        QCOMPARE(wf.widgets(loadImage),
                 (QJsonArray{QStringLiteral("photo.png"), QStringLiteral("image")}));
        const int loadPainted = wf.titled(QStringLiteral("Mask as encoded (image size)"));
        QVERIFY(loadPainted);
        QCOMPARE(wf.widgets(loadPainted),
                 (QJsonArray{QStringLiteral("photo.regions.painted.png"), QStringLiteral("red"),
                             QStringLiteral("image")}));
        QList<int> encodes;
        for (int i = 0; i < regions; ++i) {
            const lb::regions::RegionRect& r = plan.rects[std::size_t(i)];
            const QString name = QStringLiteral("Region %1: ").arg(i);
            const int crop = wf.titled(name + QStringLiteral("crop"));
            const int scale = wf.titled(name + QStringLiteral("scale"));
            const int cropMask = wf.titled(name + QStringLiteral("crop mask"));
            const int encode = wf.titled(name + QStringLiteral("encode"));
            QVERIFY(crop && scale && cropMask && encode);
            QCOMPARE(wf.nodes[crop].value(QStringLiteral("type")).toString(),
                     QStringLiteral("ImageCrop"));
            QCOMPARE(wf.widgets(crop), (QJsonArray{r.w, r.h, r.x, r.y}));
            QCOMPARE(wf.source(crop, QStringLiteral("image")), std::make_pair(loadImage, 0));
            QCOMPARE(wf.nodes[scale].value(QStringLiteral("type")).toString(),
                     QStringLiteral("ImageScale"));
            QCOMPARE(wf.widgets(scale), (QJsonArray{methodName, targetWidth, targetHeight,
                                                    QStringLiteral("disabled")}));
            QCOMPARE(wf.source(scale, QStringLiteral("image")), std::make_pair(crop, 0));
            QCOMPARE(wf.nodes[cropMask].value(QStringLiteral("type")).toString(),
                     QStringLiteral("CropMask"));
            QCOMPARE(wf.widgets(cropMask), (QJsonArray{r.x, r.y, r.w, r.h}));
            QCOMPARE(wf.source(cropMask, QStringLiteral("mask")), std::make_pair(loadPainted, 0));
            QCOMPARE(wf.nodes[encode].value(QStringLiteral("type")).toString(),
                     QStringLiteral("VAEEncodeForInpaint"));
            QCOMPARE(wf.widgets(encode), (QJsonArray{grow}));
            QCOMPARE(wf.source(encode, QStringLiteral("pixels")), std::make_pair(scale, 0));
            QCOMPARE(wf.source(encode, QStringLiteral("vae")), std::make_pair(checkpoint, 2));
            QCOMPARE(wf.source(encode, QStringLiteral("mask")), std::make_pair(cropMask, 0));
            encodes << encode;
        }
        int latentNode = encodes.first();
        if (regions > 1) {
            // LatentBatch in region order: ((e0, e1), e2) ...
            for (int i = 1; i < regions; ++i) {
                int batch = 0;
                for (int id : wf.ofType(QStringLiteral("LatentBatch")))
                    if (wf.source(id, QStringLiteral("samples2")) == std::make_pair(encodes[i], 0))
                        batch = id;
                QVERIFY(batch);
                QCOMPARE(wf.source(batch, QStringLiteral("samples1")),
                         std::make_pair(latentNode, 0));
                latentNode = batch;
            }
            // SetLatentNoiseMask <- ImageToMask(red) <- ImageBatch chain <- MaskToImage <-
            // LoadImageMask of NAME.mask_I.png, in region order.
            const int setMask = wf.ofType(QStringLiteral("SetLatentNoiseMask")).first();
            QCOMPARE(wf.source(setMask, QStringLiteral("samples")), std::make_pair(latentNode, 0));
            const int toMask = wf.source(setMask, QStringLiteral("mask")).first;
            QCOMPARE(wf.nodes[toMask].value(QStringLiteral("type")).toString(),
                     QStringLiteral("ImageToMask"));
            QCOMPARE(wf.widgets(toMask), (QJsonArray{QStringLiteral("red")}));
            int images = wf.source(toMask, QStringLiteral("image")).first;
            for (int i = regions - 1; i >= 0; --i) {
                int toImage = images;
                if (i > 0) {
                    QCOMPARE(wf.nodes[images].value(QStringLiteral("type")).toString(),
                             QStringLiteral("ImageBatch"));
                    toImage = wf.source(images, QStringLiteral("image2")).first;
                    images = wf.source(images, QStringLiteral("image1")).first;
                }
                QCOMPARE(wf.nodes[toImage].value(QStringLiteral("type")).toString(),
                         QStringLiteral("MaskToImage"));
                const auto load = wf.source(toImage, QStringLiteral("mask"));
                QCOMPARE(load.second, 0);
                QCOMPARE(wf.nodes[load.first].value(QStringLiteral("type")).toString(),
                         QStringLiteral("LoadImageMask"));
                QCOMPARE(wf.widgets(load.first), (QJsonArray{grownNames[i], QStringLiteral("red"),
                                                             QStringLiteral("image")}));
            }
            latentNode = setMask;
        }
        const int sampler = wf.ofType(QStringLiteral("KSampler")).first();
        QCOMPARE(wf.source(sampler, QStringLiteral("latent_image")), std::make_pair(latentNode, 0));
        QCOMPARE(wf.source(sampler, QStringLiteral("model")), std::make_pair(checkpoint, 0));
        QCOMPARE(wf.widgets(sampler).at(6).toDouble(), 1.0); // denoise 1, as after the node
        const int decode = wf.ofType(QStringLiteral("VAEDecode")).first();
        QCOMPARE(wf.source(decode, QStringLiteral("samples")), std::make_pair(sampler, 0));
        QCOMPARE(wf.source(decode, QStringLiteral("vae")), std::make_pair(checkpoint, 2));
        const int save = wf.ofType(QStringLiteral("SaveImage")).first();
        QCOMPARE(wf.source(save, QStringLiteral("images")), std::make_pair(decode, 0));

        // --- The graph computes our latent: its encoder input and noise_mask against the CLI ---
        const QString cliLatent = dir.filePath(QStringLiteral("cli.latent"));
        const QString cliPixels = dir.filePath(QStringLiteral("cli_pixels.tif"));
        const QString cliMask = dir.filePath(QStringLiteral("cli_grown.png"));
        QStringList args{QStringLiteral("encode"),
                         QStringLiteral("--image"),
                         photo,
                         QStringLiteral("--mask"),
                         maskFile,
                         QStringLiteral("--vae"),
                         vaePath,
                         QStringLiteral("--grow"),
                         QString::number(grow),
                         QStringLiteral("--region"),
                         QStringLiteral("auto"),
                         QStringLiteral("--target"),
                         QStringLiteral("%1x%2").arg(targetWidth).arg(targetHeight),
                         QStringLiteral("--resize"),
                         methodName,
                         QStringLiteral("--output"),
                         cliLatent,
                         QStringLiteral("--save-pixels"),
                         cliPixels,
                         QStringLiteral("--save-mask"),
                         cliMask};
        if (separate) args << QStringLiteral("--regions") << QStringLiteral("separate");
        const lbtest::CliRun cli = lbtest::runCli(args);
        QVERIFY2(cli.exitCode == 0, qPrintable(cli.err));

        QTemporaryDir out;
        QVERIFY(out.isValid());
        const lbtest::CliRun py = lbtest::runProgram(
            QStringLiteral("/usr/bin/python3"),
            {QStringLiteral(LATENTBRUSH_SOURCE_DIR "/tests/ui/comfy_region_workflow.py"),
             workflowPath, dir.path(), QString::number(result->source.vae->info().downscale),
             out.path()});
        QVERIFY2(py.exitCode == 0, qPrintable(py.out + py.err));
        const QJsonObject summary = QJsonDocument::fromJson(py.out.toUtf8()).object();
        QCOMPARE(summary.value(QStringLiteral("pixels")).toArray(),
                 (QJsonArray{regions, targetHeight, targetWidth, 3}));
        QCOMPARE(summary.value(QStringLiteral("noise_mask")).toArray(),
                 (QJsonArray{regions, 1, targetHeight, targetWidth}));
        // Each region's own VAEEncodeForInpaint noise_mask is the batch's at its index.
        const QJsonArray own = summary.value(QStringLiteral("own_masks_match")).toArray();
        QCOMPARE(own.size(), regions);
        for (const QJsonValue& v : own)
            QVERIFY(v.toBool());

        const std::vector<float> pixels = readFloats(out.filePath(QStringLiteral("pixels.f32")));
        const std::vector<float> noise = readFloats(out.filePath(QStringLiteral("noise_mask.f32")));
        const std::size_t plane = std::size_t(targetWidth) * std::size_t(targetHeight);
        QCOMPARE(pixels.size(), std::size_t(regions) * plane * 3);
        QCOMPARE(noise.size(), std::size_t(regions) * plane);
        double worst = 0;
        std::size_t exact = 0;
        for (int i = 0; i < regions; ++i) {
            const std::string index = std::to_string(i);
            auto theirs = lb::readImage(lb::regions::indexedPath(
                QFile::encodeName(cliPixels).toStdString(), std::size_t(i)));
            LB_VERIFY_OK(theirs);
            QCOMPARE(theirs->image.width, targetWidth);
            QCOMPARE(theirs->image.height, targetHeight);
            QCOMPARE(theirs->image.channels, 3);
            QVERIFY(theirs->isFloat);
            const float* graphPixels = pixels.data() + std::size_t(i) * plane * 3;
            for (std::size_t k = 0; k < plane * 3; ++k) {
                const double d = std::abs(double(graphPixels[k]) - double(theirs->image.data[k]));
                worst = std::max(worst, d);
                exact += d == 0;
            }
            // The editor's own encoder input is the CLI's (the same program path).
            QVERIFY(result->output.regions->pixels[std::size_t(i)].data == theirs->image.data);
            // noise_mask: identical, and the exported NAME.mask_I.png is the CLI's --save-mask.
            auto grown = lb::readMask(
                lb::regions::indexedPath(QFile::encodeName(cliMask).toStdString(), std::size_t(i)));
            LB_VERIFY_OK(grown);
            const float* graphMask = noise.data() + std::size_t(i) * plane;
            QVERIFY2(
                std::equal(grown->data.begin(), grown->data.end(), graphMask),
                qPrintable(QStringLiteral("region %1: the graph's noise_mask differs").arg(i)));
            auto exported = lb::readMask(
                QFile::encodeName(EncodeSession::regionMaskPath(latent, i)).toStdString());
            LB_VERIFY_OK(exported);
            QVERIFY(exported->data == grown->data);
        }
        qInfo("%s: %d region(s) of %dx%d, encoder input: %zu of %zu values bit for bit, "
              "largest difference %.3g (tolerance 1e-6); noise_mask identical; graph ran %s",
              QTest::currentDataTag(), regions, targetWidth, targetHeight, exact, pixels.size(),
              worst,
              qPrintable(summary.value(QStringLiteral("nodes_run"))
                             .toVariant()
                             .toStringList()
                             .join(QStringLiteral(" "))));
        QVERIFY2(worst <= 1e-6, qPrintable(QStringLiteral("largest difference %1").arg(worst)));
    }

    void exportDialogListsTheRegionFiles() {
        ExportLatentDialog dialog(QDir::temp().filePath(QStringLiteral("x.latent")));
        dialog.setSaveWorkflow(true);
        dialog.setRegionCount(2);
        QStringList texts;
        for (const QLabel* l : dialog.findChildren<QLabel*>())
            texts << l->text();
        const QString all = texts.join(QLatin1Char('\n'));
        for (const char* name :
             {"x.latent", "x.mask_0.png", "x.mask_1.png", "x.painted.png", "x.workflow.json"})
            QVERIFY2(all.contains(QLatin1String(name)), qPrintable(all));
        QVERIFY(!all.contains(QStringLiteral("x.mask.png")));
        QVERIFY2(all.contains(QStringLiteral("ImageCrop")) &&
                     all.contains(QStringLiteral("Import Result")),
                 qPrintable(all));
        dialog.setSaveWorkflow(false);
        texts.clear();
        for (const QLabel* l : dialog.findChildren<QLabel*>())
            texts << l->text();
        QVERIFY(!texts.join(QLatin1Char('\n')).contains(QStringLiteral("x.workflow.json")));
    }

    void noRegionGivesNoWorkflow() {
        // An empty plan, or a batch without its grown mask names, is refused, not half-built.
        lb::regions::RegionPlan plan;
        QVERIFY(comfyRegionWorkflowFor(QStringLiteral("a.png"), QStringLiteral("a.painted.png"), {},
                                       plan, lb::regions::ResizeMethod::Area, 6)
                    .isEmpty());
        plan.scaledWidth = plan.scaledHeight = 64;
        plan.rects = {{0, 0, 64, 64}, {64, 0, 64, 64}};
        QVERIFY(comfyRegionWorkflowFor(QStringLiteral("a.png"), QStringLiteral("a.painted.png"),
                                       {QStringLiteral("a.mask_0.png")}, plan,
                                       lb::regions::ResizeMethod::Area, 6)
                    .isEmpty());
        QString error;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("w.json"));
        QVERIFY(!saveComfyRegionWorkflow(path, QStringLiteral("a.png"),
                                         QStringLiteral("a.painted.png"), {}, {},
                                         lb::regions::ResizeMethod::Area, 6, &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(!QFileInfo::exists(path));
        // The caller's notes and a grow above the node's maximum (64) are in the workflow's notes.
        const QJsonObject about =
            QJsonDocument::fromJson(
                comfyRegionWorkflowFor(
                    QStringLiteral("a.png"), QStringLiteral("a.painted.png"),
                    {QStringLiteral("a.mask_0.png"), QStringLiteral("a.mask_1.png")}, plan,
                    lb::regions::ResizeMethod::Area, 100, {QStringLiteral("first note")}))
                .object()
                .value(QStringLiteral("extra"))
                .toObject()
                .value(QStringLiteral("latentbrush"))
                .toObject();
        const QJsonArray notes = about.value(QStringLiteral("notes")).toArray();
        QCOMPARE(notes.size(), 2);
        QCOMPARE(notes.at(0).toString(), QStringLiteral("first note"));
        QVERIFY(notes.at(1).toString().contains(QStringLiteral("64")));
        QCOMPARE(about.value(QStringLiteral("regions")).toArray().size(), 2);
    }
};

QTEST_MAIN(TestRegionWorkflow)
#include "tst_regionworkflow.moc"
