// VaeLoader: lb::Vae::load (file -> key layout -> family model on a device) and the Vae
// implementation: encode/decode under inference mode, memory policy, errors as values.
#include "latentbrush/Vae.h"

#include "latentbrush/BuiltinVae.h"
#include "latentbrush/Parallel.h"
#include "latentbrush/Safetensors.h"
#include "vae/AutoencoderKL.h"
#include "vae/Taesd.h"
#include "vae/VaeDevice.h"
#include "vae/VaeGraphs.h"
#include "vae/VaeKeys.h"
#include "vae/VaeLayers.h"
#include "vae/VaeModel.h"
#include "vae/VaeTiling.h"
#include "vae/VaeWeights.h"

#include <atomic>
#include <cmath>
#include <filesystem>
#include <new>

namespace lb {
namespace {

using vae::StepHook;

// A full encode is planned only when its estimated peak stays under this share of free memory.
constexpr double kMemoryShare = 0.7;
// Sizes whose estimated working set is at most this are encoded through CUDA graphs (a graph
// keeps its working set allocated while the VAE is loaded).
constexpr double kGraphBytes = 3.0 * double(1ull << 30);

std::string sizeText(std::int64_t h, std::int64_t w) {
    return std::to_string(h) + "x" + std::to_string(w);
}

bool allFinite(const std::vector<float>& values) {
    std::atomic<bool> finite{true};
    parallelFor(0, std::int64_t(values.size()), 1 << 20, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t i = b; i < e; ++i)
            if (!std::isfinite(values[std::size_t(i)])) {
                finite = false;
                return;
            }
    });
    return finite;
}

class TorchVae final : public Vae {
public:
    TorchVae(VaeInfo info, std::unique_ptr<vae::VaeModel> model, vae::ComputeTarget target,
             int tileSize, bool graphs)
        : info_(std::move(info)), model_(std::move(model)), target_(std::move(target)),
          tileSize_(tileSize), graphs_(graphs) {}

    const VaeInfo& info() const override { return info_; }
    Result<LatentBuffer> encode(const ImageBuffer& pixels, const Progress& progress) override;
    Result<ImageBuffer> decode(const LatentBuffer& latent, const Progress& progress) override;

private:
    // The encode of x ([1, 3, H, W] float32 on the device): full, or tiled when the memory
    // estimate says so or a full encode runs out of memory (retried once, in tiles).
    at::Tensor runEncode(const at::Tensor& x, const StepHook& hook) const;
    std::string failure(const char* what, const std::exception& e) const;

    VaeInfo info_;
    std::unique_ptr<vae::VaeModel> model_;
    vae::ComputeTarget target_;
    int tileSize_ = 0;
    bool graphs_ = true;
    vae::EncodeGraphs graphCache_;
};

std::string TorchVae::failure(const char* what, const std::exception& e) const {
    if (vae::isOutOfMemory(e))
        return info_.file + ": " + what + " ran out of memory on " + info_.device +
               (target_.device.is_cuda() ? "; try a smaller image or --device cpu"
                                         : "; try a smaller image");
    const auto* c10error = dynamic_cast<const c10::Error*>(&e);
    return info_.file + ": " + what +
           " failed: " + vae::oneLine(c10error ? c10error->what_without_backtrace() : e.what());
}

at::Tensor TorchVae::runEncode(const at::Tensor& x, const StepHook& hook) const {
    const std::int64_t h = x.size(2), w = x.size(3);
    vae::TilePlan plan;
    if (tileSize_ > 0) {
        plan = vae::fixedTiles(*model_, tileSize_);
    } else {
        const double available = vae::availableBytes(target_.device);
        if (available > 0 && model_->encodeBytes(h, w) > kMemoryShare * available)
            plan = vae::planTiles(*model_, h, w, kMemoryShare * available);
    }
    const bool tiled = plan.tile > 0 && (plan.tile < h || plan.tile < w);
    try {
        if (!tiled) return model_->encode(x, hook);
        hook(0.0, "encoding in tiles of " + std::to_string(plan.tile) + " pixels");
        return vae::encodeTiled(*model_, x, plan, hook);
    } catch (const std::exception& e) {
        if (!vae::isOutOfMemory(e)) throw;
    }
    // Out of memory: free what the failed attempt cached and retry once with smaller tiles.
    vae::releaseCachedMemory(target_.device);
    plan = vae::fixedTiles(*model_, (tiled ? plan.tile : std::max(h, w)) / 2);
    hook(0.0, "out of memory: retrying in tiles of " + std::to_string(plan.tile) + " pixels");
    return vae::encodeTiled(*model_, x, plan, hook);
}

Result<LatentBuffer> TorchVae::encode(const ImageBuffer& pixels, const Progress& progress) {
    const std::string& file = info_.file;
    if (!model_->hasEncoder())
        return makeError(file + ": this file has no encoder (decoder only): it cannot encode");
    const int d = info_.downscale;
    if (pixels.empty() || (pixels.channels != 1 && pixels.channels < 3) ||
        pixels.data.size() != pixels.pixelCount() * std::size_t(pixels.channels))
        return makeError("encode: expected an RGB image, got " +
                         sizeText(pixels.height, pixels.width) + " with " +
                         std::to_string(pixels.channels) + " channels");
    if (pixels.height % d != 0 || pixels.width % d != 0)
        return makeError("encode: the image is " + sizeText(pixels.height, pixels.width) +
                         "; both sides must be multiples of " + std::to_string(d) + " for " + file);
    if (!allFinite(pixels.data)) return makeError("encode: the image holds NaN or infinite values");
    if (progress.cancelled()) return makeError("cancelled");
    try {
        c10::InferenceMode guard;
        // On the CPU: [1, C, H, W] with channels-last strides, as ComfyUI's movedim(-1, 1) leaves
        // the IMAGE tensor; convolutions keep that layout, and their float32 results then match
        // the reference's bit for bit. On CUDA: channels-last on the fast path (cuDNN's NHWC
        // kernels), contiguous NCHW on the reference path.
        const at::Tensor nhwc =
            at::from_blob(const_cast<float*>(pixels.data.data()),
                          {1, pixels.height, pixels.width, pixels.channels}, at::kFloat);
        const at::Tensor rgb = pixels.channels == 1
                                   ? nhwc.expand({1, pixels.height, pixels.width, 3})
                                   : nhwc.narrow(3, 0, 3);
        at::Tensor x;
        if (target_.device.is_cuda()) {
            // Through page-locked memory (filled by all cores): the transfer runs at the bus's
            // speed instead of through the driver's pageable staging.
            at::Tensor staging = at::empty(rgb.sizes(), rgb.options().pinned_memory(true));
            staging.copy_(rgb);
            x = staging.to(target_.device, /*non_blocking=*/true).permute({0, 3, 1, 2});
        } else {
            x = rgb.to(target_.device, /*non_blocking=*/false, /*copy=*/true)
                    .contiguous()
                    .permute({0, 3, 1, 2});
        }
        if (!target_.device.is_cpu())
            x = x.contiguous(info_.kernels == Kernels::Fast ? at::MemoryFormat::ChannelsLast
                                                            : at::MemoryFormat::Contiguous);
        const StepHook hook(progress);
        at::Tensor z;
        if (graphs_ && info_.kernels == Kernels::Fast && tileSize_ == 0 && target_.device.is_cuda())
            z = graphCache_.encode(*model_, x, kGraphBytes);
        if (!z.defined()) z = runEncode(x, hook);
        // NCHW on the device first (a channels-last latent transposed on the host costs more
        // than the transfer), then one copy straight into the result's storage.
        z = z.to(at::kFloat).contiguous();
        LatentBuffer out;
        out.shape.assign(z.sizes().begin(), z.sizes().end());
        out.data.resize(std::size_t(z.numel()));
        at::from_blob(out.data.data(), z.sizes(), at::kFloat).copy_(z);
        if (!allFinite(out.data))
            return makeError(file + ": the encoder produced NaN or infinite values" +
                             (target_.dtype != at::kFloat
                                  ? " in " + info_.computeDType + "; try --dtype fp32"
                                  : std::string()));
        progress(1.0, "encoded");
        return out;
    } catch (const vae::Cancelled&) {
        return makeError("cancelled");
    } catch (const std::exception& e) {
        return makeError(failure("encode", e));
    }
}

Result<ImageBuffer> TorchVae::decode(const LatentBuffer& latent, const Progress& progress) {
    const std::string& file = info_.file;
    if (!model_->hasDecoder())
        return makeError(file + ": this file has no decoder (encoder only): it cannot decode");
    const auto& s = latent.shape;
    std::size_t count = 1;
    for (std::int64_t v : s)
        count *= std::size_t(std::max<std::int64_t>(v, 0));
    if (s.size() != 4 || s[0] != 1 || s[1] != info_.latentChannels || s[2] <= 0 || s[3] <= 0 ||
        latent.data.size() != count) {
        const std::string shape = vae::joinInts(s);
        std::string message = "decode: expected a latent [1,";
        message +=
            std::to_string(info_.latentChannels) + ",h,w] for " + file + ", got [" + shape + "]";
        return makeError(message);
    }
    if (!allFinite(latent.data))
        return makeError("decode: the latent holds NaN or infinite values");
    if (progress.cancelled()) return makeError("cancelled");
    try {
        c10::InferenceMode guard;
        const at::Tensor z =
            at::from_blob(const_cast<float*>(latent.data.data()), at::IntArrayRef(s), at::kFloat)
                .to(target_.device, at::kFloat, /*non_blocking=*/false, /*copy=*/true);
        const at::Tensor x = model_->decode(z, StepHook(progress))
                                 .squeeze(0)
                                 .permute({1, 2, 0})
                                 .to(at::kCPU)
                                 .contiguous();
        ImageBuffer image;
        image.height = int(x.size(0));
        image.width = int(x.size(1));
        image.channels = 3;
        image.data.assign(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
        if (!allFinite(image.data))
            return makeError(file + ": the decoder produced NaN or infinite values" +
                             (target_.dtype != at::kFloat
                                  ? " in " + info_.computeDType + "; try --dtype fp32"
                                  : std::string()));
        progress(1.0, "decoded");
        return image;
    } catch (const vae::Cancelled&) {
        return makeError("cancelled");
    } catch (const std::exception& e) {
        return makeError(failure("decode", e));
    }
}

// The other half of a split TAESD (taef2_encoder.safetensors <-> taef2_decoder.safetensors).
std::string siblingPath(const std::string& path) {
    namespace fs = std::filesystem;
    const fs::path p(path);
    std::string name = p.filename().string();
    for (const auto& [from, to] :
         {std::pair<std::string, std::string>{"encoder", "decoder"}, {"decoder", "encoder"}}) {
        const auto at = name.rfind(from);
        if (at != std::string::npos)
            return (p.parent_path() / name.replace(at, from.size(), to)).string();
    }
    return {};
}

// Adds the sibling file of a one-half TAESD when it exists. A sibling that cannot be used is an
// error only when its half is needed.
void addTaesdSibling(const std::string& path, const vae::KeyMap& keys,
                     const VaeLoadOptions& options, vae::WeightStore& store,
                     std::vector<std::string>& notes) {
    if (keys.layout() != vae::KeyLayout::TaesdRaw) return;
    const bool haveEncoder = keys.taesdHalf() == "encoder";
    const bool needed = haveEncoder ? options.needDecoder : options.needEncoder;
    const std::string sibling = siblingPath(path);
    std::error_code ec;
    if (sibling.empty() || !std::filesystem::is_regular_file(sibling, ec)) return;
    auto opened = SafetensorsFile::open(sibling);
    if (!opened) {
        if (needed) throw vae::LoadError(opened.message());
        notes.push_back("ignored " + sibling + ": " + opened.message());
        return;
    }
    const vae::KeyMap siblingKeys = vae::KeyMap::detect(*opened.value());
    if (siblingKeys.layout() != vae::KeyLayout::TaesdRaw ||
        siblingKeys.taesdHalf() == keys.taesdHalf()) {
        if (needed)
            throw vae::LoadError(sibling + ": not the TAESD " +
                                 (haveEncoder ? "decoder" : "encoder") + " that " + path +
                                 " pairs with");
        return;
    }
    store.addFile(opened.value(), siblingKeys);
    notes.push_back(std::string(haveEncoder ? "decoder" : "encoder") + " from " + sibling);
}

} // namespace

Result<std::shared_ptr<Vae>> Vae::load(const std::string& spec, const VaeLoadOptions& options,
                                       const Progress& progress) {
    // "builtin:NAME": a VAE shipped with the program, found beside it.
    const Result<std::string> resolved = resolveVaePath(spec);
    if (!resolved) return resolved.error();
    const std::string& path = resolved.value();
    try {
        if (progress.cancelled()) return makeError("cancelled");
        progress(0.0, "reading " + std::filesystem::path(path).filename().string());
        auto opened = SafetensorsFile::open(path);
        if (!opened) return opened.error();
        const std::shared_ptr<SafetensorsFile> file = opened.value();
        const vae::KeyMap keys = vae::KeyMap::detect(*file);
        vae::ComputeTarget target = vae::resolveTarget(options.device, options.dtype);
        if (target.device.is_cpu()) useCpuThreads(options.cpuThreads);

        VaeInfo info;
        info.file = path;
        info.inferred.push_back("tensor names: " + keys.describe());
        vae::WeightStore store(target.device, target.dtype, options.kernels);
        store.addFile(file, keys);
        if (vae::isTaesdLayout(keys.layout()))
            addTaesdSibling(path, keys, options, store, info.inferred);
        if (progress.cancelled()) return makeError("cancelled");
        progress(0.2, "building the model on " + target.deviceName);

        std::unique_ptr<vae::VaeModel> model = vae::isTaesdLayout(keys.layout())
                                                   ? vae::buildTaesd(store, options.family)
                                                   : vae::buildAutoencoderKL(store, options.family);
        if (options.needEncoder && !model->hasEncoder())
            return makeError(
                path +
                ": this file has no encoder tensors (a decoder-only file); encoding needs them");
        if (options.needDecoder && !model->hasDecoder())
            return makeError(
                path +
                ": this file has no decoder tensors (an encoder-only file); decoding needs them");

        info.family = model->family;
        info.latentChannels = model->latentChannels;
        info.downscale = model->downscale;
        info.parameterCount = store.parameterCount();
        info.fileDType = store.fileDTypes();
        info.device = target.deviceName;
        info.computeDType = target.dtypeName;
        info.kernels = options.kernels;
        info.inferred.push_back(options.kernels == Kernels::Reference
                                    ? "reference kernels: ComfyUI's operations and layouts"
                                    : "fast kernels (--kernels reference for ComfyUI's own)");
        info.hasEncoder = model->hasEncoder();
        info.hasDecoder = model->hasDecoder();
        for (std::string& note : target.notes)
            info.inferred.push_back(std::move(note));
        for (std::string& note : model->inferred)
            info.inferred.push_back(std::move(note));
        progress(1.0, "loaded");
        return std::shared_ptr<Vae>(std::make_shared<TorchVae>(std::move(info), std::move(model),
                                                               std::move(target), options.tileSize,
                                                               options.cudaGraphs));
    } catch (const vae::LoadError& e) {
        return makeError(e.what());
    } catch (const vae::Cancelled&) {
        return makeError("cancelled");
    } catch (const c10::Error& e) {
        return makeError(path + ": " + vae::oneLine(e.what_without_backtrace()));
    } catch (const std::bad_alloc&) {
        return makeError(path + ": out of memory while loading the weights");
    } catch (const std::exception& e) {
        return makeError(path + ": " + vae::oneLine(e.what()));
    }
}

} // namespace lb
