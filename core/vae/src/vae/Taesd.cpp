// Taesd: taesd.py's Encoder/Decoder Sequentials (Block = 3 convs + skip + ReLU; TAEF2 blocks add
// conv1x1 -> GroupNorm(4) -> ReLU -> conv1x1 of their input first) and the family decision.
#include "vae/Taesd.h"

#include "vae/VaeLayers.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

namespace lb::vae {
namespace {

std::string str(std::int64_t v) {
    return std::to_string(v);
}

// The Sequential layouts of taesd.py, one letter per index:
// C conv 3x3 with bias, D conv 3x3 stride 2 without bias, N conv 3x3 without bias, B Block,
// Z Clamp (tanh(x / 3) * 3), R ReLU, U nearest 2x upsampling.
constexpr const char* kEncoderLayout = "CBDBBBDBBBDBBBC";
constexpr const char* kDecoderLayout = "ZCRBBBUNBBBUNBBBUNBC";
// TAEF2: the blocks that carry the group-norm pool branch (not recorded in the weights' shapes
// alone, so required here once any pool tensor is present).
constexpr int kEncoderPoolBlocks[] = {11, 12, 13};
constexpr int kDecoderPoolBlocks[] = {3, 4, 5};
constexpr std::int64_t kPoolGroups = 4;
constexpr double kPoolEps = 1e-5;

struct TaesdBlock {
    Conv2d conv0, conv2, conv4;
    Conv2d skip;         // weight undefined: identity
    Conv2d pool0, pool3; // weight undefined: no pool branch
    GroupNorm pool1;
    Kernels kernels = Kernels::Reference; // of the residual sums

    at::Tensor operator()(at::Tensor x) const {
        if (pool0.weight.defined()) {
            at::Tensor p = pool3(pool1.act(pool0(x), Activation::Relu, /*inPlace=*/true));
            x = addAct(p, x, Activation::None, kernels);
        }
        at::Tensor h = reluInPlace(conv0(x));
        h = reluInPlace(conv2(h));
        h = conv4(h);
        return addAct(h, skip.weight.defined() ? skip(x) : x, Activation::Relu, kernels);
    }

    static TaesdBlock load(WeightStore& w, const std::string& name, std::int64_t in, bool pool) {
        TaesdBlock b;
        b.kernels = w.kernels();
        if (pool) {
            b.pool0 = Conv2d::load(w, name + ".pool.0", in, -1, 1, false);
            b.pool1 =
                GroupNorm::load(w, name + ".pool.1", b.pool0.outChannels(), kPoolGroups, kPoolEps);
            b.pool3 = Conv2d::load(w, name + ".pool.3", b.pool0.outChannels(), in, 1, false);
        }
        b.conv0 = Conv2d::load(w, name + ".conv.0", in, -1, 3, true);
        const std::int64_t out = b.conv0.outChannels();
        b.conv2 = Conv2d::load(w, name + ".conv.2", out, out, 3, true);
        b.conv4 = Conv2d::load(w, name + ".conv.4", out, out, 3, true);
        if (in != out) b.skip = Conv2d::load(w, name + ".skip", in, out, 1, false);
        return b;
    }
};

struct Layer {
    char kind = 'C';
    Conv2d conv;
    TaesdBlock block;
};

struct Sequential {
    std::vector<Layer> layers;
    std::int64_t inChannels = 0;
    std::int64_t outChannels = 0;
    Kernels kernels = Kernels::Reference; // of the upsampling

    // `in` < 0: read from the first convolution.
    static Sequential load(WeightStore& w, const std::string& half, const char* layout,
                           std::int64_t in, std::int64_t lastOut,
                           const std::vector<int>& poolBlocks) {
        Sequential s;
        s.kernels = w.kernels();
        const int count = int(std::char_traits<char>::length(layout));
        for (int i = 0; i < count; ++i) {
            const std::string name = half + "." + str(i);
            Layer layer;
            layer.kind = layout[i];
            const bool last = i == count - 1;
            switch (layer.kind) {
            case 'C':
            case 'N':
            case 'D': {
                if (in < 0) {
                    const auto shape = w.shape(name + ".weight");
                    in = shape.size() == 4 ? shape[1] : 0;
                }
                if (s.inChannels == 0) s.inChannels = in;
                layer.conv = Conv2d::load(w, name, in, last ? lastOut : -1, 3, layer.kind == 'C',
                                          layer.kind == 'D' ? 2 : 1, 1);
                in = layer.conv.outChannels();
                break;
            }
            case 'B': {
                const bool pool =
                    std::find(poolBlocks.begin(), poolBlocks.end(), i) != poolBlocks.end();
                layer.block = TaesdBlock::load(w, name, in, pool);
                in = layer.block.conv4.outChannels();
                break;
            }
            default:
                break;
            }
            s.layers.push_back(std::move(layer));
        }
        s.outChannels = in;
        return s;
    }

    at::Tensor operator()(at::Tensor x, const StepHook& hook, const std::string& what) const {
        for (std::size_t i = 0; i < layers.size(); ++i) {
            hook(double(i) / double(layers.size()),
                 what + ": layer " + str(i + 1) + "/" + str(layers.size()));
            const Layer& layer = layers[i];
            switch (layer.kind) {
            case 'B':
                x = layer.block(std::move(x));
                break;
            case 'Z':
                x = at::tanh(x / 3) * 3;
                break;
            case 'R':
                x = at::relu(x);
                break;
            case 'U':
                x = upsampleNearest2x(x, kernels);
                break;
            default:
                x = layer.conv(x);
                break;
            }
        }
        return x;
    }
};

class TaesdModel final : public VaeModel {
public:
    std::optional<Sequential> encoder;
    std::optional<Sequential> decoder;
    FamilySpec spec{};
    at::ScalarType dtype = at::kFloat;

    bool hasEncoder() const override { return encoder.has_value(); }
    bool hasDecoder() const override { return decoder.has_value(); }
    bool scaled() const { return spec.scale != 1.0 || spec.shift != 0.0; }

    at::Tensor encode(const at::Tensor& pixels, const StepHook& hook) const override {
        at::Tensor z = (*encoder)(pixels.to(dtype), hook, "encoder").to(at::kFloat);
        if (scaled()) z = z / spec.scale + spec.shift;
        if (spec.packed) z = pack2x2(z);
        return z.contiguous();
    }

    at::Tensor decode(const at::Tensor& latent, const StepHook& hook) const override {
        at::Tensor z = spec.packed ? unpack2x2(latent) : latent;
        if (scaled()) z = (z - spec.shift) * spec.scale;
        const at::Tensor x = (*decoder)(z.to(dtype), hook, "decoder");
        return x.to(at::kFloat).clamp(0.0, 1.0);
    }

    double encodeBytes(std::int64_t height, std::int64_t width) const override {
        const double pixels = double(height) * double(width);
        const double width0 = double(encoder->layers.front().conv.outChannels());
        return 5.0 * width0 * pixels * double(at::elementSize(dtype)) + pixels * 3.0 * 4.0 * 2.0;
    }
};

// Family names and the aliases that point to one in file names and metadata, most specific first.
struct Alias {
    const char* token;
    VaeFamily family;
};
constexpr Alias kAliases[] = {
    {"taesdxl", VaeFamily::Taesdxl}, {"sdxl", VaeFamily::Taesdxl}, {"taesd3", VaeFamily::Taesd3},
    {"sd3", VaeFamily::Taesd3},      {"taef1", VaeFamily::Taef1},  {"flux1", VaeFamily::Taef1},
    {"taef2", VaeFamily::Taef2},     {"flux2", VaeFamily::Taef2},  {"taesd", VaeFamily::Taesd},
    {"sd15", VaeFamily::Taesd},      {"sd1", VaeFamily::Taesd},    {"flux", VaeFamily::Taef1},
};

std::vector<std::string> tokens(const std::string& text) {
    std::vector<std::string> out;
    std::string current;
    for (char c : text) {
        if (std::isalnum(static_cast<unsigned char>(c))) {
            current += char(std::tolower(static_cast<unsigned char>(c)));
        } else if (!current.empty()) {
            out.push_back(current);
            current.clear();
        }
    }
    if (!current.empty()) out.push_back(current);
    return out;
}

std::optional<VaeFamily> familyFromText(const std::string& text,
                                        const std::vector<VaeFamily>& candidates) {
    const std::vector<std::string> words = tokens(text);
    for (const Alias& alias : kAliases) {
        if (std::find(candidates.begin(), candidates.end(), alias.family) == candidates.end())
            continue;
        if (std::find(words.begin(), words.end(), alias.token) != words.end()) return alias.family;
    }
    return std::nullopt;
}

std::string candidateText(const std::vector<VaeFamily>& candidates) {
    std::string text;
    for (std::size_t i = 0; i < candidates.size(); ++i)
        text += std::string(i == 0 ? "" : (i + 1 == candidates.size() ? " and " : ", ")) +
                familySpec(candidates[i]).name;
    return text;
}

// The tiny families by latent channels, from the family table: "taesd/taesdxl: 4,
// taesd3/taef1: 16, taef2: 32 with pool blocks".
std::string tinyFamiliesText() {
    std::string text;
    const FamilySpec* group = nullptr; // the first family of the group being written
    auto close = [&] {
        if (group)
            text += ": " + str(group->rawLatentChannels) +
                    (group->poolBlocks ? " with pool blocks" : "");
    };
    for (const FamilySpec& spec : familyTable()) {
        if (!spec.tiny) continue;
        if (group && group->rawLatentChannels == spec.rawLatentChannels &&
            group->poolBlocks == spec.poolBlocks) {
            text += std::string("/") + spec.name;
            continue;
        }
        close();
        text += std::string(group ? ", " : "") + spec.name;
        group = &spec;
    }
    close();
    return text;
}

VaeFamily chooseFamily(WeightStore& w, std::int64_t rawLatent, bool pool,
                       std::optional<VaeFamily> requested, std::vector<std::string>& notes) {
    const std::string file = w.primaryFile().path();
    std::vector<VaeFamily> candidates;
    for (const FamilySpec& spec : familyTable())
        if (spec.tiny && spec.rawLatentChannels == rawLatent && spec.poolBlocks == pool)
            candidates.push_back(spec.family);
    if (candidates.empty())
        throw LoadError(file + ": a TAESD with " + str(rawLatent) + " latent channels" +
                        (pool ? " and pool blocks" : "") + " fits no known family (" +
                        tinyFamiliesText() + ")");
    const std::string fits = str(rawLatent) + " latent channels fit " + candidateText(candidates);
    if (requested) {
        if (std::find(candidates.begin(), candidates.end(), *requested) == candidates.end())
            throw LoadError(file + ": --vae-family " + familySpec(*requested).name +
                            " does not fit this file: " + fits);
        notes.push_back(std::string("family ") + familySpec(*requested).name +
                        ": from --vae-family");
        return *requested;
    }
    if (candidates.size() == 1) {
        notes.push_back(std::string("family ") + familySpec(candidates[0]).name + ": " + fits);
        return candidates[0];
    }
    if (w.has("scale")) { // ComfyUI's TAESD files store vae_scale (and vae_shift)
        const double scale = w.takeFloat("scale", {}).item<double>();
        if (w.has("shift")) w.takeFloat("shift", {});
        for (VaeFamily f : candidates)
            if (std::abs(familySpec(f).scale - scale) < 1e-4) {
                notes.push_back(std::string("family ") + familySpec(f).name +
                                ": from the file's vae_scale " + std::to_string(scale) + " (" +
                                fits + ")");
                return f;
            }
    }
    std::string metadata;
    for (const auto& [key, value] : w.primaryFile().metadata())
        metadata += key + " " + value + " ";
    if (auto f = familyFromText(metadata, candidates)) {
        notes.push_back(std::string("family ") + familySpec(*f).name +
                        ": from the file's metadata (" + fits + ")");
        return *f;
    }
    const std::string name = std::filesystem::path(file).filename().string();
    if (auto f = familyFromText(name, candidates)) {
        notes.push_back(std::string("family ") + familySpec(*f).name + ": from the file name '" +
                        name + "' (" + fits + ")");
        return *f;
    }
    notes.push_back(std::string("family ") + familySpec(candidates[0]).name + ": assumed (" + fits +
                    "; neither the metadata nor the file name says which: use --vae-family)");
    return candidates[0];
}

} // namespace

std::unique_ptr<VaeModel> buildTaesd(WeightStore& w, std::optional<VaeFamily> requested) {
    const std::string file = w.primaryFile().path();
    if (requested && !familySpec(*requested).tiny)
        throw LoadError(file + ": --vae-family " + familySpec(*requested).name +
                        " does not fit this file, which holds a TAESD-family model");
    const bool hasEncoder = w.hasPrefix("encoder.");
    const bool hasDecoder = w.hasPrefix("decoder.");
    bool pool = false;
    for (int i = 0; i < 20 && !pool; ++i)
        pool = w.hasPrefix("encoder." + str(i) + ".pool.") ||
               w.hasPrefix("decoder." + str(i) + ".pool.");
    const std::vector<int> none;
    const std::vector<int> encoderPool(std::begin(kEncoderPoolBlocks),
                                       std::end(kEncoderPoolBlocks));
    const std::vector<int> decoderPool(std::begin(kDecoderPoolBlocks),
                                       std::end(kDecoderPoolBlocks));

    auto model = std::make_unique<TaesdModel>();
    model->dtype = w.dtype();
    std::int64_t rawLatent = -1;
    std::int64_t width = 0;
    if (hasEncoder) {
        model->encoder =
            Sequential::load(w, "encoder", kEncoderLayout, 3, -1, pool ? encoderPool : none);
        rawLatent = model->encoder->outChannels;
        width = model->encoder->layers.front().conv.outChannels();
    }
    if (hasDecoder) {
        model->decoder =
            Sequential::load(w, "decoder", kDecoderLayout, rawLatent, 3, pool ? decoderPool : none);
        rawLatent = model->decoder->inChannels;
        if (width == 0) width = model->decoder->layers[1].conv.outChannels();
    }
    if (!hasEncoder && !hasDecoder) w.shape("encoder.0.weight"); // throws: nothing to build

    const VaeFamily family = chooseFamily(w, rawLatent, pool, requested, model->inferred);
    model->spec = familySpec(family);
    model->family = family;
    model->latentChannels = int(rawLatent) * (model->spec.packed ? 4 : 1);
    model->downscale = 8 * (model->spec.packed ? 2 : 1);
    const std::string packedText = ", packed 2x2 to " + str(model->latentChannels) +
                                   " channels at " + str(model->downscale) + "x";
    model->inferred.push_back("TAESD from weight shapes: width " + str(width) + ", " +
                              str(rawLatent) + " latent channels" +
                              (pool ? ", group-norm pool blocks (TAEF2)" : "") +
                              (model->spec.packed ? packedText : std::string()));
    if (!hasDecoder)
        model->inferred.push_back("no decoder (encoder-only file): decode is unavailable");
    if (!hasEncoder)
        model->inferred.push_back("no encoder (decoder-only file): encode is unavailable");
    w.requireAllUsed(std::string("a ") + model->spec.name + " tiny autoencoder");
    return model;
}

} // namespace lb::vae
