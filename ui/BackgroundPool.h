// BackgroundPool: the thread pool every job of the editor runs on (loading the image and the
// VAE, planning, encode, the live view, restitch, Export Image, the autosave's write), apart
// from QThreadPool::globalInstance(): Qt's raster painting splits some work over the global pool
// and waits for it, so a long job there stalls every repaint of the window for the job's whole
// length (docs/PERFORMANCE.md, "The editor on a 8000x6000 photo").
#pragma once

class QThreadPool;

namespace lbui {

QThreadPool* backgroundPool();

} // namespace lbui
