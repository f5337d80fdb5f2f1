// StitchSession: result files -> lb::regions::stitch -> display and export (StitchSession.h).
#include "StitchSession.h"

#include "BackgroundPool.h"
#include "DocumentLoader.h"
#include "EncodeSession.h"
#include "MaskDocument.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/regions/Stitch.h"

#include <QFile>
#include <QFutureWatcher>
#include <QPainter>
#include <QtConcurrent>

#include <algorithm>

namespace lbui {

StitchSession::StitchSession(MaskDocument* doc, EncodeSession* session, QObject* parent)
    : QObject(parent), doc_(doc), session_(session) {
    connect(doc_, &MaskDocument::imageChanged, this, &StitchSession::close);
    connect(doc_, &MaskDocument::pixelsChanged, this, &StitchSession::close);
    connect(session_, &EncodeSession::encodeStarted, this, &StitchSession::close);
    // The original's samples are read on a worker while the regions are sampled elsewhere.
    connect(session_, &EncodeSession::encodeFinished, this, &StitchSession::prefetch);
}

StitchSession::~StitchSession() {
    // A restitch only reads what it was given; an export must not be cut off mid-write (the
    // write is atomic, but the file the user asked for would then silently not appear).
    if (restitchInFlight_) restitchJob_.waitForFinished();
    if (exportRunning_) export_.waitForFinished();
}

bool StitchSession::importResults(const QStringList& paths, QString* error) {
    const EncodeResult* result = session_->result();
    if (!doc_->hasImage() || !result || !result->output.regions) {
        if (error)
            *error = tr("encode with regions first: the results are stitched into the regions of "
                        "the last region encode");
        return false;
    }
    // begin() checks the files, then that the image is still the one encoded
    return begin(result->output.regions, paths, result->source.precision,
                 float(std::max(1, result->output.grow / 2)), error);
}

bool StitchSession::begin(std::shared_ptr<const lb::regions::RegionEncodeResult> regions,
                          const QStringList& paths, lb::InputPrecision precision, float feather,
                          QString* error) {
    auto fail = [error](const QString& why) {
        if (error) *error = why;
        return false;
    };
    const lb::regions::RegionPlan& plan = regions->plan;
    if (paths.size() != qsizetype(plan.rects.size()))
        return fail(tr("%1 result file(s) chosen but the region encode holds %2 region(s)")
                        .arg(paths.size())
                        .arg(plan.rects.size()));
    std::vector<lb::ImageBuffer> results;
    lb::ImageReadOptions readOptions;
    readOptions.precision = precision; // as the CLI reads them
    for (const QString& path : paths) {
        auto r = lb::readImage(QFile::encodeName(path).toStdString(), readOptions);
        if (!r) return fail(QString::fromStdString(r.message()));
        if (r->image.width != plan.scaledWidth || r->image.height != plan.scaledHeight)
            return fail(tr("%1 is %2x%3 but the regions were encoded at %4x%5")
                            .arg(path)
                            .arg(r->image.width)
                            .arg(r->image.height)
                            .arg(plan.scaledWidth)
                            .arg(plan.scaledHeight));
        results.push_back(lb::toRgb(r->image));
    }
    const EncodeResult* result = session_->result();
    const bool fromEncode = result && result->output.regions == regions;
    if (fromEncode && (!result->source.image || result->source.image != doc_->image()))
        return fail(tr("the image changed since the region encode: encode again first"));
    regions_ = std::move(regions);
    original_ = doc_->image();
    precision_ = precision;
    loadOriginalSamples(doc_->imagePath(), precision);
    results_ = std::make_shared<const std::vector<lb::ImageBuffer>>(std::move(results));
    resultPaths_ = paths;
    const lb::regions::RegionPlan& kept = regions_->plan;
    box_ = {};
    for (const lb::regions::RegionRect& r : kept.rects)
        box_ |= QRect(r.x, r.y, r.w, r.h);
    if (const auto grownBox = lb::regions::maskBoundingBox(regions_->grownFull))
        box_ |= QRect(grownBox->x - 1, grownBox->y - 1, grownBox->w + 2, grownBox->h + 2);
    box_ &= QRect(0, 0, samples_->width, samples_->height);
    // The box's crops of the samples and the grown mask: the same for every feather.
    {
        const int C = samples_->channels;
        const int bx = box_.x(), by = box_.y(), bw = box_.width(), bh = box_.height();
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
            const float* src = samples_->row(by + y) + std::size_t(bx) * C;
            std::copy(src, src + std::size_t(bw) * C, original->row(y));
            const std::uint8_t* g = regions_->grownFull.row(by + y) + bx;
            std::copy(g, g + bw, grown->row(y));
        }
        boxInput_ = {};
        boxInput_.original = std::move(original);
        boxInput_.grown = std::move(grown);
        boxInput_.results = results_;
        boxInput_.plan = regions_->plan;
        for (lb::regions::RegionRect& r : boxInput_.plan.rects) {
            r.x -= bx;
            r.y -= by;
        }
    }
    stitchedValid_ = false;          // composed when first asked (export, Apply)
    display_ = doc_->displayImage(); // shared until restitch() paints the box
    feather_ = feather;
    active_ = true;
    showOriginal_ = false;
    const QString why = restitchNow();
    if (!why.isEmpty()) return fail(why);
    return true;
}

std::optional<AutosavedStitch> StitchSession::autosaveState() const {
    if (!active_) return std::nullopt;
    AutosavedStitch s;
    s.results = resultPaths_;
    s.feather = feather_;
    s.precision = int(precision_);
    s.scaledWidth = regions_->plan.scaledWidth;
    s.scaledHeight = regions_->plan.scaledHeight;
    for (const lb::regions::RegionRect& r : regions_->plan.rects)
        s.rects << QRect(r.x, r.y, r.w, r.h);
    const lb::BinaryMask& g = regions_->grownFull;
    s.grown = QByteArray(reinterpret_cast<const char*>(g.data.data()), qsizetype(g.data.size()));
    return s;
}

bool StitchSession::restore(const AutosavedStitch& state, QString* error) {
    auto fail = [error](const QString& why) {
        if (error) *error = why;
        return false;
    };
    if (!doc_->hasImage()) return fail(tr("no image is open"));
    const int w = doc_->width(), h = doc_->height();
    if (state.grown.size() != qsizetype(w) * h)
        return fail(tr("the kept result was made for an image of another size"));
    auto regions = std::make_shared<lb::regions::RegionEncodeResult>();
    regions->plan.scaledWidth = state.scaledWidth;
    regions->plan.scaledHeight = state.scaledHeight;
    for (const QRect& r : state.rects) {
        if (r.x() < 0 || r.y() < 0 || r.width() < 1 || r.height() < 1 || r.right() >= w ||
            r.bottom() >= h)
            return fail(tr("a kept region lies outside the image"));
        regions->plan.rects.push_back({r.x(), r.y(), r.width(), r.height()});
    }
    regions->grownFull.width = w;
    regions->grownFull.height = h;
    regions->grownFull.data.assign(state.grown.begin(), state.grown.end());
    for (std::uint8_t& v : regions->grownFull.data)
        v = v ? 1 : 0;
    const lb::InputPrecision precision = state.precision == int(lb::InputPrecision::Full)
                                             ? lb::InputPrecision::Full
                                             : lb::InputPrecision::Reference;
    return begin(std::move(regions), state.results, precision, std::max(0.0f, state.feather),
                 error);
}

void StitchSession::close() {
    if (!active_) return;
    active_ = false;
    ++restitchRevision_; // a restitch in flight is dropped when it ends
    restitchPending_ = false;
    regions_.reset();
    original_.reset();
    precision_ = lb::InputPrecision::Reference;
    samples_.reset();
    depth_ = lb::SampleDepth::Default;
    results_.reset();
    boxInput_ = {};
    resultPaths_.clear();
    box_ = {};
    stitched_ = {};
    stitchedValid_ = false;
    boxOut_.reset();
    display_ = {};
    emit changed();
}

void StitchSession::setFeather(float feather) {
    feather = std::max(0.0f, feather);
    if (!active_ || feather == feather_) return;
    feather_ = feather;
    ++restitchRevision_;
    restitchPending_ = true;
    startRestitch();
}

void StitchSession::setShowOriginal(bool original) {
    if (original == showOriginal_) return;
    showOriginal_ = original;
    emit changed();
}

namespace {

// The original file's own samples and depth, when the file still holds the pixels encoded (the
// CLI checks source.sha256 the same way); nullopt otherwise. Runs on a worker (prefetch).
std::optional<StitchSession::OriginalSamples>
readOriginalSamples(const QString& imagePath, std::shared_ptr<const lb::ImageBuffer> encoded,
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
    StitchSession::OriginalSamples out;
    out.depth = samples->isFloat             ? lb::SampleDepth::F32
                : samples->bitsPerSample > 8 ? lb::SampleDepth::U16
                                             : lb::SampleDepth::U8;
    out.samples = std::make_shared<const lb::ImageBuffer>(std::move(samples->image));
    return out;
}

} // namespace

void StitchSession::prefetch() {
    const EncodeResult* result = session_->result();
    prefetchImage_.reset();
    prefetchPath_.clear();
    if (!result || !result->output.regions || !result->source.image) return;
    const QString path = result->source.imagePath;
    if (path.isEmpty() || path.startsWith(QLatin1Char(':'))) return;
    if (doc_->appliedSamples() && doc_->image() == result->source.image)
        return; // the applied samples are the document's already
    prefetchImage_ = result->source.image;
    prefetchPath_ = path;
    prefetchPrecision_ = result->source.precision;
    prefetch_ = QtConcurrent::run(backgroundPool(), readOriginalSamples, path, result->source.image,
                                  result->source.precision);
}

void StitchSession::loadOriginalSamples(const QString& imagePath, lb::InputPrecision precision) {
    samples_ = original_;
    depth_ = lb::SampleDepth::Default;
    if (doc_->appliedSamples() && doc_->image() == original_) {
        samples_ = doc_->appliedSamples();
        depth_ = doc_->appliedDepth();
        return;
    }
    std::optional<OriginalSamples> found;
    if (prefetchImage_ == original_ && prefetchPath_ == imagePath &&
        prefetchPrecision_ == precision && prefetch_.isValid()) {
        found = prefetch_.result(); // read on a worker since the encode ended (waits if not yet)
    } else {
        found = readOriginalSamples(imagePath, original_, precision);
        if (found) { // kept for the next import of the same image
            prefetchImage_ = original_;
            prefetchPath_ = imagePath;
            prefetchPrecision_ = precision;
            prefetch_ = QtFuture::makeReadyFuture(found);
        }
    }
    if (!found) return;
    samples_ = found->samples;
    depth_ = found->depth;
}

StitchBoxInput StitchSession::restitchInput() {
    StitchBoxInput in = boxInput_;
    in.feather = feather_;
    in.revision = restitchRevision_;
    restitchPending_ = false;
    return in;
}

void StitchSession::startRestitch() {
    if (!restitchPending_ || restitchInFlight_ || !active_) return;
    const quint64 id = ++restitchJobId_;
    restitchInFlight_ = true;
    restitchJob_ = QtConcurrent::run(backgroundPool(), runStitchBox, restitchInput());
    auto* watcher = new QFutureWatcher<StitchBoxOutput>(this);
    connect(watcher, &QFutureWatcher<StitchBoxOutput>::finished, this, [this, watcher, id] {
        watcher->deleteLater();
        if (!restitchInFlight_ || id != restitchJobId_) return; // taken in already
        restitchInFlight_ = false;
        const QString why = takeRestitch(restitchJob_.result());
        if (!why.isEmpty())
            emit failed(why);
        else
            startRestitch(); // the steps that came meanwhile: the newest only
    });
    watcher->setFuture(restitchJob_);
}

void StitchSession::waitForRestitch() {
    if (restitchInFlight_) {
        restitchJob_.waitForFinished();
        restitchInFlight_ = false;
        const QString why = takeRestitch(restitchJob_.result());
        if (!why.isEmpty()) {
            emit failed(why);
            return;
        }
    }
    if (restitchPending_ && active_) {
        const QString why = takeRestitch(runStitchBox(restitchInput()));
        if (!why.isEmpty()) emit failed(why);
    }
}

QString StitchSession::restitchNow() {
    if (restitchInFlight_) { // of an earlier import or feather: dropped
        restitchJob_.waitForFinished();
        restitchInFlight_ = false;
    }
    ++restitchRevision_;
    return takeRestitch(runStitchBox(restitchInput()));
}

QString StitchSession::takeRestitch(StitchBoxOutput out) {
    if (!active_ || out.revision != restitchRevision_) return {}; // stale: a newer one follows
    if (!out.error.isEmpty()) {
        active_ = false;
        emit changed();
        return out.error;
    }
    boxOut_ = std::move(out.box);
    stitchedValid_ = false;
    {
        QPainter p(&display_);
        p.setCompositionMode(QPainter::CompositionMode_Source);
        p.drawImage(box_.topLeft(), out.display);
    }
    emit changed();
    return {};
}

const lb::ImageBuffer& StitchSession::stitched() {
    waitForRestitch();
    if (stitchedValid_ || !active_) return stitched_;
    // The original's samples with the stitched box in place.
    stitched_ = composeStitched(*samples_, *boxOut_, box_.topLeft());
    stitchedValid_ = true;
    return stitched_;
}

bool StitchSession::apply() {
    if (!active_ || original_ != doc_->image()) return false;
    // The document takes the RGB conversion; the samples stay here for a later stitch's export.
    // An RGB original's samples are the document's pixels too: one buffer, no copy.
    stitched();
    if (!active_) return false; // the newest feather's restitch failed
    auto samples = std::make_shared<const lb::ImageBuffer>(std::move(stitched_));
    stitchedValid_ = false;
    auto rgb = samples->channels == 3
                   ? samples
                   : std::make_shared<const lb::ImageBuffer>(lb::toRgb(*samples));
    const QImage display = display_;
    // The document closes this import when its pixels change.
    doc_->replaceImagePixels(std::move(rgb), display, std::move(samples), depth_,
                             tr("Apply Stitched Result"));
    return true;
}

bool StitchSession::exportImage(const QString& path, QString* error) {
    waitForRestitch();
    if (!active_) {
        if (error) *error = tr("no result has been imported");
        return false;
    }
    const QString why = writeStitched(samples_, boxOut_, box_.topLeft(), path, depth_);
    if (!why.isEmpty()) {
        if (error) *error = why;
        return false;
    }
    return true;
}

bool StitchSession::exportAppliedImage(const QString& path, QString* error) {
    const std::shared_ptr<const lb::ImageBuffer> samples = doc_->appliedSamples();
    if (!samples) {
        if (error) *error = tr("the image is the file's own: no result has been applied");
        return false;
    }
    const lb::Status st =
        lb::writeImage(QFile::encodeName(path).toStdString(), *samples, doc_->appliedDepth());
    if (!st) {
        if (error) *error = QString::fromStdString(st.message());
        return false;
    }
    doc_->markImageExported(samples);
    return true;
}

bool StitchSession::restoreApplied(const AutosavedMask& kept, QString* error) {
    if (!doc_->hasImage() || kept.width != doc_->width() || kept.height != doc_->height()) {
        if (error) *error = tr("the kept image does not fit the open one");
        return false;
    }
    auto pixels = AutosaveManager::readAppliedPixels(kept, error);
    if (!pixels) return false;
    auto samples = std::make_shared<const lb::ImageBuffer>(std::move(*pixels));
    auto rgb = samples->channels == 3
                   ? samples
                   : std::make_shared<const lb::ImageBuffer>(lb::toRgb(*samples));
    QImage display = toDisplayImage(*rgb);
    doc_->replaceImagePixels(std::move(rgb), std::move(display), std::move(samples),
                             lb::SampleDepth(kept.applied->depth), tr("Restore Applied Result"));
    return true;
}

bool StitchSession::startExportImage(const QString& path, QString* error) {
    if (exportRunning_) {
        if (error) *error = tr("an export is still being written");
        return false;
    }
    waitForRestitch(); // the feather shown (a restitch of one box, not the photo)
    if (!active_) {
        if (error) *error = tr("no result has been imported");
        return false;
    }
    exportRunning_ = true;
    exportPath_ = path;
    const quint64 id = ++exportId_;
    export_ = QtConcurrent::run(backgroundPool(), writeStitched, samples_, boxOut_, box_.topLeft(),
                                path, depth_);
    auto* watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, id] {
        watcher->deleteLater();
        if (exportRunning_ && id == exportId_) finishExport(export_.result());
    });
    watcher->setFuture(export_);
    emit exportStarted(path);
    return true;
}

void StitchSession::waitForExport() {
    if (!exportRunning_) return;
    export_.waitForFinished();
    finishExport(export_.result());
}

void StitchSession::finishExport(const QString& error) {
    exportRunning_ = false;
    emit exportFinished(exportPath_, error);
}

} // namespace lbui
