// StitchJobs: the box's restitch and Export Image's write, free of any QObject (StitchJobs.h).
#include "StitchJobs.h"

#include "DocumentLoader.h"

#include "latentbrush/regions/Stitch.h"

#include <QFile>

#include <algorithm>
#include <exception>

namespace lbui {

StitchBoxOutput runStitchBox(const StitchBoxInput& input) {
    StitchBoxOutput out;
    out.revision = input.revision;
    try {
        auto stitched = lb::regions::stitch(*input.original, *input.results, input.plan,
                                            *input.grown, input.feather);
        if (!stitched) {
            out.error = QString::fromStdString(stitched.message());
            return out;
        }
        out.display = toDisplayImage(lb::toRgb(*stitched));
        out.box = std::make_shared<const lb::ImageBuffer>(std::move(*stitched));
    } catch (const std::exception& e) {
        out.error = QString::fromLocal8Bit(e.what());
    }
    return out;
}

lb::ImageBuffer composeStitched(const lb::ImageBuffer& samples, const lb::ImageBuffer& box,
                                QPoint at) {
    lb::ImageBuffer out = samples;
    const int C = samples.channels;
    for (int y = 0; y < box.height; ++y)
        std::copy(box.row(y), box.row(y) + std::size_t(box.width) * C,
                  out.row(at.y() + y) + std::size_t(at.x()) * C);
    return out;
}

QString writeStitched(std::shared_ptr<const lb::ImageBuffer> samples,
                      std::shared_ptr<const lb::ImageBuffer> box, QPoint at, const QString& path,
                      lb::SampleDepth depth) {
    try {
        const lb::ImageBuffer photo = composeStitched(*samples, *box, at);
        const lb::Status st = lb::writeImage(QFile::encodeName(path).toStdString(), photo, depth);
        if (!st) return QString::fromStdString(st.message());
    } catch (const std::exception& e) {
        return QString::fromLocal8Bit(e.what());
    }
    return {};
}

} // namespace lbui
