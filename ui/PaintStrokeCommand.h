// PaintStrokeCommand: one brush stroke as one undo command. While the drag lasts, each
// segment's command merges into the first; finish() then keeps only the dirty rectangle's
// before/after pixels, as every MaskRegionCommand does.
#pragma once

#include "MaskRegionCommand.h"

#include <QRect>

#include <memory>

namespace lbui {

class StrokeBuffer;

class PaintStrokeCommand : public MaskRegionCommand {
public:
    static constexpr int kId = 0x4c42; // "LB"

    // A segment already painted into the document by the tool; `dirty` is what it changed.
    PaintStrokeCommand(std::shared_ptr<StrokeBuffer> stroke, const QRect& dirty,
                       const QString& label);

    int id() const override { return kId; }
    bool mergeWith(const QUndoCommand* other) override;
    void undo() override;
    void redo() override;

    // Ends the stroke: copies the dirty rectangle's before/after pixels and drops the tiles.
    // Until then rect() is empty and the stroke's tiles hold the before pixels.
    void finish();
    bool isFinished() const { return !stroke_; }

private:
    std::shared_ptr<StrokeBuffer> stroke_;
    QRect dirty_; // what the stroke's segments changed
    bool firstRedo_ = true;
};

} // namespace lbui
