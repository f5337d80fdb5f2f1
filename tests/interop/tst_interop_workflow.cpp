// The ComfyUI workflows of docs/workflows: the UI file (what a person loads) and the API file
// (what /prompt takes) are well-formed, every link joins an output and an input of the same
// type, both hold the chain LoadLatent + LoadImageMask(red) -> SetLatentNoiseMask -> KSampler
// -> VAEDecode, and both are the same graph.
#include "TestSupport.h"

#include <QFile>
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
    QSet<QString> edges;
    QMap<QString, QString> classOf; // node id -> class
    QMap<QString, QJsonObject> nodes;
};

QString edge(const QString& toClass, const QString& input, const QString& fromClass, int slot) {
    return QString("%1.%2 <- %3:%4").arg(toClass, input, fromClass).arg(slot);
}

} // namespace

class InteropWorkflow : public QObject {
    Q_OBJECT

    Graph ui_, api_;

private slots:
    void uiWorkflowLinksAreConsistent() {
        const QJsonObject wf = readJson("docs/workflows/inpaint_from_latentbrush.json");
        QVERIFY2(!wf.isEmpty(), "docs/workflows/inpaint_from_latentbrush.json is not JSON");
        QMap<int, QJsonObject> nodes;
        int maxId = 0;
        for (const QJsonValue& v : wf["nodes"].toArray()) {
            const QJsonObject n = v.toObject();
            const int id = n["id"].toInt();
            QVERIFY2(!nodes.contains(id), "duplicate node id");
            nodes[id] = n;
            maxId = std::max(maxId, id);
            ui_.classOf[QString::number(id)] = n["type"].toString();
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
            ui_.edges.insert(edge(nodes[to]["type"].toString(), in["name"].toString(),
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
            ui_.nodes[n["type"].toString()] = n;
        const QJsonArray mask = ui_.nodes["LoadImageMask"]["widgets_values"].toArray();
        QCOMPARE(mask[1].toString(), QString("red"));
        QVERIFY(mask[0].toString().endsWith(".png"));
        QVERIFY(
            ui_.nodes["LoadLatent"]["widgets_values"].toArray()[0].toString().endsWith(".latent"));
        QCOMPARE(ui_.nodes["KSampler"]["widgets_values"].toArray()[6].toDouble(), 1.0);
    }

    void apiWorkflowIsTheSameGraph() {
        const QJsonObject api = readJson("docs/workflows/inpaint_from_latentbrush_api.json");
        QVERIFY2(!api.isEmpty(), "docs/workflows/inpaint_from_latentbrush_api.json is not JSON");
        for (auto it = api.begin(); it != api.end(); ++it)
            api_.classOf[it.key()] = it.value().toObject()["class_type"].toString();
        for (auto it = api.begin(); it != api.end(); ++it) {
            const QJsonObject n = it.value().toObject();
            api_.nodes[n["class_type"].toString()] = n;
            const QJsonObject inputs = n["inputs"].toObject();
            for (auto in = inputs.begin(); in != inputs.end(); ++in) {
                if (!in.value().isArray()) continue; // a widget value
                const QJsonArray from = in.value().toArray();
                QVERIFY2(api_.classOf.contains(from[0].toString()), "input from a missing node");
                api_.edges.insert(edge(n["class_type"].toString(), in.key(),
                                       api_.classOf[from[0].toString()], from[1].toInt()));
            }
        }
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
};

QTEST_GUILESS_MAIN(InteropWorkflow)
#include "tst_interop_workflow.moc"
