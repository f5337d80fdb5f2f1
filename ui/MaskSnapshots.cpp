// MaskSnapshots: the chain of mask snapshots, built lazily and serialised per document
// (MaskSnapshots.h).
#include "MaskSnapshots.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <utility>

namespace lbui {

namespace snapshots_detail {

// Pixels of one changed rectangle, row-major, as the document held them when the snapshot was
// taken.
struct Patch {
    QRect rect;
    std::vector<float> pixels;
};

struct Chain {
    // Serialises the building of snapshots, and guards every Node's fields after it was taken.
    std::mutex build;
    // Orders the release of a buffer handed out with the check of whether anybody holds it.
    std::mutex refs;
};

// One snapshot: built (buffer) or not yet: the previous snapshot and the tiles changed since, or
// (no previous one) a mask of zeros of the given size.
struct Node {
    std::shared_ptr<Node> prev;
    int zeroWidth = 0, zeroHeight = 0;
    std::vector<Patch> patches;
    std::shared_ptr<lb::MaskBuffer> buffer;
};

namespace {

// `node` built from its previous snapshot; the chain's build mutex is held.
void build(Chain& chain, Node& node) {
    if (!node.prev) {
        auto zeros = std::make_shared<lb::MaskBuffer>();
        zeros->width = node.zeroWidth;
        zeros->height = node.zeroHeight;
        zeros->data.assign(std::size_t(zeros->width) * std::size_t(zeros->height), 0.0f);
        node.buffer = std::move(zeros);
        return;
    }
    std::shared_ptr<lb::MaskBuffer> base;
    // Nobody else holds the previous snapshot (only `node` does) nor a buffer handed out of it:
    // its buffer becomes this one. Holders only ever let go of either meanwhile.
    const bool prevWanted = node.prev.use_count() > 1;
    {
        std::lock_guard<std::mutex> lock(chain.refs);
        if (!prevWanted && node.prev->buffer.use_count() == 1) base = std::move(node.prev->buffer);
    }
    if (!base) base = std::make_shared<lb::MaskBuffer>(*node.prev->buffer);
    const QRect bounds(0, 0, base->width, base->height);
    for (const Patch& p : node.patches) {
        if (!bounds.contains(p.rect)) continue; // cannot happen: a new size resets the chain
        for (int y = 0; y < p.rect.height(); ++y)
            std::memcpy(base->row(p.rect.top() + y) + p.rect.left(),
                        p.pixels.data() + std::size_t(y) * std::size_t(p.rect.width()),
                        sizeof(float) * std::size_t(p.rect.width()));
    }
    node.buffer = std::move(base);
    node.patches = {};
    node.prev.reset();
}

// A reader's share of `buffer`: released under the refs mutex, so that a build that finds the
// buffer unshared also sees every read made through it.
std::shared_ptr<const lb::MaskBuffer> handOut(const std::shared_ptr<Chain>& chain,
                                              const std::shared_ptr<lb::MaskBuffer>& buffer) {
    return std::shared_ptr<const lb::MaskBuffer>(
        buffer.get(), [chain, keep = buffer](const lb::MaskBuffer*) mutable {
            std::lock_guard<std::mutex> lock(chain->refs);
            keep.reset();
        });
}

} // namespace
} // namespace snapshots_detail

using snapshots_detail::Chain;
using snapshots_detail::Node;
using snapshots_detail::Patch;

MaskSnapshot::MaskSnapshot(std::shared_ptr<const lb::MaskBuffer> ready)
    : ready_(std::move(ready)) {}

MaskSnapshot::MaskSnapshot(std::shared_ptr<Chain> chain, std::shared_ptr<Node> node)
    : chain_(std::move(chain)), node_(std::move(node)) {}

std::shared_ptr<const lb::MaskBuffer> MaskSnapshot::get() const {
    if (ready_ || !node_) return ready_;
    std::lock_guard<std::mutex> lock(chain_->build);
    if (!node_->buffer) {
        // The snapshots not built yet, newest first; the oldest of them follows a built one, or
        // is a mask of zeros.
        std::vector<Node*> path;
        for (Node* n = node_.get(); n && !n->buffer; n = n->prev.get())
            path.push_back(n);
        for (auto it = path.rbegin(); it != path.rend(); ++it)
            snapshots_detail::build(*chain_, **it);
    }
    return snapshots_detail::handOut(chain_, node_->buffer);
}

MaskSnapshots::MaskSnapshots() : chain_(std::make_shared<Chain>()) {}

MaskSnapshots::~MaskSnapshots() = default;

void MaskSnapshots::reset(int width, int height, bool zero) {
    reset_ = true;
    zero_ = zero;
    width_ = std::max(0, width);
    height_ = std::max(0, height);
    tilesX_ = (width_ + kTile - 1) / kTile;
    tilesY_ = (height_ + kTile - 1) / kTile;
    dirty_.assign(std::size_t(tilesX_) * std::size_t(tilesY_), 0);
    anyDirty_ = false;
}

void MaskSnapshots::edited(const QRect& rect) {
    const QRect r = rect & QRect(0, 0, width_, height_);
    if (r.isEmpty() || (reset_ && !zero_)) return; // the next snapshot copies all of it
    if (r.width() == width_ && r.height() == height_) {
        reset(width_, height_);
        return;
    }
    for (int ty = r.top() / kTile; ty <= r.bottom() / kTile; ++ty)
        std::fill_n(dirty_.begin() + std::ptrdiff_t(ty) * tilesX_ + r.left() / kTile,
                    r.right() / kTile - r.left() / kTile + 1, std::uint8_t(1));
    anyDirty_ = true;
}

MaskSnapshot MaskSnapshots::take(const lb::MaskBuffer& mask) {
    if (mask.width != width_ || mask.height != height_) reset(mask.width, mask.height);
    if (reset_ && zero_) {
        // A new, empty mask: zeros made on the worker, and the tiles edited since on top.
        auto zeros = std::make_shared<Node>();
        zeros->zeroWidth = width_;
        zeros->zeroHeight = height_;
        latest_ = std::move(zeros);
        reset_ = false;
        zero_ = false;
    } else if (reset_ || !latest_) {
        // The one copy of the whole mask a whole-mask change costs.
        auto node = std::make_shared<Node>();
        node->buffer = std::make_shared<lb::MaskBuffer>(mask);
        latest_ = std::move(node);
        reset_ = false;
        std::fill(dirty_.begin(), dirty_.end(), std::uint8_t(0));
        anyDirty_ = false;
        return MaskSnapshot(chain_, latest_);
    }
    if (!anyDirty_) return MaskSnapshot(chain_, latest_);
    auto node = std::make_shared<Node>();
    node->prev = latest_;
    // Each row of tiles: its runs of changed tiles, one patch each.
    for (int ty = 0; ty < tilesY_; ++ty) {
        std::uint8_t* row = dirty_.data() + std::ptrdiff_t(ty) * tilesX_;
        for (int tx = 0; tx < tilesX_;) {
            if (!row[tx]) {
                ++tx;
                continue;
            }
            int end = tx;
            while (end < tilesX_ && row[end])
                row[end++] = 0;
            const QRect rect = QRect(tx * kTile, ty * kTile, (end - tx) * kTile, kTile) &
                               QRect(0, 0, width_, height_);
            Patch patch{rect,
                        std::vector<float>(std::size_t(rect.width()) * std::size_t(rect.height()))};
            for (int y = 0; y < rect.height(); ++y)
                std::memcpy(patch.pixels.data() + std::size_t(y) * std::size_t(rect.width()),
                            mask.row(rect.top() + y) + rect.left(),
                            sizeof(float) * std::size_t(rect.width()));
            node->patches.push_back(std::move(patch));
            tx = end;
        }
    }
    anyDirty_ = false;
    latest_ = std::move(node);
    return MaskSnapshot(chain_, latest_);
}

} // namespace lbui
