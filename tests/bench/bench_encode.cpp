// `latentbrush-bench encode`: times lb::Vae::encode over sizes, dtypes and devices (warm-up,
// median of several runs, peak CUDA memory where LibTorch has CUDA), one JSON line per figure.
#include "latentbrush/Parallel.h"
#include "latentbrush/Vae.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/types.h>
#include <torch/version.h>
#if defined(LATENTBRUSH_TORCH_CUDA)
#include <c10/cuda/CUDACachingAllocator.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<std::string> splitList(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

lb::ImageBuffer randomImage(int size, std::uint32_t seed) {
    lb::ImageBuffer img;
    img.height = img.width = size;
    img.channels = 3;
    img.data.resize(std::size_t(size) * size * 3);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (float& v : img.data)
        v = u(rng);
    return img;
}

void resetPeak([[maybe_unused]] const std::string& device) {
#if defined(LATENTBRUSH_TORCH_CUDA)
    if (device.rfind("cuda", 0) == 0)
        c10::cuda::CUDACachingAllocator::resetPeakStats(c10::DeviceIndex(0));
#endif
}

double peakGiB([[maybe_unused]] const std::string& device) {
#if defined(LATENTBRUSH_TORCH_CUDA)
    if (device.rfind("cuda", 0) == 0) {
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(c10::DeviceIndex(0));
        return double(stats.allocated_bytes[0].peak) / double(1ull << 30);
    }
#endif
    return -1.0;
}

// One more encode (a separately loaded VAE without CUDA graphs, whose replay reports no
// stages), the device synchronised at every progress report: where the time goes, stage by
// stage (the synchronisation itself costs a little).
void printStages(const std::string& vaePath, lb::VaeLoadOptions o, const lb::ImageBuffer& img) {
    o.cudaGraphs = false;
    auto vae = lb::Vae::load(vaePath, o);
    if (!vae) return;
    const bool cuda = (*vae)->info().device.rfind("cuda", 0) == 0;
    (void)(*vae)->encode(img); // warm-up
    std::vector<std::pair<std::string, double>> marks;
    auto last = std::chrono::steady_clock::now();
    std::string current = "start";
    lb::Progress progress;
    progress.report = [&](double, const std::string& stage) {
        if (cuda) torch::cuda::synchronize();
        const auto now = std::chrono::steady_clock::now();
        marks.emplace_back(current, std::chrono::duration<double, std::milli>(now - last).count());
        current = stage;
        last = now;
    };
    (void)(*vae)->encode(img, progress);
    std::printf("{\"stages\": %d, \"kernels\": \"%s\", \"ms\": [", img.width,
                lb::kernelsName(o.kernels));
    for (std::size_t m = 0; m < marks.size(); ++m)
        std::printf("%s[\"%s\", %.3f]", m ? ", " : "", marks[m].first.c_str(), marks[m].second);
    std::printf("]}\n");
    std::fflush(stdout);
}

} // namespace

int runEncodeBenchmark(int argc, char** argv) {
    std::string vaePath, device = "cpu", sizes = "512", dtypes = "fp32", family, kernels = "fast";
    int reps = 5, warmup = 2, threads = 0;
    bool stages = false;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : std::string(); };
        if (a == "--vae")
            vaePath = next();
        else if (a == "--device")
            device = next();
        else if (a == "--sizes")
            sizes = next();
        else if (a == "--dtype")
            dtypes = next();
        else if (a == "--reps")
            reps = std::stoi(next());
        else if (a == "--warmup")
            warmup = std::stoi(next());
        else if (a == "--threads")
            threads = std::stoi(next());
        else if (a == "--vae-family")
            family = next();
        else if (a == "--kernels")
            kernels = next();
        else if (a == "--stages")
            stages = true;
        else {
            std::printf("usage: latentbrush-bench encode --vae FILE [--device cpu|cuda] "
                        "[--sizes 512,1024] [--dtype fp32,bf16] [--reps N] [--warmup N] "
                        "[--threads T] [--vae-family F] [--kernels fast,reference] [--stages]\n");
            return a == "--help" ? 0 : 2;
        }
    }
    if (vaePath.empty()) {
        std::fprintf(stderr, "latentbrush-bench encode: --vae is required\n");
        return 2;
    }
    if (threads > 0) lb::setCpuThreadCount(threads);
    for (const std::string& kernelPath : splitList(kernels))
        for (const std::string& dt : splitList(dtypes)) {
            lb::VaeLoadOptions o;
            // "plain" is the name older scripts and PERFORMANCE.md tables used for "reference".
            if (!lb::parseKernels(kernelPath == "plain" ? "reference" : kernelPath, &o.kernels)) {
                std::fprintf(stderr, "unknown kernels %s (fast, reference)\n", kernelPath.c_str());
                return 2;
            }
            o.device = device;
            if (!lb::parseComputeDType(dt, &o.dtype)) {
                std::fprintf(stderr, "unknown dtype %s\n", dt.c_str());
                return 2;
            }
            if (!family.empty()) {
                lb::VaeFamily f;
                if (!lb::parseVaeFamily(family, &f)) return 2;
                o.family = f;
            }
            auto vae = lb::Vae::load(vaePath, o);
            if (!vae) {
                std::fprintf(stderr, "%s\n", vae.message().c_str());
                return 1;
            }
            // Vae::load gives LibTorch all cores; --threads pins it (the baselines use 2 here).
            if (threads > 0) at::set_num_threads(threads);
            const lb::VaeInfo& info = (*vae)->info();
            for (const std::string& sizeText : splitList(sizes)) {
                const int size = std::stoi(sizeText);
                const lb::ImageBuffer img = randomImage(size, std::uint32_t(size));
                std::string error;
                for (int w = 0; w < warmup && error.empty(); ++w)
                    if (auto r = (*vae)->encode(img); !r) error = r.message();
                resetPeak(info.device);
                std::vector<double> ms;
                for (int r = 0; r < reps && error.empty(); ++r) {
                    const auto t0 = std::chrono::steady_clock::now();
                    auto out = (*vae)->encode(img); // returns host data: the device is synchronised
                    ms.push_back(std::chrono::duration<double, std::milli>(
                                     std::chrono::steady_clock::now() - t0)
                                     .count());
                    if (!out) error = out.message();
                }
                if (!error.empty()) {
                    std::printf("{\"impl\": \"latentbrush\", \"family\": \"%s\", \"size\": %d, "
                                "\"dtype\": \"%s\", \"device\": \"%s\", \"error\": \"%s\"}\n",
                                lb::vaeFamilyName(info.family), size, info.computeDType.c_str(),
                                info.device.c_str(), error.c_str());
                    continue;
                }
                if (stages) printStages(vaePath, o, img);
                std::sort(ms.begin(), ms.end());
                const double peak = peakGiB(info.device);
                std::printf(
                    "{\"impl\": \"latentbrush-%s\", \"libtorch\": \"%s\", \"family\": \"%s\", "
                    "\"size\": %d, \"dtype\": \"%s\", \"device\": \"%s\", \"threads\": %d, "
                    "\"median_ms\": %.3f, \"min_ms\": %.3f, \"peak_gib\": %s}\n",
                    lb::kernelsName(o.kernels), TORCH_VERSION, lb::vaeFamilyName(info.family), size,
                    info.computeDType.c_str(), info.device.c_str(), at::get_num_threads(),
                    ms[ms.size() / 2], ms.front(),
                    peak < 0 ? "null" : std::to_string(peak).c_str());
                std::fflush(stdout);
            }
        }
    return 0;
}
