// VaeKeys: detects a file's naming of VAE tensors and maps names between it and the canonical
// (LDM / raw taesd.py) naming, both ways, so errors can name tensors as the file does.
#include "vae/VaeKeys.h"

#include "vae/VaeModel.h"

#include <algorithm>
#include <cctype>
#include <regex>

namespace lb::vae {
namespace {

bool startsWith(const std::string& s, const std::string& p) {
    return s.rfind(p, 0) == 0;
}

bool isDigits(const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// "12.conv.0.weight" -> "12" (the leading index of a raw nn.Sequential name), or "".
std::string leadingIndex(const std::string& name) {
    const auto dot = name.find('.');
    const std::string head = name.substr(0, dot);
    return isDigits(head) ? head : std::string();
}

// Training leftovers some VAE files carry (LPIPS/discriminator weights, EMA counters).
bool isTrainingLeftover(const std::string& name) {
    return startsWith(name, "loss.") || startsWith(name, "model_ema.");
}

// Attention sub-module names: diffusers (two generations) <-> LDM.
struct AttnName {
    const char* ldm;
    const char* toStyle;    // diffusers >= 0.14
    const char* queryStyle; // older diffusers
};
constexpr AttnName kAttnNames[] = {
    {"norm.", "group_norm.", "group_norm."},
    {"q.", "to_q.", "query."},
    {"k.", "to_k.", "key."},
    {"v.", "to_v.", "value."},
    {"proj_out.", "to_out.0.", "proj_attn."},
};

std::string replaceHead(const std::string& rest, const std::string& from, const std::string& to) {
    return startsWith(rest, from) ? to + rest.substr(from.size()) : rest;
}

std::string diffusersToLdm(const std::string& key, int upBlocks) {
    static const std::regex downRes(R"(encoder\.down_blocks\.(\d+)\.resnets\.(\d+)\.(.*))");
    static const std::regex downSample(
        R"(encoder\.down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.*))");
    static const std::regex upRes(R"(decoder\.up_blocks\.(\d+)\.resnets\.(\d+)\.(.*))");
    static const std::regex upSample(R"(decoder\.up_blocks\.(\d+)\.upsamplers\.0\.conv\.(.*))");
    static const std::regex midRes(R"((encoder|decoder)\.mid_block\.resnets\.(\d+)\.(.*))");
    static const std::regex midAttn(R"((encoder|decoder)\.mid_block\.attentions\.0\.(.*))");
    static const std::regex normOut(R"((encoder|decoder)\.conv_norm_out\.(.*))");
    std::smatch m;
    auto level = [&](const std::string& text) { return upBlocks - 1 - std::stoi(text); };
    if (std::regex_match(key, m, downRes))
        return "encoder.down." + m[1].str() + ".block." + m[2].str() + "." +
               replaceHead(m[3].str(), "conv_shortcut.", "nin_shortcut.");
    if (std::regex_match(key, m, downSample))
        return "encoder.down." + m[1].str() + ".downsample.conv." + m[2].str();
    if (std::regex_match(key, m, upRes) && level(m[1].str()) >= 0)
        return "decoder.up." + std::to_string(level(m[1].str())) + ".block." + m[2].str() + "." +
               replaceHead(m[3].str(), "conv_shortcut.", "nin_shortcut.");
    if (std::regex_match(key, m, upSample) && level(m[1].str()) >= 0)
        return "decoder.up." + std::to_string(level(m[1].str())) + ".upsample.conv." + m[2].str();
    if (std::regex_match(key, m, midRes) && (m[2].str() == "0" || m[2].str() == "1"))
        return m[1].str() + ".mid.block_" + (m[2].str() == "0" ? "1." : "2.") + m[3].str();
    if (std::regex_match(key, m, midAttn)) {
        const std::string rest = m[2].str();
        for (const AttnName& a : kAttnNames) {
            if (startsWith(rest, a.toStyle))
                return m[1].str() + ".mid.attn_1." + a.ldm +
                       rest.substr(std::string(a.toStyle).size());
            if (startsWith(rest, a.queryStyle))
                return m[1].str() + ".mid.attn_1." + a.ldm +
                       rest.substr(std::string(a.queryStyle).size());
        }
        return key;
    }
    if (std::regex_match(key, m, normOut)) return m[1].str() + ".norm_out." + m[2].str();
    return key;
}

std::string ldmToDiffusers(const std::string& key, int upBlocks, bool queryStyle) {
    static const std::regex downRes(R"(encoder\.down\.(\d+)\.block\.(\d+)\.(.*))");
    static const std::regex downSample(R"(encoder\.down\.(\d+)\.downsample\.conv\.(.*))");
    static const std::regex upRes(R"(decoder\.up\.(\d+)\.block\.(\d+)\.(.*))");
    static const std::regex upSample(R"(decoder\.up\.(\d+)\.upsample\.conv\.(.*))");
    static const std::regex midRes(R"((encoder|decoder)\.mid\.block_([12])\.(.*))");
    static const std::regex midAttn(R"((encoder|decoder)\.mid\.attn_1\.(.*))");
    static const std::regex normOut(R"((encoder|decoder)\.norm_out\.(.*))");
    std::smatch m;
    auto block = [&](const std::string& text) {
        return std::to_string(std::max(0, upBlocks - 1 - std::stoi(text)));
    };
    if (std::regex_match(key, m, downRes))
        return "encoder.down_blocks." + m[1].str() + ".resnets." + m[2].str() + "." +
               replaceHead(m[3].str(), "nin_shortcut.", "conv_shortcut.");
    if (std::regex_match(key, m, downSample))
        return "encoder.down_blocks." + m[1].str() + ".downsamplers.0.conv." + m[2].str();
    if (std::regex_match(key, m, upRes))
        return "decoder.up_blocks." + block(m[1].str()) + ".resnets." + m[2].str() + "." +
               replaceHead(m[3].str(), "nin_shortcut.", "conv_shortcut.");
    if (std::regex_match(key, m, upSample))
        return "decoder.up_blocks." + block(m[1].str()) + ".upsamplers.0.conv." + m[2].str();
    if (std::regex_match(key, m, midRes))
        return m[1].str() + ".mid_block.resnets." + (m[2].str() == "1" ? "0." : "1.") + m[3].str();
    if (std::regex_match(key, m, midAttn)) {
        const std::string rest = m[2].str();
        for (const AttnName& a : kAttnNames)
            if (startsWith(rest, a.ldm))
                return m[1].str() + ".mid_block.attentions.0." +
                       (queryStyle ? a.queryStyle : a.toStyle) +
                       rest.substr(std::string(a.ldm).size());
        return key;
    }
    if (std::regex_match(key, m, normOut)) return m[1].str() + ".conv_norm_out." + m[2].str();
    return key;
}

} // namespace

bool isTaesdLayout(KeyLayout layout) {
    return layout == KeyLayout::TaesdRaw || layout == KeyLayout::TaesdDiffusers ||
           layout == KeyLayout::TaesdComfy;
}

KeyMap KeyMap::detect(const SafetensorsFile& file) {
    const auto& tensors = file.tensors();
    if (tensors.empty()) throw LoadError(file.path() + ": the file holds no tensors");
    KeyMap map;
    auto anyName = [&](auto&& predicate) {
        return std::any_of(tensors.begin(), tensors.end(),
                           [&](const TensorView& t) { return predicate(t.name); });
    };
    for (const char* prefix : {"first_stage_model.", "vae."}) {
        const std::string p = prefix;
        if (anyName([&](const std::string& n) {
                return startsWith(n, p + "encoder.") || startsWith(n, p + "decoder.");
            })) {
            map.prefix_ = p;
            break;
        }
    }
    auto anyStripped = [&](const std::string& head) {
        return anyName([&](const std::string& n) { return startsWith(n, map.prefix_ + head); });
    };

    if (anyStripped("encoder.down_blocks.") || anyStripped("decoder.up_blocks.") ||
        anyStripped("encoder.mid_block.") || anyStripped("decoder.mid_block.")) {
        map.layout_ = KeyLayout::KlDiffusers;
        static const std::regex up(R"(decoder\.up_blocks\.(\d+)\..*)");
        for (const TensorView& t : tensors) {
            if (!startsWith(t.name, map.prefix_)) continue;
            const std::string key = t.name.substr(map.prefix_.size());
            std::smatch m;
            if (std::regex_match(key, m, up))
                map.upBlocks_ = std::max(map.upBlocks_, std::stoi(m[1].str()) + 1);
            if (key.find(".attentions.0.query.") != std::string::npos)
                map.attentionStyle_ = "query";
        }
    } else if (map.prefix_.empty() &&
               (anyStripped("encoder.layers.") || anyStripped("decoder.layers."))) {
        map.layout_ = KeyLayout::TaesdDiffusers;
    } else if (map.prefix_.empty() &&
               (anyStripped("taesd_encoder.") || anyStripped("taesd_decoder."))) {
        map.layout_ = KeyLayout::TaesdComfy;
    } else if (anyStripped("encoder.") || anyStripped("decoder.")) {
        map.layout_ = KeyLayout::KlLdm;
    } else if (std::all_of(tensors.begin(), tensors.end(),
                           [](const TensorView& t) { return !leadingIndex(t.name).empty(); })) {
        map.layout_ = KeyLayout::TaesdRaw;
        const TensorView* first = file.find("0.weight");
        const TensorView* second = file.find("1.weight");
        if (first && first->shape.size() == 4 && first->shape[1] == 3)
            map.taesdHalf_ = "encoder";
        else if (!first && second)
            map.taesdHalf_ = "decoder";
        else
            throw LoadError(file.path() +
                            ": TAESD layer names, but neither an encoder (tensor '0.weight' taking "
                            "3 channels) nor a decoder (tensor '1.weight' after the input clamp)");
    } else {
        throw LoadError(file.path() +
                        ": not a VAE this program knows: no encoder./decoder. "
                        "tensors and no TAESD layers (first tensor '" +
                        tensors.front().name + "')");
    }
    for (const TensorView& t : tensors)
        if (map.toCanonical(t.name).empty()) ++map.skipped_;
    return map;
}

std::string KeyMap::toCanonical(const std::string& original) const {
    if (!startsWith(original, prefix_)) return {};
    const std::string key = original.substr(prefix_.size());
    switch (layout_) {
    case KeyLayout::KlLdm:
        return isTrainingLeftover(key) ? std::string() : key;
    case KeyLayout::KlDiffusers:
        return isTrainingLeftover(key) ? std::string() : diffusersToLdm(key, upBlocks_);
    case KeyLayout::TaesdRaw:
        return leadingIndex(key).empty() ? key : taesdHalf_ + "." + key;
    case KeyLayout::TaesdDiffusers: {
        static const std::regex layer(R"((encoder|decoder)\.layers\.(\d+)\.(.*))");
        std::smatch m;
        if (!std::regex_match(key, m, layer)) return key;
        const int index = std::stoi(m[2].str()) + (m[1].str() == "decoder" ? 1 : 0);
        return m[1].str() + "." + std::to_string(index) + "." + m[3].str();
    }
    case KeyLayout::TaesdComfy:
        if (startsWith(key, "taesd_encoder.")) return "encoder." + key.substr(14);
        if (startsWith(key, "taesd_decoder.")) return "decoder." + key.substr(14);
        if (key == "vae_scale") return "scale";
        if (key == "vae_shift") return "shift";
        return key;
    }
    return key;
}

std::string KeyMap::toOriginal(const std::string& canonical) const {
    switch (layout_) {
    case KeyLayout::KlLdm:
        return prefix_ + canonical;
    case KeyLayout::KlDiffusers:
        return prefix_ + ldmToDiffusers(canonical, upBlocks_, attentionStyle_ == "query");
    case KeyLayout::TaesdRaw:
        return startsWith(canonical, taesdHalf_ + ".") ? canonical.substr(taesdHalf_.size() + 1)
                                                       : canonical;
    case KeyLayout::TaesdDiffusers: {
        static const std::regex layer(R"((encoder|decoder)\.(\d+)\.(.*))");
        std::smatch m;
        if (!std::regex_match(canonical, m, layer)) return canonical;
        const int index = std::stoi(m[2].str()) - (m[1].str() == "decoder" ? 1 : 0);
        return m[1].str() + ".layers." + std::to_string(index) + "." + m[3].str();
    }
    case KeyLayout::TaesdComfy:
        if (startsWith(canonical, "encoder.")) return "taesd_encoder." + canonical.substr(8);
        if (startsWith(canonical, "decoder.")) return "taesd_decoder." + canonical.substr(8);
        if (canonical == "scale") return "vae_scale";
        if (canonical == "shift") return "vae_shift";
        return canonical;
    }
    return canonical;
}

std::string KeyMap::describe() const {
    std::string text;
    switch (layout_) {
    case KeyLayout::KlLdm:
        text = "LDM tensor names";
        break;
    case KeyLayout::KlDiffusers:
        text = std::string("diffusers tensor names (attention as linear layers, ") +
               (attentionStyle_ == "query" ? "query/key/value" : "to_q/to_k/to_v") + ")";
        break;
    case KeyLayout::TaesdRaw:
        text = "taesd.py layer indices (" + taesdHalf_ + " only)";
        break;
    case KeyLayout::TaesdDiffusers:
        text = "diffusers AutoencoderTiny names (encoder.layers.*)";
        break;
    case KeyLayout::TaesdComfy:
        text = "ComfyUI TAESD names (taesd_encoder.*)";
        break;
    }
    if (!prefix_.empty()) text += ", checkpoint prefix '" + prefix_ + "'";
    if (skipped_ > 0) text += ", " + std::to_string(skipped_) + " other tensors skipped";
    return text;
}

} // namespace lb::vae
