// Progress reporting and cancellation for long core calls (VAE load, encode, decode).
#pragma once

#include <atomic>
#include <functional>
#include <string>

namespace lb {

struct Progress {
    // Called from the working thread with a fraction in [0, 1] and a short stage name.
    std::function<void(double fraction, const std::string& stage)> report;
    // Set by any thread to stop the work; the call then returns an Error "cancelled".
    const std::atomic<bool>* cancel = nullptr;

    void operator()(double fraction, const std::string& stage) const {
        if (report) report(fraction, stage);
    }
    bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
};

} // namespace lb
