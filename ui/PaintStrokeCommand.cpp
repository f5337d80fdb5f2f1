// PaintStrokeCommand: a stroke's undo command, merged segment by segment while the drag lasts
// and reduced to the dirty rectangle's before/after pixels when the stroke ends.
#include "PaintStrokeCommand.h"

#include "MaskDocument.h"
#include "StrokeBuffer.h"

namespace lbui {

PaintStrokeCommand::PaintStrokeCommand(std::shared_ptr<StrokeBuffer> stroke, const QRect& dirty,
                                       const QString& label)
    : MaskRegionCommand(stroke->document(), label), stroke_(std::move(stroke)), dirty_(dirty) {}

bool PaintStrokeCommand::mergeWith(const QUndoCommand* other) {
    if (other->id() != id() || !stroke_) return false;
    const auto* segment = static_cast<const PaintStrokeCommand*>(other);
    if (segment->stroke_ != stroke_) return false;
    dirty_ |= segment->dirty_;
    return true;
}

void PaintStrokeCommand::finish() {
    if (!stroke_) return;
    auto region = std::make_shared<MaskRegion>();
    region->rect = dirty_ & doc_->bounds();
    const QRect& r = region->rect;
    region->after = doc_->readMask(r);
    region->before.resize(region->after.size());
    for (int y = 0; y < r.height(); ++y)
        for (int x = 0; x < r.width(); ++x)
            region->before[std::size_t(y) * r.width() + x] =
                stroke_->beforeOrCurrent(r.left() + x, r.top() + y);
    setRegion(std::move(region));
    stroke_.reset();
}

void PaintStrokeCommand::undo() {
    finish();
    MaskRegionCommand::undo();
}

void PaintStrokeCommand::redo() {
    if (firstRedo_) { // the tool has already painted the segment
        firstRedo_ = false;
        return;
    }
    finish();
    MaskRegionCommand::redo();
}

} // namespace lbui
