// EncodePanel: runs EncodeJob on a mask snapshot with progress, keeps the result until its
// inputs change, and exports it (.latent, NAME.mask.png, optional ComfyUI workflow) atomically.
#include "EncodePanel.h"

#include "ComfyWorkflow.h"
#include "DecodeView.h"
#include "DocumentLoader.h"
#include "ExportLatentDialog.h"
#include "GrowPreview.h"
#include "MaskDocument.h"
#include "SvgIconRenderer.h"
#include "VaeChooser.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/LatentFile.h"
#include "latentbrush/Vae.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QVBoxLayout>

namespace lbui {

EncodePanel::EncodePanel(MaskDocument* doc, GrowPreview* preview, DecodeView* decodeView,
                         QWidget* parent)
    : QWidget(parent), doc_(doc), preview_(preview), decodeView_(decodeView) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 6, 10, 6);
    layout->setSpacing(6);
    chooser_ = new VaeChooser(this);
    layout->addWidget(chooser_);
    auto* line = new QFrame(this);
    line->setFrameShape(QFrame::HLine);
    line->setFrameShadow(QFrame::Sunken);
    layout->addWidget(line);

    auto* buttons = new QHBoxLayout;
    encode_ = new QPushButton(themeIcon(QStringLiteral("encode")), tr("Encode"), this);
    encode_->setToolTip(tr("Run VAEEncodeForInpaint on a worker thread (Ctrl+Return)"));
    encode_->setDefault(true);
    cancel_ = new QPushButton(themeIcon(QStringLiteral("cancel")), tr("Cancel"), this);
    buttons->addWidget(encode_, 1);
    buttons->addWidget(cancel_);
    layout->addLayout(buttons);
    progress_ = new QProgressBar(this);
    progress_->setRange(0, 1000);
    progress_->setTextVisible(true);
    progress_->setFormat(QStringLiteral("%p %"));
    layout->addWidget(progress_);
    status_ = new QLabel(this);
    status_->setWordWrap(true);
    layout->addWidget(status_);
    export_ = new QPushButton(themeIcon(QStringLiteral("export")), tr("Export .latent…"), this);
    export_->setToolTip(tr("Save latent_tensor and noise_mask for ComfyUI's LoadLatent or "
                           "diffusers (Ctrl+E)"));
    layout->addWidget(export_);
    layout->addStretch(1);

    job_ = new EncodeJob(this);
    connect(encode_, &QPushButton::clicked, this, &EncodePanel::encode);
    connect(cancel_, &QPushButton::clicked, this, &EncodePanel::cancel);
    connect(export_, &QPushButton::clicked, this, &EncodePanel::exportLatent);
    connect(job_, &EncodeJob::progress, this, [this](double f, const QString& stage) {
        progress_->setValue(int(f * 1000));
        if (!stage.isEmpty()) status_->setText(stage);
    });
    connect(job_, &EncodeJob::encoded, this, &EncodePanel::onEncoded);
    connect(job_, &EncodeJob::decoded, this, &EncodePanel::onDecoded);
    connect(job_, &EncodeJob::runningChanged, this, &EncodePanel::updateState);
    connect(chooser_, &VaeChooser::vaeChanged, this, [this] {
        markStale();
        updateState();
    });
    connect(chooser_, &VaeChooser::loadingChanged, this, &EncodePanel::updateState);
    connect(chooser_, &VaeChooser::loadFailed, this,
            [this](const QString& text) { emit message(text, true); });
    connect(doc_, &MaskDocument::maskChanged, this, &EncodePanel::markStale);
    connect(doc_, &MaskDocument::imageChanged, this, [this] {
        result_.reset();
        decodeView_->clear();
        updateState();
    });
    connect(preview_, &GrowPreview::growChanged, this, &EncodePanel::markStale);
    updateState();
}

void EncodePanel::markStale() {
    if ((result_ || job_->isRunning()) && !stale_) {
        stale_ = true;
        updateState();
    }
}

void EncodePanel::updateState() {
    const bool running = job_->isRunning();
    const bool ready = chooser_->vae() && doc_->hasImage() && !chooser_->isLoading();
    encode_->setEnabled(ready && !running);
    cancel_->setEnabled(running);
    export_->setEnabled(resultIsCurrent()); // the decode preview may still run
    if (running) return;
    if (!chooser_->vae())
        status_->setText(tr("Choose a VAE to encode. The preview on the left needs none."));
    else if (!result_)
        status_->setText(tr("Ready to encode with %1.").arg(chooser_->summary()));
    else if (stale_)
        status_->setText(tr("The mask, grow or VAE changed since the last encode: encode again "
                            "before exporting."));
    emit encodedChanged();
}

void EncodePanel::encode() {
    auto vae = chooser_->vae();
    if (!vae || !doc_->hasImage() || job_->isRunning()) return;
    progress_->setValue(0);
    status_->setText(tr("Encoding…"));
    decoding_ = false;
    // A current result stays available should this encode be cancelled.
    previous_.reset();
    if (resultIsCurrent())
        previous_ =
            Result{*result_, resultImagePath_, resultMaskPath_, resultVaePath_, resultPrecision_};
    else
        decodeView_->clear();
    resultImagePath_ = doc_->imagePath();
    resultMaskPath_ = doc_->maskPath();
    resultVaePath_ = chooser_->vaePath();
    resultPrecision_ = doc_->inputPrecision();
    result_.reset();
    job_->start(vae, doc_->image(), doc_->mask(), preview_->grow());
    stale_ = false;
    updateState();
}

void EncodePanel::cancel() {
    job_->cancel();
    status_->setText(tr("Cancelling…"));
}

void EncodePanel::onEncoded(const EncodeOutput& out) {
    std::optional<Result> previous = std::move(previous_);
    previous_.reset();
    if (!out.error.isEmpty()) {
        progress_->setValue(0);
        result_.reset();
        if (previous && !stale_) {
            // Nothing changed since the previous encode: it is still the right result.
            result_ = previous->output;
            resultImagePath_ = previous->imagePath;
            resultMaskPath_ = previous->maskPath;
            resultVaePath_ = previous->vaePath;
            resultPrecision_ = previous->precision;
        } else {
            decodeView_->clear();
        }
        if (out.cancelled) {
            status_->setText(result_ ? tr("Encoding cancelled; the previous result is kept.")
                                     : tr("Encoding cancelled."));
        } else {
            status_->setText(tr("Encoding failed."));
            emit message(tr("Encoding failed: %1. Try the CPU device, a smaller image or another "
                            "VAE.")
                             .arg(out.error),
                         true);
        }
        updateState();
        return;
    }
    result_ = out;
    decodeView_->clear();
    progress_->setValue(1000);
    const auto& s = out.samples.shape;
    status_->setText(tr("Encoded: latent %1 x %2 x %3 x %4, noise_mask %5 x %6.")
                         .arg(s.size() > 0 ? s[0] : 0)
                         .arg(s.size() > 1 ? s[1] : 0)
                         .arg(s.size() > 2 ? s[2] : 0)
                         .arg(s.size() > 3 ? s[3] : 0)
                         .arg(out.noiseMask.height)
                         .arg(out.noiseMask.width));
    auto vae = chooser_->vae();
    if (vae && vae->info().hasDecoder && !stale_) {
        decoding_ = true;
        status_->setText(status_->text() + QLatin1Char(' ') + tr("Decoding for the preview…"));
        job_->startDecode(vae, out.samples);
    }
    updateState();
}

void EncodePanel::onDecoded(const DecodeOutput& out) {
    decoding_ = false;
    if (!out.error.isEmpty()) {
        if (!out.cancelled)
            emit message(tr("The decode preview failed: %1. The latent itself is fine to export.")
                             .arg(out.error),
                         false);
        updateState();
        return;
    }
    if (result_) {
        const QRect crop(result_->crop.left, result_->crop.top, result_->crop.width,
                         result_->crop.height);
        const lb::ImageBuffer input = preview_->encoderPixels(crop);
        decodeView_->setImages(toDisplayImage(input), toDisplayImage(out.image));
        status_->setText(tr("Encoded and decoded: compare both in \"Decoded latent\"."));
    }
    updateState();
}

bool EncodePanel::exportLatentTo(const QString& path, QString* error, bool workflow,
                                 QStringList* written) {
    if (!result_) {
        if (error) *error = tr("nothing has been encoded yet");
        return false;
    }
    const EncodeOutput& r = *result_;
    lb::LatentFileContents contents;
    contents.samples = r.samples;
    contents.hasNoiseMask = true;
    contents.noiseMask.shape = {1, 1, r.noiseMask.height, r.noiseMask.width};
    contents.noiseMask.data.assign(r.noiseMask.data.begin(), r.noiseMask.data.end());
    auto vae = chooser_->vae();
    const lb::VaeInfo* info = vae ? &vae->info() : nullptr;
    auto& m = contents.metadata;
    m["latentbrush.version"] = LATENTBRUSH_VERSION;
    m["grow_mask_by"] = std::to_string(r.grow);
    if (info) {
        m["vae.family"] = lb::vaeFamilyName(info->family);
        m["vae.latent_channels"] = std::to_string(info->latentChannels);
        m["vae.downscale"] = std::to_string(info->downscale);
        m["vae.kernels"] = info->kernels;
    }
    m["vae.file"] = QFileInfo(resultVaePath_).fileName().toStdString();
    m["source.image"] = resultImagePath_.startsWith(QLatin1Char(':'))
                            ? std::string("sample.png")
                            : QFileInfo(resultImagePath_).fileName().toStdString();
    m["source.mask"] = resultMaskPath_.isEmpty()
                           ? std::string("painted")
                           : QFileInfo(resultMaskPath_).fileName().toStdString();
    m["source.precision"] = lb::inputPrecisionName(resultPrecision_);
    m["crop.offset"] = std::to_string(r.crop.top) + "," + std::to_string(r.crop.left);
    m["crop.size"] = std::to_string(r.crop.height) + "," + std::to_string(r.crop.width);
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

void EncodePanel::exportLatent() {
    if (!resultIsCurrent()) {
        emit message(tr("Encode first: the mask, grow or VAE changed since the last encode."),
                     false);
        return;
    }
    QSettings s;
    const QString base = resultImagePath_.startsWith(QLatin1Char(':'))
                             ? QStringLiteral("sample")
                             : QFileInfo(resultImagePath_).completeBaseName();
    QString dir = s.value("folders/export").toString();
    if (dir.isEmpty()) dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    ExportLatentDialog dialog(QDir(dir).filePath(base + QStringLiteral(".latent")), this);
    if (dialog.exec() != QDialog::Accepted) return;
    const QString path = dialog.latentPath();
    s.setValue("folders/export", QFileInfo(path).absolutePath());
    QString error;
    QStringList written;
    const bool ok = exportLatentTo(path, &error, dialog.saveWorkflow(), &written);
    QStringList names;
    for (const QString& f : written)
        names << QFileInfo(f).fileName();
    if (!ok) {
        emit message(
            tr("Could not write all files for \"%1\": %2. %3Choose another folder.")
                .arg(QDir::toNativeSeparators(path), error,
                     written.isEmpty()
                         ? QString()
                         : tr("Written (complete): %1. ").arg(names.join(QStringLiteral(", ")))),
            true);
        return;
    }
    status_->setText(tr("Exported %1").arg(names.join(QStringLiteral(", "))));
    emit notice(
        dialog.saveWorkflow()
            ? tr("Exported %1 to %2. In ComfyUI, copy the .latent and the mask into input/ and "
                 "drag %3 onto the canvas: LoadLatent + LoadImageMask (red) + "
                 "SetLatentNoiseMask.")
                  .arg(names.join(QStringLiteral(", ")),
                       QDir::toNativeSeparators(QFileInfo(path).absolutePath()), names.value(2))
            : tr("Exported %1 to %2. In ComfyUI, load the .latent with LoadLatent and the mask "
                 "with LoadImageMask (red), joined by SetLatentNoiseMask (see docs/COMFYUI.md).")
                  .arg(names.join(QStringLiteral(", ")),
                       QDir::toNativeSeparators(QFileInfo(path).absolutePath())));
}

} // namespace lbui
