// PaintStrokeCommand: one brush stroke as one undo command. While the drag lasts, each
// segment's command merges into the first; finish() then keeps only the dirty rectangle.
#pragma once

#include <QRect>
#include <QUndoCommand>

#include <memory>
#include <vector>

namespace lbui {

class MaskDocument;
class StrokeBuffer;

class PaintStrokeCommand : public QUndoCommand {
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
    void finish();
    bool isFinished() const { return !stroke_; }

    QRect rect() const { return rect_; }
    // Pixels held once finished: 2 * rect().width() * rect().height().
    std::size_t storedPixelCount() const { return before_.size() + after_.size(); }

private:
    MaskDocument* doc_;
    std::shared_ptr<StrokeBuffer> stroke_;
    QRect rect_;
    std::vector<float> before_;
    std::vector<float> after_;
    bool firstRedo_ = true;
};

} // namespace lbui
