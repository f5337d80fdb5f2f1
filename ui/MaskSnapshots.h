// MaskSnapshots: immutable full-size copies of the document's mask for the jobs that read it on a
// worker (the live view, the autosave, the region planning, the encode), without a copy of the
// whole mask on the GUI thread after an edit. The document tells it which rectangles an edit
// changed; a snapshot taken on the GUI thread copies only the tiles changed since the previous
// snapshot (small), and the full-size buffer is built later, by whichever thread first reads it:
// the previous snapshot's buffer plus those tiles. The previous buffer is reused in place when
// nobody holds it any more (its own snapshot dropped, every buffer handed out of it released),
// and copied otherwise, so a buffer handed out never changes. Building is serialised per
// document (one mutex), so snapshots come out in the order they were taken: each holds every edit
// reported before it was taken and none after. A whole-mask change (a new image, invert, clear,
// the undo of those) makes the next snapshot one copy of the whole mask on the GUI thread, as
// such an edit costs anyway; a new document whose mask is known to be all zero (an image opened
// without a mask) costs not even that: its first snapshot is zero-filled on the worker.
#pragma once

#include "latentbrush/Buffers.h"

#include <QRect>

#include <cstdint>
#include <memory>
#include <vector>

namespace lbui {

namespace snapshots_detail {
struct Chain;
struct Node;
} // namespace snapshots_detail

// The mask as it was when the snapshot was taken. Cheap to copy and to move between threads;
// holds what it needs to be built even after the document is gone.
class MaskSnapshot {
public:
    MaskSnapshot() = default;
    // A snapshot of a buffer that exists already (shared as it is).
    MaskSnapshot(std::shared_ptr<const lb::MaskBuffer> ready); // NOLINT: implicit on purpose
    bool isNull() const { return !node_ && !ready_; }
    // The full-size mask (null for a null snapshot). Any thread; builds it if nobody has yet,
    // which may wait while another thread builds an earlier one. Never changed by anybody.
    std::shared_ptr<const lb::MaskBuffer> get() const;

private:
    friend class MaskSnapshots;
    MaskSnapshot(std::shared_ptr<snapshots_detail::Chain> chain,
                 std::shared_ptr<snapshots_detail::Node> node);

    std::shared_ptr<snapshots_detail::Chain> chain_;
    std::shared_ptr<snapshots_detail::Node> node_;
    std::shared_ptr<const lb::MaskBuffer> ready_;
};

// The GUI thread's side: MaskDocument reports every change of its mask here, and takes snapshots.
class MaskSnapshots {
public:
    static constexpr int kTile = 128; // changed pixels are copied in tiles of this size

    MaskSnapshots();
    ~MaskSnapshots();
    MaskSnapshots(const MaskSnapshots&) = delete;
    MaskSnapshots& operator=(const MaskSnapshots&) = delete;

    // The whole mask changed, to `width` x `height` (a new document, or an edit of all of it);
    // `zero`: it is all zero now (a new, empty mask).
    void reset(int width, int height, bool zero = false);
    // The pixels inside `rect` changed (a rectangle covering the mask counts as a reset).
    void edited(const QRect& rect);
    // A snapshot of `mask`, the document's mask as it is now (same object every call).
    MaskSnapshot take(const lb::MaskBuffer& mask);

private:
    std::shared_ptr<snapshots_detail::Chain> chain_;
    std::shared_ptr<snapshots_detail::Node> latest_; // the newest snapshot taken
    bool reset_ = true;
    bool zero_ = false; // with reset_: the mask was all zero when reset, `dirty_` changed since
    int width_ = 0, height_ = 0;
    int tilesX_ = 0, tilesY_ = 0;
    std::vector<std::uint8_t> dirty_; // per tile: changed since latest_
    bool anyDirty_ = false;
};

} // namespace lbui
