// Helpers shared by the libFuzzer targets: a per-process scratch file on a RAM disk, checks that
// abort (so that libFuzzer records the input) and the one-line error-message rule.
#pragma once

#include "latentbrush/Result.h"

#include <sanitizer/common_interface_defs.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

// A property that must hold for every input: report what broke and abort, so that libFuzzer
// saves the input as a crash reproducer. The text also goes through the sanitizer's report
// channel, which stays visible when the target's stderr is closed (scripts/fuzz.sh runs the
// targets with -close_fd_mask=2, which keeps libpng's own messages out of the log).
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            char fuzzWhy[1024];                                                                    \
            std::snprintf(fuzzWhy, sizeof fuzzWhy, __VA_ARGS__);                                   \
            char fuzzLine[1400];                                                                   \
            std::snprintf(fuzzLine, sizeof fuzzLine, "FUZZ_CHECK failed at %s:%d: %s: %s",         \
                          __FILE__, __LINE__, #cond, fuzzWhy);                                     \
            std::fprintf(stderr, "%s\n", fuzzLine);                                                \
            __sanitizer_report_error_summary(fuzzLine);                                            \
            std::abort();                                                                          \
        }                                                                                          \
    } while (0)

namespace lbfuzz {

// A folder for scratch files: $LATENTBRUSH_FUZZ_TMP, else /dev/shm (no disk writes), else /tmp.
inline const std::string& scratchDir() {
    // Never destroyed: the exit handler that removes the folder runs after static destructors.
    static const std::string* dir = [] {
        namespace fs = std::filesystem;
        std::string base;
        if (const char* env = std::getenv("LATENTBRUSH_FUZZ_TMP"); env && *env)
            base = env;
        else if (fs::is_directory("/dev/shm"))
            base = "/dev/shm";
        else
            base = fs::temp_directory_path().string();
        auto* d = new std::string(base + "/latentbrush-fuzz-" + std::to_string(::getpid()));
        fs::create_directories(*d);
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(scratchDir(), ec);
        });
        return d;
    }();
    return *dir;
}

// <scratch>/<name>, holding exactly `size` bytes.
inline std::string writeScratch(const std::string& name, const std::uint8_t* data,
                                std::size_t size) {
    const std::string path = scratchDir() + "/" + name;
    std::FILE* f = std::fopen(path.c_str(), "wb");
    FUZZ_CHECK(f, "cannot create %s", path.c_str());
    if (size) FUZZ_CHECK(std::fwrite(data, 1, size, f) == size, "short write to %s", path.c_str());
    std::fclose(f);
    return path;
}

// The project's error rule: one non-empty line.
inline void checkOneLine(const lb::Error& error, const char* what) {
    const std::string& m = error.message;
    FUZZ_CHECK(!m.empty(), "%s: empty error message", what);
    FUZZ_CHECK(m.find('\n') == std::string::npos && m.find('\r') == std::string::npos,
               "%s: error message spans several lines: %s", what, m.c_str());
}

// Only the scratch folder may hold files after a call: no temporary left behind by a writer.
inline std::size_t scratchFileCount() {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(scratchDir())) {
        (void)e;
        ++n;
    }
    return n;
}

} // namespace lbfuzz
