// MaskEditCommand: an undoable whole-mask or tool operation (fill, invert, clear, load, restore,
// a shape, a fill) that keeps only the bounding rectangle of the pixels it changed, before and
// after. A live adjustment of the newest one (a tool option moving) is pushed as a command of
// the same id that mergeWith folds into it, so the history keeps one step per application.
#pragma once

#include "MaskRegionCommand.h"

#include <functional>
#include <memory>
#include <vector>

namespace lbui {

class MaskEditCommand : public MaskRegionCommand {
public:
    static constexpr int kId = 0x4c45; // "LE"

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
    // The same for a shared region: trims `edit` in place (trimToChanged) and holds it. The
    // caller may keep its handle and reuse the region's memory once no command holds it
    // (use_count() == 1); it must not change the region before then.
    static std::unique_ptr<MaskEditCommand> fromRegion(MaskDocument* doc, const QString& label,
                                                       std::shared_ptr<MaskRegion> edit);

    // A live adjustment of `target`, which must be the newest command of the undo stack and
    // not its clean state (else null): `edit` is the whole edit computed again from the pixels
    // before `target` (beforePixels()). Pushing it writes to the document only the pixels
    // whose value changes (the target's old result is undone where the new one does not
    // reach), then merges into `target`, which from then on holds `edit` (trimmed as by
    // fromRegion, possibly to nothing: the step stays in the history, changing nothing).
    static std::unique_ptr<MaskEditCommand> adjustment(const MaskEditCommand* target,
                                                       std::shared_ptr<MaskRegion> edit);

    int id() const override { return kId; }
    bool mergeWith(const QUndoCommand* other) override;
    void redo() override;

private:
    MaskEditCommand(MaskDocument* doc, const QString& label,
                    std::shared_ptr<const MaskRegion> region);

    const MaskEditCommand* adjusts_ = nullptr; // an adjustment: the command it merges into
    bool pushed_ = false;                      // the first redo (the push) has run
};

// Ready-made edits.
std::unique_ptr<MaskEditCommand> makeFillCommand(MaskDocument* doc);
std::unique_ptr<MaskEditCommand> makeClearCommand(MaskDocument* doc);
std::unique_ptr<MaskEditCommand> makeInvertCommand(MaskDocument* doc);
// Replaces the mask with `values` (same size as the document).
std::unique_ptr<MaskEditCommand> makeReplaceCommand(MaskDocument* doc, const QString& label,
                                                    const std::vector<float>& values);

} // namespace lbui
