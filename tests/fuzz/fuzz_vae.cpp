// Fuzz target: the VAE loader, from a parsed file to a model. The input is a recipe, not file
// bytes (the container is fuzzed by fuzz_safetensors): a tiny valid model of one family and key
// layout (AutoencoderKL with or without quant_conv/decoder, FLUX.2 batch-norm, TAESD halves,
// TAEF2), a file name, load options, and a list of edits - drop, reshape, re-rank, re-type or
// rename a tensor, poison a value with NaN/Inf, add stray tensors or metadata. The file is written
// as valid safetensors and given to lb::Vae::load; a model that loads must report a consistent
// VaeInfo and, when asked, encode/decode a small image to finite values of the right shape or
// refuse with one line. Built with the standalone driver in the GCC sanitizer build (LibTorch 1.13
// headers do not compile with clang in C++20).
#include "FuzzSupport.h"

#include "latentbrush/Safetensors.h"
#include "latentbrush/Vae.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace {

struct Entry {
    std::string name;
    lb::DType dtype = lb::DType::F32;
    std::vector<std::int64_t> shape;
};
using Model = std::vector<Entry>;

void conv(Model& m, const std::string& n, std::int64_t out, std::int64_t in, std::int64_t k,
          bool bias = true) {
    m.push_back({n + ".weight", lb::DType::F32, {out, in, k, k}});
    if (bias) m.push_back({n + ".bias", lb::DType::F32, {out}});
}
void norm(Model& m, const std::string& n, std::int64_t c) {
    m.push_back({n + ".weight", lb::DType::F32, {c}});
    m.push_back({n + ".bias", lb::DType::F32, {c}});
}
void resnet(Model& m, const std::string& p, std::int64_t in, std::int64_t out) {
    norm(m, p + "norm1", in);
    conv(m, p + "conv1", out, in, 3);
    norm(m, p + "norm2", out);
    conv(m, p + "conv2", out, out, 3);
    if (in != out) conv(m, p + "nin_shortcut", out, in, 1);
}
void attention(Model& m, const std::string& p, std::int64_t c) {
    norm(m, p + "norm", c);
    for (const char* n : {"q", "k", "v", "proj_out"})
        conv(m, p + n, c, c, 1);
}

// AutoencoderKL in LDM names: 2 levels of 32/64 channels (GroupNorm's 32 groups), one block per
// level, as small as the family allows.
Model klModel(std::int64_t z, bool quant, bool decoder, bool bn) {
    Model m;
    const std::int64_t ch = 32, mult[] = {1, 2};
    conv(m, "encoder.conv_in", ch, 3, 3);
    std::int64_t in = ch;
    for (int i = 0; i < 2; ++i) {
        const std::int64_t out = ch * mult[i];
        resnet(m, "encoder.down." + std::to_string(i) + ".block.0.", in, out);
        in = out;
        if (i == 0) conv(m, "encoder.down.0.downsample.conv", in, in, 3);
    }
    resnet(m, "encoder.mid.block_1.", in, in);
    attention(m, "encoder.mid.attn_1.", in);
    resnet(m, "encoder.mid.block_2.", in, in);
    norm(m, "encoder.norm_out", in);
    conv(m, "encoder.conv_out", 2 * z, in, 3);
    if (quant) conv(m, "quant_conv", 2 * z, 2 * z, 1);
    if (decoder) {
        if (quant) conv(m, "post_quant_conv", z, z, 1);
        conv(m, "decoder.conv_in", in, z, 3);
        resnet(m, "decoder.mid.block_1.", in, in);
        attention(m, "decoder.mid.attn_1.", in);
        resnet(m, "decoder.mid.block_2.", in, in);
        for (int i = 1; i >= 0; --i) {
            const std::int64_t out = ch * mult[i];
            for (int j = 0; j < 2; ++j) {
                resnet(m, "decoder.up." + std::to_string(i) + ".block." + std::to_string(j) + ".",
                       in, out);
                in = out;
            }
            if (i != 0) conv(m, "decoder.up.1.upsample.conv", in, in, 3);
        }
        norm(m, "decoder.norm_out", in);
        conv(m, "decoder.conv_out", 3, in, 3);
    }
    if (bn) {
        m.push_back({"bn.running_mean", lb::DType::F32, {4 * z}});
        m.push_back({"bn.running_var", lb::DType::F32, {4 * z}});
        m.push_back({"bn.num_batches_tracked", lb::DType::I64, {}});
    }
    return m;
}

// taesd.py's Sequentials in raw names, 8 channels wide.
constexpr std::int64_t kWidth = 8;
void taesdBlock(Model& m, const std::string& n, bool pool) {
    conv(m, n + ".conv.0", kWidth, kWidth, 3);
    conv(m, n + ".conv.2", kWidth, kWidth, 3);
    conv(m, n + ".conv.4", kWidth, kWidth, 3);
    if (pool) {
        conv(m, n + ".pool.0", 4 * kWidth, kWidth, 1, false);
        norm(m, n + ".pool.1", 4 * kWidth);
        conv(m, n + ".pool.3", kWidth, 4 * kWidth, 1, false);
    }
}
Model taesdEncoder(std::int64_t latent, bool pool) {
    Model m;
    const std::string layout = "CBDBBBDBBBDBBBC";
    for (std::size_t i = 0; i < layout.size(); ++i) {
        const std::string n = std::to_string(i);
        if (layout[i] == 'B') taesdBlock(m, n, pool && i >= 11 && i <= 13);
        if (layout[i] == 'D') conv(m, n, kWidth, kWidth, 3, false);
        if (layout[i] == 'C') conv(m, n, i == 0 ? kWidth : latent, i == 0 ? 3 : kWidth, 3);
    }
    return m;
}
Model taesdDecoder(std::int64_t latent, bool pool) {
    Model m;
    const std::string layout = "ZCRBBBUNBBBUNBBBUNBC";
    for (std::size_t i = 0; i < layout.size(); ++i) {
        const std::string n = std::to_string(i);
        if (layout[i] == 'B') taesdBlock(m, n, pool && i >= 3 && i <= 5);
        if (layout[i] == 'N') conv(m, n, kWidth, kWidth, 3, false);
        if (layout[i] == 'C') conv(m, n, i == 1 ? kWidth : 3, i == 1 ? latent : kWidth, 3);
    }
    return m;
}

Model baseModel(int kind) {
    switch (kind) {
    case 0:
        return klModel(4, true, true, false); // SD-style, with decoder
    case 1:
        return klModel(16, false, false, false); // SD3/FLUX.1-style encoder only
    case 2:
        return klModel(8, true, true, true); // FLUX.2 batch-norm
    case 3:
        return taesdEncoder(4, false);
    case 4:
        return taesdDecoder(4, false);
    case 5:
        return taesdEncoder(32, true); // TAEF2
    case 6:
        return taesdDecoder(16, false);
    default: { // TAESD in ComfyUI's combined names
        Model m;
        for (Entry e : taesdEncoder(4, false))
            m.push_back({"taesd_encoder." + e.name, e.dtype, e.shape});
        for (Entry e : taesdDecoder(4, false))
            m.push_back({"taesd_decoder." + e.name, e.dtype, e.shape});
        m.push_back({"vae_scale", lb::DType::F32, {}});
        m.push_back({"vae_shift", lb::DType::F32, {}});
        return m;
    }
    }
}

const char* const kFileNames[] = {"vae.safetensors",
                                  "taesd_encoder.safetensors",
                                  "taesdxl_decoder.safetensors",
                                  "taesd3_encoder.safetensors",
                                  "taef1_decoder.safetensors",
                                  "diffusion_pytorch_model.safetensors",
                                  "model.ckpt",
                                  "ae.pt"};
const char* const kMetadataKeys[] = {"modelspec.architecture", "format", "vae.family", "model"};
const char* const kMetadataValues[] = {"taesd", "taesdxl", "taesd3", "taef1", "taef2",
                                       "flux2", "sdxl",    "pt",     "",      "autoencoderkl"};

std::uint16_t floatToHalf(float f) {
    std::uint32_t x;
    std::memcpy(&x, &f, 4);
    const std::uint32_t sign = (x >> 16) & 0x8000u;
    const int exp = int((x >> 23) & 0xff) - 127 + 15;
    const std::uint32_t mant = x & 0x7fffffu;
    if (((x >> 23) & 0xff) == 0xff) return std::uint16_t(sign | 0x7c00u | (mant ? 0x200u : 0));
    if (exp >= 31) return std::uint16_t(sign | 0x7c00u);
    if (exp <= 0) return std::uint16_t(sign);
    return std::uint16_t(sign | (std::uint32_t(exp) << 10) | (mant >> 13));
}

// Bytes of an entry: small pseudo-random weights (norm weights near 1, running_var positive).
std::vector<std::uint8_t> fill(const Entry& e, std::uint32_t& state, std::size_t count) {
    std::vector<std::uint8_t> out(count * lb::dtypeSize(e.dtype));
    const bool positive =
        e.name.find("running_var") != std::string::npos || e.name.find("norm") != std::string::npos;
    for (std::size_t i = 0; i < count; ++i) {
        state = state * 1664525u + 1013904223u;
        float v = float(int(state >> 9) % 2001 - 1000) / 10000.0f; // -0.1 .. 0.1
        if (positive && e.name.find(".weight") != std::string::npos) v += 1.0f;
        if (e.name.find("running_var") != std::string::npos) v = std::fabs(v) + 0.5f;
        std::uint8_t* dst = out.data() + i * lb::dtypeSize(e.dtype);
        switch (e.dtype) {
        case lb::DType::F32:
            std::memcpy(dst, &v, 4);
            break;
        case lb::DType::F16: {
            const std::uint16_t h = floatToHalf(v);
            std::memcpy(dst, &h, 2);
            break;
        }
        case lb::DType::BF16: {
            std::uint32_t bits;
            std::memcpy(&bits, &v, 4);
            const std::uint16_t b = std::uint16_t(bits >> 16);
            std::memcpy(dst, &b, 2);
            break;
        }
        case lb::DType::F64: {
            const double d = v;
            std::memcpy(dst, &d, 8);
            break;
        }
        default:
            for (std::size_t k = 0; k < lb::dtypeSize(e.dtype); ++k)
                dst[k] = std::uint8_t(state >> (8 * (k % 4)));
            break;
        }
    }
    return out;
}

struct Reader {
    const std::uint8_t* data;
    std::size_t size;
    std::size_t pos = 0;
    bool more() const { return pos < size; }
    std::uint8_t next() { return pos < size ? data[pos++] : 0; }
};

void poison(std::vector<std::uint8_t>& bytes, lb::DType t, std::size_t index, int which) {
    const float specials[] = {std::numeric_limits<float>::quiet_NaN(),
                              std::numeric_limits<float>::infinity(),
                              -std::numeric_limits<float>::infinity(), 1e30f};
    const float v = specials[which % 4];
    const std::size_t size = lb::dtypeSize(t);
    if (bytes.empty() || size == 0) return;
    std::uint8_t* dst = bytes.data() + (index % (bytes.size() / size)) * size;
    if (t == lb::DType::F32) std::memcpy(dst, &v, 4);
    if (t == lb::DType::F16) {
        const std::uint16_t h = floatToHalf(v);
        std::memcpy(dst, &h, 2);
    }
    if (t == lb::DType::BF16) {
        std::uint32_t bits;
        std::memcpy(&bits, &v, 4);
        const std::uint16_t b = std::uint16_t(bits >> 16);
        std::memcpy(dst, &b, 2);
    }
}

bool finite(const std::vector<float>& v) {
    for (float x : v)
        if (!std::isfinite(x)) return false;
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Reader in{data, size};
    const int kind = in.next() % 8;
    const std::uint8_t flags = in.next();
    const std::uint8_t naming = in.next();
    Model model = baseModel(kind);
    const lb::DType fileTypes[] = {lb::DType::F32, lb::DType::F16, lb::DType::BF16, lb::DType::F32};
    for (Entry& e : model)
        if (e.dtype == lb::DType::F32) e.dtype = fileTypes[(flags >> 5) & 3];
    if ((naming & 0x10) && kind <= 2)
        for (Entry& e : model)
            e.name = ((naming & 0x20) ? "first_stage_model." : "vae.") + e.name;

    // The edits.
    std::map<std::string, std::string> metadata;
    struct Poison {
        std::size_t tensor, index;
        int which;
    };
    std::vector<Poison> poisons;
    while (in.more() && !model.empty()) {
        const int op = in.next() % 9;
        const std::size_t k = in.next() % model.size();
        const std::uint8_t a = in.next(), b = in.next();
        Entry& e = model[k];
        switch (op) {
        case 0:
            model.erase(model.begin() + std::ptrdiff_t(k));
            break;
        case 1:
            if (!e.shape.empty()) e.shape[a % e.shape.size()] = b % 80;
            break;
        case 2:
            e.shape.push_back(1 + b % 3);
            break;
        case 3:
            if (!e.shape.empty()) e.shape.pop_back();
            break;
        case 4:
            e.dtype = lb::DType(a % 15);
            break;
        case 5: { // renumber: replace the first digit of the name
            for (char& c : e.name)
                if (c >= '0' && c <= '9') {
                    c = char('0' + b % 10);
                    break;
                }
            bool duplicate = false;
            for (std::size_t i = 0; i < model.size(); ++i)
                duplicate = duplicate || (i != k && model[i].name == e.name);
            if (duplicate) e.name += ".dup";
            break;
        }
        case 6:
            poisons.push_back({k, std::size_t(a) * 256 + b, int(a)});
            break;
        case 7: {
            Entry extra = e;
            extra.name = (b & 1) ? e.name + ".extra" : "loss.discriminator." + std::to_string(b);
            model.push_back(extra);
            break;
        }
        default:
            metadata[kMetadataKeys[a % 4]] = kMetadataValues[b % 10];
            break;
        }
    }

    // The file, as valid safetensors (bounded, so that an edit cannot ask for gigabytes).
    std::uint32_t state = 12345u + std::uint32_t(kind);
    std::vector<std::vector<std::uint8_t>> payloads;
    std::vector<lb::TensorToWrite> tensors;
    std::size_t total = 0;
    for (const Entry& e : model) {
        std::int64_t n = 1;
        for (std::int64_t d : e.shape)
            n *= d;
        total += std::size_t(n) * lb::dtypeSize(e.dtype);
        if (total > (64u << 20)) return 0;
        payloads.push_back(fill(e, state, std::size_t(n)));
    }
    for (const Poison& p : poisons)
        if (p.tensor < model.size())
            poison(payloads[p.tensor], model[p.tensor].dtype, p.index, p.which);
    for (std::size_t i = 0; i < model.size(); ++i)
        tensors.push_back({model[i].name, model[i].dtype, model[i].shape, payloads[i].data(),
                           payloads[i].size()});
    const std::string dir = lbfuzz::scratchDir();
    const std::string path = dir + "/" + kFileNames[naming % 8];
    if (!lb::writeSafetensors(path, tensors, metadata)) return 0; // e.g. duplicate names
    std::string sibling;
    if ((naming & 0x08) && (kind == 3 || kind == 4 || kind == 5 || kind == 6)) {
        // The other half beside it, as split TAESD files come.
        std::string name = kFileNames[naming % 8];
        const bool isEncoder = name.find("encoder") != std::string::npos;
        if (auto at = name.find(isEncoder ? "encoder" : "decoder"); at != std::string::npos) {
            name.replace(at, 7, isEncoder ? "decoder" : "encoder");
            const Model other = kind == 4 || kind == 6
                                    ? taesdEncoder(kind == 6 ? 16 : 4, false)
                                    : taesdDecoder(kind == 5 ? 32 : 4, kind == 5);
            std::vector<std::vector<std::uint8_t>> otherBytes;
            std::vector<lb::TensorToWrite> otherTensors;
            for (const Entry& e : other) {
                std::int64_t n = 1;
                for (std::int64_t d : e.shape)
                    n *= d;
                otherBytes.push_back(fill(e, state, std::size_t(n)));
            }
            for (std::size_t i = 0; i < other.size(); ++i)
                otherTensors.push_back({other[i].name, other[i].dtype, other[i].shape,
                                        otherBytes[i].data(), otherBytes[i].size()});
            sibling = dir + "/" + name;
            if (!lb::writeSafetensors(sibling, otherTensors, {})) sibling.clear();
        }
    }

    lb::VaeLoadOptions options;
    const int familyHint = flags & 7;
    if (familyHint) options.family = lb::VaeFamily(familyHint - 1);
    options.device = "cpu";
    options.dtype = lb::ComputeDType::F32;
    options.needEncoder = !(flags & 0x08);
    options.needDecoder = (flags & 0x08) != 0;
    auto vae = lb::Vae::load(path, options);
    if (!vae) {
        lbfuzz::checkOneLine(vae.error(), "Vae::load");
    } else {
        const lb::VaeInfo& info = (*vae)->info();
        FUZZ_CHECK(info.latentChannels > 0 && info.latentChannels <= 4096, "latent channels %d",
                   info.latentChannels);
        FUZZ_CHECK(info.downscale > 0 && (info.downscale & (info.downscale - 1)) == 0,
                   "downscale %d", info.downscale);
        FUZZ_CHECK(info.hasEncoder || info.hasDecoder, "a model with neither half");
        if (options.needEncoder) FUZZ_CHECK(info.hasEncoder, "needEncoder but no encoder");
        if (options.needDecoder) FUZZ_CHECK(info.hasDecoder, "needDecoder but no decoder");
        if (options.family && info.family != *options.family) {
            // The family asked for wins or the load fails: a silent switch is a bug.
            FUZZ_CHECK(false, "asked for %s, loaded %s", lb::vaeFamilyName(*options.family),
                       lb::vaeFamilyName(info.family));
        }
        const int d = info.downscale;
        if ((flags & 0x10) && info.hasEncoder && d <= 32) {
            lb::ImageBuffer image;
            image.height = 2 * d;
            image.width = d;
            image.channels = 3;
            image.data.assign(std::size_t(2 * d) * d * 3, 0.25f);
            auto latent = (*vae)->encode(image);
            if (!latent) {
                lbfuzz::checkOneLine(latent.error(), "encode");
            } else {
                const std::vector<std::int64_t> want{1, info.latentChannels, 2, 1};
                FUZZ_CHECK(latent->shape == want, "encode gave a latent of the wrong shape");
                FUZZ_CHECK(finite(latent->data), "encode returned a non-finite latent");
            }
        }
        if ((flags & 0x10) && info.hasDecoder && d <= 32) {
            lb::LatentBuffer latent;
            latent.shape = {1, info.latentChannels, 1, 2};
            latent.data.assign(std::size_t(info.latentChannels) * 2, 0.1f);
            auto image = (*vae)->decode(latent);
            if (!image) {
                lbfuzz::checkOneLine(image.error(), "decode");
            } else {
                FUZZ_CHECK(image->height == d && image->width == 2 * d && image->channels == 3,
                           "decode gave %dx%dx%d", image->width, image->height, image->channels);
                for (float v : image->data)
                    FUZZ_CHECK(v >= 0.0f && v <= 1.0f, "decoded value %g outside 0..1", double(v));
            }
        }
    }
    std::error_code ec;
    std::filesystem::remove(path, ec);
    if (!sibling.empty()) std::filesystem::remove(sibling, ec);
    return 0;
}
