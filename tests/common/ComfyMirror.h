// ComfyUI's VAE classes step by step in functional LibTorch (the mirror that tests compare the
// core with, in float32 or float64), and the key layouts other than LDM's that files come in.
// Include LibTorch before Qt (its `slots` macro).
#pragma once

#include <torch/types.h>

#include "RandomVaes.h"

#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <regex>
#include <string>
#include <utility>
#include <vector>

namespace lbtest {

// ---- other key layouts ----------------------------------------------------------------------

inline Weights renamed(const Weights& w,
                       const std::function<std::string(const std::string&)>& rename) {
    Weights out;
    for (const auto& [name, t] : w)
        out.push_back({rename(name), t});
    return out;
}

// diffusers AutoencoderKL names, written out independently of the core's mapping: decoder
// up_blocks in reverse order, attention as linear layers ([C, C] weights).
inline Weights toDiffusers(const Weights& w, int levels, bool queryStyle) {
    Weights out;
    for (const auto& [name, tensor] : w) {
        std::string n = name;
        at::Tensor t = tensor;
        std::smatch m;
        static const std::regex down(R"(encoder\.down\.(\d+)\.block\.(\d+)\.(.*))");
        static const std::regex ds(R"(encoder\.down\.(\d+)\.downsample\.(.*))");
        static const std::regex up(R"(decoder\.up\.(\d+)\.block\.(\d+)\.(.*))");
        static const std::regex us(R"(decoder\.up\.(\d+)\.upsample\.(.*))");
        static const std::regex mid(R"((encoder|decoder)\.mid\.block_(\d)\.(.*))");
        static const std::regex attn(R"((encoder|decoder)\.mid\.attn_1\.(\w+)\.(.*))");
        static const std::regex norm(R"((encoder|decoder)\.norm_out\.(.*))");
        auto shortcut = [](std::string s) {
            return s.rfind("nin_shortcut.", 0) == 0 ? "conv_shortcut." + s.substr(13) : s;
        };
        if (std::regex_match(name, m, down)) {
            n = "encoder.down_blocks." + m[1].str() + ".resnets." + m[2].str() + "." +
                shortcut(m[3].str());
        } else if (std::regex_match(name, m, ds)) {
            n = "encoder.down_blocks." + m[1].str() + ".downsamplers.0." + m[2].str();
        } else if (std::regex_match(name, m, up)) {
            n = "decoder.up_blocks." + std::to_string(levels - 1 - std::stoi(m[1].str())) +
                ".resnets." + m[2].str() + "." + shortcut(m[3].str());
        } else if (std::regex_match(name, m, us)) {
            n = "decoder.up_blocks." + std::to_string(levels - 1 - std::stoi(m[1].str())) +
                ".upsamplers.0." + m[2].str();
        } else if (std::regex_match(name, m, mid)) {
            n = m[1].str() + ".mid_block.resnets." + std::to_string(std::stoi(m[2].str()) - 1) +
                "." + m[3].str();
        } else if (std::regex_match(name, m, attn)) {
            const std::map<std::string, std::pair<std::string, std::string>> names{
                {"norm", {"group_norm", "group_norm"}},
                {"q", {"to_q", "query"}},
                {"k", {"to_k", "key"}},
                {"v", {"to_v", "value"}},
                {"proj_out", {"to_out.0", "proj_attn"}}};
            const auto& pair = names.at(m[2].str());
            n = m[1].str() + ".mid_block.attentions.0." + (queryStyle ? pair.second : pair.first) +
                "." + m[3].str();
            if (t.dim() == 4) t = t.reshape({t.size(0), t.size(1)}); // linear layer
        } else if (std::regex_match(name, m, norm)) {
            n = m[1].str() + ".conv_norm_out." + m[2].str();
        }
        out.push_back({n, t});
    }
    return out;
}

inline Weights withPrefix(const Weights& w, const std::string& prefix) {
    Weights out = renamed(w, [&](const std::string& n) { return prefix + n; });
    // the rest of a full checkpoint, which the loader must skip
    out.push_back({"model.diffusion_model.input_blocks.0.0.weight", at::randn({8, 4, 3, 3})});
    out.push_back({"cond_stage_model.transformer.embeddings.weight", at::randn({10, 8})});
    return out;
}

// ---- the mirror: ComfyUI's classes, step by step, in functional LibTorch -----------------------

// Runs in the dtype it is made with: float32 repeats the reference's operations (the goldens' and
// the reference kernels' numbers), float64 gives the exact result the float32 paths are judged by.
class ComfyMirror {
public:
    explicit ComfyMirror(const Weights& w, at::ScalarType dtype = at::kFloat) : dtype_(dtype) {
        for (const auto& [name, t] : w)
            sd_[name] = t.is_floating_point() ? t.to(dtype) : t;
    }
    at::ScalarType dtype() const { return dtype_; }
    bool has(const std::string& n) const { return sd_.count(n) != 0; }
    const at::Tensor& t(const std::string& n) const { return sd_.at(n); }

    at::Tensor conv(const at::Tensor& x, const std::string& p, std::int64_t stride = 1,
                    std::int64_t pad = -1) const {
        const at::Tensor& wt = t(p + ".weight");
        if (pad < 0) pad = wt.size(2) / 2;
        const at::Tensor b = has(p + ".bias") ? t(p + ".bias") : at::Tensor();
        const std::vector<std::int64_t> s{stride, stride}, pd{pad, pad};
        return at::conv2d(x, wt, b, at::IntArrayRef(s), at::IntArrayRef(pd));
    }
    at::Tensor norm(const at::Tensor& x, const std::string& p, std::int64_t groups = 32,
                    double eps = 1e-6) const {
        return at::group_norm(x, groups, t(p + ".weight"), t(p + ".bias"), eps);
    }
    // ResnetBlock.forward
    at::Tensor resnet(const at::Tensor& x, const std::string& p) const {
        at::Tensor h = norm(x, p + "norm1");
        h = at::silu(h);
        h = conv(h, p + "conv1");
        h = norm(h, p + "norm2");
        h = at::silu(h);
        h = conv(h, p + "conv2");
        const at::Tensor skip = has(p + "nin_shortcut.weight") ? conv(x, p + "nin_shortcut") : x;
        return skip + h;
    }
    // AttnBlock.forward with normal_attention
    at::Tensor attention(const at::Tensor& x, const std::string& p) const {
        const at::Tensor h = norm(x, p + "norm");
        at::Tensor q = conv(h, p + "q"), k = conv(h, p + "k"), v = conv(h, p + "v");
        const std::int64_t b = q.size(0), c = q.size(1), hh = q.size(2), ww = q.size(3);
        q = q.reshape({b, c, hh * ww}).permute({0, 2, 1});
        k = k.reshape({b, c, hh * ww});
        at::Tensor w = at::bmm(q, k) * std::pow(double(c), -0.5);
        w = at::softmax(w, 2);
        v = v.reshape({b, c, hh * ww});
        w = w.permute({0, 2, 1});
        const at::Tensor out = at::bmm(v, w).reshape({b, c, hh, ww});
        return x + conv(out, p + "proj_out");
    }
    // Encoder.forward + quant_conv + DiagonalGaussian mode (+ FLUX.2 pack and batch-norm)
    at::Tensor klEncode(const at::Tensor& pixels) const {
        at::Tensor h = conv(pixels * 2.0 - 1.0, "encoder.conv_in");
        for (int i = 0; has("encoder.down." + std::to_string(i) + ".block.0.conv1.weight"); ++i) {
            const std::string p = "encoder.down." + std::to_string(i) + ".";
            for (int j = 0; has(p + "block." + std::to_string(j) + ".conv1.weight"); ++j)
                h = resnet(h, p + "block." + std::to_string(j) + ".");
            if (has(p + "downsample.conv.weight")) {
                h = at::constant_pad_nd(h, {0, 1, 0, 1}, 0);
                h = conv(h, p + "downsample.conv", 2, 0);
            }
        }
        h = resnet(h, "encoder.mid.block_1.");
        h = attention(h, "encoder.mid.attn_1.");
        h = resnet(h, "encoder.mid.block_2.");
        h = at::silu(norm(h, "encoder.norm_out"));
        h = conv(h, "encoder.conv_out");
        if (has("quant_conv.weight")) h = conv(h, "quant_conv");
        at::Tensor mean = at::chunk(h, 2, 1)[0];
        if (!has("bn.running_mean")) return mean;
        const std::int64_t b = mean.size(0), c = mean.size(1), i = mean.size(2) / 2,
                           j = mean.size(3) / 2;
        mean =
            mean.reshape({b, c, i, 2, j, 2}).permute({0, 1, 3, 5, 2, 4}).reshape({b, c * 4, i, j});
        return (mean - t("bn.running_mean").view({1, -1, 1, 1})) /
               at::sqrt(t("bn.running_var").view({1, -1, 1, 1}) + 1e-4);
    }
    // (FLUX.2 unnormalise and unpack) post_quant_conv + Decoder.forward, then (x + 1) / 2 clamped
    at::Tensor klDecode(at::Tensor z) const {
        if (has("bn.running_mean")) {
            z = z * at::sqrt(t("bn.running_var").view({1, -1, 1, 1}) + 1e-4) +
                t("bn.running_mean").view({1, -1, 1, 1});
            const std::int64_t b = z.size(0), c = z.size(1) / 4, i = z.size(2), j = z.size(3);
            z = z.reshape({b, c, 2, 2, i, j})
                    .permute({0, 1, 4, 2, 5, 3})
                    .reshape({b, c, i * 2, j * 2});
        }
        if (has("post_quant_conv.weight")) z = conv(z, "post_quant_conv");
        at::Tensor h = conv(z, "decoder.conv_in");
        h = resnet(h, "decoder.mid.block_1.");
        h = attention(h, "decoder.mid.attn_1.");
        h = resnet(h, "decoder.mid.block_2.");
        int levels = 0;
        while (has("decoder.up." + std::to_string(levels) + ".block.0.conv1.weight"))
            ++levels;
        for (int i = levels - 1; i >= 0; --i) {
            const std::string p = "decoder.up." + std::to_string(i) + ".";
            for (int j = 0; has(p + "block." + std::to_string(j) + ".conv1.weight"); ++j)
                h = resnet(h, p + "block." + std::to_string(j) + ".");
            if (i != 0) {
                h = at::upsample_nearest2d(h,
                                           std::vector<std::int64_t>{h.size(2) * 2, h.size(3) * 2});
                h = conv(h, p + "upsample.conv");
            }
        }
        h = at::silu(norm(h, "decoder.norm_out"));
        h = conv(h, "decoder.conv_out");
        return at::clamp((h + 1.0) / 2.0, 0.0, 1.0);
    }
    // taesd.py Block.forward (with the TAEF2 pool branch when present)
    at::Tensor taesdBlock(at::Tensor x, const std::string& p) const {
        if (has(p + ".pool.0.weight")) {
            at::Tensor y = conv(x, p + ".pool.0");
            y = at::relu(norm(y, p + ".pool.1", 4, 1e-5));
            x = x + conv(y, p + ".pool.3");
        }
        at::Tensor h = at::relu(conv(x, p + ".conv.0"));
        h = at::relu(conv(h, p + ".conv.2"));
        h = conv(h, p + ".conv.4");
        return at::relu(h + x);
    }
    // Encoder(): the Sequential, raw names
    at::Tensor taesdEncode(at::Tensor x) const {
        const std::string layout = "CBDBBBDBBBDBBBC";
        for (std::size_t i = 0; i < layout.size(); ++i) {
            const std::string n = std::to_string(i);
            if (layout[i] == 'B')
                x = taesdBlock(x, n);
            else
                x = conv(x, n, layout[i] == 'D' ? 2 : 1, 1);
        }
        return x;
    }
    at::Tensor taesdDecode(at::Tensor x) const {
        const std::string layout = "ZCRBBBUNBBBUNBBBUNBC";
        for (std::size_t i = 0; i < layout.size(); ++i) {
            const std::string n = std::to_string(i);
            switch (layout[i]) {
            case 'Z':
                x = at::tanh(x / 3) * 3;
                break;
            case 'R':
                x = at::relu(x);
                break;
            case 'B':
                x = taesdBlock(x, n);
                break;
            case 'U':
                x = at::upsample_nearest2d(x,
                                           std::vector<std::int64_t>{x.size(2) * 2, x.size(3) * 2});
                break;
            default:
                x = conv(x, n);
                break;
            }
        }
        return x;
    }

private:
    at::ScalarType dtype_;
    std::map<std::string, at::Tensor> sd_;
};

inline at::Tensor pack(const at::Tensor& z) {
    const std::int64_t b = z.size(0), c = z.size(1), i = z.size(2) / 2, j = z.size(3) / 2;
    return z.reshape({b, c, i, 2, j, 2}).permute({0, 1, 3, 5, 2, 4}).reshape({b, c * 4, i, j});
}
inline at::Tensor unpack(const at::Tensor& z) {
    const std::int64_t b = z.size(0), c = z.size(1) / 4, i = z.size(2), j = z.size(3);
    return z.reshape({b, c, 2, 2, i, j}).permute({0, 1, 4, 2, 5, 3}).reshape({b, c, i * 2, j * 2});
}

// ---- buffers <-> tensors ---------------------------------------------------------------------

inline at::Tensor toNchw(const lb::ImageBuffer& img) {
    return at::from_blob(const_cast<float*>(img.data.data()),
                         {1, img.height, img.width, img.channels})
        .permute({0, 3, 1, 2})
        .contiguous();
}

} // namespace lbtest
