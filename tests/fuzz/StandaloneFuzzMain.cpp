// A main() for the fuzz targets where libFuzzer is not available: the GCC sanitizer build, which
// is the only one that can compile LibTorch 1.13's headers in C++20 (clang cannot; see
// docs/RELIABILITY.md), so it runs the VAE-loader target. It understands the libFuzzer flags
// scripts/fuzz.sh and ctest pass: every FILE or DIR argument is run once; with
// -max_total_time=S it then mutates random corpus inputs (bit flips, byte sets, inserts, erases,
// copies, splices, interesting values) for S seconds, without coverage feedback. A crashing
// input is written to <artifact_prefix>crash-<hash> by the sanitizer's death callback or by the
// abort/segfault handler, as libFuzzer does.
#include <sanitizer/common_interface_defs.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

std::string gArtifactPrefix = "./";
// The input being run, for the crash handlers (written with write(2) only).
volatile bool gRunning = false;
const std::uint8_t* gCurrent = nullptr;
std::size_t gCurrentSize = 0;
char gCrashPath[4096] = {0};

std::uint64_t fnv1a(const std::uint8_t* d, std::size_t n) {
    std::uint64_t h = 1469598103934665603ull;
    for (std::size_t i = 0; i < n; ++i)
        h = (h ^ d[i]) * 1099511628211ull;
    return h;
}

void writeCurrentInput() {
    if (!gRunning) return;
    gRunning = false;
    const int fd = ::open(gCrashPath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return;
    std::size_t done = 0;
    while (done < gCurrentSize) {
        const ssize_t n = ::write(fd, gCurrent + done, gCurrentSize - done);
        if (n <= 0) break;
        done += std::size_t(n);
    }
    ::close(fd);
    const char note[] = "\nstandalone fuzz driver: the crashing input was written to ";
    (void)!::write(2, note, sizeof note - 1);
    (void)!::write(2, gCrashPath, std::strlen(gCrashPath));
    (void)!::write(2, "\n", 1);
}

void onDeath() {
    writeCurrentInput();
}

void onSignal(int sig) {
    writeCurrentInput();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

void runOne(const std::vector<std::uint8_t>& input) {
    gCurrent = input.data();
    gCurrentSize = input.size();
    std::snprintf(gCrashPath, sizeof gCrashPath, "%scrash-%016llx", gArtifactPrefix.c_str(),
                  static_cast<unsigned long long>(fnv1a(input.data(), input.size())));
    gRunning = true;
    LLVMFuzzerTestOneInput(input.data(), input.size());
    gRunning = false;
    gCurrent = nullptr;
    gCurrentSize = 0;
}

std::vector<std::uint8_t> readAll(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void mutate(std::vector<std::uint8_t>& d, const std::vector<std::vector<std::uint8_t>>& corpus,
            std::mt19937_64& rng, std::size_t maxLen) {
    auto pick = [&](std::size_t n) { return n ? std::size_t(rng() % n) : 0; };
    const int steps = 1 + int(rng() % 4);
    for (int s = 0; s < steps; ++s) {
        switch (rng() % 8) {
        case 0:
            if (!d.empty()) d[pick(d.size())] ^= std::uint8_t(1u << (rng() % 8));
            break;
        case 1:
            if (!d.empty()) d[pick(d.size())] = std::uint8_t(rng());
            break;
        case 2:
            d.insert(d.begin() + std::ptrdiff_t(pick(d.size() + 1)), std::uint8_t(rng()));
            break;
        case 3:
            if (!d.empty()) {
                const std::size_t at = pick(d.size());
                d.erase(d.begin() + std::ptrdiff_t(at),
                        d.begin() + std::ptrdiff_t(std::min(d.size(), at + 1 + pick(8))));
            }
            break;
        case 4: {
            const std::uint8_t interesting[] = {0,  1,  2,  3,  4,  7,   8,   15,
                                                16, 31, 32, 63, 64, 127, 128, 255};
            if (!d.empty()) d[pick(d.size())] = interesting[rng() % sizeof interesting];
            break;
        }
        case 5:
            if (d.size() > 2) { // copy a part over another place
                const std::size_t from = pick(d.size()), to = pick(d.size());
                const std::size_t n = std::min({d.size() - from, d.size() - to, 1 + pick(16)});
                std::memmove(d.data() + to, d.data() + from, n);
            }
            break;
        case 6:
            if (!corpus.empty()) { // splice with another input
                const auto& other = corpus[pick(corpus.size())];
                if (!other.empty()) {
                    const std::size_t cut = pick(d.size() + 1), from = pick(other.size());
                    d.resize(cut);
                    d.insert(d.end(), other.begin() + std::ptrdiff_t(from), other.end());
                }
            }
            break;
        default:
            if (!d.empty()) std::swap(d[pick(d.size())], d[pick(d.size())]);
            break;
        }
    }
    if (d.size() > maxLen) d.resize(maxLen);
}

} // namespace

int main(int argc, char** argv) {
    double maxTotalTime = 0;
    long long runs = -1;
    unsigned long long seed = std::random_device{}();
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&](const char* flag) -> const char* {
            const std::size_t n = std::strlen(flag);
            return a.compare(0, n, flag) == 0 ? a.c_str() + n : nullptr;
        };
        if (const char* v = value("-max_total_time="))
            maxTotalTime = std::atof(v);
        else if (const char* v2 = value("-runs="))
            runs = std::atoll(v2);
        else if (const char* v3 = value("-seed="))
            seed = std::strtoull(v3, nullptr, 10);
        else if (const char* v4 = value("-artifact_prefix="))
            gArtifactPrefix = v4;
        else if (a.size() > 1 && a[0] == '-')
            continue; // other libFuzzer flags: not used here
        else
            inputs.emplace_back(a);
    }
    __sanitizer_set_death_callback(onDeath);
    // Sanitizer reports go to a copy of stderr, so they stay visible while the code under test
    // mutes descriptor 2 (ImageIO does while decoding), as with libFuzzer's -close_fd_mask.
    if (const int reportFd = ::dup(2); reportFd >= 0)
        __sanitizer_set_report_fd(reinterpret_cast<void*>(static_cast<std::intptr_t>(reportFd)));
    for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL})
        std::signal(sig, onSignal);

    const auto start = std::chrono::steady_clock::now();
    std::vector<std::vector<std::uint8_t>> corpus;
    long long executed = 0;
    std::size_t maxLen = 64;
    for (const fs::path& p : inputs) {
        std::vector<fs::path> files;
        if (fs::is_directory(p)) {
            for (const auto& e : fs::recursive_directory_iterator(p))
                if (e.is_regular_file()) files.push_back(e.path());
            std::sort(files.begin(), files.end());
        } else {
            files.push_back(p);
        }
        for (const fs::path& f : files) {
            corpus.push_back(readAll(f));
            maxLen = std::max(maxLen, corpus.back().size());
            runOne(corpus.back());
            ++executed;
        }
    }
    std::fprintf(stderr, "standalone fuzz driver: ran %lld corpus inputs\n", executed);

    if (maxTotalTime > 0 && runs != 0) {
        std::mt19937_64 rng(seed);
        std::fprintf(stderr, "standalone fuzz driver: mutating for %.0f s (seed %llu)\n",
                     maxTotalTime, seed);
        while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() <
                   maxTotalTime &&
               (runs < 0 || executed < runs)) {
            std::vector<std::uint8_t> input =
                corpus.empty() ? std::vector<std::uint8_t>() : corpus[rng() % corpus.size()];
            mutate(input, corpus, rng, maxLen);
            runOne(input);
            ++executed;
        }
    }
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    std::fprintf(stderr, "Done %lld runs in %.0f second(s)\n", executed,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    std::fprintf(stderr, "stat::number_of_executed_units: %lld\n", executed);
    std::fprintf(stderr, "stat::peak_rss_mb: %ld\n", long(usage.ru_maxrss / 1024));
    return 0;
}
