// EncodeSession: loads VAEs on the thread pool, runs EncodeJob on a snapshot of the mask, keeps
// the result with what produced it until its inputs change, and exports it through the core's
// .latent builders (lb::makeLatentFileContents, lb::makeNoiseMaskLatentFileContents) with the
// VAE that encoded it.
#include "EncodeSession.h"

#include "BackgroundPool.h"
#include "ComfyWorkflow.h"
#include "ExportLatentDialog.h"
#include "GrowPreview.h"
#include "MaskDocument.h"
#include "NoiseMaskPreview.h"
#include "RegionPlanner.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/LatentContents.h"
#include "latentbrush/LatentFile.h"
#include "latentbrush/regions/RegionLatent.h"
#include "latentbrush/regions/RegionPixels.h"

#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QRect>
#include <QtConcurrent>

#include <exception>
#include <optional>

namespace lbui {

namespace {

LoadedVae loadVaeFile(const QString& path, const VaeChoices& choices, bool remembered) {
    LoadedVae out;
    out.path = path;
    out.choices = choices;
    out.remembered = remembered;
    try {
        lb::VaeLoadOptions options = vaeLoadOptionsFor(choices);
        options.needEncoder = true;
        options.needDecoder = false; // a decoder in the file is loaded too, and used for previews
        auto vae = lb::Vae::load(QFile::encodeName(path).toStdString(), options);
        if (!vae) {
            out.error = QString::fromStdString(vae.message());
            return out;
        }
        out.vae = *vae;
    } catch (const std::exception& e) {
        out.error = QString::fromLocal8Bit(e.what());
    }
    return out;
}

// The first latent of a batch [B, ...] as a batch of one.
lb::LatentBuffer firstOfBatch(const lb::LatentBuffer& batch) {
    lb::LatentBuffer one;
    if (batch.shape.empty() || batch.shape[0] < 1) return batch;
    one.shape = batch.shape;
    one.shape[0] = 1;
    const std::size_t n = batch.data.size() / std::size_t(batch.shape[0]);
    one.data.assign(batch.data.begin(), batch.data.begin() + std::ptrdiff_t(n));
    return one;
}

} // namespace

lb::VaeLoadOptions vaeLoadOptionsFor(const VaeChoices& choices) {
    lb::VaeLoadOptions options;
    options.device = choices.device.toStdString();
    options.kernels = choices.kernels;
    if (!lb::parseComputeDType(choices.dtype.toStdString(), &options.dtype))
        options.dtype = lb::ComputeDType::Auto;
    options.cpuThreads = choices.cpuThreads;
    return options;
}

EncodeSession::EncodeSession(MaskDocument* doc, GrowPreview* preview, QObject* parent)
    : QObject(parent), doc_(doc), preview_(preview), job_(new EncodeJob(this)) {
    connect(job_, &EncodeJob::encoded, this, &EncodeSession::onEncoded);
    connect(job_, &EncodeJob::decoded, this, &EncodeSession::onDecoded);
    connect(job_, &EncodeJob::runningChanged, this, &EncodeSession::stateChanged);
    connect(doc_, &MaskDocument::maskChanged, this, [this] {
        ++maskRevision_;
        markStale();
    });
    connect(doc_, &MaskDocument::imageChanged, this, [this] {
        ++maskRevision_;
        result_.reset();
        emit decodedCleared();
        emit stateChanged();
    });
    connect(preview_, &GrowPreview::growChanged, this, &EncodeSession::markStale);
    connect(doc_, &MaskDocument::pixelsChanged, this, &EncodeSession::markStale);
}

EncodeSession::~EncodeSession() {
    for (QFuture<LoadedVae>& load : loads_)
        load.waitForFinished();
}

void EncodeSession::setRegionPlanner(RegionPlanner* planner) {
    regions_ = planner;
    if (regions_)
        connect(regions_, &RegionPlanner::settingsChanged, this, [this] {
            markStale();
            emit stateChanged(); // modeConflict() may have changed
        });
}

void EncodeSession::setNoiseMaskPreview(NoiseMaskPreview* preview) {
    noiseMask_ = preview;
    if (noiseMask_) {
        connect(noiseMask_, &NoiseMaskPreview::settingsChanged, this, [this] {
            markStale();
            emit stateChanged(); // modeConflict() may have changed
        });
    }
}

NoiseMaskSettings EncodeSession::noiseMaskSettings() const {
    return noiseMask_ ? noiseMask_->settings() : NoiseMaskSettings{};
}

bool EncodeSession::modeConflict() const {
    return noiseMaskSettings().noiseMask() && regions_ && regions_->enabled();
}

lb::InputPrecision EncodeSession::inputPrecision() const {
    return doc_->inputPrecision();
}

void EncodeSession::loadVae(const QString& path, bool remembered) {
    const quint64 request = ++loadRequest_;
    loading_ = true;
    loadingPath_ = path;
    QFuture<LoadedVae> load =
        QtConcurrent::run(backgroundPool(), loadVaeFile, path, choices_, remembered);
    loads_.removeIf([](const QFuture<LoadedVae>& f) { return f.isFinished(); });
    loads_.append(load);
    // One watcher per load: a superseded load that finishes late is dropped, never mistaken
    // for the latest one.
    auto* watcher = new QFutureWatcher<LoadedVae>(this);
    connect(watcher, &QFutureWatcher<LoadedVae>::finished, this, [this, watcher, request] {
        watcher->deleteLater();
        if (request == loadRequest_) onVaeLoaded(watcher->result());
    });
    watcher->setFuture(load);
    emit vaeLoadingChanged(true);
    emit stateChanged();
}

void EncodeSession::onVaeLoaded(const LoadedVae& loaded) {
    loading_ = false;
    loadingPath_.clear();
    if (loaded.vae) {
        vae_ = loaded.vae;
        vaePath_ = QFileInfo(loaded.path).absoluteFilePath();
        loadedChoices_ = loaded.choices;
    }
    emit vaeLoadingChanged(false);
    emit vaeLoadFinished(loaded); // a failed restore may start another load from here
    if (loaded.vae) {
        markStale();
        emit vaeChanged(vae_);
    }
    emit stateChanged();
}

bool EncodeSession::isRunning() const {
    return job_->isRunning();
}

bool EncodeSession::canEncode() const {
    return vae_ && !loading_ && doc_->hasImage() && !job_->isRunning() && !modeConflict();
}

void EncodeSession::markStale() {
    if ((result_ || job_->isRunning()) && !stale_) {
        stale_ = true;
        emit stateChanged();
    }
}

bool EncodeSession::encode() {
    if (modeConflict()) {
        emit message(regionsNeedInpaintMessage(), true);
        return false;
    }
    if (!canEncode()) return false;
    // A current result stays available should this encode be cancelled.
    previous_.reset();
    if (resultIsCurrent())
        previous_ = std::move(result_);
    else
        emit decodedCleared();
    result_.reset();
    // The mask's snapshot is built on the worker; the job hands it back with its output.
    pending_ =
        EncodeSource{vae_,          vaePath_,          loadedChoices_,   preview_->grow(),
                     maskRevision_, doc_->imagePath(), doc_->maskPath(), doc_->inputPrecision(),
                     std::nullopt,  nullptr,           doc_->image(),    noiseMaskSettings()};
    const MaskSnapshot mask = doc_->maskSnapshot();
    emit encodeStarted();
    if (regions_ && regions_->enabled()) {
        pending_.regions = regions_->settings();
        lb::regions::RegionEncodeOptions options;
        options.request = pending_.regions->request();
        options.method = pending_.regions->method;
        options.grow = pending_.grow;
        job_->startRegions(vae_, doc_->image(), mask, options);
    } else if (pending_.noiseMask.noiseMask()) {
        // The painted values as they are (soft brushes, opacity): no rounding in this mode.
        job_->startNoiseMask(vae_, doc_->image(), mask, pending_.noiseMask.options);
    } else {
        job_->start(vae_, doc_->image(), mask, pending_.grow);
    }
    stale_ = false;
    emit stateChanged();
    return true;
}

void EncodeSession::cancel() {
    job_->cancel();
}

void EncodeSession::onEncoded(const EncodeOutput& out) {
    std::optional<EncodeResult> previous = std::move(previous_);
    previous_.reset();
    if (!out.error.isEmpty()) {
        result_.reset();
        if (previous && !stale_)
            result_ = std::move(previous); // nothing changed since: still the right result
        else
            emit decodedCleared();
        emit encodeFinished(out);
        if (!out.cancelled)
            emit message(tr("Encoding failed: %1. Try the CPU device, a smaller image or another "
                            "VAE.")
                             .arg(out.error),
                         true);
        emit stateChanged();
        return;
    }
    pending_.mask = out.mask;
    result_ = EncodeResult{out, pending_};
    emit decodedCleared();
    emit encodeFinished(out);
    // The preview decode uses the VAE that encoded (while it is still the one loaded).
    const std::shared_ptr<lb::Vae>& vae = result_->source.vae;
    if (vae && vae->info().hasDecoder && !stale_) {
        emit decodeStarted();
        job_->startDecode(vae, out.regions ? firstOfBatch(out.samples) : out.samples);
    }
    emit stateChanged();
}

void EncodeSession::onDecoded(const DecodeOutput& out) {
    if (!out.error.isEmpty()) {
        if (!out.cancelled)
            emit message(tr("The decode preview failed: %1. The latent itself is fine to export.")
                             .arg(out.error),
                         false);
        emit stateChanged();
        return;
    }
    if (result_ && result_->output.regions && !result_->output.regions->pixels.empty()) {
        // A region result previews its first region: its encoder input and decode.
        emit decoded(result_->output.regions->pixels.front(), out.image);
    } else if (result_ && result_->output.noiseMaskMode) {
        emit decoded(result_->output.pixels, out.image); // the cropped image, no gray fill
    } else if (result_) {
        const lb::CropRect& c = result_->output.crop;
        emit decoded(preview_->encoderPixels(QRect(c.left, c.top, c.width, c.height)), out.image);
    }
    emit stateChanged();
}

std::string EncodeSession::sourceImageName(const EncodeSource& source) {
    return MaskDocument::isSamplePath(source.imagePath)
               ? std::string("sample.png")
               : QFileInfo(source.imagePath).fileName().toStdString();
}

std::string EncodeSession::sourceMaskName(const EncodeSource& source) {
    return source.maskPath.isEmpty() ? std::string("painted")
                                     : QFileInfo(source.maskPath).fileName().toStdString();
}

QString EncodeSession::paintedMaskPath(const QString& latentPath) {
    return ExportLatentDialog::paintedMaskPathFor(latentPath);
}

QString EncodeSession::regionMaskPath(const QString& latentPath, int index) {
    return ExportLatentDialog::regionMaskPathFor(latentPath, index);
}

bool EncodeSession::exportRegionLatent(const QString& path, QString* error, bool workflow,
                                       QStringList* written) const {
    const EncodeOutput& r = result_->output;
    const EncodeSource& source = result_->source;
    if (!source.image || !source.mask || !source.regions) {
        if (error) *error = tr("the image this result was encoded from is no longer open");
        return false;
    }
    // source.sha256 is of the image as the encode read the file, all its channels (`stitch`
    // checks it): an RGBA or gray file's own samples, which the RGB document lacks.
    std::optional<lb::ImageBuffer> asRead;
    if (!source.imagePath.isEmpty() && !source.imagePath.startsWith(QLatin1Char(':'))) {
        lb::ImageReadOptions options;
        options.precision = source.precision;
        auto read = lb::readImage(QFile::encodeName(source.imagePath).toStdString(), options);
        if (read && read->image.channels != 3 && read->image.width == source.image->width &&
            read->image.height == source.image->height &&
            lb::toRgb(read->image).data == source.image->data)
            asRead = std::move(read->image);
    }
    const lb::LatentFileContents contents = lb::regions::regionLatentContents(
        *r.regions, asRead ? *asRead : *source.image, *source.mask, source.regions->method, r.grow,
        source.vae->info(), QFileInfo(source.vaePath).fileName().toStdString(),
        sourceImageName(source), sourceMaskName(source), source.precision);
    const lb::Status st = lb::writeLatentFile(QFile::encodeName(path).toStdString(), contents);
    if (!st) {
        if (error) *error = QString::fromStdString(st.message());
        return false;
    }
    if (written) *written << path;
    // One grown mask per region at the region's size (W' x H'), for LoadImageMask.
    for (std::size_t i = 0; i < r.regions->noiseMasks.size(); ++i) {
        const QString maskPath = regionMaskPath(path, int(i));
        const lb::Status ms = lb::writeBinaryMaskPng(QFile::encodeName(maskPath).toStdString(),
                                                     r.regions->noiseMasks[i]);
        if (!ms) {
            if (error) *error = QString::fromStdString(ms.message());
            return false;
        }
        if (written) *written << maskPath;
    }
    if (workflow) return exportRegionWorkflow(path, error, written);
    return true;
}

bool EncodeSession::exportRegionWorkflow(const QString& path, QString* error,
                                         QStringList* written) const {
    // The workflow recomputes the batch in stock nodes from the image and the mask as encoded
    // (at the image's size, 8-bit: exact for masks whose values are multiples of 1/255).
    const EncodeOutput& r = result_->output;
    const EncodeSource& source = result_->source;
    const QString paintedPath = paintedMaskPath(path);
    if (lb::Status st = lb::writeMaskPng(
            QFile::encodeName(paintedPath).toStdString(),
            lb::regions::maskAtImageSize(*source.mask, source.image->height, source.image->width));
        !st) {
        if (error) *error = QString::fromStdString(st.message());
        return false;
    }
    if (written) *written << paintedPath;
    QStringList grownNames;
    for (std::size_t i = 0; i < r.regions->noiseMasks.size(); ++i)
        grownNames << QFileInfo(regionMaskPath(path, int(i))).fileName();
    // What LoadImage cannot give as the encode read it.
    QStringList notes;
    if (MaskDocument::isSamplePath(source.imagePath))
        notes << tr("The image is the built-in sample, which is not a file on disk: LoadImage "
                    "needs the image as a file; open a photo from disk to export a workflow that "
                    "runs as it is.");
    if (source.precision == lb::InputPrecision::Full)
        notes << tr("The image was read with Input Precision: Full (16-bit values); LoadImage "
                    "reads 8-bit values, so this graph's latent differs from the .latent.");
    const QString workflowPath = ExportLatentDialog::workflowPathFor(path);
    QString why;
    if (!saveComfyRegionWorkflow(workflowPath, QString::fromStdString(sourceImageName(source)),
                                 QFileInfo(paintedPath).fileName(), grownNames, r.regions->plan,
                                 source.regions->method, r.grow, &why, notes)) {
        if (error) *error = QStringLiteral("%1: %2").arg(workflowPath, why);
        return false;
    }
    if (written) *written << workflowPath;
    return true;
}

bool EncodeSession::exportNoiseMaskLatent(const QString& path, QString* error, bool workflow,
                                          QStringList* written) const {
    const EncodeOutput& r = result_->output;
    const EncodeSource& source = result_->source;
    lb::NoiseMaskEncodeResult encoded;
    encoded.samples = r.samples;
    encoded.noiseMask = r.softMask;
    encoded.crop = r.crop;
    const lb::LatentFileContents contents = lb::makeNoiseMaskLatentFileContents(
        std::move(encoded), source.vae->info(), r.noiseMaskOptions,
        QFileInfo(source.vaePath).fileName().toStdString(), sourceImageName(source),
        sourceMaskName(source), source.precision);
    auto fail = [error](const lb::Status& st) {
        if (error) *error = QString::fromStdString(st.message());
        return false;
    };
    if (lb::Status st = lb::writeLatentFile(QFile::encodeName(path).toStdString(), contents); !st)
        return fail(st);
    if (written) *written << path;
    // The soft noise_mask beside it (8-bit, as `encode --save-mask NAME.mask.png` writes it).
    const QString maskPath = ExportLatentDialog::maskPathFor(path);
    if (lb::Status st = lb::writeMaskPng(QFile::encodeName(maskPath).toStdString(), r.softMask);
        !st)
        return fail(st);
    if (written) *written << maskPath;
    if (workflow) {
        // The workflow redoes GrowMask and ImageBlur in ComfyUI: it loads the mask as painted.
        if (!source.mask) {
            if (error) *error = tr("the mask this result was encoded from is no longer known");
            return false;
        }
        const QString paintedPath = paintedMaskPath(path);
        if (lb::Status st =
                lb::writeMaskPng(QFile::encodeName(paintedPath).toStdString(), *source.mask);
            !st)
            return fail(st);
        if (written) *written << paintedPath;
        const QString workflowPath = ExportLatentDialog::workflowPathFor(path);
        QString why;
        if (!saveComfyNoiseMaskWorkflow(
                workflowPath, QString::fromStdString(sourceImageName(source)),
                QFileInfo(paintedPath).fileName(), r.noiseMaskOptions, &why)) {
            if (error) *error = QStringLiteral("%1: %2").arg(workflowPath, why);
            return false;
        }
        if (written) *written << workflowPath;
    }
    return true;
}

bool EncodeSession::exportLatent(const QString& path, QString* error, bool workflow,
                                 QStringList* written) const {
    if (!result_ || !result_->source.vae) {
        if (error) *error = tr("nothing has been encoded yet");
        return false;
    }
    const EncodeOutput& r = result_->output;
    const EncodeSource& source = result_->source;
    if (r.regions) return exportRegionLatent(path, error, workflow, written);
    if (r.noiseMaskMode) return exportNoiseMaskLatent(path, error, workflow, written);
    lb::InpaintEncodeResult encoded;
    encoded.samples = r.samples;
    encoded.noiseMask = r.noiseMask;
    encoded.crop = r.crop;
    encoded.aspectDiffers = r.aspectDiffers;
    const std::string imageName = sourceImageName(source);
    const std::string maskSource = sourceMaskName(source);
    const lb::LatentFileContents contents =
        lb::makeLatentFileContents(std::move(encoded), source.vae->info(), r.grow,
                                   QFileInfo(source.vaePath).fileName().toStdString(), imageName,
                                   maskSource, source.precision);
    const lb::Status st = lb::writeLatentFile(QFile::encodeName(path).toStdString(), contents);
    if (!st) {
        if (error) *error = QString::fromStdString(st.message());
        return false;
    }
    if (written) *written << path;
    // The grown mask beside it, named as `latentbrush-cli batch` names it.
    const QString maskPath = ExportLatentDialog::maskPathFor(path);
    const lb::Status ms =
        lb::writeBinaryMaskPng(QFile::encodeName(maskPath).toStdString(), r.noiseMask);
    if (!ms) {
        if (error) *error = QString::fromStdString(ms.message());
        return false;
    }
    if (written) *written << maskPath;
    if (workflow) {
        const QString workflowPath = ExportLatentDialog::workflowPathFor(path);
        QString why;
        if (!saveComfyWorkflow(workflowPath, QFileInfo(path).fileName(),
                               QFileInfo(maskPath).fileName(), &why)) {
            if (error) *error = QStringLiteral("%1: %2").arg(workflowPath, why);
            return false;
        }
        if (written) *written << workflowPath;
    }
    return true;
}

} // namespace lbui
