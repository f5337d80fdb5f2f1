// AutoencoderKL: Encoder/Decoder of ComfyUI's model.py, the Gaussian mean of the encoder's
// moments, quant convs, and FLUX.2's 2x2 packing + batch-norm (docs/NUMERICS.md's VAE families).
#include "vae/AutoencoderKL.h"

#include "vae/VaeLayers.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace lb::vae {
namespace {

std::string str(std::int64_t v) {
    return std::to_string(v);
}

// A small constant as the reference writes it: 1e-4 -> "1e-4".
std::string epsText(double eps) {
    char text[32];
    std::snprintf(text, sizeof text, "%.0e", eps); // "1e-04"
    std::string t = text;
    const auto e = t.find("e-0");
    if (e != std::string::npos) t.erase(e + 2, 1);
    return t;
}

// One resolution of the encoder or decoder: res blocks (each optionally followed by attention)
// and the down/up-sampling convolution (weight undefined on the last encoder / first decoder
// level).
struct Level {
    std::vector<ResnetBlock> blocks;
    std::vector<AttnBlock> attentions; // empty, or one per block
    Conv2d resample;
    std::int64_t channels = 0; // output channels
};

// Counts `<prefix><i><suffix>` names present for i = 0, 1, ...
std::int64_t countIndexed(const WeightStore& w, const std::string& prefix,
                          const std::string& suffix) {
    std::int64_t n = 0;
    while (w.hasPrefix(prefix + str(n) + suffix))
        ++n;
    return n;
}

Level loadLevel(WeightStore& w, const std::string& prefix, std::int64_t in, std::int64_t blocks) {
    Level level;
    const bool attention = w.hasPrefix(prefix + "attn.0.");
    for (std::int64_t j = 0; j < blocks; ++j) {
        level.blocks.push_back(ResnetBlock::load(w, prefix + "block." + str(j) + ".", in));
        in = level.blocks.back().outChannels();
        if (attention)
            level.attentions.push_back(AttnBlock::load(w, prefix + "attn." + str(j) + ".", in));
    }
    level.channels = in;
    return level;
}

at::Tensor runBlocks(const Level& level, at::Tensor h) {
    for (std::size_t j = 0; j < level.blocks.size(); ++j) {
        h = level.blocks[j](h);
        if (!level.attentions.empty()) h = level.attentions[j](h);
    }
    return h;
}

struct Middle {
    ResnetBlock block1;
    AttnBlock attn;
    ResnetBlock block2;

    static Middle load(WeightStore& w, const std::string& prefix, std::int64_t channels) {
        Middle m;
        m.block1 = ResnetBlock::load(w, prefix + "mid.block_1.", channels);
        m.attn = AttnBlock::load(w, prefix + "mid.attn_1.", m.block1.outChannels());
        m.block2 = ResnetBlock::load(w, prefix + "mid.block_2.", m.block1.outChannels());
        return m;
    }
    at::Tensor operator()(at::Tensor h) const { return block2(attn(block1(std::move(h)))); }
};

// model.py Encoder (double_z): conv_in, levels with Downsample, mid, norm_out, SiLU, conv_out.
struct KlEncoder {
    Conv2d convIn;
    std::vector<Level> levels;
    Middle mid;
    GroupNorm normOut;
    Conv2d convOut;

    static KlEncoder load(WeightStore& w) {
        KlEncoder e;
        e.convIn = Conv2d::load(w, "encoder.conv_in", 3, -1, 3, true);
        const std::int64_t levels = countIndexed(w, "encoder.down.", ".");
        const std::int64_t blocks = countIndexed(w, "encoder.down.0.block.", ".");
        if (levels == 0 || blocks == 0) w.shape("encoder.down.0.block.0.conv1.weight"); // throws
        std::int64_t c = e.convIn.outChannels();
        for (std::int64_t i = 0; i < levels; ++i) {
            const std::string prefix = "encoder.down." + str(i) + ".";
            Level level = loadLevel(w, prefix, c, blocks);
            c = level.channels;
            if (i != levels - 1)
                level.resample = Conv2d::load(w, prefix + "downsample.conv", c, c, 3, true, 2, 0);
            e.levels.push_back(std::move(level));
        }
        e.mid = Middle::load(w, "encoder.", c);
        c = e.mid.block2.outChannels();
        e.normOut = GroupNorm::load(w, "encoder.norm_out", c, 32, 1e-6);
        e.convOut = Conv2d::load(w, "encoder.conv_out", c, -1, 3, true);
        if (e.convOut.outChannels() % 2 != 0)
            throw LoadError(
                w.where("encoder.conv_out.weight") + " has " + str(e.convOut.outChannels()) +
                " output channels: a Gaussian's mean and log-variance need an even count");
        return e;
    }

    at::Tensor operator()(const at::Tensor& x, const StepHook& hook) const {
        const double steps = double(levels.size() + 2);
        hook(0.0, "encoder: input");
        at::Tensor h = convIn(x);
        for (std::size_t i = 0; i < levels.size(); ++i) {
            const std::string stage = "encoder: level " + str(i + 1) + "/" + str(levels.size());
            hook(double(i) / steps, stage);
            for (std::size_t j = 0; j < levels[i].blocks.size(); ++j) {
                if (j > 0) hook(double(i) / steps, stage);
                h = levels[i].blocks[j](h);
                if (!levels[i].attentions.empty()) h = levels[i].attentions[j](h);
            }
            if (levels[i].resample.weight.defined()) h = downsample(levels[i].resample, h);
        }
        hook(double(levels.size()) / steps, "encoder: middle");
        h = mid(h);
        hook(double(levels.size() + 1) / steps, "encoder: output");
        h = normOut.act(h, Activation::Silu, /*inPlace=*/true);
        return convOut(h);
    }
};

// model.py Decoder: conv_in, mid, levels from the deepest up with Upsample, norm_out, SiLU,
// conv_out. `levels` is in the order they run (deepest first).
struct KlDecoder {
    Conv2d convIn;
    Middle mid;
    std::vector<Level> levels;
    GroupNorm normOut;
    Conv2d convOut;
    Kernels kernels = Kernels::Reference; // of the upsampling

    static KlDecoder load(WeightStore& w, std::int64_t latentChannels) {
        KlDecoder d;
        d.kernels = w.kernels();
        d.convIn = Conv2d::load(w, "decoder.conv_in", latentChannels, -1, 3, true);
        std::int64_t c = d.convIn.outChannels();
        d.mid = Middle::load(w, "decoder.", c);
        c = d.mid.block2.outChannels();
        const std::int64_t levels = countIndexed(w, "decoder.up.", ".");
        if (levels == 0) w.shape("decoder.up.0.block.0.conv1.weight"); // throws
        const std::int64_t blocks =
            countIndexed(w, "decoder.up." + str(levels - 1) + ".block.", ".");
        for (std::int64_t i = levels - 1; i >= 0; --i) {
            const std::string prefix = "decoder.up." + str(i) + ".";
            Level level = loadLevel(w, prefix, c, blocks);
            c = level.channels;
            if (i != 0) level.resample = Conv2d::load(w, prefix + "upsample.conv", c, c, 3, true);
            d.levels.push_back(std::move(level));
        }
        d.normOut = GroupNorm::load(w, "decoder.norm_out", c, 32, 1e-6);
        d.convOut = Conv2d::load(w, "decoder.conv_out", c, 3, 3, true);
        return d;
    }

    at::Tensor operator()(const at::Tensor& z, const StepHook& hook) const {
        const double steps = double(levels.size() + 2);
        hook(0.0, "decoder: middle");
        at::Tensor h = mid(convIn(z));
        for (std::size_t i = 0; i < levels.size(); ++i) {
            hook(double(i + 1) / steps, "decoder: level " + str(i + 1) + "/" + str(levels.size()));
            h = runBlocks(levels[i], std::move(h));
            if (levels[i].resample.weight.defined())
                h = levels[i].resample(upsampleNearest2x(h, kernels));
        }
        hook(double(levels.size() + 1) / steps, "decoder: output");
        h = normOut.act(h, Activation::Silu, /*inPlace=*/true);
        return convOut(h);
    }
};

class AutoencoderKLModel final : public VaeModel {
public:
    std::optional<KlEncoder> encoder;
    std::optional<KlDecoder> decoder;
    Conv2d quantConv;     // weight undefined when absent
    Conv2d postQuantConv; // likewise
    at::Tensor bnMean;    // FLUX.2: float32 [4c]
    at::Tensor bnVar;
    FamilySpec spec{};
    at::ScalarType dtype = at::kFloat;

    bool hasEncoder() const override { return encoder.has_value(); }
    bool hasDecoder() const override { return decoder.has_value(); }

    at::Tensor encode(const at::Tensor& pixels, const StepHook& hook) const override {
        const at::Tensor x = (pixels * 2.0 - 1.0).to(dtype);
        at::Tensor moments = (*encoder)(x, hook);
        if (quantConv.weight.defined()) moments = quantConv(moments);
        // The Gaussian's mode: the first half of the channels (no sampling, no scale factor).
        at::Tensor mean = moments.narrow(1, 0, moments.size(1) / 2).to(at::kFloat);
        if (spec.packed) mean = pack2x2(mean);
        if (!bnMean.defined()) return mean.contiguous();
        // (z - running_mean) / sqrt(running_var + eps), as F.batch_norm computes it (bit-exact).
        return at::batch_norm(mean, {}, {}, bnMean, bnVar, /*training=*/false,
                              /*momentum=*/0.0, spec.batchNormEps, /*cudnn_enabled=*/true);
    }

    at::Tensor decode(const at::Tensor& latent, const StepHook& hook) const override {
        at::Tensor z = latent;
        if (bnMean.defined())
            z = z * at::sqrt(bnVar.view({1, -1, 1, 1}) + spec.batchNormEps) +
                bnMean.view({1, -1, 1, 1});
        if (spec.packed) z = unpack2x2(z);
        z = z.to(dtype);
        if (postQuantConv.weight.defined()) z = postQuantConv(z);
        const at::Tensor x = (*decoder)(z, hook);
        return ((x.to(at::kFloat) + 1.0) / 2.0).clamp(0.0, 1.0);
    }

    double encodeBytes(std::int64_t height, std::int64_t width) const override {
        const double element = double(at::elementSize(dtype));
        double peak = 0.0;
        double pixels = double(height) * double(width);
        std::int64_t channels = encoder->convIn.outChannels();
        for (const Level& level : encoder->levels) {
            // a block holds its input, two intermediates and its output
            peak =
                std::max(peak, 4.0 * double(std::max(channels, level.channels)) * pixels * element);
            channels = level.channels;
            if (level.resample.weight.defined()) pixels /= 4.0;
        }
        const auto positions = std::int64_t(pixels);
        peak = std::max(peak, attentionBytes(positions, channels, at::elementSize(dtype)));
        return peak + double(height) * double(width) * 3.0 * 4.0 * 2.0;
    }
};

} // namespace

std::unique_ptr<VaeModel> buildAutoencoderKL(WeightStore& w, std::optional<VaeFamily> requested) {
    // The only AutoencoderKL family with a latent batch-norm is FLUX.2.
    const bool flux2 = w.has("bn.running_mean") || w.has("bn.running_var");
    const VaeFamily family = flux2 ? VaeFamily::Flux2 : VaeFamily::AutoencoderKL;
    const FamilySpec& spec = familySpec(family);
    const std::string file = w.primaryFile().path();
    if (requested && *requested != family)
        throw LoadError(file + ": --vae-family " + familySpec(*requested).name +
                        " does not fit this file, which holds " +
                        (flux2 ? "a FLUX.2 AutoencoderKL (bn.running_mean/var)"
                               : "an AutoencoderKL without a latent batch-norm"));
    auto model = std::make_unique<AutoencoderKLModel>();
    model->family = family;
    model->spec = spec;
    model->dtype = w.dtype();
    std::vector<std::string>& notes = model->inferred;

    std::int64_t latent = -1; // channels of the mean
    std::int64_t levels = 0;
    if (w.hasPrefix("encoder.")) {
        model->encoder = KlEncoder::load(w);
        const KlEncoder& e = *model->encoder;
        std::int64_t moments = e.convOut.outChannels();
        if (w.has("quant_conv.weight")) {
            model->quantConv = Conv2d::load(w, "quant_conv", moments, -1, 1, true);
            moments = model->quantConv.outChannels();
            if (moments % 2 != 0)
                throw LoadError(w.where("quant_conv.weight") + " has an odd number of outputs (" +
                                str(moments) + ")");
        }
        latent = moments / 2;
        levels = std::int64_t(e.levels.size());
        std::vector<std::int64_t> channels;
        for (const Level& l : e.levels)
            channels.push_back(l.channels);
        notes.push_back("AutoencoderKL from weight shapes: base channels " +
                        str(e.convIn.outChannels()) + ", level channels " + joinInts(channels) +
                        " (" + str(levels) + " levels), " + str(e.levels.front().blocks.size()) +
                        " res blocks per level, " + str(latent) + " latent channels");
        notes.push_back(model->quantConv.weight.defined() ? "quant_conv present"
                                                          : "no quant_conv (SD3/FLUX.1 layout)");
    } else if (w.has("quant_conv.weight")) {
        w.shape("encoder.conv_in.weight"); // a lone quant_conv: report the missing encoder
    }

    if (w.hasPrefix("decoder.")) {
        std::int64_t decoderIn = latent;
        if (w.has("post_quant_conv.weight")) {
            const auto shape = w.shape("post_quant_conv.weight");
            if (latent < 0) latent = shape.size() > 1 ? shape[1] : 0;
            model->postQuantConv = Conv2d::load(w, "post_quant_conv", latent, -1, 1, true);
            decoderIn = model->postQuantConv.outChannels();
        } else if (latent < 0) {
            const auto shape = w.shape("decoder.conv_in.weight");
            latent = decoderIn = shape.size() > 1 ? shape[1] : 0;
        }
        model->decoder = KlDecoder::load(w, decoderIn);
        if (levels == 0) levels = std::int64_t(model->decoder->levels.size());
    }
    if (!model->encoder && !model->decoder) w.shape("encoder.conv_in.weight"); // throws
    if (!model->decoder) notes.push_back("no decoder (encoder-only file): decode is unavailable");
    if (!model->encoder) notes.push_back("no encoder (decoder-only file): encode is unavailable");

    model->latentChannels = int(latent);
    model->downscale = 1 << (levels - 1);
    if (spec.packed) {
        model->latentChannels *= 4;
        model->downscale *= 2;
    }
    if (spec.batchNormEps > 0.0) {
        model->bnMean = w.takeFloat("bn.running_mean", {model->latentChannels});
        model->bnVar = w.takeFloat("bn.running_var", {model->latentChannels});
        w.markUsed("bn.num_batches_tracked");
        notes.push_back("FLUX.2 latent batch-norm (bn.running_mean/var): mean packed 2x2 to " +
                        str(model->latentChannels) + " channels at " + str(model->downscale) +
                        "x, normalised with eps " + epsText(spec.batchNormEps));
    }
    w.requireAllUsed(flux2 ? "a FLUX.2 AutoencoderKL" : "an AutoencoderKL");
    return model;
}

} // namespace lb::vae
