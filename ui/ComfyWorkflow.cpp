// ComfyWorkflow: reads the embedded workflow (:/workflows/...), swaps the example file names
// for the exported ones in every string of the graph, and writes it through QSaveFile; builds
// the noise-mask mode's graph node by node.
#include "ComfyWorkflow.h"

#include "Resources.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPointF>
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

// A litegraph (ComfyUI UI format) graph built node by node; link() wires an output to an input.
class GraphBuilder {
public:
    struct Slot {
        QString name, type;
    };
    int add(const QString& type, QPointF pos, const QList<Slot>& inputs, const QList<Slot>& outputs,
            const QJsonArray& widgets, const QString& title = {}) {
        Node n;
        n.id = int(nodes_.size()) + 1;
        n.type = type;
        n.pos = pos;
        n.inputs = inputs;
        n.outputs = outputs;
        n.widgets = widgets;
        n.title = title;
        n.inputLinks.fill(QJsonValue(), inputs.size());
        n.outputLinks.resize(outputs.size());
        nodes_.push_back(n);
        return n.id;
    }
    void link(int from, int output, int to, int input) {
        const int id = int(links_.size()) + 1;
        const QString type = nodes_[from - 1].outputs[output].type;
        links_.append(QJsonArray{id, from, output, to, input, type});
        nodes_[from - 1].outputLinks[output].append(id);
        nodes_[to - 1].inputLinks[input] = id;
    }
    QJsonObject build(const QJsonObject& extra) const {
        QJsonArray nodes;
        for (const Node& n : nodes_) {
            QJsonArray inputs, outputs;
            for (qsizetype i = 0; i < n.inputs.size(); ++i)
                inputs.append(QJsonObject{{QStringLiteral("name"), n.inputs[i].name},
                                          {QStringLiteral("type"), n.inputs[i].type},
                                          {QStringLiteral("link"), n.inputLinks[i]}});
            for (qsizetype i = 0; i < n.outputs.size(); ++i)
                outputs.append(QJsonObject{{QStringLiteral("name"), n.outputs[i].name},
                                           {QStringLiteral("type"), n.outputs[i].type},
                                           {QStringLiteral("links"), n.outputLinks[i]},
                                           {QStringLiteral("slot_index"), int(i)}});
            QJsonObject o{
                {QStringLiteral("id"), n.id},
                {QStringLiteral("type"), n.type},
                {QStringLiteral("pos"), QJsonArray{n.pos.x(), n.pos.y()}},
                {QStringLiteral("size"),
                 QJsonArray{320, int(60 + 26 * (n.inputs.size() + n.widgets.size()))}},
                {QStringLiteral("flags"), QJsonObject{}},
                {QStringLiteral("order"), n.id - 1},
                {QStringLiteral("mode"), 0},
                {QStringLiteral("inputs"), inputs},
                {QStringLiteral("outputs"), outputs},
                {QStringLiteral("properties"),
                 QJsonObject{{QStringLiteral("Node name for S&R"), n.type}}},
                {QStringLiteral("widgets_values"), n.widgets},
            };
            if (!n.title.isEmpty()) o.insert(QStringLiteral("title"), n.title);
            nodes.append(o);
        }
        return QJsonObject{{QStringLiteral("last_node_id"), int(nodes_.size())},
                           {QStringLiteral("last_link_id"), int(links_.size())},
                           {QStringLiteral("nodes"), nodes},
                           {QStringLiteral("links"), links_},
                           {QStringLiteral("groups"), QJsonArray{}},
                           {QStringLiteral("config"), QJsonObject{}},
                           {QStringLiteral("extra"), extra},
                           {QStringLiteral("version"), 0.4}};
    }

private:
    struct Node {
        int id = 0;
        QString type, title;
        QPointF pos;
        QList<Slot> inputs, outputs;
        QJsonArray widgets;
        QList<QJsonValue> inputLinks;
        QList<QJsonArray> outputLinks;
    };
    QList<Node> nodes_;
    QJsonArray links_;
};

bool writeJson(const QString& path, const QByteArray& json, QString* error) {
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(json) != json.size() || !out.commit()) {
        if (error) *error = out.errorString();
        return false;
    }
    return true;
}

} // namespace

QByteArray comfyNoiseMaskWorkflowFor(const QString& imageName, const QString& maskName,
                                     const lb::NoiseMaskOptions& options) {
    using S = GraphBuilder::Slot;
    const S model{QStringLiteral("MODEL"), QStringLiteral("MODEL")};
    const S clip{QStringLiteral("CLIP"), QStringLiteral("CLIP")};
    const S vae{QStringLiteral("VAE"), QStringLiteral("VAE")};
    const S image{QStringLiteral("IMAGE"), QStringLiteral("IMAGE")};
    const S mask{QStringLiteral("MASK"), QStringLiteral("MASK")};
    const S latent{QStringLiteral("LATENT"), QStringLiteral("LATENT")};
    const S conditioning{QStringLiteral("CONDITIONING"), QStringLiteral("CONDITIONING")};
    auto in = [](const char* name, const char* type) {
        return S{QString::fromLatin1(name), QString::fromLatin1(type)};
    };
    GraphBuilder g;
    const int checkpoint =
        g.add(QStringLiteral("CheckpointLoaderSimple"), {40, 80}, {}, {model, clip, vae},
              {QStringLiteral("v1-5-pruned-emaonly.safetensors")});
    const int positive =
        g.add(QStringLiteral("CLIPTextEncode"), {400, 40}, {in("clip", "CLIP")}, {conditioning},
              {QStringLiteral("a wooden bench in a sunny park, photo")},
              QStringLiteral("Positive prompt"));
    const int negative =
        g.add(QStringLiteral("CLIPTextEncode"), {400, 240}, {in("clip", "CLIP")}, {conditioning},
              {QStringLiteral("blurry, low quality")}, QStringLiteral("Negative prompt"));
    const int loadImage = g.add(QStringLiteral("LoadImage"), {40, 440}, {}, {image, mask},
                                {imageName, QStringLiteral("image")});
    const int encode = g.add(QStringLiteral("VAEEncode"), {400, 440},
                             {in("pixels", "IMAGE"), in("vae", "VAE")}, {latent}, {});
    const int loadMask = g.add(QStringLiteral("LoadImageMask"), {40, 640}, {}, {mask},
                               {maskName, QStringLiteral("red"), QStringLiteral("image")});
    g.link(checkpoint, 1, positive, 0);
    g.link(checkpoint, 1, negative, 0);
    g.link(loadImage, 0, encode, 0);
    g.link(checkpoint, 2, encode, 1);
    // The mask steps in ComfyUI's order: GrowMask, then ImageBlur (through an IMAGE).
    int maskNode = loadMask;
    double x = 400;
    if (options.expand != 0) {
        const int grow = g.add(QStringLiteral("GrowMask"), {x, 640}, {in("mask", "MASK")}, {mask},
                               {options.expand, options.taperedCorners});
        g.link(maskNode, 0, grow, 0);
        maskNode = grow;
        x += 360;
    }
    if (options.blurRadius > 0) {
        const int toImage =
            g.add(QStringLiteral("MaskToImage"), {x, 640}, {in("mask", "MASK")}, {image}, {});
        const int blur = g.add(QStringLiteral("ImageBlur"), {x, 760}, {in("image", "IMAGE")},
                               {image}, {options.blurRadius, options.blurSigma});
        const int toMask = g.add(QStringLiteral("ImageToMask"), {x, 900}, {in("image", "IMAGE")},
                                 {mask}, {QStringLiteral("red")});
        g.link(maskNode, 0, toImage, 0);
        g.link(toImage, 0, blur, 0);
        g.link(blur, 0, toMask, 0);
        maskNode = toMask;
        x += 360;
    }
    const int setMask = g.add(QStringLiteral("SetLatentNoiseMask"), {x, 440},
                              {in("samples", "LATENT"), in("mask", "MASK")}, {latent}, {});
    g.link(encode, 0, setMask, 0);
    g.link(maskNode, 0, setMask, 1);
    const int sampler = g.add(QStringLiteral("KSampler"), {x + 360, 80},
                              {in("model", "MODEL"), in("positive", "CONDITIONING"),
                               in("negative", "CONDITIONING"), in("latent_image", "LATENT")},
                              {latent},
                              {0, QStringLiteral("fixed"), 25, 7.0, QStringLiteral("euler"),
                               QStringLiteral("normal"), 0.6});
    g.link(checkpoint, 0, sampler, 0);
    g.link(positive, 0, sampler, 1);
    g.link(negative, 0, sampler, 2);
    g.link(setMask, 0, sampler, 3);
    const int decode = g.add(QStringLiteral("VAEDecode"), {x + 720, 80},
                             {in("samples", "LATENT"), in("vae", "VAE")}, {image}, {});
    g.link(sampler, 0, decode, 0);
    g.link(checkpoint, 2, decode, 1);
    const int save = g.add(QStringLiteral("SaveImage"), {x + 1020, 80}, {in("images", "IMAGE")}, {},
                           {QStringLiteral("latentbrush_noise_mask")});
    g.link(decode, 0, save, 0);
    const QJsonObject extra{
        {QStringLiteral("latentbrush"),
         QJsonObject{
             {QStringLiteral("about"),
              QStringLiteral("Latentbrush noise-mask mode: VAEEncode of the image and "
                             "SetLatentNoiseMask of the painted soft mask (after GrowMask and "
                             "ImageBlur when used), for denoise below 1 or Differential "
                             "Diffusion. Copy the image and the mask into ComfyUI's input/. "
                             "See docs/COMFYUI.md.")},
             {QStringLiteral("files"), QJsonObject{{QStringLiteral("image"), imageName},
                                                   {QStringLiteral("mask"), maskName}}},
             {QStringLiteral("mask_expand"), options.expand},
             {QStringLiteral("tapered_corners"), options.taperedCorners},
             {QStringLiteral("blur_radius"), options.blurRadius},
             {QStringLiteral("blur_sigma"), options.blurSigma}}}};
    return QJsonDocument(g.build(extra)).toJson(QJsonDocument::Indented);
}

bool saveComfyNoiseMaskWorkflow(const QString& path, const QString& imageName,
                                const QString& maskName, const lb::NoiseMaskOptions& options,
                                QString* error) {
    return writeJson(path, comfyNoiseMaskWorkflowFor(imageName, maskName, options), error);
}

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
    return writeJson(path, json, error);
}

} // namespace lbui
