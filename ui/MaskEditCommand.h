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

    // A command for an edit already computed inside `rect`: `before` and `after` are the
    // rect's pixels (row-major). Keeps only the sub-rectangle that changed; null when nothing
    // does. Pushing it writes `after` into the document.
    static std::unique_ptr<MaskEditCommand> fromRect(MaskDocument* doc, const QString& label,
                                                     const QRect& rect, std::vector<float> before,
                                                     std::vector<float> after);

    void undo() override;
    void redo() override;

    // Live adjustment of the newest, applied command (a tool option moving): replaces what it
    // stores with the edit `before` -> `after` over `rect` (trimmed to what changed) and writes
    // to the document only the pixels whose value changes. Returns false when the edit is
    // empty (the command then holds an empty rect and the document its before pixels).
    // `before` and `after` are taken; they come back holding the old buffers (for reuse).
    bool replaceResult(const QRect& rect, std::vector<float>& before, std::vector<float>& after);
    // The pixels of rect() before the command (row-major).
    const std::vector<float>& beforePixels() const { return before_; }

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
