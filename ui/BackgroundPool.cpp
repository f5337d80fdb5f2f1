// BackgroundPool: one process-wide pool for the editor's long jobs (BackgroundPool.h).
#include "BackgroundPool.h"

#include <QThread>
#include <QThreadPool>

#include <algorithm>

namespace lbui {

QThreadPool* backgroundPool() {
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool; // lives until exit, like the global pool
        p->setMaxThreadCount(std::max(4, QThread::idealThreadCount()));
        return p;
    }();
    return pool;
}

} // namespace lbui
