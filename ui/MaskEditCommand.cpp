// MaskEditCommand: whole-mask operations as undo commands that store only the changed
// rectangle's before/after pixels.
#include "MaskEditCommand.h"

#include "MaskDocument.h"

#include <QCoreApplication>

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

// The bounding box (in rect coordinates) of the pixels where a and b differ; empty if none.
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

} // namespace

std::unique_ptr<MaskEditCommand> MaskEditCommand::fromRect(MaskDocument* doc, const QString& label,
                                                           const QRect& rect,
                                                           std::vector<float> before,
                                                           std::vector<float> after) {
    const std::size_t n = std::size_t(std::max(0, rect.width())) * std::max(0, rect.height());
    if (rect.isEmpty() || before.size() != n || after.size() != n) return nullptr;
    const QRect changed = changedBounds(before.data(), after.data(), rect.width(), rect.height());
    if (changed.isEmpty()) return nullptr;
    if (changed.size() == rect.size())
        return std::unique_ptr<MaskEditCommand>(
            new MaskEditCommand(doc, label, rect, std::move(before), std::move(after)));
    return std::unique_ptr<MaskEditCommand>(new MaskEditCommand(
        doc, label, changed.translated(rect.topLeft()), copyRect(before, rect.width(), changed),
        copyRect(after, rect.width(), changed)));
}

bool MaskEditCommand::replaceResult(const QRect& rect, std::vector<float> before,
                                    std::vector<float> after) {
    // What the document must show afterwards over rect_ | rect: `after` inside rect, the old
    // before pixels elsewhere (the old command is undone there).
    const QRect all = rect_ | rect;
    std::vector<float> target = doc_->readMask(all);
    const std::vector<float> current = target;
    auto paste = [&](const QRect& r, const std::vector<float>& px) {
        for (int y = 0; y < r.height(); ++y)
            std::memcpy(target.data() + std::size_t(r.top() - all.top() + y) * all.width() +
                            (r.left() - all.left()),
                        px.data() + std::size_t(y) * r.width(), sizeof(float) * r.width());
    };
    if (!rect_.isEmpty()) paste(rect_, before_);
    if (!rect.isEmpty()) paste(rect, after);
    const QRect dirty = changedBounds(current.data(), target.data(), all.width(), all.height());
    if (!dirty.isEmpty())
        doc_->writeMask(dirty.translated(all.topLeft()), copyRect(target, all.width(), dirty).data());

    const QRect changed =
        rect.isEmpty() ? QRect()
                       : changedBounds(before.data(), after.data(), rect.width(), rect.height());
    if (changed.isEmpty()) {
        rect_ = QRect();
        before_.clear();
        after_.clear();
        return false;
    }
    rect_ = changed.translated(rect.topLeft());
    before_ = copyRect(before, rect.width(), changed);
    after_ = copyRect(after, rect.width(), changed);
    return true;
}

std::unique_ptr<MaskEditCommand>
MaskEditCommand::create(MaskDocument* doc, const QString& label,
                        const std::function<void(std::vector<float>&, int, int)>& edit) {
    if (!doc->hasImage()) return nullptr;
    const int w = doc->width(), h = doc->height();
    const std::vector<float>& before = doc->mask().data;
    std::vector<float> after = before;
    edit(after, w, h);
    int top = h, bottom = -1, left = w, right = -1;
    for (int y = 0; y < h; ++y) {
        const float* a = before.data() + std::size_t(y) * w;
        const float* b = after.data() + std::size_t(y) * w;
        if (std::memcmp(a, b, sizeof(float) * std::size_t(w)) == 0) continue;
        top = std::min(top, y);
        bottom = y;
        int x0 = 0;
        while (std::memcmp(a + x0, b + x0, sizeof(float)) == 0)
            ++x0;
        int x1 = w - 1;
        while (std::memcmp(a + x1, b + x1, sizeof(float)) == 0)
            --x1;
        left = std::min(left, x0);
        right = std::max(right, x1);
    }
    if (bottom < 0) return nullptr;
    const QRect rect(QPoint(left, top), QPoint(right, bottom));
    return std::unique_ptr<MaskEditCommand>(
        new MaskEditCommand(doc, label, rect, copyRect(before, w, rect), copyRect(after, w, rect)));
}

MaskEditCommand::MaskEditCommand(MaskDocument* doc, const QString& label, QRect rect,
                                 std::vector<float> before, std::vector<float> after)
    : QUndoCommand(label), doc_(doc), rect_(rect), before_(std::move(before)),
      after_(std::move(after)) {}

void MaskEditCommand::undo() {
    if (!rect_.isEmpty()) doc_->writeMask(rect_, before_.data());
}
void MaskEditCommand::redo() {
    if (!rect_.isEmpty()) doc_->writeMask(rect_, after_.data());
}

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
