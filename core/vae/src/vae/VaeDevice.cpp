// VaeDevice: device/dtype resolution, CPU threads, CUDA memory queries (only where LibTorch has
// CUDA: LATENTBRUSH_TORCH_CUDA, set by sources.cmake) and out-of-memory detection.
#include "vae/VaeDevice.h"

#include "latentbrush/Parallel.h"

#include "vae/VaeModel.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>

#if LATENTBRUSH_TORCH_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <cuda_runtime_api.h>
#endif

#include <algorithm>
#include <cctype>
#include <fstream>
#include <new>
#include <sstream>
#include <thread>

namespace lb {

void useCpuThreads(int threads) {
    // The cores this process may use, not the machine's: a Slurm job or container limited to 4
    // of 64 cores would otherwise run 64 threads on 4.
    const int wanted = threads > 0 ? threads : availableCores();
    if (at::get_num_threads() != wanted) at::set_num_threads(wanted);
}

bool cudaAvailable() {
    try {
        return torch::cuda::is_available() && torch::cuda::device_count() > 0;
    } catch (const std::exception&) {
        return false;
    }
}

namespace vae {
namespace {

// Runs the operations the VAEs use once, tiny, to see whether `dtype` has kernels on `device`.
void probeKernels(const at::Device& device, at::ScalarType dtype) {
    const auto options = at::TensorOptions().device(device).dtype(dtype);
    const at::Tensor x = at::ones({1, 32, 4, 4}, options);
    const at::Tensor w = at::ones({32, 32, 3, 3}, options);
    const at::Tensor c = at::ones({32}, options);
    const std::vector<std::int64_t> one{1, 1};
    at::Tensor y = at::conv2d(x, w, c, at::IntArrayRef(one), at::IntArrayRef(one));
    y = at::silu(at::group_norm(y, 32, c, c, 1e-6));
    y = at::softmax(at::bmm(y.reshape({1, 32, 16}), y.reshape({1, 16, 32})), 2);
    (void)at::tanh(y).sum().item<double>();
}

} // namespace

std::string oneLine(std::string text) {
    // c10 appends where in LibTorch's sources the error was raised: not for users.
    const auto origin = text.find("Exception raised from");
    if (origin != std::string::npos) text.erase(origin);
    for (char& c : text)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    while (!text.empty() && text.back() == ' ')
        text.pop_back();
    constexpr std::size_t kMax = 400;
    if (text.size() > kMax) text = text.substr(0, kMax) + "...";
    return text;
}

ComputeTarget resolveTarget(const std::string& deviceText, ComputeDType dtype) {
    std::string name;
    for (char c : deviceText)
        if (!std::isspace(static_cast<unsigned char>(c)))
            name += char(std::tolower(static_cast<unsigned char>(c)));
    ComputeTarget target;
    if (name.empty() || name == "auto") {
        name = cudaAvailable() ? "cuda:0" : "cpu";
        target.notes.push_back("device auto: " + name);
    }
    if (name == "cpu") {
        target.device = at::Device(at::kCPU);
        target.deviceName = "cpu";
    } else if (name.rfind("cuda", 0) == 0) {
        std::string index = name.size() > 4 && name[4] == ':' ? name.substr(5) : std::string("0");
        if (name.size() > 4 && name[4] != ':') index.clear();
        if (index.empty() || index.size() > 3 ||
            !std::all_of(index.begin(), index.end(),
                         [](unsigned char c) { return std::isdigit(c); }))
            throw LoadError("device '" + deviceText + "': expected auto, cpu, cuda or cuda:N");
        if (!cudaAvailable()) {
#if LATENTBRUSH_TORCH_CUDA
            throw LoadError("device '" + deviceText +
                            "': no CUDA device is visible (driver missing, or CUDA_VISIBLE_DEVICES "
                            "hides them); use --device cpu");
#else
            throw LoadError("device '" + deviceText +
                            "': this build's LibTorch (" TORCH_VERSION
                            ") has no CUDA support; use --device cpu or auto");
#endif
        }
        const int n = std::stoi(index);
        const auto count = int(torch::cuda::device_count());
        if (n >= count)
            throw LoadError("device '" + deviceText + "': there " +
                            (count == 1 ? "is 1 CUDA device"
                                        : "are " + std::to_string(count) + " CUDA devices") +
                            " (cuda:0" +
                            (count > 1 ? " to cuda:" + std::to_string(count - 1) : "") + ")");
        target.device = at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(n));
        target.deviceName = "cuda:" + std::to_string(n);
    } else {
        throw LoadError("device '" + deviceText + "': expected auto, cpu, cuda or cuda:N");
    }

    const bool cuda = target.device.is_cuda();
    if (dtype == ComputeDType::Auto) {
        if (!cuda) {
            dtype = ComputeDType::F32;
        } else {
#if LATENTBRUSH_TORCH_CUDA
            const bool bf16 = at::cuda::getDeviceProperties(target.device.index())->major >= 8;
#else
            bool bf16 = true;
            try {
                probeKernels(target.device, at::kBFloat16);
            } catch (const std::exception&) {
                bf16 = false;
            }
#endif
            dtype = bf16 ? ComputeDType::BF16 : ComputeDType::F16;
        }
        target.notes.push_back(std::string("dtype auto: ") + computeDTypeName(dtype) + " on " +
                               target.deviceName);
    }
    target.dtype = dtype == ComputeDType::F16    ? at::kHalf
                   : dtype == ComputeDType::BF16 ? at::kBFloat16
                                                 : at::kFloat;
    target.dtypeName = computeDTypeName(dtype);
    if (cuda && target.dtype == at::kFloat) {
        // LibTorch lets cuDNN convolutions use TF32 by default (relative error ~1e-3): fp32 means
        // float32 here (docs/NUMERICS.md: float32 variants within 1e-5). A process-wide setting.
        at::globalContext().setAllowTF32CuDNN(false);
        at::globalContext().setAllowTF32CuBLAS(false);
        target.notes.push_back("fp32 on " + target.deviceName + ": TF32 disabled");
    }
    if (cuda) {
        // cuDNN picks the fastest convolution algorithm per shape on first use (the editor and
        // batches encode the same sizes again and again).
        at::globalContext().setBenchmarkCuDNN(true);
    }
    if (target.dtype != at::kFloat) {
        try {
            probeKernels(target.device, target.dtype);
        } catch (const std::exception& e) {
            throw LoadError(
                "dtype " + target.dtypeName + " on " + target.deviceName +
                ": this LibTorch (" TORCH_VERSION ") lacks the kernels (" +
                oneLine(e.what()).substr(0, 160) + "); use fp32" +
                (cuda ? std::string() : std::string(" (or bf16) on the CPU, or a CUDA device")));
        }
    }
    return target;
}

double availableBytes(const at::Device& device) {
    if (device.is_cpu()) {
        std::ifstream meminfo("/proc/meminfo");
        std::string line;
        while (std::getline(meminfo, line)) {
            if (line.rfind("MemAvailable:", 0) == 0) {
                std::istringstream in(line.substr(13));
                double kib = 0;
                in >> kib;
                return kib * 1024.0;
            }
        }
        return -1.0;
    }
#if LATENTBRUSH_TORCH_CUDA
    if (device.is_cuda()) {
        c10::cuda::CUDAGuard guard(device.index());
        // Free memory of the device plus what LibTorch's allocator holds cached but unused;
        // emptying the cache here instead would cost every encode a round of cudaFree/cudaMalloc.
        std::size_t free = 0, total = 0;
        if (cudaMemGetInfo(&free, &total) != cudaSuccess) return -1.0;
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index());
        constexpr std::size_t aggregate = 0; // StatType::AGGREGATE (its namespace moved in 2.x)
        const double cachedUnused = double(stats.reserved_bytes[aggregate].current) -
                                    double(stats.allocated_bytes[aggregate].current);
        return double(free) + std::max(0.0, cachedUnused);
    }
#endif
    return -1.0;
}

void releaseCachedMemory(const at::Device& device) {
#if LATENTBRUSH_TORCH_CUDA
    if (device.is_cuda()) c10::cuda::CUDACachingAllocator::emptyCache();
#else
    (void)device;
#endif
}

bool isOutOfMemory(const std::exception& error) {
    if (dynamic_cast<const std::bad_alloc*>(&error)) return true;
    if (dynamic_cast<const c10::OutOfMemoryError*>(&error)) return true;
    const std::string text = error.what();
    return text.find("out of memory") != std::string::npos ||
           text.find("can't allocate memory") != std::string::npos ||
           text.find("not enough memory") != std::string::npos;
}

} // namespace vae
} // namespace lb
