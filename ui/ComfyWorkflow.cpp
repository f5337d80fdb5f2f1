// ComfyWorkflow: reads the embedded workflow (:/workflows/...), swaps the example file names
// for the exported ones in every string of the graph, and writes it through QSaveFile.
#include "ComfyWorkflow.h"

#include "Resources.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace lbui {

namespace {

const QString kTemplatePath = QStringLiteral(":/workflows/inpaint_from_latentbrush.json");
const QString kExampleLatent = QStringLiteral("photo.latent");
const QString kExampleMask = QStringLiteral("photo.mask.png");

QJsonValue renamed(const QJsonValue& v, const QString& latent, const QString& mask) {
    if (v.isString()) {
        QString s = v.toString();
        s.replace(kExampleLatent, latent);
        s.replace(kExampleMask, mask);
        return s;
    }
    if (v.isArray()) {
        QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i)
            a[i] = renamed(a[i], latent, mask);
        return a;
    }
    if (v.isObject()) {
        QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            it.value() = renamed(it.value(), latent, mask);
        return o;
    }
    return v;
}

} // namespace

QByteArray comfyWorkflowTemplate() {
    initResources();
    QFile f(kTemplatePath);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QByteArray comfyWorkflowFor(const QString& latentName, const QString& maskName) {
    const QJsonDocument doc = QJsonDocument::fromJson(comfyWorkflowTemplate());
    if (!doc.isObject()) return {};
    return QJsonDocument(renamed(doc.object(), latentName, maskName).toObject())
        .toJson(QJsonDocument::Indented);
}

bool saveComfyWorkflow(const QString& path, const QString& latentName, const QString& maskName,
                       QString* error) {
    const QByteArray json = comfyWorkflowFor(latentName, maskName);
    if (json.isEmpty()) {
        if (error) *error = QStringLiteral("the embedded ComfyUI workflow is missing");
        return false;
    }
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(json) != json.size() || !out.commit()) {
        if (error) *error = out.errorString();
        return false;
    }
    return true;
}

} // namespace lbui
