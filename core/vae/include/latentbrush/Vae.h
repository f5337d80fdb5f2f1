// Vae: a VAE loaded from a .safetensors file (AutoencoderKL, FLUX.2, TAESD family, TAEF2),
// encoding and decoding on the CPU or CUDA. Torch-free API; the LibTorch modules live in
// core/vae/src/vae/.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/Progress.h"
#include "latentbrush/Result.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lb {

enum class VaeFamily { AutoencoderKL, Flux2, Taesd, Taesdxl, Taesd3, Taef1, Taef2 };
const char* vaeFamilyName(VaeFamily family); // "autoencoderkl", "flux2", "taesd", ...
bool parseVaeFamily(const std::string& name, VaeFamily* out);

enum class ComputeDType { Auto, F32, F16, BF16 };
const char* computeDTypeName(ComputeDType t); // "auto", "fp32", "fp16", "bf16"
bool parseComputeDType(const std::string& name, ComputeDType* out);

// Which implementation of the layers a loaded VAE runs; chosen once at load, fixed per layer.
// - Reference: ComfyUI's plain operations in its order and layouts. On the CPU in float32 it
//   reproduces the goldens bit for bit.
// - Fast: fused GroupNorm + activation and residual kernels, channels-last weights and
//   activations, one q/k/v convolution, oneDNN attention on the CPU, CUDA graphs; within
//   docs/NUMERICS.md's tolerances of Reference (float32 1e-5, fp16 1e-2, bf16 3e-2 relative L2).
enum class Kernels { Reference, Fast };
const char* kernelsName(Kernels k); // "reference", "fast" (--kernels, .latent "vae.kernels")
bool parseKernels(const std::string& name, Kernels* out);

struct VaeLoadOptions {
    std::optional<VaeFamily> family; // --vae-family: decides where shapes cannot
    std::string device = "auto";     // auto | cpu | cuda | cuda:N
    ComputeDType dtype = ComputeDType::Auto;
    bool needEncoder = true;
    bool needDecoder = false;
    // Encode in tiles of about this many pixels a side (0: only when the memory estimate or an
    // out-of-memory error asks for it). Tiles overlap and are blended: an approximation.
    int tileSize = 0;
    // --kernels: the fast kernels, or ComfyUI's own operations (see Kernels).
    Kernels kernels = Kernels::Fast;
    // CUDA, fast path: an image size encoded twice is captured as a CUDA graph and replayed from
    // then on (no progress reports during a replay; the graph keeps its working set allocated).
    bool cudaGraphs = true;
    // LibTorch's CPU threads: 0 = every core this process may use (availableCores()). A fixed
    // count fixes how LibTorch splits its reductions, so results repeat bit for bit across
    // machines with different core counts (the goldens were made with 2 threads).
    int cpuThreads = 0;
};

struct VaeInfo {
    std::string file;
    VaeFamily family = VaeFamily::AutoencoderKL;
    int latentChannels = 0; // channels of the latent as exported (after 2x2 packing)
    int downscale = 8;      // spatial compression of the exported latent = the crop multiple
    std::int64_t parameterCount = 0;
    std::string fileDType;    // dtype of the weights in the file ("F32", "F16", "mixed ...")
    std::string device;       // "cpu", "cuda:0"
    std::string computeDType; // "fp32", "fp16", "bf16"
    // VaeLoadOptions::kernels
    Kernels kernels = Kernels::Fast;
    bool hasEncoder = false;
    bool hasDecoder = false;
    std::vector<std::string> inferred; // what was inferred, one line each (shown by `info`)
};

class Vae {
public:
    static Result<std::shared_ptr<Vae>> load(const std::string& path,
                                             const VaeLoadOptions& options = {},
                                             const Progress& progress = {});
    virtual ~Vae() = default;
    virtual const VaeInfo& info() const = 0;

    // pixels: RGB, X x Y x 3, float 0..1, X and Y multiples of info().downscale.
    // Returns the latent [1, C, X/d, Y/d] float32 (the family's scale/shift applied).
    virtual Result<LatentBuffer> encode(const ImageBuffer& pixels,
                                        const Progress& progress = {}) = 0;
    // latent [1, C, h, w] -> RGB image (h*d) x (w*d) x 3 in 0..1.
    virtual Result<ImageBuffer> decode(const LatentBuffer& latent,
                                       const Progress& progress = {}) = 0;
};

// Configures LibTorch's intra-op threads (process-wide): `threads`, or with 0 every core this
// process may use (availableCores(): affinity and cgroup quota; Debian's LibTorch starts with one).
void useCpuThreads(int threads = 0);

// Whether LibTorch was built with CUDA and sees a device.
bool cudaAvailable();

} // namespace lb
