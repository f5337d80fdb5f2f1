// RegionPlanner: planning on the grown mask of the whole image and the regions' encoder inputs
// (RegionPlanner.h).
#include "RegionPlanner.h"

#include "BackgroundPool.h"
#include "GrowPreview.h"
#include "MaskDocument.h"

#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/regions/RegionPixels.h"

#include <QFutureWatcher>
#include <QTimer>
#include <QtConcurrent>

#include <algorithm>
#include <cmath>

namespace lbui {

RegionPlanner::RegionPlanner(MaskDocument* doc, GrowPreview* preview, QObject* parent)
    : QObject(parent), doc_(doc), preview_(preview), settings_(RegionSettings::load()) {
    // The grown mask is recomputed only when the mask, the image or the grow changed: a drag of
    // the manual rectangle or a change of the settings only plans again (fast on large images).
    connect(doc_, &MaskDocument::imageChanged, this, [this] {
        manualUndo_.clear(); // rectangles of the previous image
        manualRedo_.clear();
        regrow_ = true;
        schedule();
    });
    connect(doc_, &MaskDocument::pixelsChanged, this, &RegionPlanner::schedule);
    connect(doc_, &MaskDocument::maskChanged, this, &RegionPlanner::maskEdited);
    connect(preview_, &GrowPreview::growChanged, this, [this] {
        regrow_ = true;
        schedule();
    });
    connect(preview_, &GrowPreview::cropChanged, this, &RegionPlanner::schedule); // the multiple
    schedule();
}

RegionPlanner::~RegionPlanner() {
    if (inFlight_) job_.waitForFinished();
}

void RegionPlanner::maskEdited() {
    regrow_ = true;
    schedule();
}

void RegionPlanner::setSettings(const RegionSettings& settings) {
    if (settings == settings_) return;
    settings_ = settings;
    settings_.save();
    emit settingsChanged();
    schedule();
}

const std::optional<lb::regions::RegionPlan>& RegionPlanner::plan() const {
    return plan_;
}

QString RegionPlanner::error() const {
    return error_;
}

QList<QRect> RegionPlanner::rects() const {
    QList<QRect> out;
    if (plan_)
        for (const lb::regions::RegionRect& r : plan_->rects)
            out.append(QRect(r.x, r.y, r.w, r.h));
    return out;
}

void RegionPlanner::setManualRect(const QRect& rect) {
    RegionSettings s = settings_;
    s.manual = clampedManualRect(rect);
    setSettings(s);
}

QRect RegionPlanner::clampedManualRect(const QRect& rect) const {
    QRect r = rect.normalized();
    if (!doc_->hasImage()) return r;
    const int W = doc_->width(), H = doc_->height();
    const int w = std::clamp(r.width(), 1, W), h = std::clamp(r.height(), 1, H);
    return QRect(std::clamp(r.x(), 0, W - w), std::clamp(r.y(), 0, H - h), w, h);
}

QRect RegionPlanner::defaultManualRect() const {
    if (!doc_->hasImage()) return {};
    const lb::ImageBuffer& image = *doc_->image();
    const lb::MaskBuffer full =
        lb::regions::maskAtImageSize(doc_->mask(), image.height, image.width);
    const lb::BinaryMask grown = lb::regions::grownMaskOfImage(full, preview_->grow());
    lb::regions::RegionRequest request; // auto, the default context, no target
    lb::Result<lb::regions::RegionPlan> plan =
        lb::regions::planRegions(request, grown, preview_->multiple());
    if (plan && !plan->rects.empty()) {
        const lb::regions::RegionRect& r = plan->rects.front();
        return QRect(r.x, r.y, r.w, r.h);
    }
    const int d = std::max(1, preview_->multiple());
    const int w = std::max(d, std::min(512, image.width) / d * d);
    const int h = std::max(d, std::min(512, image.height) / d * d);
    return QRect((image.width - w) / 2, (image.height - h) / 2, w, h) & doc_->bounds();
}

int RegionPlanner::manualSnap() const {
    return settings_.target == RegionSettings::Target::None ? std::max(1, preview_->multiple()) : 1;
}

void RegionPlanner::setEditingManual(bool editing) {
    if (editing == editing_) return;
    editing_ = editing;
    emit editingChanged(editing_);
}

void RegionPlanner::recordManualEdit(const QRect& before) {
    if (before == settings_.manual) return;
    manualUndo_.append(before);
    manualRedo_.clear();
}

void RegionPlanner::undoManual() {
    if (manualUndo_.isEmpty()) return;
    manualRedo_.append(settings_.manual);
    setManualRect(manualUndo_.takeLast());
}

void RegionPlanner::redoManual() {
    if (manualRedo_.isEmpty()) return;
    manualUndo_.append(settings_.manual);
    setManualRect(manualRedo_.takeLast());
}

void RegionPlanner::schedule() {
    inputsValid_ = false;
    imagesValid_ = false;
    ++revision_;
    pending_ = true;
    if (scheduled_) return;
    scheduled_ = true;
    QTimer::singleShot(0, this, [this] {
        scheduled_ = false;
        startJob();
    });
}

RegionPlanJobInput RegionPlanner::jobInput() {
    RegionPlanJobInput in;
    if (manual() && doc_->hasImage() &&
        (settings_.manual.isEmpty() || !doc_->bounds().contains(settings_.manual))) {
        // No rectangle yet, or one of another image: start from the mask's auto region.
        settings_.manual = defaultManualRect();
        settings_.save();
        emit settingsChanged();
    }
    in.plan = settings_.enabled() && doc_->hasImage();
    in.grown = regrow_ ? nullptr : grown_;
    in.regrow = regrow_;
    // The mask only when it is grown again: a snapshot taken now, built on the worker.
    if (in.plan && (in.regrow || !in.grown)) in.mask = doc_->maskSnapshot();
    in.grow = preview_->grow();
    in.request = settings_.request();
    in.multiple = preview_->multiple();
    regrow_ = false;
    pending_ = false;
    in.revision = revision_; // after settingsChanged: what its listeners changed is in this job
    return in;
}

void RegionPlanner::startJob() {
    if (!pending_ || inFlight_) return; // the job in flight starts the next when it ends
    const quint64 id = ++jobId_;
    inFlight_ = true;
    job_ = QtConcurrent::run(backgroundPool(), runRegionPlanJob, jobInput());
    auto* watcher = new QFutureWatcher<RegionPlanJobOutput>(this);
    connect(watcher, &QFutureWatcher<RegionPlanJobOutput>::finished, this, [this, watcher, id] {
        watcher->deleteLater();
        if (!inFlight_ || id != jobId_) return; // flush() took it in already
        inFlight_ = false;
        takeResult(job_.result());
        startJob();
    });
    watcher->setFuture(job_);
}

void RegionPlanner::waitForJob() {
    if (!inFlight_) return;
    job_.waitForFinished();
    inFlight_ = false;
    takeResult(job_.result());
}

void RegionPlanner::takeResult(RegionPlanJobOutput out) {
    if (out.revision != revision_) {
        // A newer change is pending: this plan is stale. Its grown mask is kept only if nothing
        // changed the mask or grow since.
        if (!regrow_) grown_ = std::move(out.grown);
        return;
    }
    grown_ = std::move(out.grown);
    plan_ = std::move(out.plan);
    error_ = out.error;
    emit planChanged();
}

void RegionPlanner::flush() {
    waitForJob();
    if (pending_) takeResult(runRegionPlanJob(jobInput()));
}

std::shared_ptr<const lb::MaskBuffer> RegionPlanner::maskSnapshot() {
    return doc_->maskSnapshot().get();
}

const std::vector<lb::ImageBuffer>& RegionPlanner::encoderInputs() {
    flush();
    if (inputsValid_) return inputs_;
    inputs_.clear();
    // flush() left no change pending: the mask now is the one planned.
    const std::shared_ptr<const lb::MaskBuffer> mask =
        plan_ && doc_->hasImage() ? doc_->maskSnapshot().get() : nullptr;
    if (mask) {
        for (const lb::regions::RegionRect& r : plan_->rects) {
            const lb::ImageBuffer scaled = lb::regions::cropAndScale(
                *doc_->image(), r, plan_->scaledWidth, plan_->scaledHeight, settings_.method);
            // inpaintEncode's own preprocessing (the node's steps) on the region's crop.
            lb::Result<lb::InpaintInputs> prepared =
                lb::prepareInpaint(scaled, lb::regions::cropMaskRect(*mask, r), preview_->grow(),
                                   preview_->multiple());
            inputs_.push_back(prepared ? std::move(prepared->pixels) : lb::ImageBuffer{});
        }
    }
    inputsValid_ = true;
    return inputs_;
}

const QList<QImage>& RegionPlanner::encoderInputImages() {
    const std::vector<lb::ImageBuffer>& inputs = encoderInputs();
    if (imagesValid_) return inputImages_;
    inputImages_.clear();
    for (const lb::ImageBuffer& b : inputs) {
        QImage img(b.width, b.height, QImage::Format_RGB32);
        img.fill(Qt::black);
        if (b.channels == 3)
            for (int y = 0; y < b.height; ++y) {
                const float* src = b.row(y);
                auto* dst = reinterpret_cast<QRgb*>(img.scanLine(y));
                for (int x = 0; x < b.width; ++x) {
                    auto c = [&](int k) {
                        return int(std::lround(std::clamp(src[3 * x + k], 0.0f, 1.0f) * 255.0f));
                    };
                    dst[x] = qRgb(c(0), c(1), c(2));
                }
            }
        inputImages_.append(img);
    }
    imagesValid_ = true;
    return inputImages_;
}

} // namespace lbui
