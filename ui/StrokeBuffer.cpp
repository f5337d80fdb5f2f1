// StrokeBuffer: per-stroke tiles of pre-stroke mask pixels and stroke coverage.
// Memory grows with the tiles a stroke touches, not with the image.
#include "StrokeBuffer.h"

#include "MaskDocument.h"

#include <algorithm>

namespace lbui {

void StrokeBuffer::touch(const QRect& rect) {
    const QRect r = rect & doc_->bounds();
    if (r.isEmpty()) return;
    const lb::MaskBuffer& mask = doc_->mask();
    for (int ty = r.top() / kTile; ty <= r.bottom() / kTile; ++ty) {
        for (int tx = r.left() / kTile; tx <= r.right() / kTile; ++tx) {
            auto& slot = tiles_[key(tx, ty)];
            if (slot) continue;
            slot = std::make_unique<Tile>();
            slot->coverage.fill(0.0f);
            slot->before.fill(0.0f);
            const int x0 = tx * kTile, y0 = ty * kTile;
            const int w = std::min(kTile, mask.width - x0), h = std::min(kTile, mask.height - y0);
            for (int y = 0; y < h; ++y)
                std::copy_n(mask.row(y0 + y) + x0, w, slot->before.data() + y * kTile);
        }
    }
}

float StrokeBuffer::beforeOrCurrent(int x, int y) const {
    auto it = tiles_.find(key(x / kTile, y / kTile));
    if (it != tiles_.end()) return it->second->before[index(x, y)];
    return doc_->mask().row(y)[x];
}

} // namespace lbui
