// EncodeJob: QtConcurrent + QFutureWatcher around the core's encode and decode. Progress is
// posted back to the GUI thread; core errors (and any exception) become messages.
#include "EncodeJob.h"

#include "BackgroundPool.h"
#include "WorkerProgress.h"

#include "latentbrush/Pipeline.h"
#include "latentbrush/Progress.h"
#include "latentbrush/Vae.h"

#include <QtConcurrent>

#include <exception>

namespace lbui {

EncodeJob::EncodeJob(QObject* parent) : QObject(parent) {
    connect(&encodeWatcher_, &QFutureWatcher<EncodeOutput>::finished, this, [this] {
        emit runningChanged(false);
        emit encoded(encodeWatcher_.result());
    });
    connect(&decodeWatcher_, &QFutureWatcher<DecodeOutput>::finished, this, [this] {
        emit runningChanged(false);
        emit decoded(decodeWatcher_.result());
    });
}

EncodeJob::~EncodeJob() {
    cancel();
    waitForFinished();
}

bool EncodeJob::isRunning() const {
    return encodeWatcher_.isRunning() || decodeWatcher_.isRunning();
}

void EncodeJob::waitForFinished() {
    encodeWatcher_.waitForFinished();
    decodeWatcher_.waitForFinished();
}

void EncodeJob::cancel() {
    if (cancel_) cancel_->store(true);
}

bool EncodeJob::start(std::shared_ptr<lb::Vae> vae, std::shared_ptr<const lb::ImageBuffer> image,
                      MaskSnapshot mask, int grow) {
    if (isRunning() || !vae || !image || mask.isNull()) return false;
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    auto cancel = cancel_;
    auto report = progressTo(this, &EncodeJob::progress);
    encodeWatcher_.setFuture(QtConcurrent::run(
        backgroundPool(),
        [report, cancel, vae, image, mask = std::move(mask), grow]() -> EncodeOutput {
            EncodeOutput out;
            out.grow = grow;
            lb::Progress progress;
            progress.cancel = cancel.get();
            progress.report = report;
            try {
                out.mask = mask.get(); // built here when the snapshot was not yet
                auto result = lb::inpaintEncode(*vae, *image, *out.mask, grow, progress);
                if (!result) {
                    out.cancelled = cancel->load();
                    out.error = QString::fromStdString(result.message());
                    return out;
                }
                out.samples = std::move(result->samples);
                out.noiseMask = std::move(result->noiseMask);
                out.crop = result->crop;
                out.aspectDiffers = result->aspectDiffers;
            } catch (const std::exception& e) {
                out.error = QString::fromLocal8Bit(e.what());
            }
            return out;
        }));
    emit runningChanged(true); // after setFuture: listeners see isRunning() == true
    return true;
}

bool EncodeJob::startNoiseMask(std::shared_ptr<lb::Vae> vae,
                               std::shared_ptr<const lb::ImageBuffer> image, MaskSnapshot mask,
                               lb::NoiseMaskOptions options) {
    if (isRunning() || !vae || !image || mask.isNull()) return false;
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    auto cancel = cancel_;
    auto report = progressTo(this, &EncodeJob::progress);
    encodeWatcher_.setFuture(QtConcurrent::run(
        backgroundPool(),
        [report, cancel, vae, image, mask = std::move(mask), options]() -> EncodeOutput {
            EncodeOutput out;
            out.noiseMaskMode = true;
            out.noiseMaskOptions = options;
            lb::Progress progress;
            progress.cancel = cancel.get();
            progress.report = report;
            try {
                out.mask = mask.get(); // built here when the snapshot was not yet
                auto result = lb::noiseMaskEncode(*vae, *image, *out.mask, options, progress);
                if (!result) {
                    out.cancelled = cancel->load();
                    out.error = QString::fromStdString(result.message());
                    return out;
                }
                out.samples = std::move(result->samples);
                out.softMask = std::move(result->noiseMask);
                out.pixels = std::move(result->pixels);
                out.crop = result->crop;
            } catch (const std::exception& e) {
                out.error = QString::fromLocal8Bit(e.what());
            }
            return out;
        }));
    emit runningChanged(true);
    return true;
}

bool EncodeJob::startRegions(std::shared_ptr<lb::Vae> vae,
                             std::shared_ptr<const lb::ImageBuffer> image, MaskSnapshot mask,
                             lb::regions::RegionEncodeOptions options) {
    if (isRunning() || !vae || !image || mask.isNull()) return false;
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    auto cancel = cancel_;
    auto report = progressTo(this, &EncodeJob::progress);
    encodeWatcher_.setFuture(QtConcurrent::run(
        backgroundPool(),
        [report, cancel, vae, image, mask = std::move(mask), options]() -> EncodeOutput {
            EncodeOutput out;
            out.grow = options.grow;
            lb::Progress progress;
            progress.cancel = cancel.get();
            progress.report = report;
            try {
                out.mask = mask.get(); // built here when the snapshot was not yet
                auto result = lb::regions::regionEncode(*vae, *image, *out.mask, options, progress);
                if (!result) {
                    out.cancelled = cancel->load();
                    out.error = QString::fromStdString(result.message());
                    return out;
                }
                auto regions =
                    std::make_shared<lb::regions::RegionEncodeResult>(std::move(*result));
                out.samples = regions->samples;
                if (!regions->noiseMasks.empty()) out.noiseMask = regions->noiseMasks.front();
                out.crop.height = regions->plan.scaledHeight;
                out.crop.width = regions->plan.scaledWidth;
                out.regions = std::move(regions);
            } catch (const std::exception& e) {
                out.error = QString::fromLocal8Bit(e.what());
            }
            return out;
        }));
    emit runningChanged(true);
    return true;
}

bool EncodeJob::startDecode(std::shared_ptr<lb::Vae> vae, lb::LatentBuffer latent) {
    if (isRunning() || !vae) return false;
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    auto cancel = cancel_;
    auto report = progressTo(this, &EncodeJob::progress);
    decodeWatcher_.setFuture(QtConcurrent::run(
        backgroundPool(), [report, cancel, vae, latent = std::move(latent)]() -> DecodeOutput {
            DecodeOutput out;
            lb::Progress progress;
            progress.cancel = cancel.get();
            progress.report = report;
            try {
                auto result = vae->decode(latent, progress);
                if (!result) {
                    out.cancelled = cancel->load();
                    out.error = QString::fromStdString(result.message());
                    return out;
                }
                out.image = std::move(*result);
            } catch (const std::exception& e) {
                out.error = QString::fromLocal8Bit(e.what());
            }
            return out;
        }));
    emit runningChanged(true);
    return true;
}

} // namespace lbui
