// The random-weight VAEs of the float64-truth precision tests (tests/core/tst_precision_f64.cpp,
// tests/gpu/tst_gpu_precision_f64.cpp): every key format the loader reads, 3 and 4 levels, 4, 16,
// 32 and 128 latent channels, sizes that are odd multiples of the crop step, and biases shifted so
// that activations carry large means (where float32 rounding is amplified most); and how their
// float32 results are scored against the float64 mirror. Include LibTorch before Qt.
#pragma once

#include <torch/types.h>

#include "ComfyMirror.h"
#include "RandomVaes.h"

#include "latentbrush/Vae.h"

#include <QString>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lbtest {

struct PrecisionCase {
    std::string name;      // a readable row name: family, layout, levels, channels, size, shift
    Weights mirrorWeights; // LDM or raw TAESD names: what ComfyMirror reads
    Weights fileWeights;   // the same tensors in the file's key layout
    std::string fileName;  // the TAESD family of split raw files shows in the name
    std::optional<lb::VaeFamily> family; // --vae-family, where the file cannot say
    lb::VaeFamily expectedFamily = lb::VaeFamily::AutoencoderKL;
    int expectedLatentChannels = 4;
    bool taesd = false;   // taesd.py's encoder (else ComfyUI's AutoencoderKL Encoder)
    bool pack2x2 = false; // TAEF2: the latent is packed 2x2 after the encoder
    double scale = 1.0, shift = 0.0;
    int height = 0, width = 0;
    double biasShift = 0.0; // added to every convolution bias
};

// A case's input image, the same for every path: [H, W, 3] in 0..1, made from the case's index.
inline lb::ImageBuffer precisionImage(const PrecisionCase& c, int index) {
    at::manual_seed(900000 + index);
    return randomImage(c.height, c.width);
}

// Adds `shift` to every convolution bias (never to norms or batch-norm statistics).
inline void shiftConvBiases(Weights& w, double shift) {
    if (shift == 0.0) return;
    for (auto& [name, t] : w) {
        const bool bias = name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
        const bool norm =
            name.find("norm") != std::string::npos || name.find(".pool.1.") != std::string::npos;
        if (bias && !norm) t = t + shift;
    }
}

// The case of index `i`: the index picks the family, key layout, levels, channels, size and bias
// shift in turn, so any `count` consecutive cases cover every combination about evenly. Weights
// come from a seed of their own: a case is the same whatever else runs.
inline PrecisionCase makePrecisionCase(int i) {
    at::manual_seed(100000 + i);
    PrecisionCase c;
    static const double kShifts[] = {0.0, 8.0, 64.0};
    c.biasShift = kShifts[(i / 11) % 3];
    const int kind = i % 11; // 0-5 AutoencoderKL layouts, 6 FLUX.2, 7-10 TAESD family
    const int sizeA = 3 + (i / 3) % 3, sizeB = 3 + (i / 7) % 2; // odd and even multiples
    std::string layout;
    if (kind <= 6) {
        KlConfig cfg;
        cfg.ch = 32;
        const bool fourLevels = (i / 2) % 2 == 1;
        cfg.mult =
            fourLevels ? std::vector<std::int64_t>{1, 1, 2, 2} : std::vector<std::int64_t>{1, 2, 2};
        static const std::int64_t kZ[] = {4, 16, 32};
        cfg.z = kZ[(i / 5) % 3];
        cfg.decoder = false;
        cfg.quant = kind != 1;
        cfg.bn = kind == 6;
        if (cfg.bn) cfg.z = 32; // FLUX.2: 128 channels after packing
        c.mirrorWeights = klWeights(cfg);
        shiftConvBiases(c.mirrorWeights, c.biasShift);
        static const char* kLayouts[] = {"ldm",   "ldm-noquant",       "diffusers",
                                         "query", "first_stage_model", "vae"};
        layout = cfg.bn ? ((i / 4) % 2 ? "diffusers" : "ldm") : kLayouts[kind];
        const int levels = int(cfg.mult.size());
        if (layout == "diffusers" || layout == "query")
            c.fileWeights = toDiffusers(c.mirrorWeights, levels, layout == "query");
        else if (layout == "first_stage_model" || layout == "vae")
            c.fileWeights = withPrefix(c.mirrorWeights, layout + ".");
        else
            c.fileWeights = c.mirrorWeights;
        c.fileName = "kl.safetensors";
        c.expectedFamily = cfg.bn ? lb::VaeFamily::Flux2 : lb::VaeFamily::AutoencoderKL;
        c.expectedLatentChannels = cfg.latentChannels();
        const int d = cfg.downscale();
        c.height = d * sizeA;
        c.width = d * sizeB;
        c.name = std::string(cfg.bn ? "flux2" : "kl") + " " + layout + " " +
                 std::to_string(levels) + "L z" + std::to_string(c.expectedLatentChannels);
    } else {
        c.taesd = true;
        // taesd (4 ch), taesd3 (16), taef1 (16), taef2 (32, packed to 128)
        static const lb::VaeFamily kFamilies[] = {lb::VaeFamily::Taesd, lb::VaeFamily::Taesd3,
                                                  lb::VaeFamily::Taef1, lb::VaeFamily::Taef2};
        static const double kScale[] = {0.18215, 1.5305, 0.3611, 1.0};
        static const double kShift[] = {0.0, 0.0609, 0.1159, 0.0};
        static const char* kNames[] = {"taesd", "taesd3", "taef1", "taef2"};
        const int f = kind - 7;
        const std::int64_t latent = f == 0 ? 4 : f == 3 ? 32 : 16;
        c.pack2x2 = f == 3;
        c.mirrorWeights = taesdEncoderWeights(latent, c.pack2x2);
        shiftConvBiases(c.mirrorWeights, c.biasShift);
        c.expectedFamily = kFamilies[f];
        c.scale = kScale[f];
        c.shift = kShift[f];
        c.expectedLatentChannels = int(latent) * (c.pack2x2 ? 4 : 1);
        static const char* kLayouts[] = {"raw", "diffusers", "comfy"};
        layout = kLayouts[(i / 11) % 3];
        if (layout == "raw") {
            c.fileWeights = c.mirrorWeights;
            c.fileName = std::string(kNames[f]) + "_encoder.safetensors";
        } else if (layout == "diffusers") {
            c.fileWeights = renamed(c.mirrorWeights,
                                    [](const std::string& n) { return "encoder.layers." + n; });
            c.fileName = "model.safetensors";
            c.family = kFamilies[f];
        } else { // ComfyUI's TAESD module: the family follows from vae_scale
            c.fileWeights =
                renamed(c.mirrorWeights, [](const std::string& n) { return "taesd_encoder." + n; });
            if (!c.pack2x2) { // TAEF2's latent channels alone tell its family
                c.fileWeights.push_back({"vae_scale", at::scalar_tensor(c.scale, at::kFloat)});
                c.fileWeights.push_back({"vae_shift", at::scalar_tensor(c.shift, at::kFloat)});
            }
            c.fileName = "tiny.safetensors";
        }
        const int d = c.pack2x2 ? 16 : 8;
        c.height = d * sizeA;
        c.width = d * sizeB;
        c.name =
            std::string(kNames[f]) + " " + layout + " z" + std::to_string(c.expectedLatentChannels);
    }
    c.name += " " + std::to_string(c.height) + "x" + std::to_string(c.width);
    if (c.biasShift != 0.0) c.name += " bias+" + std::to_string(int(c.biasShift));
    return c;
}

// The data rows of a test over the first `count` cases: column "index", one row "NNN name" each.
inline void addPrecisionCaseRows(int count) {
    QTest::addColumn<int>("index");
    for (int i = 0; i < count; ++i) {
        const QString name = QStringLiteral("%1 %2")
                                 .arg(i, 3, 10, QLatin1Char('0'))
                                 .arg(QString::fromStdString(makePrecisionCase(i).name));
        QTest::newRow(qPrintable(name)) << i;
    }
}

// ComfyUI's encode of the case in the mirror's dtype (float64: the truth), as float64.
inline at::Tensor mirrorEncode(const PrecisionCase& c, const lb::ImageBuffer& image,
                               at::ScalarType dtype) {
    const ComfyMirror mirror(c.mirrorWeights, dtype);
    const at::Tensor pixels = toNchw(image).to(dtype);
    at::Tensor z;
    if (!c.taesd) {
        z = mirror.klEncode(pixels);
    } else {
        z = mirror.taesdEncode(pixels) / c.scale + c.shift;
        if (c.pack2x2) z = pack(z);
    }
    return z.to(at::kDouble);
}

// How far a float32 result is from the truth: relative L2 and the largest
// |out - truth| / max(1, |truth|) (docs/NUMERICS.md's element-wise measure).
struct TruthError {
    double relL2 = 0.0;
    double maxScaled = 0.0;
};

inline TruthError errorAgainst(const at::Tensor& out, const at::Tensor& truth) {
    const at::Tensor o = out.to(at::kDouble), t = truth.to(at::kDouble);
    TruthError e;
    e.relL2 = (o - t).norm().item<double>() / std::max(1e-300, t.norm().item<double>());
    e.maxScaled = ((o - t).abs() / t.abs().clamp_min(1.0)).max().item<double>();
    return e;
}

// The judgement of docs/NUMERICS.md ("Tolerances"): a float32 path that computes differently from
// the reference must be at least as close to the float64 truth as the reference's float32 is. Two
// float32 evaluations in different summation orders are equally good only on average: case by case
// their errors scatter (measured: up to 1.4x apart on well-conditioned VAEs, where both are
// float32's own rounding). So a case passes when the path is within that scatter of the reference,
// or at the level of float32 rounding itself; over all cases, the medians and the largest errors
// must not be worse.
inline constexpr double kUnitRoundoff = 5.96e-8;                         // 2^-24
inline constexpr double kRoundoffFloorRelL2 = 32.0 * kUnitRoundoff;      // 1.9e-6
inline constexpr double kRoundoffFloorMaxScaled = 128.0 * kUnitRoundoff; // 7.6e-6
inline constexpr double kOrderScatter = 1.5;

inline bool atLeastAsClose(const TruthError& path, const TruthError& reference) {
    return path.relL2 <= std::max(reference.relL2 * kOrderScatter, kRoundoffFloorRelL2) &&
           path.maxScaled <= std::max(reference.maxScaled * kOrderScatter, kRoundoffFloorMaxScaled);
}

// Figures over many cases: the median and the largest of one measure.
struct Spread {
    double median = 0.0, max = 0.0, min = 0.0;
};

inline Spread spreadOf(std::vector<double> v) {
    Spread s;
    if (v.empty()) return s;
    std::sort(v.begin(), v.end());
    s.min = v.front();
    s.max = v.back();
    s.median = v[v.size() / 2];
    return s;
}

} // namespace lbtest
