// `latentbrush-bench grow`: times the core's grow (binary box dilation) and the whole noise_mask
// step on a large mask, next to the seed's line-by-line LibTorch path. Prints figures only.
#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/Parallel.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// A mask like a painted one: a few filled discs and strokes on a 0 background.
lb::MaskBuffer paintedMask(int size, std::uint32_t seed) {
    lb::MaskBuffer m;
    m.height = m.width = size;
    m.data.assign(std::size_t(size) * size, 0.0f);
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> pos(0, size - 1), radius(size / 64, size / 8);
    for (int n = 0; n < 12; ++n) {
        const int cy = pos(rng), cx = pos(rng), r = radius(rng);
        for (int y = std::max(0, cy - r); y < std::min(size, cy + r); ++y)
            for (int x = std::max(0, cx - r); x < std::min(size, cx + r); ++x)
                if ((y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r)
                    m.data[std::size_t(y) * size + x] = 1.0f;
    }
    return m;
}

template <class F> double medianMs(int reps, F&& f) {
    std::vector<double> t;
    f(); // warm-up
    for (int i = 0; i < reps; ++i) {
        auto t0 = Clock::now();
        f();
        t.push_back(millisecondsSince(t0));
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

torch::Tensor seedGrow(const torch::Tensor& mask, int g) {
    namespace F = torch::nn::functional;
    if (g == 0) return mask.round();
    torch::Tensor kernel = torch::ones({1, 1, g, g});
    const int64_t padding = (g - 1 + 1) / 2; // ceil((g-1)/2)
    torch::Tensor e = torch::clamp(
        F::conv2d(mask.round(), kernel, F::Conv2dFuncOptions().padding(padding)), 0, 1);
    return e
        .index({torch::indexing::Slice(), torch::indexing::Slice(),
                torch::indexing::Slice(0, mask.size(2)), torch::indexing::Slice(0, mask.size(3))})
        .round();
}

void usage() {
    std::printf("usage: latentbrush-bench grow [--size N] [--grow g[,g...]] [--reps R] "
                "[--threads T] [--torch-max-grow G]\n"
                "  --torch-max-grow: run the LibTorch conv2d reference only for g <= G "
                "(default 64; it is O(g^2) per pixel)\n");
}

} // namespace

int runGrowBenchmark(int argc, char** argv) {
    int size = 4096, reps = 15, threads = 0, torchMaxGrow = 64;
    std::vector<int> grows = {6, 64};
    for (int i = 2; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                usage();
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--size")
            size = std::stoi(next());
        else if (a == "--reps")
            reps = std::stoi(next());
        else if (a == "--threads")
            threads = std::stoi(next());
        else if (a == "--torch-max-grow")
            torchMaxGrow = std::stoi(next());
        else if (a == "--grow") {
            grows.clear();
            std::string list = next();
            for (std::size_t p = 0; p < list.size();) {
                std::size_t q = list.find(',', p);
                grows.push_back(std::stoi(list.substr(p, q - p)));
                p = q == std::string::npos ? list.size() : q + 1;
            }
        } else {
            usage();
            return a == "--help" ? 0 : 2;
        }
    }
    if (threads > 0) lb::setCpuThreadCount(threads);
    torch::set_num_threads(lb::cpuThreadCount());
    std::printf("grow benchmark: %dx%d painted mask, %d core threads, LibTorch %d threads, "
                "median of %d\n",
                size, size, lb::cpuThreadCount(), torch::get_num_threads(), reps);
    lb::MaskBuffer mask = paintedMask(size, 1234);
    lb::BinaryMask binary = lb::roundMask(mask);
    torch::Tensor maskTensor = torch::from_blob(mask.data.data(), {1, 1, size, size});
    std::printf("%6s %16s %18s %22s %10s\n", "g", "binary grow ms", "noise_mask ms",
                "LibTorch seed path ms", "identical");
    for (int g : grows) {
        const double binaryMs = medianMs(reps, [&] { (void)lb::growBinary(binary, g); });
        const double fullMs = medianMs(reps, [&] {
            auto r = lb::noiseMaskForSize(mask, size, size, g, 8);
            if (!r) std::abort();
        });
        double torchMs = -1.0;
        const char* same = "-";
        if (g <= torchMaxGrow) {
            torch::NoGradGuard noGrad;
            torch::Tensor ref;
            auto t0 = Clock::now();
            ref = seedGrow(maskTensor, g);
            torchMs = millisecondsSince(t0);
            lb::BinaryMask ours = lb::growBinary(binary, g);
            torch::Tensor r = ref.reshape({size, size}).to(torch::kUInt8).contiguous();
            same = std::memcmp(r.data_ptr<std::uint8_t>(), ours.data.data(), ours.data.size()) == 0
                       ? "yes"
                       : "NO";
        }
        if (torchMs >= 0)
            std::printf("%6d %16.2f %18.2f %22.1f %10s\n", g, binaryMs, fullMs, torchMs, same);
        else
            std::printf("%6d %16.2f %18.2f %22s %10s\n", g, binaryMs, fullMs, "skipped", same);
    }
    return 0;
}
