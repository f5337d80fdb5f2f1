// Random-weight VAE files for tests: ComfyUI's AutoencoderKL (LDM names, optional decoder and
// FLUX.2 batch-norm) and taesd.py's Sequentials (raw names, TAEF2's pool branches), as named
// tensors to write with lb::writeTensors; random images, latents as tensors, and the float32 and
// reduced-precision tolerances of docs/NUMERICS.md. Include LibTorch before Qt (its `slots` macro).
#pragma once

#include <torch/types.h>

#include "latentbrush/Buffers.h"
#include "latentbrush/SafetensorsTorch.h"
#include "latentbrush/Vae.h"

#include "Tolerances.h"

#include <QString>
#include <QTemporaryDir>
#include <QtGlobal>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

using Weights = std::vector<std::pair<std::string, at::Tensor>>;

namespace lbtest {

inline void addConv(Weights& w, const std::string& name, std::int64_t out, std::int64_t in,
                    std::int64_t k, bool bias = true) {
    w.push_back(
        {name + ".weight", at::randn({out, in, k, k}) * (1.0 / std::sqrt(double(in * k * k)))});
    if (bias) w.push_back({name + ".bias", at::randn({out}) * 0.1});
}

inline void addNorm(Weights& w, const std::string& name, std::int64_t c) {
    w.push_back({name + ".weight", at::randn({c}) * 0.1 + 1.0});
    w.push_back({name + ".bias", at::randn({c}) * 0.1});
}

inline void addResnet(Weights& w, const std::string& p, std::int64_t in, std::int64_t out) {
    addNorm(w, p + "norm1", in);
    addConv(w, p + "conv1", out, in, 3);
    addNorm(w, p + "norm2", out);
    addConv(w, p + "conv2", out, out, 3);
    if (in != out) addConv(w, p + "nin_shortcut", out, in, 1);
}

inline void addAttention(Weights& w, const std::string& p, std::int64_t c) {
    addNorm(w, p + "norm", c);
    for (const char* n : {"q", "k", "v", "proj_out"})
        addConv(w, p + n, c, c, 1);
}

struct KlConfig {
    std::int64_t ch = 32;
    std::vector<std::int64_t> mult{1, 1, 2};
    std::int64_t blocks = 1;
    std::int64_t z = 4;
    bool quant = true;
    bool decoder = true;
    bool bn = false;
    int downscale() const { return (1 << (int(mult.size()) - 1)) * (bn ? 2 : 1); }
    int latentChannels() const { return int(z) * (bn ? 4 : 1); }
};

// An AutoencoderKL in LDM names, as ComfyUI's Encoder/Decoder hold their parameters.
inline Weights klWeights(const KlConfig& c) {
    Weights w;
    const auto levels = std::int64_t(c.mult.size());
    addConv(w, "encoder.conv_in", c.ch, 3, 3);
    std::int64_t in = c.ch;
    for (std::int64_t i = 0; i < levels; ++i) {
        const std::int64_t out = c.ch * c.mult[std::size_t(i)];
        for (std::int64_t j = 0; j < c.blocks; ++j) {
            addResnet(w, "encoder.down." + std::to_string(i) + ".block." + std::to_string(j) + ".",
                      in, out);
            in = out;
        }
        if (i != levels - 1)
            addConv(w, "encoder.down." + std::to_string(i) + ".downsample.conv", in, in, 3);
    }
    addResnet(w, "encoder.mid.block_1.", in, in);
    addAttention(w, "encoder.mid.attn_1.", in);
    addResnet(w, "encoder.mid.block_2.", in, in);
    addNorm(w, "encoder.norm_out", in);
    addConv(w, "encoder.conv_out", 2 * c.z, in, 3);
    if (c.quant) addConv(w, "quant_conv", 2 * c.z, 2 * c.z, 1);
    if (c.decoder) {
        if (c.quant) addConv(w, "post_quant_conv", c.z, c.z, 1);
        in = c.ch * c.mult.back();
        addConv(w, "decoder.conv_in", in, c.z, 3);
        addResnet(w, "decoder.mid.block_1.", in, in);
        addAttention(w, "decoder.mid.attn_1.", in);
        addResnet(w, "decoder.mid.block_2.", in, in);
        for (std::int64_t i = levels - 1; i >= 0; --i) {
            const std::int64_t out = c.ch * c.mult[std::size_t(i)];
            for (std::int64_t j = 0; j < c.blocks + 1; ++j) {
                addResnet(w,
                          "decoder.up." + std::to_string(i) + ".block." + std::to_string(j) + ".",
                          in, out);
                in = out;
            }
            if (i != 0) addConv(w, "decoder.up." + std::to_string(i) + ".upsample.conv", in, in, 3);
        }
        addNorm(w, "decoder.norm_out", in);
        addConv(w, "decoder.conv_out", 3, in, 3);
    }
    if (c.bn) {
        w.push_back({"bn.running_mean", at::randn({4 * c.z}) * 0.1});
        w.push_back({"bn.running_var", at::rand({4 * c.z}) + 0.5});
        w.push_back({"bn.num_batches_tracked", at::scalar_tensor(int64_t(100), at::kLong)});
    }
    return w;
}

// taesd.py's Sequentials (width 32 instead of 64 to keep the test quick).
inline constexpr std::int64_t kTaesdWidth = 32;

inline void addTaesdBlock(Weights& w, const std::string& name, bool pool) {
    const std::int64_t c = kTaesdWidth;
    addConv(w, name + ".conv.0", c, c, 3);
    addConv(w, name + ".conv.2", c, c, 3);
    addConv(w, name + ".conv.4", c, c, 3);
    if (pool) {
        addConv(w, name + ".pool.0", 4 * c, c, 1, false);
        addNorm(w, name + ".pool.1", 4 * c);
        addConv(w, name + ".pool.3", c, 4 * c, 1, false);
    }
}

// Raw names ("0.weight"); `pool`: TAEF2's blocks 11-13 (encoder) and 3-5 (decoder).
inline Weights taesdEncoderWeights(std::int64_t latent, bool pool) {
    Weights w;
    const std::string layout = "CBDBBBDBBBDBBBC";
    for (std::size_t i = 0; i < layout.size(); ++i) {
        const std::string n = std::to_string(i);
        if (layout[i] == 'B') addTaesdBlock(w, n, pool && i >= 11 && i <= 13);
        if (layout[i] == 'D') addConv(w, n, kTaesdWidth, kTaesdWidth, 3, false);
        if (layout[i] == 'C')
            addConv(w, n, i == 0 ? kTaesdWidth : latent, i == 0 ? 3 : kTaesdWidth, 3);
    }
    return w;
}

inline Weights taesdDecoderWeights(std::int64_t latent, bool pool) {
    Weights w;
    const std::string layout = "ZCRBBBUNBBBUNBBBUNBC";
    for (std::size_t i = 0; i < layout.size(); ++i) {
        const std::string n = std::to_string(i);
        if (layout[i] == 'B') addTaesdBlock(w, n, pool && i >= 3 && i <= 5);
        if (layout[i] == 'N') addConv(w, n, kTaesdWidth, kTaesdWidth, 3, false);
        if (layout[i] == 'C')
            addConv(w, n, i == 1 ? kTaesdWidth : 3, i == 1 ? latent : kTaesdWidth, 3);
    }
    return w;
}

// ---- tolerances, images, comparisons ------------------------------------------------------

// The tolerances are Tolerances.h's (kFloat32RelL2, kElementTolerance, kFp16RelL2, kBf16RelL2).

inline lb::ImageBuffer randomImage(int h, int w) {
    const at::Tensor t = at::rand({h, w, 3});
    lb::ImageBuffer img;
    img.height = h;
    img.width = w;
    img.channels = 3;
    img.data.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    return img;
}

inline at::Tensor toTensor(const lb::LatentBuffer& l) {
    return at::from_blob(const_cast<float*>(l.data.data()), at::IntArrayRef(l.shape)).clone();
}

// Tolerances.h's relativeL2 for tensors of any dtype, computed in double.
inline double relL2(const at::Tensor& out, const at::Tensor& ref) {
    const at::Tensor r = ref.to(at::kDouble);
    const double num = (out.to(at::kDouble) - r).norm().item<double>();
    const double den = r.norm().item<double>();
    return den > 0.0 ? num / den : num;
}

// Writes `w` as NAME in `dir` and returns its path (a test cannot go on without it).
inline std::string write(const QTemporaryDir& dir, const QString& name, const Weights& w,
                         const std::map<std::string, std::string>& metadata = {}) {
    const std::string path = dir.filePath(name).toStdString();
    const lb::Status st = lb::writeTensors(path, w, metadata);
    if (!st) qFatal("writing %s: %s", path.c_str(), st.message().c_str());
    return path;
}

inline lb::VaeLoadOptions cpuOptions(lb::ComputeDType dtype = lb::ComputeDType::F32) {
    lb::VaeLoadOptions o;
    o.device = "cpu";
    o.dtype = dtype;
    return o;
}

// ---- reduced precision -------------------------------------------------------------------

// The file of the reduced-precision checks: "kl" (a small AutoencoderKL) or "taef2" (its encoder).
inline std::string precisionVaeFile(const QTemporaryDir& dir, const QString& model) {
    return model == QStringLiteral("kl")
               ? write(dir, QStringLiteral("precision-kl.safetensors"), klWeights(KlConfig{}))
               : write(dir, QStringLiteral("precision_encoder.safetensors"),
                       taesdEncoderWeights(32, true));
}

struct PrecisionError {
    bool ok = false;    // both encodes ran
    double relL2 = 0.0; // of `reduced`'s latent against `full`'s
    double limit = 0.0; // docs/NUMERICS.md's bound for the dtype
};

// A random 64x64 image encoded by `full` (CPU float32) and by `reduced` (another device or dtype).
inline PrecisionError reducedPrecisionError(lb::Vae& full, lb::Vae& reduced,
                                            lb::ComputeDType dtype) {
    const lb::ImageBuffer image = randomImage(64, 64);
    auto a = full.encode(image);
    auto b = reduced.encode(image);
    PrecisionError e;
    e.limit = dtype == lb::ComputeDType::BF16  ? kBf16RelL2
              : dtype == lb::ComputeDType::F16 ? kFp16RelL2
                                               : kFloat32RelL2;
    if (!a.ok() || !b.ok()) return e;
    e.ok = true;
    e.relL2 = relL2(toTensor(b.value()), toTensor(a.value()));
    return e;
}

} // namespace lbtest
