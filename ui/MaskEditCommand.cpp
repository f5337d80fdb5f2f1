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

bool MaskEditCommand::replaceResult(const QRect& rect, std::vector<float>& before,
                                    std::vector<float>& after) {
    // The document must show `after` inside rect and the old before pixels in the rest of
    // rect_ (the old result is undone there). One pass writes only what differs.
    const QRect all = rect_ | rect;
    int top = all.bottom() + 1, bottom = -1, left = all.right() + 1, right = -1;
    for (int y = all.top(); y <= all.bottom(); ++y) {
        float* row = doc_->maskRow(y);
        const bool inNew = y >= rect.top() && y <= rect.bottom();
        const bool inOld = y >= rect_.top() && y <= rect_.bottom();
        const float* a =
            inNew ? after.data() + std::size_t(y - rect.top()) * rect.width() : nullptr;
        const float* b =
            inOld ? before_.data() + std::size_t(y - rect_.top()) * rect_.width() : nullptr;
        for (int x = all.left(); x <= all.right(); ++x) {
            float v;
            if (a && x >= rect.left() && x <= rect.right())
                v = a[x - rect.left()];
            else if (b && x >= rect_.left() && x <= rect_.right())
                v = b[x - rect_.left()];
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

    const QRect changed =
        rect.isEmpty() ? QRect()
                       : changedBounds(before.data(), after.data(), rect.width(), rect.height());
    if (changed.isEmpty()) {
        rect_ = QRect();
        before_.clear();
        after_.clear();
        return false;
    }
    if (changed.size() == rect.size()) {
        rect_ = rect;
        before_.swap(before);
        after_.swap(after);
        return true;
    }
    rect_ = changed.translated(rect.topLeft());
    std::vector<float> b = copyRect(before, rect.width(), changed);
    std::vector<float> a = copyRect(after, rect.width(), changed);
    before_.swap(b);
    after_.swap(a);
    before.swap(b);
    after.swap(a);
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
