// parallelFor over a small persistent pool of std::threads (see Parallel.h). Calls made from a
// pool thread run serially, so nested use cannot deadlock.
#include "latentbrush/Parallel.h"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace lb {
namespace {

thread_local bool tInsidePool = false;
std::atomic<int> gThreadOverride{0};

class ThreadPool {
public:
    static ThreadPool& instance() {
        static ThreadPool pool;
        return pool;
    }

    void submit(std::function<void()> task) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            ensureWorkers();
            tasks_.push_back(std::move(task));
        }
        wake_.notify_one();
    }

    ~ThreadPool() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        for (auto& t : workers_)
            t.join();
    }

private:
    void ensureWorkers() {
        const auto wanted = std::size_t(availableCores());
        while (workers_.size() < wanted)
            workers_.emplace_back([this] { run(); });
    }

    void run() {
        tInsidePool = true;
        for (;;) {
            std::function<void()> task;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
                if (tasks_.empty()) return;
                task = std::move(tasks_.front());
                tasks_.pop_front();
            }
            task();
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> tasks_;
    std::vector<std::thread> workers_;
    bool stopping_ = false;
};

} // namespace

int availableCores() {
    int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    // The CPUs this process may run on (taskset, Slurm and Kubernetes cpusets).
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0) cores = std::max(1, CPU_COUNT(&set));
    // A cgroup v2 CPU quota (docker --cpus, Kubernetes limits): "max PERIOD" or "QUOTA PERIOD".
    std::ifstream quota("/sys/fs/cgroup/cpu.max");
    std::string q;
    double period = 0.0;
    if (quota >> q >> period && q != "max" && period > 0.0) {
        std::istringstream in(q);
        double microseconds = 0.0;
        if (in >> microseconds && microseconds > 0.0)
            cores = std::min(cores, std::max(1, int(std::ceil(microseconds / period))));
    }
    return cores;
}

int cpuThreadCount() {
    int forced = gThreadOverride.load();
    if (forced > 0) return forced;
    static const int cores = availableCores();
    return cores;
}

void setCpuThreadCount(int n) {
    gThreadOverride.store(std::max(0, n));
}

void parallelFor(std::int64_t begin, std::int64_t end, std::int64_t grain,
                 const std::function<void(std::int64_t, std::int64_t)>& fn) {
    const std::int64_t n = end - begin;
    if (n <= 0) return;
    grain = std::max<std::int64_t>(1, grain);
    std::int64_t chunks = std::min<std::int64_t>(cpuThreadCount(), n / grain);
    if (chunks <= 1 || tInsidePool) {
        fn(begin, end);
        return;
    }
    const std::int64_t step = (n + chunks - 1) / chunks;
    std::mutex doneMutex;
    std::condition_variable doneCv;
    std::int64_t pending = 0;
    for (std::int64_t c = 1; c < chunks; ++c) {
        std::int64_t b = begin + c * step;
        std::int64_t e = std::min(end, b + step);
        if (b >= e) continue;
        {
            std::lock_guard<std::mutex> lock(doneMutex);
            ++pending;
        }
        ThreadPool::instance().submit([&, b, e] {
            fn(b, e);
            std::lock_guard<std::mutex> lock(doneMutex);
            if (--pending == 0) doneCv.notify_one();
        });
    }
    fn(begin, std::min(end, begin + step));
    std::unique_lock<std::mutex> lock(doneMutex);
    doneCv.wait(lock, [&] { return pending == 0; });
}

} // namespace lb
