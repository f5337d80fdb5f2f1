// A tiny TAESD encoder or decoder (taesd.py's Sequentials in raw names, 8 channels wide) as a list
// of named tensors that a test may spoil (a NaN weight, a missing or misshapen tensor, another
// dtype) before writing it as a safetensors file. Without LibTorch, for the bad-input suites of
// the core and the CLI.
#pragma once

#include "latentbrush/Result.h"
#include "latentbrush/Safetensors.h"

#include <QString>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace lbtest {

struct TinyTensor {
    std::string name;
    lb::DType dtype = lb::DType::F32;
    std::vector<std::int64_t> shape;
    std::vector<float> values;
};
using TinyModel = std::vector<TinyTensor>;

inline void addTinyConv(TinyModel& m, const std::string& n, std::int64_t out, std::int64_t in,
                        bool bias = true) {
    m.push_back({n + ".weight", lb::DType::F32, {out, in, 3, 3}, {}});
    if (bias) m.push_back({n + ".bias", lb::DType::F32, {out}, {}});
}

// The encoder (or decoder) with `latent` channels, its weights small pseudo-random values from
// `seed` (a linear congruential generator: the same seed gives the same file).
inline TinyModel tinyTaesdHalf(bool encoder, std::int64_t latent, std::uint32_t seed) {
    TinyModel m;
    const std::int64_t c = 8;
    const std::string layout = encoder ? "CBDBBBDBBBDBBBC" : "ZCRBBBUNBBBUNBBBUNBC";
    for (std::size_t i = 0; i < layout.size(); ++i) {
        const std::string n = std::to_string(i);
        if (layout[i] == 'B')
            for (const char* k : {".conv.0", ".conv.2", ".conv.4"})
                addTinyConv(m, n + k, c, c);
        if (layout[i] == 'D' || layout[i] == 'N') addTinyConv(m, n, c, c, false);
        if (layout[i] == 'C') {
            if (encoder)
                addTinyConv(m, n, i == 0 ? c : latent, i == 0 ? 3 : c);
            else
                addTinyConv(m, n, i == 1 ? c : 3, i == 1 ? latent : c);
        }
    }
    std::uint32_t state = seed;
    for (TinyTensor& t : m) {
        std::int64_t count = 1;
        for (std::int64_t d : t.shape)
            count *= d;
        for (std::int64_t i = 0; i < count; ++i) {
            state = state * 1664525u + 1013904223u;
            t.values.push_back(float(int(state >> 9) % 2001 - 1000) / 20000.0f);
        }
    }
    return m;
}

// Writes `model` as a safetensors file: each F32 tensor's values (as many as fit its shape, the
// rest zero), any other dtype filled with the bytes i * 7.
inline lb::Status writeTinyModel(const QString& path, const TinyModel& model,
                                 const std::map<std::string, std::string>& metadata = {}) {
    std::vector<std::vector<std::uint8_t>> bytes;
    std::vector<lb::TensorToWrite> tensors;
    for (const TinyTensor& t : model) {
        std::int64_t count = 1;
        for (std::int64_t d : t.shape)
            count *= d;
        std::vector<std::uint8_t> b(std::size_t(count) * lb::dtypeSize(t.dtype), 0);
        if (t.dtype == lb::DType::F32 && !b.empty() && !t.values.empty())
            std::memcpy(b.data(), t.values.data(), std::min(b.size(), t.values.size() * 4));
        else
            for (std::size_t i = 0; i < b.size(); ++i)
                b[i] = std::uint8_t(i * 7);
        bytes.push_back(std::move(b));
    }
    for (std::size_t i = 0; i < model.size(); ++i)
        tensors.push_back(
            {model[i].name, model[i].dtype, model[i].shape, bytes[i].data(), bytes[i].size()});
    return lb::writeSafetensors(path.toStdString(), tensors, metadata);
}

} // namespace lbtest
