// PaintStrokeCommand: a stroke's undo command, merged segment by segment while the drag lasts
// and reduced to the dirty rectangle's before/after pixels when the stroke ends.
#include "PaintStrokeCommand.h"

#include "MaskDocument.h"
#include "StrokeBuffer.h"

namespace lbui {

PaintStrokeCommand::PaintStrokeCommand(std::shared_ptr<StrokeBuffer> stroke, const QRect& dirty,
                                       const QString& label)
    : QUndoCommand(label), doc_(stroke->document()), stroke_(std::move(stroke)), rect_(dirty) {}

bool PaintStrokeCommand::mergeWith(const QUndoCommand* other) {
    if (other->id() != id() || !stroke_) return false;
    const auto* segment = static_cast<const PaintStrokeCommand*>(other);
    if (segment->stroke_ != stroke_) return false;
    rect_ |= segment->rect_;
    return true;
}

void PaintStrokeCommand::finish() {
    if (!stroke_) return;
    rect_ &= doc_->bounds();
    after_ = doc_->readMask(rect_);
    before_.resize(after_.size());
    for (int y = 0; y < rect_.height(); ++y)
        for (int x = 0; x < rect_.width(); ++x)
            before_[std::size_t(y) * rect_.width() + x] =
                stroke_->beforeOrCurrent(rect_.left() + x, rect_.top() + y);
    stroke_.reset();
}

void PaintStrokeCommand::undo() {
    finish();
    doc_->writeMask(rect_, before_.data());
}

void PaintStrokeCommand::redo() {
    if (firstRedo_) { // the tool has already painted the segment
        firstRedo_ = false;
        return;
    }
    finish();
    doc_->writeMask(rect_, after_.data());
}

} // namespace lbui
