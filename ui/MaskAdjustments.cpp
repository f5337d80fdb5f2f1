// MaskAdjustments: runs the core's binary morphology on round(mask) and turns the pixels that
// flipped into a MaskEditCommand over their bounding rectangle only.
#include "MaskAdjustments.h"

#include "MaskDocument.h"
#include "MaskEditCommand.h"

#include <QCoreApplication>

#include <algorithm>

namespace lbui {

namespace {

std::unique_ptr<MaskEditCommand> commandFor(MaskDocument* doc, const QString& label,
                                            const lb::BinaryMask& rounded,
                                            const lb::BinaryMask& result) {
    const int w = rounded.width, h = rounded.height;
    int top = h, bottom = -1, left = w, right = -1;
    for (int y = 0; y < h; ++y) {
        const std::uint8_t* a = rounded.row(y);
        const std::uint8_t* b = result.row(y);
        if (std::equal(a, a + w, b)) continue;
        int x0 = 0, x1 = w - 1;
        while (a[x0] == b[x0])
            ++x0;
        while (a[x1] == b[x1])
            --x1;
        top = std::min(top, y);
        bottom = y;
        left = std::min(left, x0);
        right = std::max(right, x1);
    }
    if (bottom < 0) return nullptr;
    const QRect rect(QPoint(left, top), QPoint(right, bottom));
    std::vector<float> before = doc->readMask(rect);
    std::vector<float> after = before;
    for (int y = 0; y < rect.height(); ++y) {
        const std::uint8_t* a = rounded.row(rect.top() + y) + rect.left();
        const std::uint8_t* b = result.row(rect.top() + y) + rect.left();
        float* o = after.data() + std::size_t(y) * rect.width();
        for (int x = 0; x < rect.width(); ++x)
            if (a[x] != b[x]) o[x] = b[x] ? 1.0f : 0.0f;
    }
    return MaskEditCommand::fromRect(doc, label, rect, std::move(before), std::move(after));
}

QString footprintName(lb::Footprint f) {
    return f == lb::Footprint::Round ? QCoreApplication::translate("MaskAdjust", "round")
                                     : QCoreApplication::translate("MaskAdjust", "square");
}

} // namespace

std::unique_ptr<MaskEditCommand> makeExpandCommand(MaskDocument* doc, int radius,
                                                   lb::Footprint footprint) {
    if (!doc->hasImage() || radius <= 0) return nullptr;
    const lb::BinaryMask rounded = lb::roundMask(doc->mask());
    return commandFor(doc,
                      QCoreApplication::translate("MaskAdjust", "Expand mask by %1 px (%2)")
                          .arg(radius)
                          .arg(footprintName(footprint)),
                      rounded, lb::expandBinary(rounded, radius, footprint));
}

std::unique_ptr<MaskEditCommand> makeContractCommand(MaskDocument* doc, int radius,
                                                     lb::Footprint footprint) {
    if (!doc->hasImage() || radius <= 0) return nullptr;
    const lb::BinaryMask rounded = lb::roundMask(doc->mask());
    return commandFor(doc,
                      QCoreApplication::translate("MaskAdjust", "Contract mask by %1 px (%2)")
                          .arg(radius)
                          .arg(footprintName(footprint)),
                      rounded, lb::contractBinary(rounded, radius, footprint));
}

std::unique_ptr<MaskEditCommand> makeFillHolesCommand(MaskDocument* doc, qint64 maxArea) {
    if (!doc->hasImage() || maxArea <= 1) return nullptr;
    const lb::BinaryMask rounded = lb::roundMask(doc->mask());
    return commandFor(
        doc,
        QCoreApplication::translate("MaskAdjust", "Fill holes smaller than %1 px").arg(maxArea),
        rounded, lb::fillHoles(rounded, maxArea));
}

} // namespace lbui
