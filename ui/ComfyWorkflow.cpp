// ComfyWorkflow: reads the embedded workflow (:/workflows/...), swaps the example file names
// for the exported ones in every string of the graph, and writes it through QSaveFile; builds
// the noise-mask mode's graph and the region graph node by node.
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

using S = GraphBuilder::Slot;
const S kModel{QStringLiteral("MODEL"), QStringLiteral("MODEL")};
const S kClip{QStringLiteral("CLIP"), QStringLiteral("CLIP")};
const S kVae{QStringLiteral("VAE"), QStringLiteral("VAE")};
const S kImage{QStringLiteral("IMAGE"), QStringLiteral("IMAGE")};
const S kMask{QStringLiteral("MASK"), QStringLiteral("MASK")};
const S kLatent{QStringLiteral("LATENT"), QStringLiteral("LATENT")};
const S kConditioning{QStringLiteral("CONDITIONING"), QStringLiteral("CONDITIONING")};

S in(const char* name, const char* type) {
    return S{QString::fromLatin1(name), QString::fromLatin1(type)};
}

struct PromptNodes {
    int checkpoint = 0, positive = 0, negative = 0;
};

// Nodes 1-3 of every built workflow: CheckpointLoaderSimple (MODEL, CLIP, VAE) and the two
// prompts (links 1 and 2).
PromptNodes addPromptNodes(GraphBuilder& g) {
    PromptNodes p;
    p.checkpoint =
        g.add(QStringLiteral("CheckpointLoaderSimple"), {40, 80}, {}, {kModel, kClip, kVae},
              {QStringLiteral("v1-5-pruned-emaonly.safetensors")});
    p.positive = g.add(QStringLiteral("CLIPTextEncode"), {400, 40}, {in("clip", "CLIP")},
                       {kConditioning}, {QStringLiteral("a wooden bench in a sunny park, photo")},
                       QStringLiteral("Positive prompt"));
    p.negative =
        g.add(QStringLiteral("CLIPTextEncode"), {400, 240}, {in("clip", "CLIP")}, {kConditioning},
              {QStringLiteral("blurry, low quality")}, QStringLiteral("Negative prompt"));
    g.link(p.checkpoint, 1, p.positive, 0);
    g.link(p.checkpoint, 1, p.negative, 0);
    return p;
}

// KSampler (seed 0 fixed, 25 steps, cfg 7, euler, normal, `denoise`) of `latentNode`'s output 0
// -> VAEDecode -> SaveImage(prefix).
void addSamplingNodes(GraphBuilder& g, const PromptNodes& p, int latentNode, double x,
                      double denoise, const QString& prefix) {
    const int sampler = g.add(QStringLiteral("KSampler"), {x, 80},
                              {in("model", "MODEL"), in("positive", "CONDITIONING"),
                               in("negative", "CONDITIONING"), in("latent_image", "LATENT")},
                              {kLatent},
                              {0, QStringLiteral("fixed"), 25, 7.0, QStringLiteral("euler"),
                               QStringLiteral("normal"), denoise});
    g.link(p.checkpoint, 0, sampler, 0);
    g.link(p.positive, 0, sampler, 1);
    g.link(p.negative, 0, sampler, 2);
    g.link(latentNode, 0, sampler, 3);
    const int decode = g.add(QStringLiteral("VAEDecode"), {x + 360, 80},
                             {in("samples", "LATENT"), in("vae", "VAE")}, {kImage}, {});
    g.link(sampler, 0, decode, 0);
    g.link(p.checkpoint, 2, decode, 1);
    const int save =
        g.add(QStringLiteral("SaveImage"), {x + 660, 80}, {in("images", "IMAGE")}, {}, {prefix});
    g.link(decode, 0, save, 0);
}

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
    GraphBuilder g;
    const PromptNodes prompts = addPromptNodes(g);
    const int checkpoint = prompts.checkpoint;
    const int loadImage = g.add(QStringLiteral("LoadImage"), {40, 440}, {}, {kImage, kMask},
                                {imageName, QStringLiteral("image")});
    const int encode = g.add(QStringLiteral("VAEEncode"), {400, 440},
                             {in("pixels", "IMAGE"), in("vae", "VAE")}, {kLatent}, {});
    const int loadMask = g.add(QStringLiteral("LoadImageMask"), {40, 640}, {}, {kMask},
                               {maskName, QStringLiteral("red"), QStringLiteral("image")});
    g.link(loadImage, 0, encode, 0);
    g.link(checkpoint, 2, encode, 1);
    // The mask steps in ComfyUI's order: GrowMask, then ImageBlur (through an IMAGE).
    int maskNode = loadMask;
    double x = 400;
    if (options.expand != 0) {
        const int grow = g.add(QStringLiteral("GrowMask"), {x, 640}, {in("mask", "MASK")}, {kMask},
                               {options.expand, options.taperedCorners});
        g.link(maskNode, 0, grow, 0);
        maskNode = grow;
        x += 360;
    }
    if (options.blurRadius > 0) {
        const int toImage =
            g.add(QStringLiteral("MaskToImage"), {x, 640}, {in("mask", "MASK")}, {kImage}, {});
        const int blur = g.add(QStringLiteral("ImageBlur"), {x, 760}, {in("image", "IMAGE")},
                               {kImage}, {options.blurRadius, options.blurSigma});
        const int toMask = g.add(QStringLiteral("ImageToMask"), {x, 900}, {in("image", "IMAGE")},
                                 {kMask}, {QStringLiteral("red")});
        g.link(maskNode, 0, toImage, 0);
        g.link(toImage, 0, blur, 0);
        g.link(blur, 0, toMask, 0);
        maskNode = toMask;
        x += 360;
    }
    const int setMask = g.add(QStringLiteral("SetLatentNoiseMask"), {x, 440},
                              {in("samples", "LATENT"), in("mask", "MASK")}, {kLatent}, {});
    g.link(encode, 0, setMask, 0);
    g.link(maskNode, 0, setMask, 1);
    addSamplingNodes(g, prompts, setMask, x + 360, 0.6, QStringLiteral("latentbrush_noise_mask"));
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

QByteArray comfyRegionWorkflowFor(const QString& imageName, const QString& paintedMaskName,
                                  const QStringList& grownMaskNames,
                                  const lb::regions::RegionPlan& plan,
                                  lb::regions::ResizeMethod method, int grow,
                                  const QStringList& notes) {
    const int count = int(plan.rects.size());
    if (count == 0 || (count > 1 && grownMaskNames.size() != count)) return {};
    GraphBuilder g;
    const PromptNodes prompts = addPromptNodes(g);
    const int loadImage = g.add(QStringLiteral("LoadImage"), {40, 440}, {}, {kImage, kMask},
                                {imageName, QStringLiteral("image")});
    const int loadMask = g.add(QStringLiteral("LoadImageMask"), {40, 800}, {}, {kMask},
                               {paintedMaskName, QStringLiteral("red"), QStringLiteral("image")},
                               QStringLiteral("Mask as encoded (image size)"));
    const QString methodName = QString::fromLatin1(lb::regions::resizeMethodName(method));
    // One chain per region: the contract's ImageCrop -> ImageScale -> VAEEncodeForInpaint with
    // CropMask of the mask at the image's size (the node resizes it to W' x H' itself).
    QList<int> encodes;
    QJsonArray rects;
    for (int i = 0; i < count; ++i) {
        const lb::regions::RegionRect& r = plan.rects[std::size_t(i)];
        const double y = 440 + 400.0 * i;
        const QString name = QStringLiteral("Region %1: ").arg(i);
        const int crop = g.add(QStringLiteral("ImageCrop"), {400, y}, {in("image", "IMAGE")},
                               {kImage}, {r.w, r.h, r.x, r.y}, name + QStringLiteral("crop"));
        const int scale =
            g.add(QStringLiteral("ImageScale"), {760, y}, {in("image", "IMAGE")}, {kImage},
                  {methodName, plan.scaledWidth, plan.scaledHeight, QStringLiteral("disabled")},
                  name + QStringLiteral("scale"));
        const int cropMask =
            g.add(QStringLiteral("CropMask"), {400, y + 200}, {in("mask", "MASK")}, {kMask},
                  {r.x, r.y, r.w, r.h}, name + QStringLiteral("crop mask"));
        const int encode = g.add(QStringLiteral("VAEEncodeForInpaint"), {1120, y},
                                 {in("pixels", "IMAGE"), in("vae", "VAE"), in("mask", "MASK")},
                                 {kLatent}, {grow}, name + QStringLiteral("encode"));
        g.link(loadImage, 0, crop, 0);
        g.link(crop, 0, scale, 0);
        g.link(loadMask, 0, cropMask, 0);
        g.link(scale, 0, encode, 0);
        g.link(prompts.checkpoint, 2, encode, 1);
        g.link(cropMask, 0, encode, 2);
        encodes << encode;
        rects.append(QJsonArray{r.x, r.y, r.w, r.h});
    }
    int latentNode = encodes.first();
    double x = 1480;
    if (count > 1) {
        // The batch in region order. LatentBatch keeps samples1's noise_mask only: the batch's
        // noise_mask comes back from the exported grown masks (0/255, exactly each region's).
        for (int i = 1; i < count; ++i) {
            const int batch =
                g.add(QStringLiteral("LatentBatch"), {x, 440 + 160.0 * (i - 1)},
                      {in("samples1", "LATENT"), in("samples2", "LATENT")}, {kLatent}, {});
            g.link(latentNode, 0, batch, 0);
            g.link(encodes[i], 0, batch, 1);
            latentNode = batch;
        }
        const double maskY = 440 + 400.0 * count;
        int maskImages = 0;
        for (int i = 0; i < count; ++i) {
            const int load =
                g.add(QStringLiteral("LoadImageMask"), {40, maskY + 200.0 * i}, {}, {kMask},
                      {grownMaskNames[i], QStringLiteral("red"), QStringLiteral("image")},
                      QStringLiteral("Region %1: grown noise_mask").arg(i));
            const int toImage = g.add(QStringLiteral("MaskToImage"), {400, maskY + 200.0 * i},
                                      {in("mask", "MASK")}, {kImage}, {});
            g.link(load, 0, toImage, 0);
            if (i == 0) {
                maskImages = toImage;
                continue;
            }
            const int batch = g.add(QStringLiteral("ImageBatch"), {760, maskY + 200.0 * i},
                                    {in("image1", "IMAGE"), in("image2", "IMAGE")}, {kImage}, {});
            g.link(maskImages, 0, batch, 0);
            g.link(toImage, 0, batch, 1);
            maskImages = batch;
        }
        const int toMask = g.add(QStringLiteral("ImageToMask"), {1120, maskY},
                                 {in("image", "IMAGE")}, {kMask}, {QStringLiteral("red")});
        g.link(maskImages, 0, toMask, 0);
        const int setMask = g.add(QStringLiteral("SetLatentNoiseMask"), {x + 360, 440},
                                  {in("samples", "LATENT"), in("mask", "MASK")}, {kLatent}, {});
        g.link(latentNode, 0, setMask, 0);
        g.link(toMask, 0, setMask, 1);
        latentNode = setMask;
        x += 720;
    }
    addSamplingNodes(g, prompts, latentNode, x, 1.0, QStringLiteral("latentbrush_regions"));
    QJsonObject files{{QStringLiteral("image"), imageName},
                      {QStringLiteral("mask"), paintedMaskName}};
    if (count > 1)
        files.insert(QStringLiteral("grown_masks"), QJsonArray::fromStringList(grownMaskNames));
    QJsonObject about{
        {QStringLiteral("about"),
         QStringLiteral("Latentbrush region encode in stock nodes: per region ImageCrop -> "
                        "ImageScale -> VAEEncodeForInpaint with CropMask of the mask as encoded; "
                        "several regions joined by LatentBatch in region order, their noise_mask "
                        "put back by SetLatentNoiseMask from the exported grown masks. Copy the "
                        "image and the mask files into ComfyUI's input/. SaveImage writes one "
                        "image per region in order; stitch them back with `latentbrush-cli "
                        "stitch` or the editor's File > Import Result. See docs/COMFYUI.md.")},
        {QStringLiteral("files"), files},
        {QStringLiteral("regions"), rects},
        {QStringLiteral("scaled"), QJsonArray{plan.scaledWidth, plan.scaledHeight}},
        {QStringLiteral("method"), methodName},
        {QStringLiteral("grow_mask_by"), grow}};
    QStringList allNotes = notes;
    if (grow > 64)
        allNotes << QStringLiteral("grow_mask_by %1 is above VAEEncodeForInpaint's maximum (64): "
                                   "ComfyUI refuses it; encode with a grow of 64 or less.")
                        .arg(grow);
    if (!allNotes.isEmpty())
        about.insert(QStringLiteral("notes"), QJsonArray::fromStringList(allNotes));
    const QJsonObject extra{{QStringLiteral("latentbrush"), about}};
    return QJsonDocument(g.build(extra)).toJson(QJsonDocument::Indented);
}

bool saveComfyRegionWorkflow(const QString& path, const QString& imageName,
                             const QString& paintedMaskName, const QStringList& grownMaskNames,
                             const lb::regions::RegionPlan& plan, lb::regions::ResizeMethod method,
                             int grow, QString* error, const QStringList& notes) {
    const QByteArray json = comfyRegionWorkflowFor(imageName, paintedMaskName, grownMaskNames, plan,
                                                   method, grow, notes);
    if (json.isEmpty()) {
        if (error)
            *error = QStringLiteral("the region plan has no region, or a mask name is missing");
        return false;
    }
    return writeJson(path, json, error);
}

} // namespace lbui
