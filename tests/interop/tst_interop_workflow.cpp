// The ComfyUI workflows of docs/workflows: the UI file (what a person loads) and the API file
// (what /prompt takes) are well-formed, every link joins an output and an input of the same
// type, both hold the chain LoadLatent + LoadImageMask(red) -> SetLatentNoiseMask -> KSampler
// -> VAEDecode, and both are the same graph. The workflow with our own nodes
// (regions_with_latentbrush_nodes): the same checks, every node type a stock ComfyUI node or one
// of the package's NODE_CLASS_MAPPINGS (read from the package under /usr/bin/python3), our
// nodes' inputs and outputs named and typed as the package declares them, and the chain
// Latentbrush Load Latent -> KSampler -> VAEDecode -> Latentbrush Stitch (+ LoadImage, region_info)
// -> SaveImage.
#include "InteropSupport.h"

#include <QTemporaryDir>

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QSet>

namespace {

QJsonObject readJson(const QString& relative) {
    QFile f(QStringLiteral(LATENTBRUSH_SOURCE_DIR "/") + relative);
    if (!f.open(QIODevice::ReadOnly)) return {};
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
    return error.error == QJsonParseError::NoError ? doc.object() : QJsonObject();
}

// A graph as "consumer class.input <- producer class:slot" edges plus each node's widget values
// that matter here.
struct Graph {
    QJsonObject raw;
    QSet<QString> edges;
    QMap<QString, QString> classOf; // node id -> class
    QMap<QString, QJsonObject> nodes;
};

QString edge(const QString& toClass, const QString& input, const QString& fromClass, int slot) {
    return QString("%1.%2 <- %3:%4").arg(toClass, input, fromClass).arg(slot);
}

} // namespace

using namespace interop;

class InteropWorkflow : public QObject {
    Q_OBJECT

    Graph ui_, api_, regionsUi_, regionsApi_;

    // A UI workflow: unique ids, every link joining an output and an input of its type, every
    // listed input connected; its edges, classes and nodes into g.
    void readUi(const QString& file, Graph& g) {
        const QJsonObject wf = readJson(file);
        QVERIFY2(!wf.isEmpty(), qPrintable(file + " is not JSON"));
        QMap<int, QJsonObject> nodes;
        int maxId = 0;
        for (const QJsonValue& v : wf["nodes"].toArray()) {
            const QJsonObject n = v.toObject();
            const int id = n["id"].toInt();
            QVERIFY2(!nodes.contains(id), "duplicate node id");
            nodes[id] = n;
            maxId = std::max(maxId, id);
            g.classOf[QString::number(id)] = n["type"].toString();
        }
        QCOMPARE(wf["last_node_id"].toInt(), maxId);
        QSet<int> linkIds;
        int maxLink = 0;
        for (const QJsonValue& v : wf["links"].toArray()) {
            const QJsonArray l = v.toArray();
            QCOMPARE(l.size(), qsizetype(6));
            const int id = l[0].toInt(), from = l[1].toInt(), fromSlot = l[2].toInt();
            const int to = l[3].toInt(), toSlot = l[4].toInt();
            const QString type = l[5].toString();
            QVERIFY(!linkIds.contains(id));
            linkIds.insert(id);
            maxLink = std::max(maxLink, id);
            QVERIFY2(nodes.contains(from) && nodes.contains(to), "link to a missing node");
            const QJsonObject out = nodes[from]["outputs"].toArray()[fromSlot].toObject();
            const QJsonObject in = nodes[to]["inputs"].toArray()[toSlot].toObject();
            QCOMPARE(out["type"].toString(), type);
            QCOMPARE(in["type"].toString(), type);
            QCOMPARE(in["link"].toInt(), id);
            QVERIFY(out["links"].toArray().contains(id));
            g.edges.insert(edge(nodes[to]["type"].toString(), in["name"].toString(),
                                nodes[from]["type"].toString(), fromSlot));
        }
        QCOMPARE(wf["last_link_id"].toInt(), maxLink);
        // Every input is connected.
        for (const QJsonObject& n : nodes)
            for (const QJsonValue& in : n["inputs"].toArray())
                QVERIFY2(in.toObject()["link"].isDouble(),
                         qPrintable(n["type"].toString() + "." + in.toObject()["name"].toString() +
                                    " is not connected"));
        for (const QJsonObject& n : nodes)
            g.nodes[n["type"].toString()] = n;
        g.raw = wf;
    }

    // An API workflow: every input from a node that exists; its edges, classes and nodes into g.
    void readApi(const QString& file, Graph& g) {
        const QJsonObject api = readJson(file);
        QVERIFY2(!api.isEmpty(), qPrintable(file + " is not JSON"));
        for (auto it = api.begin(); it != api.end(); ++it)
            g.classOf[it.key()] = it.value().toObject()["class_type"].toString();
        for (auto it = api.begin(); it != api.end(); ++it) {
            const QJsonObject n = it.value().toObject();
            g.nodes[n["class_type"].toString()] = n;
            const QJsonObject inputs = n["inputs"].toObject();
            for (auto in = inputs.begin(); in != inputs.end(); ++in) {
                if (!in.value().isArray()) continue; // a widget value
                const QJsonArray from = in.value().toArray();
                QVERIFY2(g.classOf.contains(from[0].toString()), "input from a missing node");
                g.edges.insert(edge(n["class_type"].toString(), in.key(),
                                    g.classOf[from[0].toString()], from[1].toInt()));
            }
        }
    }

private slots:
    void uiWorkflowLinksAreConsistent() {
        readUi("docs/workflows/inpaint_from_latentbrush.json", ui_);
        if (QTest::currentTestFailed()) return;
        const QJsonArray mask = ui_.nodes["LoadImageMask"]["widgets_values"].toArray();
        QCOMPARE(mask[1].toString(), QString("red"));
        QVERIFY(mask[0].toString().endsWith(".png"));
        QVERIFY(
            ui_.nodes["LoadLatent"]["widgets_values"].toArray()[0].toString().endsWith(".latent"));
        QCOMPARE(ui_.nodes["KSampler"]["widgets_values"].toArray()[6].toDouble(), 1.0);
    }

    void apiWorkflowIsTheSameGraph() {
        readApi("docs/workflows/inpaint_from_latentbrush_api.json", api_);
        if (QTest::currentTestFailed()) return;
        QCOMPARE(api_.nodes["LoadImageMask"]["inputs"].toObject()["channel"].toString(),
                 QString("red"));
        if (ui_.edges.isEmpty()) QFAIL("the UI workflow did not load");
        QCOMPARE(api_.edges, ui_.edges);
        QCOMPARE(QSet<QString>(api_.classOf.begin(), api_.classOf.end()),
                 QSet<QString>(ui_.classOf.begin(), ui_.classOf.end()));
    }

    void theInpaintChain() {
        for (const Graph* g : {&ui_, &api_}) {
            QVERIFY(g->edges.contains(edge("SetLatentNoiseMask", "samples", "LoadLatent", 0)));
            QVERIFY(g->edges.contains(edge("SetLatentNoiseMask", "mask", "LoadImageMask", 0)));
            QVERIFY(g->edges.contains(edge("KSampler", "latent_image", "SetLatentNoiseMask", 0)));
            QVERIFY(g->edges.contains(edge("VAEDecode", "samples", "KSampler", 0)));
            QVERIFY(g->edges.contains(edge("VAEDecode", "vae", "CheckpointLoaderSimple", 2)));
            QVERIFY(g->edges.contains(edge("SaveImage", "images", "VAEDecode", 0)));
        }
    }

    // The workflow with Latentbrush Load Latent and Latentbrush Stitch.
    void regionsWorkflow() {
        readUi("docs/workflows/regions_with_latentbrush_nodes.json", regionsUi_);
        if (QTest::currentTestFailed()) return;
        readApi("docs/workflows/regions_with_latentbrush_nodes_api.json", regionsApi_);
        if (QTest::currentTestFailed()) return;
        QCOMPARE(regionsApi_.edges, regionsUi_.edges);
        QCOMPARE(QSet<QString>(regionsApi_.classOf.begin(), regionsApi_.classOf.end()),
                 QSet<QString>(regionsUi_.classOf.begin(), regionsUi_.classOf.end()));
        for (const Graph* g : {&regionsUi_, &regionsApi_}) {
            QVERIFY(
                g->edges.contains(edge("KSampler", "latent_image", "LatentbrushLoadLatent", 0)));
            QVERIFY(g->edges.contains(edge("VAEDecode", "samples", "KSampler", 0)));
            QVERIFY(g->edges.contains(edge("LatentbrushStitch", "samples", "VAEDecode", 0)));
            QVERIFY(g->edges.contains(edge("LatentbrushStitch", "image", "LoadImage", 0)));
            QVERIFY(g->edges.contains(
                edge("LatentbrushStitch", "region_info", "LatentbrushLoadLatent", 2)));
            QVERIFY(g->edges.contains(edge("SaveImage", "images", "LatentbrushStitch", 0)));
        }
        QVERIFY(regionsUi_.nodes["LatentbrushLoadLatent"]["widgets_values"]
                    .toArray()[0]
                    .toString()
                    .endsWith(".latent"));
        QCOMPARE(regionsApi_.nodes["LatentbrushStitch"]["inputs"].toObject()["feather"].toInt(),
                 -1);
    }

    // Every node type of both workflows is a stock ComfyUI node or one of the package's, and our
    // nodes' sockets are the package's.
    void nodeTypesExist() {
        if (!pythonHas("torch")) LB_CANNOT_RUN("/usr/bin/python3 cannot import torch");
        if (regionsUi_.nodes.isEmpty() || ui_.nodes.isEmpty()) QFAIL("a workflow did not load");
        QTemporaryDir empty;
        const Run r =
            runProgram("/usr/bin/python3", {interopDir() + "/comfy_node_types.py",
                                            QStringLiteral(LATENTBRUSH_SOURCE_DIR), empty.path()});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject ours = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QVERIFY(ours.contains("LatentbrushLoadLatent") && ours.contains("LatentbrushStitch"));
        // The stock nodes the workflows use (ComfyUI's nodes.py NODE_CLASS_MAPPINGS).
        const QSet<QString> stock = {
            "CheckpointLoaderSimple", "CLIPTextEncode", "LoadLatent", "LoadImageMask", "LoadImage",
            "SetLatentNoiseMask",     "KSampler",       "VAEDecode",  "SaveImage"};
        for (const Graph* g : {&ui_, &api_, &regionsUi_, &regionsApi_})
            for (const QString& cls : g->classOf)
                QVERIFY2(stock.contains(cls) || ours.contains(cls),
                         qPrintable(cls + " is neither a stock node nor one of ours"));
        for (const QJsonValue& v : regionsUi_.raw["nodes"].toArray()) {
            const QJsonObject n = v.toObject();
            const QString cls = n["type"].toString();
            if (!ours.contains(cls)) continue;
            const QJsonObject decl = ours[cls].toObject();
            const QJsonObject required = decl["required"].toObject(),
                              optional = decl["optional"].toObject();
            for (const QJsonValue& in : n["inputs"].toArray()) {
                const QString name = in.toObject()["name"].toString();
                const QJsonValue type = required.contains(name) ? required[name] : optional[name];
                QCOMPARE(in.toObject()["type"].toString(), type.toString());
            }
            for (auto it = required.begin(); it != required.end(); ++it) {
                if (it.value().toString() == "COMBO" || it.value().toString() == "INT") continue;
                bool listed = false;
                for (const QJsonValue& in : n["inputs"].toArray())
                    listed = listed || in.toObject()["name"].toString() == it.key();
                QVERIFY2(listed, qPrintable(cls + "." + it.key() + " is not connected"));
            }
            const QJsonArray outs = n["outputs"].toArray();
            QCOMPARE(outs.size(), decl["outputs"].toArray().size());
            for (qsizetype i = 0; i < outs.size(); ++i) {
                QCOMPARE(outs[i].toObject()["type"].toString(),
                         decl["outputs"].toArray()[i].toString());
                QCOMPARE(outs[i].toObject()["name"].toString(),
                         decl["output_names"].toArray()[i].toString());
            }
        }
        QVERIFY(
            !QFileInfo::exists(LATENTBRUSH_SOURCE_DIR "/comfyui/latentbrush_nodes/__pycache__"));
    }
};

QTEST_GUILESS_MAIN(InteropWorkflow)
#include "tst_interop_workflow.moc"
