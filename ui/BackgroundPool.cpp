// BackgroundPool: one process-wide pool for the editor's long jobs (BackgroundPool.h).
#include "BackgroundPool.h"

#include <QCoreApplication>
#include <QThread>
#include <QThreadPool>

#include <algorithm>

namespace lbui {

QThreadPool* backgroundPool() {
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool; // lives until exit, like the global pool
        // Enough threads that a long job (a live view run, an encode) never queues a short one (the
        // planning, the autosave) behind it.
        p->setMaxThreadCount(std::max(8, QThread::idealThreadCount()));
        // As the global pool: the application's end waits for the jobs still running (a read
        // of the original, say), so none outlives what it reports to.
        qAddPostRoutine([] { backgroundPool()->waitForDone(); });
        return p;
    }();
    return pool;
}

} // namespace lbui
