// MaskEditCommand: whole-mask and tool operations as MaskRegionCommands, and their live
// adjustments: a command of the same id whose push writes only the pixels that change and
// whose mergeWith hands its region to the command it adjusts.
#include "MaskEditCommand.h"

#include "MaskDocument.h"

#include <QCoreApplication>
#include <QUndoStack>

#include <algorithm>
#include <cstring>

namespace lbui {

std::unique_ptr<MaskEditCommand> MaskEditCommand::fromRegion(MaskDocument* doc,
                                                             const QString& label,
                                                             std::shared_ptr<MaskRegion> edit) {
    if (!edit || !trimToChanged(*edit)) return nullptr;
    return std::unique_ptr<MaskEditCommand>(new MaskEditCommand(doc, label, std::move(edit)));
}

std::unique_ptr<MaskEditCommand> MaskEditCommand::fromRect(MaskDocument* doc, const QString& label,
                                                           const QRect& rect,
                                                           std::vector<float> before,
                                                           std::vector<float> after) {
    return fromRegion(
        doc, label,
        std::make_shared<MaskRegion>(MaskRegion{rect, std::move(before), std::move(after)}));
}

std::unique_ptr<MaskEditCommand> MaskEditCommand::adjustment(const MaskEditCommand* target,
                                                             std::shared_ptr<MaskRegion> edit) {
    if (!target || !edit) return nullptr;
    const QUndoStack* stack = target->doc_->undoStack();
    if (stack->index() <= 0 || stack->command(stack->index() - 1) != target ||
        stack->cleanIndex() == stack->index())
        return nullptr; // QUndoStack::push would not merge it
    trimToChanged(*edit);
    std::unique_ptr<MaskEditCommand> cmd(
        new MaskEditCommand(target->doc_, target->text(), std::move(edit)));
    cmd->adjusts_ = target;
    return cmd;
}

bool MaskEditCommand::mergeWith(const QUndoCommand* other) {
    if (other->id() != id()) return false;
    const auto* adjustment = static_cast<const MaskEditCommand*>(other);
    if (adjustment->adjusts_ != this) return false;
    setRegion(adjustment->region());
    return true;
}

void MaskEditCommand::redo() {
    if (pushed_ || !adjusts_) {
        pushed_ = true;
        MaskRegionCommand::redo();
        return;
    }
    pushed_ = true;
    // The push of an adjustment: the document shows the target's result. It must show this
    // region's after pixels inside its rect and the target's before pixels in the rest of the
    // target's rect. One pass writes only what differs.
    static const MaskRegion none;
    const MaskRegion& next = region() ? *region() : none;
    const MaskRegion& old = adjusts_->region() ? *adjusts_->region() : none;
    const QRect rect = next.rect, oldRect = old.rect;
    const QRect all = oldRect | rect;
    int top = all.bottom() + 1, bottom = -1, left = all.right() + 1, right = -1;
    for (int y = all.top(); y <= all.bottom(); ++y) {
        float* row = doc_->maskRow(y);
        const bool inNew = y >= rect.top() && y <= rect.bottom();
        const bool inOld = y >= oldRect.top() && y <= oldRect.bottom();
        const float* a =
            inNew ? next.after.data() + std::size_t(y - rect.top()) * rect.width() : nullptr;
        const float* b =
            inOld ? old.before.data() + std::size_t(y - oldRect.top()) * oldRect.width() : nullptr;
        for (int x = all.left(); x <= all.right(); ++x) {
            float v;
            if (a && x >= rect.left() && x <= rect.right())
                v = a[x - rect.left()];
            else if (b && x >= oldRect.left() && x <= oldRect.right())
                v = b[x - oldRect.left()];
            else
                continue;
            if (std::memcmp(&v, row + x, sizeof(float)) == 0) continue;
            row[x] = v;
            top = std::min(top, y);
            bottom = y;
            left = std::min(left, x);
            right = std::max(right, x);
        }
    }
    if (bottom >= 0) doc_->notifyMaskChanged(QRect(QPoint(left, top), QPoint(right, bottom)));
}

std::unique_ptr<MaskEditCommand>
MaskEditCommand::create(MaskDocument* doc, const QString& label,
                        const std::function<void(std::vector<float>&, int, int)>& edit) {
    if (!doc->hasImage()) return nullptr;
    const int w = doc->width(), h = doc->height();
    std::vector<float> after = doc->mask().data;
    edit(after, w, h);
    const QRect rect = changedBounds(doc->mask().data.data(), after.data(), w, h);
    if (rect.isEmpty()) return nullptr;
    auto region = std::make_shared<MaskRegion>();
    region->rect = rect;
    region->before = doc->readMask(rect);
    region->after.resize(region->before.size());
    for (int y = 0; y < rect.height(); ++y)
        std::memcpy(region->after.data() + std::size_t(y) * rect.width(),
                    after.data() + std::size_t(rect.top() + y) * w + rect.left(),
                    sizeof(float) * std::size_t(rect.width()));
    return std::unique_ptr<MaskEditCommand>(new MaskEditCommand(doc, label, std::move(region)));
}

MaskEditCommand::MaskEditCommand(MaskDocument* doc, const QString& label,
                                 std::shared_ptr<const MaskRegion> region)
    : MaskRegionCommand(doc, label, std::move(region)) {}

std::unique_ptr<MaskEditCommand> makeFillCommand(MaskDocument* doc) {
    return MaskEditCommand::create(
        doc, QCoreApplication::translate("MaskEdit", "Fill mask"),
        [](std::vector<float>& m, int, int) { std::fill(m.begin(), m.end(), 1.0f); });
}

std::unique_ptr<MaskEditCommand> makeClearCommand(MaskDocument* doc) {
    return MaskEditCommand::create(
        doc, QCoreApplication::translate("MaskEdit", "Clear mask"),
        [](std::vector<float>& m, int, int) { std::fill(m.begin(), m.end(), 0.0f); });
}

std::unique_ptr<MaskEditCommand> makeInvertCommand(MaskDocument* doc) {
    return MaskEditCommand::create(doc, QCoreApplication::translate("MaskEdit", "Invert mask"),
                                   [](std::vector<float>& m, int, int) {
                                       for (float& v : m)
                                           v = 1.0f - v;
                                   });
}

std::unique_ptr<MaskEditCommand> makeReplaceCommand(MaskDocument* doc, const QString& label,
                                                    const std::vector<float>& values) {
    return MaskEditCommand::create(doc, label, [&values](std::vector<float>& m, int, int) {
        if (values.size() == m.size()) m = values;
    });
}

} // namespace lbui
