// MaskRegionCommand: undo and redo write a stored rectangle of before/after mask pixels; the
// trimming of a region to what actually changed.
#include "MaskRegionCommand.h"

#include "MaskDocument.h"

#include <algorithm>
#include <cstring>

namespace lbui {

namespace {

std::vector<float> copyRect(const std::vector<float>& src, int width, const QRect& r) {
    std::vector<float> out(std::size_t(r.width()) * std::size_t(r.height()));
    for (int y = 0; y < r.height(); ++y)
        std::memcpy(out.data() + std::size_t(y) * r.width(),
                    src.data() + std::size_t(r.top() + y) * width + r.left(),
                    sizeof(float) * std::size_t(r.width()));
    return out;
}

} // namespace

QRect changedBounds(const float* a, const float* b, int width, int height) {
    int top = height, bottom = -1, left = width, right = -1;
    for (int y = 0; y < height; ++y) {
        const float* ra = a + std::size_t(y) * width;
        const float* rb = b + std::size_t(y) * width;
        if (std::memcmp(ra, rb, sizeof(float) * std::size_t(width)) == 0) continue;
        top = std::min(top, y);
        bottom = y;
        int x0 = 0;
        while (std::memcmp(ra + x0, rb + x0, sizeof(float)) == 0)
            ++x0;
        int x1 = width - 1;
        while (std::memcmp(ra + x1, rb + x1, sizeof(float)) == 0)
            --x1;
        left = std::min(left, x0);
        right = std::max(right, x1);
    }
    if (bottom < 0) return {};
    return QRect(QPoint(left, top), QPoint(right, bottom));
}

bool trimToChanged(MaskRegion& r) {
    const std::size_t n = std::size_t(std::max(0, r.rect.width())) * std::max(0, r.rect.height());
    const QRect changed =
        r.rect.isEmpty() || r.before.size() != n || r.after.size() != n
            ? QRect()
            : changedBounds(r.before.data(), r.after.data(), r.rect.width(), r.rect.height());
    if (changed.isEmpty()) {
        r.rect = QRect();
        r.before.clear();
        r.after.clear();
        return false;
    }
    if (changed.size() == r.rect.size()) return true;
    r.before = copyRect(r.before, r.rect.width(), changed);
    r.after = copyRect(r.after, r.rect.width(), changed);
    r.rect = changed.translated(r.rect.topLeft());
    return true;
}

MaskRegionCommand::MaskRegionCommand(MaskDocument* doc, const QString& label,
                                     std::shared_ptr<const MaskRegion> region)
    : QUndoCommand(label), doc_(doc), region_(std::move(region)) {}

const std::vector<float>& MaskRegionCommand::beforePixels() const {
    static const std::vector<float> none;
    return region_ ? region_->before : none;
}

std::size_t MaskRegionCommand::storedPixelCount() const {
    return region_ ? region_->before.size() + region_->after.size() : 0;
}

void MaskRegionCommand::undo() {
    if (region_ && !region_->rect.isEmpty()) doc_->writeMask(region_->rect, region_->before.data());
}

void MaskRegionCommand::redo() {
    if (region_ && !region_->rect.isEmpty()) doc_->writeMask(region_->rect, region_->after.data());
}

} // namespace lbui
