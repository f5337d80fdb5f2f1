// StitchJobs: Import Result's read, the box's restitch, Apply's composition and Export Image's
// write, free of any QObject (StitchJobs.h).
#include "StitchJobs.h"

#include "DocumentLoader.h"

#include "latentbrush/regions/Stitch.h"

#include <QCoreApplication>
#include <QFile>
#include <QPainter>

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

std::optional<OriginalSamples> readOriginalSamples(const QString& imagePath,
                                                   std::shared_ptr<const lb::ImageBuffer> encoded,
                                                   lb::InputPrecision precision) {
    if (!encoded || imagePath.isEmpty() || imagePath.startsWith(QLatin1Char(':')))
        return std::nullopt;
    const std::string file = QFile::encodeName(imagePath).toStdString();
    lb::ImageReadOptions options;
    options.precision = precision;
    auto asEncoded = lb::readImage(file, options);
    if (!asEncoded || asEncoded->image.width != encoded->width ||
        asEncoded->image.height != encoded->height ||
        lb::toRgb(asEncoded->image).data != encoded->data)
        return std::nullopt;
    auto samples = lb::readImageSamples(file, options);
    if (!samples) return std::nullopt;
    OriginalSamples out;
    out.depth = samples->isFloat             ? lb::SampleDepth::F32
                : samples->bitsPerSample > 8 ? lb::SampleDepth::U16
                                             : lb::SampleDepth::U8;
    out.samples = std::make_shared<const lb::ImageBuffer>(std::move(samples->image));
    return out;
}

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("lbui::StitchSession", text);
}

// The result files read as the CLI reads them, each checked against the regions' encoded size.
QString readResults(const QStringList& paths, const lb::regions::RegionPlan& plan,
                    lb::InputPrecision precision, std::vector<lb::ImageBuffer>* results) {
    lb::ImageReadOptions readOptions;
    readOptions.precision = precision;
    for (const QString& path : paths) {
        auto r = lb::readImage(QFile::encodeName(path).toStdString(), readOptions);
        if (!r) return QString::fromStdString(r.message());
        if (r->image.width != plan.scaledWidth || r->image.height != plan.scaledHeight)
            return tr("%1 is %2x%3 but the regions were encoded at %4x%5")
                .arg(path)
                .arg(r->image.width)
                .arg(r->image.height)
                .arg(plan.scaledWidth)
                .arg(plan.scaledHeight);
        results->push_back(lb::toRgb(r->image));
    }
    return {};
}

// The original's samples: known, read since the encode ended, or read now (then also kept in
// `out` for the next import of the same image).
std::optional<OriginalSamples> originalSamplesOf(StitchImportInput& input,
                                                 StitchImportOutput& out) {
    if (input.known) return std::move(input.known);
    if (input.prefetch.isValid()) return input.prefetch.result();
    out.read = readOriginalSamples(input.imagePath, input.original, input.precision);
    out.fileRead = true;
    return out.read;
}

} // namespace

StitchImportOutput runStitchImport(StitchImportInput input) {
    StitchImportOutput out;
    out.id = input.id;
    try {
        const lb::regions::RegionEncodeResult& regions = *input.regions;
        std::vector<lb::ImageBuffer> results;
        out.error = readResults(input.paths, regions.plan, input.precision, &results);
        if (!out.error.isEmpty()) return out;
        out.results = std::make_shared<const std::vector<lb::ImageBuffer>>(std::move(results));
        const std::optional<OriginalSamples> found = originalSamplesOf(input, out);
        out.samples = found ? found->samples : input.original;
        out.depth = found ? found->depth : lb::SampleDepth::Default;
        const lb::ImageBuffer& samples = *out.samples;
        // The box: the regions and the grown mask's box with its one-pixel ring.
        QRect box;
        for (const lb::regions::RegionRect& r : regions.plan.rects)
            box |= QRect(r.x, r.y, r.w, r.h);
        if (const auto grownBox = lb::regions::maskBoundingBox(regions.grownFull))
            box |= QRect(grownBox->x - 1, grownBox->y - 1, grownBox->w + 2, grownBox->h + 2);
        box &= QRect(0, 0, samples.width, samples.height);
        out.box = box;
        // The box's crops of the samples and the grown mask: the same for every feather.
        const int C = samples.channels;
        const int bx = box.x(), by = box.y(), bw = box.width(), bh = box.height();
        auto original = std::make_shared<lb::ImageBuffer>();
        original->width = bw;
        original->height = bh;
        original->channels = C;
        original->data.resize(std::size_t(bw) * bh * C);
        auto grown = std::make_shared<lb::BinaryMask>();
        grown->width = bw;
        grown->height = bh;
        grown->data.resize(std::size_t(bw) * bh);
        for (int y = 0; y < bh; ++y) {
            const float* src = samples.row(by + y) + std::size_t(bx) * C;
            std::copy(src, src + std::size_t(bw) * C, original->row(y));
            const std::uint8_t* g = regions.grownFull.row(by + y) + bx;
            std::copy(g, g + bw, grown->row(y));
        }
        out.boxInput.original = std::move(original);
        out.boxInput.grown = std::move(grown);
        out.boxInput.results = out.results;
        out.boxInput.plan = regions.plan;
        for (lb::regions::RegionRect& r : out.boxInput.plan.rects) {
            r.x -= bx;
            r.y -= by;
        }
        StitchBoxInput first = out.boxInput;
        first.feather = input.feather;
        out.stitched = runStitchBox(first);
        if (!out.stitched.error.isEmpty()) {
            out.error = out.stitched.error;
            return out;
        }
        // The document's display with the box in place, unshared: a restitch paints only its box.
        out.display = input.display.copy();
        input.display = QImage();
        {
            QPainter p(&out.display);
            p.setCompositionMode(QPainter::CompositionMode_Source);
            p.drawImage(box.topLeft(), out.stitched.display);
        }
        // The grown mask as the autosave keeps it (0/1 bytes of the whole image).
        if (!input.grownBytes.isNull() &&
            input.grownBytes.size() == qsizetype(regions.grownFull.data.size()))
            out.grownBytes = std::move(input.grownBytes);
        else
            out.grownBytes =
                QByteArray(reinterpret_cast<const char*>(regions.grownFull.data.data()),
                           qsizetype(regions.grownFull.data.size()));
    } catch (const std::exception& e) {
        out.error = QString::fromLocal8Bit(e.what());
    }
    return out;
}

StitchApplyOutput runStitchApply(std::shared_ptr<const lb::ImageBuffer> samples,
                                 std::shared_ptr<const lb::ImageBuffer> box, QPoint at) {
    StitchApplyOutput out;
    try {
        out.samples = std::make_shared<const lb::ImageBuffer>(composeStitched(*samples, *box, at));
        // An RGB original's samples are the document's pixels too: one buffer, no copy.
        out.rgb = out.samples->channels == 3
                      ? out.samples
                      : std::make_shared<const lb::ImageBuffer>(lb::toRgb(*out.samples));
    } catch (const std::exception& e) {
        out.error = QString::fromLocal8Bit(e.what());
    }
    return out;
}

QString writeSamples(std::shared_ptr<const lb::ImageBuffer> samples, const QString& path,
                     lb::SampleDepth depth) {
    try {
        const lb::Status st =
            lb::writeImage(QFile::encodeName(path).toStdString(), *samples, depth);
        if (!st) return QString::fromStdString(st.message());
    } catch (const std::exception& e) {
        return QString::fromLocal8Bit(e.what());
    }
    return {};
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
