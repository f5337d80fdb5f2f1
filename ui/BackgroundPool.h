// BackgroundPool: the thread pool every job of the editor runs on (loading the image and the
// VAE, planning, encode, the live view, restitch, Export Image, the autosave's write), apart
// from QThreadPool::globalInstance(): Qt's raster painting splits some work over the global pool
// and waits for it, so a long job there stalls every repaint of the window for the job's whole
// length (docs/PERFORMANCE.md, "The editor on a 8000x6000 photo").
#pragma once

#include <QThreadPool>

#include <memory>
#include <type_traits>
#include <utility>

namespace lbui {

QThreadPool* backgroundPool();

// Destroys `owner` (a result, a tuple of buffers: what may hold the last reference to hundreds
// of megabytes) on the background pool: unmapping that much memory takes tens of milliseconds,
// a stutter when the GUI thread drops it.
template <typename T> void releaseInBackground(T&& owner) {
    auto held = std::make_shared<std::decay_t<T>>(std::forward<T>(owner));
    backgroundPool()->start([held]() mutable { held.reset(); });
}

} // namespace lbui
