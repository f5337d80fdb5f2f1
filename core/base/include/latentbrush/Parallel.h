// parallelFor: split an index range over the machine's cores with plain std::threads.
// The core's own CPU loops use this; LibTorch's thread pool is configured separately.
#pragma once

#include <cstdint>
#include <functional>

namespace lb {

// Cores this process may use: its CPU affinity (taskset, Slurm, Kubernetes cpusets) and a
// cgroup v2 CPU quota (docker --cpus), at least 1. Read anew on each call.
int availableCores();
// Number of worker threads the core's loops use (availableCores() at first use, at least 1).
int cpuThreadCount();
void setCpuThreadCount(int n); // 0 restores the default

// Calls fn(begin, end) on disjoint sub-ranges of [begin, end) covering it, in parallel when
// the range has at least 2 * grain items. Returns when every call has returned.
void parallelFor(std::int64_t begin, std::int64_t end, std::int64_t grain,
                 const std::function<void(std::int64_t, std::int64_t)>& fn);

} // namespace lb
