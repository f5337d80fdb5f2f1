// MaskRegionCommand: the one kind of undoable mask change: a rectangle of the mask with its
// pixels before and after. Brush strokes and whole-mask or tool edits derive from it, so undo,
// redo and the memory a history step holds are defined here once.
#pragma once

#include <QRect>
#include <QUndoCommand>

#include <memory>
#include <vector>

namespace lbui {

class MaskDocument;

// A rectangle of the mask and its pixels before and after a change (row-major, rect's size).
struct MaskRegion {
    QRect rect;
    std::vector<float> before;
    std::vector<float> after;
};

// The bounding box (in the rectangle's own coordinates) of the pixels where two row-major
// width x height rectangles differ bit for bit; empty when none do.
QRect changedBounds(const float* a, const float* b, int width, int height);

// Shrinks `region` to the bounding box of the pixels whose before and after differ (copying
// the rows of that box when it is smaller). Returns false, leaving an empty rect and empty
// pixel vectors, when nothing differs or the vectors do not match the rect's size.
bool trimToChanged(MaskRegion& region);

class MaskRegionCommand : public QUndoCommand {
public:
    void undo() override; // writes the before pixels
    void redo() override; // writes the after pixels

    // The rectangle the command holds (empty: it changes nothing, or a stroke not finished yet).
    QRect rect() const { return region_ ? region_->rect : QRect(); }
    // The pixels of rect() before the command (row-major).
    const std::vector<float>& beforePixels() const;
    // What the history step holds: 2 * rect().width() * rect().height() floats.
    std::size_t storedPixelCount() const;

protected:
    MaskRegionCommand(MaskDocument* doc, const QString& label,
                      std::shared_ptr<const MaskRegion> region = nullptr);

    // Regions are never changed once a command holds them; merging commands hand them over
    // (QUndoCommand::mergeWith sees the merged command as const).
    const std::shared_ptr<const MaskRegion>& region() const { return region_; }
    void setRegion(std::shared_ptr<const MaskRegion> region) { region_ = std::move(region); }

    MaskDocument* doc_;

private:
    std::shared_ptr<const MaskRegion> region_;
};

} // namespace lbui
