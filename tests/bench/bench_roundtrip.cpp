// `latentbrush-bench roundtrip`: the live view's computation without the window: lb::vaeRoundTrip
// (the node's preprocessing, encode, decode, difference and PSNR) on a square region, on the CPU
// or CUDA, median of several runs after a warm-up; one JSON line per size. latentbrush-bench-live
// measures the same inside the editor (debounce and UI included) but needs Qt Widgets, which the
// GPU machine lacks, so this is how the live view is timed there. Asserts nothing.
#include "latentbrush/BuiltinVae.h"
#include "latentbrush/RoundTrip.h"
#include "latentbrush/Vae.h"

#include <ATen/Parallel.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

namespace {

// A photograph-like region (smooth gradients, fine texture) and a disc-shaped mask in its middle,
// as bench_live.cpp paints.
lb::ImageBuffer photoLike(int side) {
    lb::ImageBuffer img;
    img.height = img.width = side;
    img.channels = 3;
    img.data.resize(std::size_t(side) * side * 3);
    for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x)
            for (int k = 0; k < 3; ++k) {
                const double v = 0.5 + 0.3 * std::sin(0.013 * x * (k + 1) + 0.021 * y) +
                                 0.1 * std::sin(0.9 * x + 1.3 * y + k);
                img.data[(std::size_t(y) * side + x) * 3 + k] = float(std::clamp(v, 0.0, 1.0));
            }
    return img;
}

lb::MaskBuffer disc(int side, int cx, int cy, int r) {
    lb::MaskBuffer m;
    m.height = m.width = side;
    m.data.assign(std::size_t(side) * side, 0.0f);
    for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x)
            if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r)
                m.data[std::size_t(y) * side + x] = 1.0f;
    return m;
}

} // namespace

int runRoundTripBenchmark(int argc, char** argv) {
    std::string vaeSpec = lb::builtinVaeSpec("taef2"), device = "cpu", dtypeName = "fp32",
                sizes = "512,1024";
    int reps = 5, threads = 0;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : std::string(); };
        if (a == "--vae")
            vaeSpec = next();
        else if (a == "--device")
            device = next();
        else if (a == "--dtype")
            dtypeName = next();
        else if (a == "--sizes")
            sizes = next();
        else if (a == "--reps")
            reps = std::max(1, std::stoi(next()));
        else if (a == "--threads")
            threads = std::stoi(next());
        else {
            std::printf("usage: latentbrush-bench roundtrip [--vae builtin:taef2|FILE] "
                        "[--device cpu|cuda] [--dtype fp32|bf16|fp16] [--sizes 512,1024] "
                        "[--reps N] [--threads T]\n");
            return a == "--help" ? 0 : 2;
        }
    }
    const auto path = lb::resolveVaePath(vaeSpec);
    if (!path) {
        std::fprintf(stderr, "latentbrush-bench roundtrip: %s\n", path.message().c_str());
        return 1;
    }
    lb::VaeLoadOptions o;
    o.device = device;
    o.needDecoder = true;
    o.cpuThreads = threads;
    if (!lb::parseComputeDType(dtypeName, &o.dtype)) {
        std::fprintf(stderr, "unknown dtype %s\n", dtypeName.c_str());
        return 2;
    }
    auto vae = lb::Vae::load(path.value(), o);
    if (!vae) {
        std::fprintf(stderr, "%s\n", vae.message().c_str());
        return 1;
    }
    std::stringstream list(sizes);
    for (std::string item; std::getline(list, item, ',');) {
        const int side = std::stoi(item);
        const lb::ImageBuffer image = photoLike(side);
        std::vector<double> total, encodeMs, decodeMs;
        std::string error;
        double psnr = 0.0;
        for (int r = -2; r < reps && error.empty(); ++r) { // two warm-up runs
            // A different mask each time, as an edit gives.
            const lb::MaskBuffer mask = disc(side, side / 3 + 7 * (r + 2), side / 2, side / 10);
            const auto t0 = std::chrono::steady_clock::now();
            auto trip = lb::vaeRoundTrip(**vae, image, mask, 6);
            const double ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                    .count();
            if (!trip) {
                error = trip.message();
                break;
            }
            if (r < 0) continue;
            total.push_back(ms);
            encodeMs.push_back(trip->encodeSeconds * 1e3);
            decodeMs.push_back(trip->decodeSeconds * 1e3);
            psnr = trip->psnrKept;
        }
        if (!error.empty()) {
            std::printf("{\"bench\": \"roundtrip\", \"size\": %d, \"error\": \"%s\"}\n", side,
                        error.c_str());
            continue;
        }
        auto median = [](std::vector<double> v) {
            std::sort(v.begin(), v.end());
            return v[v.size() / 2];
        };
        const lb::VaeInfo& info = (*vae)->info();
        std::printf("{\"bench\": \"roundtrip\", \"libtorch\": \"%s\", \"vae\": \"%s\", \"family\": "
                    "\"%s\", \"device\": \"%s\", \"dtype\": \"%s\", \"threads\": %d, \"region\": "
                    "\"%dx%d\", \"reps\": %d, \"median_ms\": %.2f, \"encode_ms\": %.2f, "
                    "\"decode_ms\": %.2f, \"psnr_kept_db\": %.2f}\n",
                    TORCH_VERSION, vaeSpec.c_str(), lb::vaeFamilyName(info.family),
                    info.device.c_str(), info.computeDType.c_str(), at::get_num_threads(), side,
                    side, reps, median(total), median(encodeMs), median(decodeMs), psnr);
        std::fflush(stdout);
    }
    return 0;
}
