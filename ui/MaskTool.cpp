// MaskTool: the add/subtract/replace combination shared by the selection tools, and the
// rect-limited before/after pixels of one application (the undo command keeps only those).
#include "MaskTool.h"

#include "MaskDocument.h"
#include "MaskEditCommand.h"

#include "latentbrush/Parallel.h"

#include <QUndoStack>

#include <algorithm>
#include <cstring>
#include <limits>

namespace lbui {

MaskCombine combineFor(Qt::MouseButton button, Qt::KeyboardModifiers modifiers) {
    if (button == Qt::RightButton || modifiers.testFlag(Qt::AltModifier))
        return MaskCombine::Subtract;
    if (modifiers.testFlag(Qt::ShiftModifier)) return MaskCombine::Replace;
    return MaskCombine::Add;
}

QString combineName(MaskCombine mode) {
    switch (mode) {
    case MaskCombine::Add:
        return QObject::tr("add");
    case MaskCombine::Subtract:
        return QObject::tr("subtract");
    case MaskCombine::Replace:
        return QObject::tr("replace");
    }
    return {};
}

QRect nonzeroBounds(const MaskDocument* doc) {
    const lb::MaskBuffer& m = doc->mask();
    struct Row {
        int minX = std::numeric_limits<int>::max(), maxX = -1;
    };
    std::vector<Row> rows(static_cast<std::size_t>(m.height));
    lb::parallelFor(0, m.height, 64, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const float* r = m.row(int(y));
            int a = 0;
            while (a < m.width && r[a] == 0.0f)
                ++a;
            if (a == m.width) continue;
            int b = m.width - 1;
            while (r[b] == 0.0f)
                --b;
            rows[std::size_t(y)] = {a, b};
        }
    });
    QRect out;
    for (int y = 0; y < m.height; ++y)
        if (rows[std::size_t(y)].maxX >= 0)
            out |=
                QRect(QPoint(rows[std::size_t(y)].minX, y), QPoint(rows[std::size_t(y)].maxX, y));
    return out;
}

namespace {

// `cov(x, y)` is the coverage at image pixel (x, y) for pixels inside `covRect`.
template <class CoverageAt>
MaskRegion buildEdit(MaskDocument* doc, const QRect& covRect, CoverageAt cov, MaskCombine mode,
                     const MaskEditCommand* live, MaskRegion* buffers) {
    MaskRegion e;
    if (buffers) {
        e.before = std::move(buffers->before);
        e.after = std::move(buffers->after);
    }
    QRect r = covRect;
    if (mode == MaskCombine::Replace) r |= nonzeroBounds(doc);
    if (live) r |= live->rect();
    r &= doc->bounds();
    if (r.isEmpty()) return e;
    e.rect = r;
    const std::size_t n = std::size_t(r.width()) * std::size_t(r.height());
    e.before.resize(n);
    e.after.resize(n);
    const lb::MaskBuffer& mask = doc->mask();
    lb::parallelFor(0, r.height(), 64, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y)
            std::memcpy(e.before.data() + std::size_t(y) * r.width(),
                        mask.row(r.top() + int(y)) + r.left(), sizeof(float) * r.width());
    });
    if (live && !live->rect().isEmpty()) {
        const QRect lr = live->rect();
        const std::vector<float>& lb = live->beforePixels();
        for (int y = 0; y < lr.height(); ++y)
            std::memcpy(e.before.data() + std::size_t(lr.top() - r.top() + y) * r.width() +
                            (lr.left() - r.left()),
                        lb.data() + std::size_t(y) * lr.width(), sizeof(float) * lr.width());
    }
    if (mode == MaskCombine::Replace)
        std::fill(e.after.begin(), e.after.end(), 0.0f);
    else
        std::copy(e.before.begin(), e.before.end(), e.after.begin());
    const QRect c = covRect & r;
    lb::parallelFor(c.top(), c.bottom() + 1, 32, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const std::size_t base = std::size_t(y - r.top()) * r.width();
            const float* b = e.before.data() + base;
            float* a = e.after.data() + base;
            for (int x = c.left(); x <= c.right(); ++x)
                a[x - r.left()] = combineValue(b[x - r.left()], cov(x, int(y)), mode);
        }
    });
    return e;
}

} // namespace

MaskRegion makeToolEdit(MaskDocument* doc, const lb::Coverage& coverage, MaskCombine mode,
                        const MaskEditCommand* live, MaskRegion* buffers) {
    const QRect covRect(coverage.rect.left, coverage.rect.top, coverage.rect.width,
                        coverage.rect.height);
    return buildEdit(
        doc, coverage.empty() ? QRect() : covRect,
        [&coverage](int x, int y) { return coverage.at(x, y); }, mode, live, buffers);
}

MaskRegion makeToolEdit(MaskDocument* doc, const lb::Region& region, MaskCombine mode,
                        const MaskEditCommand* live, MaskRegion* buffers) {
    const QRect covRect = region.count > 0 ? QRect(region.bounds.left, region.bounds.top,
                                                   region.bounds.width, region.bounds.height)
                                           : QRect();
    return buildEdit(
        doc, covRect, [&region](int x, int y) { return float(region.mask.row(y)[x]); }, mode, live,
        buffers);
}

MaskEditCommand* pushToolEdit(MaskDocument* doc, const QString& label, MaskRegion edit) {
    auto cmd =
        MaskEditCommand::fromRegion(doc, label, std::make_shared<MaskRegion>(std::move(edit)));
    if (!cmd) return nullptr;
    MaskEditCommand* raw = cmd.get();
    doc->undoStack()->push(cmd.release());
    return raw;
}

MaskTool::MaskTool(MaskDocument* doc, const QString& settingsKey, QObject* parent)
    : QObject(parent), doc_(doc), settingsKey_(settingsKey) {}

} // namespace lbui
