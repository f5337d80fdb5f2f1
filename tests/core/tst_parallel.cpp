// The core's CPU parallelism: the cores a process may use follow its affinity (taskset, Slurm and
// Kubernetes cpusets), and parallelFor covers a range exactly once with any thread count.
#include "TestSupport.h"

#include "latentbrush/Parallel.h"

#include <sched.h>

#include <atomic>
#include <thread>
#include <vector>

class TestParallel : public QObject {
    Q_OBJECT
private slots:
    void coresFollowAffinity() {
        const int all = lb::availableCores();
        QVERIFY(all >= 1);
        QVERIFY(all <= int(std::max(1u, std::thread::hardware_concurrency())));
        cpu_set_t original;
        CPU_ZERO(&original);
        QCOMPARE(sched_getaffinity(0, sizeof(original), &original), 0);
        int first = -1;
        for (int c = 0; c < CPU_SETSIZE && first < 0; ++c)
            if (CPU_ISSET(c, &original)) first = c;
        QVERIFY(first >= 0);
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(first, &one);
        QCOMPARE(sched_setaffinity(0, sizeof(one), &one), 0);
        const int limited = lb::availableCores();
        QCOMPARE(sched_setaffinity(0, sizeof(original), &original), 0);
        QCOMPARE(limited, 1);
        QCOMPARE(lb::availableCores(), all);
    }

    void parallelForCoversTheRangeOnce_data() {
        QTest::addColumn<int>("threads");
        QTest::addColumn<qint64>("count");
        QTest::addColumn<qint64>("grain");
        for (int threads : {0, 1, 3, 8})
            for (qint64 count : {0, 1, 7, 1000, 100003})
                for (qint64 grain : {1, 64})
                    QTest::addRow("threads %d, %lld items, grain %lld", threads, count, grain)
                        << threads << count << grain;
    }

    void parallelForCoversTheRangeOnce() {
        QFETCH(int, threads);
        QFETCH(qint64, count);
        QFETCH(qint64, grain);
        lb::setCpuThreadCount(threads);
        std::vector<std::atomic<int>> hits(std::size_t(count + 10));
        lb::parallelFor(5, 5 + count, grain, [&](std::int64_t b, std::int64_t e) {
            for (std::int64_t i = b; i < e; ++i)
                hits[std::size_t(i)].fetch_add(1);
        });
        lb::setCpuThreadCount(0);
        for (qint64 i = 0; i < count + 10; ++i)
            QCOMPARE(hits[std::size_t(i)].load(), (i >= 5 && i < 5 + count) ? 1 : 0);
    }
};

QTEST_GUILESS_MAIN(TestParallel)
#include "tst_parallel.moc"
