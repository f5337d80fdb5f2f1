// MaskEditCommand: an undoable whole-mask operation (fill, invert, clear, load, restore) that
// keeps only the bounding rectangle of the pixels it changed, before and after.
#pragma once

#include <QRect>
#include <QUndoCommand>

#include <functional>
#include <memory>
#include <vector>

namespace lbui {

class MaskDocument;

class MaskEditCommand : public QUndoCommand {
public:
    // Computes the new mask with `edit` (called once on a copy of the whole mask, row-major),
    // and keeps the changed rectangle only. Returns null when nothing would change.
    static std::unique_ptr<MaskEditCommand>
    create(MaskDocument* doc, const QString& label,
           const std::function<void(std::vector<float>& mask, int width, int height)>& edit);

    void undo() override;
    void redo() override;

    QRect rect() const { return rect_; }
    std::size_t storedPixelCount() const { return before_.size() + after_.size(); }

private:
    MaskEditCommand(MaskDocument* doc, const QString& label, QRect rect, std::vector<float> before,
                    std::vector<float> after);

    MaskDocument* doc_;
    QRect rect_;
    std::vector<float> before_;
    std::vector<float> after_;
};

// Ready-made edits.
std::unique_ptr<MaskEditCommand> makeFillCommand(MaskDocument* doc);
std::unique_ptr<MaskEditCommand> makeClearCommand(MaskDocument* doc);
std::unique_ptr<MaskEditCommand> makeInvertCommand(MaskDocument* doc);
// Replaces the mask with `values` (same size as the document).
std::unique_ptr<MaskEditCommand> makeReplaceCommand(MaskDocument* doc, const QString& label,
                                                    const std::vector<float>& values);

} // namespace lbui
