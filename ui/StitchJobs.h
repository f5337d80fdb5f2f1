// StitchJobs: the heavy steps of StitchSession as functions that run on any thread: Import
// Result's read of the result files, the cut of the regions' box and its first stitch; the stitch
// of the box for a feather (lb::regions::stitch on the box, then its display conversion); Apply's
// composition of the whole stitched photo; and Export Image's composition and atomic write.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/ImageIO.h"
#include "latentbrush/regions/RegionEncode.h"
#include "latentbrush/regions/RegionPlan.h"

#include <QByteArray>
#include <QFuture>
#include <QImage>
#include <QPoint>
#include <QRect>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
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

// The original file's own samples (all channels) and their depth.
struct OriginalSamples {
    std::shared_ptr<const lb::ImageBuffer> samples;
    lb::SampleDepth depth = lb::SampleDepth::Default;
};

// The original file's own samples when the file still holds the pixels encoded (the CLI checks
// source.sha256 the same way); nullopt otherwise.
std::optional<OriginalSamples> readOriginalSamples(const QString& imagePath,
                                                   std::shared_ptr<const lb::ImageBuffer> encoded,
                                                   lb::InputPrecision precision);

// What Import Result needs, taken on the GUI thread when it is asked for.
struct StitchImportInput {
    quint64 id = 0; // StitchSession's import requests when it was asked for
    std::shared_ptr<const lb::regions::RegionEncodeResult> regions;
    QStringList paths;
    lb::InputPrecision precision = lb::InputPrecision::Reference;
    float feather = 1.0f;
    std::shared_ptr<const lb::ImageBuffer> original; // the document's pixels (encoded)
    QImage display;                                  // the document's display image
    QString imagePath;
    // The original's samples when already known (an Apply's, or read before): used as they are.
    std::optional<OriginalSamples> known;
    // Else the read started when the encode ended (valid: waited for), else the file is read.
    QFuture<std::optional<OriginalSamples>> prefetch;
    QByteArray grownBytes; // the grown mask as the autosave keeps it, when known already
};

struct StitchImportOutput {
    quint64 id = 0;
    QString error; // empty on success
    std::shared_ptr<const lb::ImageBuffer> samples;
    lb::SampleDepth depth = lb::SampleDepth::Default;
    std::optional<OriginalSamples> read; // the samples read from the file here (kept for later)
    bool fileRead = false;               // readOriginalSamples ran here
    std::shared_ptr<const std::vector<lb::ImageBuffer>> results;
    QRect box;
    StitchBoxInput boxInput; // revision 0, the default feather
    StitchBoxOutput stitched;
    QImage display; // the document's display with the stitched box in place (unshared)
    QByteArray grownBytes;
};

// Reads the result files (their count and size checked against the regions), the original's
// samples, cuts the box and stitches it with the input's feather.
StitchImportOutput runStitchImport(StitchImportInput input);

// Apply's work: the photo composed (the original's channels) and its RGB conversion.
struct StitchApplyOutput {
    std::shared_ptr<const lb::ImageBuffer> samples;
    std::shared_ptr<const lb::ImageBuffer> rgb; // `samples` itself when they are RGB
    QString error;
};
StitchApplyOutput runStitchApply(std::shared_ptr<const lb::ImageBuffer> samples,
                                 std::shared_ptr<const lb::ImageBuffer> box, QPoint at);

// Export Image of an applied image: `samples` written (atomically) at `depth`; the error, empty
// on success.
QString writeSamples(std::shared_ptr<const lb::ImageBuffer> samples, const QString& path,
                     lb::SampleDepth depth);

// The original's samples with the stitched box at `at`.
lb::ImageBuffer composeStitched(const lb::ImageBuffer& samples, const lb::ImageBuffer& box,
                                QPoint at);

// Export Image's work: composes the photo and writes it (atomically, lb::writeImage) at `depth`.
// Returns the error, empty on success.
QString writeStitched(std::shared_ptr<const lb::ImageBuffer> samples,
                      std::shared_ptr<const lb::ImageBuffer> box, QPoint at, const QString& path,
                      lb::SampleDepth depth);

} // namespace lbui
