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
#include <tuple>

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
    if (importRunning_) importJob_.waitForFinished();
    if (applyRunning_) applyJob_.waitForFinished();
    if (exportRunning_) export_.waitForFinished();
}

std::optional<StitchImportInput> StitchSession::encodeImportInput(const QStringList& paths,
                                                                  QString* error) {
    const EncodeResult* result = session_->result();
    if (!doc_->hasImage() || !result || !result->output.regions) {
        if (error)
            *error = tr("encode with regions first: the results are stitched into the regions of "
                        "the last region encode");
        return std::nullopt;
    }
    if (!result->source.image || result->source.image != doc_->image()) {
        if (error) *error = tr("the image changed since the region encode: encode again first");
        return std::nullopt;
    }
    return importInput(result->output.regions, paths, result->source.precision,
                       float(std::max(1, result->output.grow / 2)), error);
}

bool StitchSession::importResults(const QStringList& paths, QString* error) {
    waitForImport(); // an earlier request: taken in before this one replaces it
    auto input = encodeImportInput(paths, error);
    return input && importNow(std::move(*input), error);
}

bool StitchSession::importNow(StitchImportInput input, QString* error) {
    StitchImportInput in = input;
    const QString why = takeImport(std::move(input), runStitchImport(std::move(in)));
    if (!why.isEmpty()) {
        if (error) *error = why;
        return false;
    }
    return true;
}

bool StitchSession::startImport(const QStringList& paths, QString* error) {
    auto input = encodeImportInput(paths, error);
    if (!input) return false;
    emit importStarted(int(paths.size()));
    if (importRunning_)
        importPending_ = std::move(*input); // the one running is dropped when it ends
    else
        runImportJob(std::move(*input));
    return true;
}

void StitchSession::runImportJob(StitchImportInput input) {
    importRunning_ = true;
    const quint64 id = input.id;
    importRunningInput_ = input;
    importJob_ = QtConcurrent::run(backgroundPool(), runStitchImport, std::move(input));
    auto* watcher = new QFutureWatcher<StitchImportOutput>(this);
    watcher->setObjectName(QStringLiteral("stitch import watcher"));
    connect(watcher, &QFutureWatcher<StitchImportOutput>::finished, this, [this, watcher, id] {
        watcher->deleteLater();
        if (!importRunning_ || importRunningInput_.id != id) return; // taken in already
        takeImportJob();
    });
    watcher->setFuture(importJob_);
}

void StitchSession::takeImportJob() {
    importRunning_ = false;
    StitchImportInput in = std::move(importRunningInput_);
    importRunningInput_ = {};
    if (importPending_) { // a newer request replaces this one
        StitchImportInput next = std::move(*importPending_);
        importPending_.reset();
        importJob_ = {};
        runImportJob(std::move(next));
        return;
    }
    StitchImportOutput out = importJob_.takeResult();
    importJob_ = {}; // the display it made is shared with nothing now
    const int files = int(in.paths.size());
    emit importFinished(files, takeImport(std::move(in), std::move(out)));
}

void StitchSession::waitForImport() {
    while (importRunning_) {
        importJob_.waitForFinished();
        takeImportJob();
    }
}

std::optional<StitchImportInput>
StitchSession::importInput(std::shared_ptr<const lb::regions::RegionEncodeResult> regions,
                           const QStringList& paths, lb::InputPrecision precision, float feather,
                           QString* error) {
    const lb::regions::RegionPlan& plan = regions->plan;
    if (paths.size() != qsizetype(plan.rects.size())) {
        if (error)
            *error = tr("%1 result file(s) chosen but the region encode holds %2 region(s)")
                         .arg(paths.size())
                         .arg(plan.rects.size());
        return std::nullopt;
    }
    StitchImportInput in;
    in.id = ++importId_;
    in.paths = paths;
    in.precision = precision;
    in.feather = feather;
    in.original = doc_->image();
    in.display = doc_->displayImage();
    in.imagePath = doc_->imagePath();
    if (regions_ == regions) in.grownBytes = grownBytes_; // a re-import of the same encode
    if (doc_->appliedSamples() && doc_->image() == in.original) {
        in.known = OriginalSamples{doc_->appliedSamples(), doc_->appliedDepth()};
    } else if (prefetchImage_ == in.original && prefetchPath_ == in.imagePath &&
               prefetchPrecision_ == precision && prefetch_.isValid()) {
        in.prefetch = prefetch_; // read on a worker since the encode ended (waited for there)
    }
    in.regions = std::move(regions);
    return in;
}

QString StitchSession::takeImport(StitchImportInput in, StitchImportOutput out) {
    if (out.id != importId_ || in.original != doc_->image())
        return tr("the image or its region encode changed while the results were read: import them "
                  "again");
    if (out.fileRead && out.read) { // kept for the next import of the same image
        prefetchImage_ = in.original;
        prefetchPath_ = in.imagePath;
        prefetchPrecision_ = in.precision;
        prefetch_ = QtFuture::makeReadyFuture(out.read);
    }
    if (!out.error.isEmpty()) return out.error;
    // A restitch of an earlier import or feather still running is dropped when it ends.
    ++restitchRevision_;
    restitchPending_ = false;
    regions_ = std::move(in.regions);
    grownBytes_ = std::move(out.grownBytes);
    original_ = std::move(in.original);
    precision_ = in.precision;
    samples_ = std::move(out.samples);
    depth_ = out.depth;
    results_ = std::move(out.results);
    resultPaths_ = in.paths;
    box_ = out.box;
    boxInput_ = std::move(out.boxInput);
    boxOut_ = std::move(out.stitched.box);
    stitched_ = {};
    stitchedValid_ = false; // composed when first asked (export)
    display_ = std::move(out.display);
    feather_ = in.feather;
    active_ = true;
    showOriginal_ = false;
    emit changed();
    return {};
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
    s.grown = grownBytes_; // shared: made once per import
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
    waitForImport();
    auto input = importInput(std::move(regions), state.results, precision,
                             std::max(0.0f, state.feather), error);
    return input && importNow(std::move(*input), error);
}

void StitchSession::close() {
    ++importId_; // an import running or asked for is dropped when it ends
    ++applyId_;  // so is an Apply
    if (!active_) return;
    active_ = false;
    ++restitchRevision_; // a restitch in flight is dropped when it ends
    restitchPending_ = false;
    // The buffers this import may hold the last reference to (the original's samples, the
    // composed photo, its display: hundreds of megabytes for a large photo) are freed there.
    releaseInBackground(
        std::make_tuple(std::move(regions_), std::move(grownBytes_), std::move(original_),
                        std::move(samples_), std::move(results_), std::move(boxInput_),
                        std::move(stitched_), std::move(boxOut_), std::move(display_)));
    regions_.reset();
    grownBytes_ = {};
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
    watcher->setObjectName(QStringLiteral("stitch restitch watcher"));
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

std::optional<StitchSession::ApplyInput> StitchSession::applyInput() {
    if (!active_ || applyRunning_ || original_ != doc_->image()) return std::nullopt;
    waitForRestitch();                 // the feather shown (a restitch of one box, not the photo)
    if (!active_) return std::nullopt; // the newest feather's restitch failed
    ApplyInput in;
    in.id = ++applyId_;
    in.original = original_;
    in.samples = samples_;
    in.box = boxOut_;
    in.at = box_.topLeft();
    in.display = display_;
    in.depth = depth_;
    return in;
}

QString StitchSession::takeApply(const ApplyInput& in, StitchApplyOutput out) {
    if (in.id != applyId_ || !active_ || in.original != doc_->image())
        return tr("the image or the result changed while the photo was composed: apply again");
    if (!out.error.isEmpty()) return out.error;
    // The document takes the RGB conversion; the samples stay beside it for a later stitch's
    // export. It closes this import when its pixels change.
    doc_->replaceImagePixels(std::move(out.rgb), in.display, std::move(out.samples), in.depth,
                             tr("Apply Stitched Result"));
    return {};
}

bool StitchSession::apply() {
    waitForApply();
    const auto in = applyInput();
    if (!in) return false;
    const QString why = takeApply(*in, runStitchApply(in->samples, in->box, in->at));
    if (!why.isEmpty()) emit failed(why);
    return why.isEmpty();
}

bool StitchSession::startApply() {
    auto in = applyInput();
    if (!in) return false;
    applyRunning_ = true;
    applyRunningInput_ = std::move(*in);
    applyJob_ = QtConcurrent::run(backgroundPool(), runStitchApply, applyRunningInput_.samples,
                                  applyRunningInput_.box, applyRunningInput_.at);
    auto* watcher = new QFutureWatcher<StitchApplyOutput>(this);
    watcher->setObjectName(QStringLiteral("stitch apply watcher"));
    connect(watcher, &QFutureWatcher<StitchApplyOutput>::finished, this,
            [this, watcher, id = applyRunningInput_.id] {
                watcher->deleteLater();
                if (applyRunning_ && applyRunningInput_.id == id) waitForApply();
            });
    watcher->setFuture(applyJob_);
    emit applyStarted();
    return true;
}

void StitchSession::waitForApply() {
    if (!applyRunning_) return;
    applyJob_.waitForFinished();
    applyRunning_ = false;
    const ApplyInput in = std::move(applyRunningInput_);
    applyRunningInput_ = {};
    StitchApplyOutput out = applyJob_.takeResult();
    applyJob_ = {};
    emit applyFinished(takeApply(in, std::move(out)));
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
    const QString why = writeSamples(samples, path, doc_->appliedDepth());
    if (!why.isEmpty()) {
        if (error) *error = why;
        return false;
    }
    doc_->markImageExported(samples);
    return true;
}

bool StitchSession::startExportAppliedImage(const QString& path, QString* error) {
    if (exportRunning_) {
        if (error) *error = tr("an export is still being written");
        return false;
    }
    const std::shared_ptr<const lb::ImageBuffer> samples = doc_->appliedSamples();
    if (!samples) {
        if (error) *error = tr("the image is the file's own: no result has been applied");
        return false;
    }
    exportApplied_ = samples;
    return startExportJob(path, QtConcurrent::run(backgroundPool(), writeSamples, samples, path,
                                                  doc_->appliedDepth()));
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
    exportApplied_.reset();
    return startExportJob(path, QtConcurrent::run(backgroundPool(), writeStitched, samples_,
                                                  boxOut_, box_.topLeft(), path, depth_));
}

bool StitchSession::startExportJob(const QString& path, QFuture<QString> job) {
    exportRunning_ = true;
    exportPath_ = path;
    const quint64 id = ++exportId_;
    export_ = std::move(job);
    auto* watcher = new QFutureWatcher<QString>(this);
    watcher->setObjectName(QStringLiteral("stitch export watcher"));
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, id] {
        watcher->deleteLater();
        if (exportRunning_ && id == exportId_) finishExport(export_.result());
    });
    watcher->setFuture(export_);
    emit exportStarted(path);
    return true;
}

bool StitchSession::waitForExport(QString* error) {
    if (!exportRunning_) return true;
    export_.waitForFinished();
    const QString why = export_.result();
    finishExport(why);
    if (error) *error = why;
    return why.isEmpty();
}

void StitchSession::finishExport(const QString& error) {
    exportRunning_ = false;
    if (error.isEmpty() && exportApplied_) doc_->markImageExported(exportApplied_);
    exportApplied_.reset();
    emit exportFinished(exportPath_, error);
}

} // namespace lbui
