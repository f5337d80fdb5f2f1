// StitchJobs: the two heavy steps of StitchSession as functions that run on any thread: the stitch
// of the regions' box for a feather (lb::regions::stitch on the box, then its display conversion),
// and Export Image's composition of the whole stitched photo and its atomic write.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/ImageIO.h"
#include "latentbrush/regions/RegionPlan.h"

#include <QImage>
#include <QPoint>
#include <QString>

#include <memory>
#include <vector>

namespace lbui {

// The box's inputs, cut once per import (they do not depend on the feather).
struct StitchBoxInput {
    std::shared_ptr<const lb::ImageBuffer> original; // the original's samples in the box
    std::shared_ptr<const lb::BinaryMask> grown;     // the grown mask in the box
    std::shared_ptr<const std::vector<lb::ImageBuffer>> results;
    lb::regions::RegionPlan plan; // the rectangles relative to the box
    float feather = 1.0f;
    quint64 revision = 0; // StitchSession's feather changes when it started
};

struct StitchBoxOutput {
    quint64 revision = 0;
    std::shared_ptr<const lb::ImageBuffer> box; // the stitched box, the original's channels
    QImage display;                             // its display conversion
    QString error;                              // empty on success
};

StitchBoxOutput runStitchBox(const StitchBoxInput& input);

// The original's samples with the stitched box at `at`.
lb::ImageBuffer composeStitched(const lb::ImageBuffer& samples, const lb::ImageBuffer& box,
                                QPoint at);

// Export Image's work: composes the photo and writes it (atomically, lb::writeImage) at `depth`.
// Returns the error, empty on success.
QString writeStitched(std::shared_ptr<const lb::ImageBuffer> samples,
                      std::shared_ptr<const lb::ImageBuffer> box, QPoint at, const QString& path,
                      lb::SampleDepth depth);

} // namespace lbui
