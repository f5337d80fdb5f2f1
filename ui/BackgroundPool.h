// BackgroundPool: the thread pool the editor's long jobs run on (planning, encode, restitch,
// Export Image), apart from QThreadPool::globalInstance(): Qt's raster painting splits some
// work over the global pool and waits for it, so a long job there stalls every repaint of the
// window (measured: a 50 s Export Image blocked the GUI thread for 50 s).
#pragma once

class QThreadPool;

namespace lbui {

QThreadPool* backgroundPool();

} // namespace lbui
