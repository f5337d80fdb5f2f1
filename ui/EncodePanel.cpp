// EncodePanel: the buttons, progress bar and status line of the EncodeSession, and the export
// dialog; every decision (can it encode, is the result current, what goes in the file) is the
// session's.
#include "EncodePanel.h"

#include "DecodeView.h"
#include "DocumentLoader.h"
#include "EncodeSession.h"
#include "ExportLatentDialog.h"
#include "MaskDocument.h"
#include "NoiseMaskSettings.h"
#include "SvgIconRenderer.h"
#include "VaeChooser.h"

#include <QDir>
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

EncodePanel::EncodePanel(EncodeSession* session, DecodeView* decodeView, QWidget* parent)
    : QWidget(parent), session_(session), decodeView_(decodeView) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 6, 10, 6);
    layout->setSpacing(6);
    chooser_ = new VaeChooser(session_, this);
    layout->addWidget(chooser_);
    auto* line = new QFrame(this);
    line->setFrameShape(QFrame::HLine);
    line->setFrameShadow(QFrame::Sunken);
    layout->addWidget(line);

    auto* buttons = new QHBoxLayout;
    encode_ = new QPushButton(themeIcon(QStringLiteral("encode")), tr("Encode"), this);
    encode_->setToolTip(tr("Run VAEEncodeForInpaint, or VAEEncode + SetLatentNoiseMask in the "
                           "noise-mask mode, on a worker thread (Ctrl+Return)"));
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

    connect(encode_, &QPushButton::clicked, this, &EncodePanel::encode);
    connect(cancel_, &QPushButton::clicked, this, &EncodePanel::cancel);
    connect(export_, &QPushButton::clicked, this, &EncodePanel::exportLatent);
    connect(session_->job(), &EncodeJob::progress, this, [this](double f, const QString& stage) {
        progress_->setValue(int(f * 1000));
        if (!stage.isEmpty()) status_->setText(stage);
    });
    connect(session_, &EncodeSession::stateChanged, this, &EncodePanel::updateState);
    connect(session_, &EncodeSession::encodeStarted, this, [this] {
        progress_->setValue(0);
        status_->setText(tr("Encoding…"));
    });
    connect(session_, &EncodeSession::encodeFinished, this, &EncodePanel::onEncodeFinished);
    connect(session_, &EncodeSession::decodeStarted, this, [this] {
        status_->setText(status_->text() + QLatin1Char(' ') + tr("Decoding for the preview…"));
    });
    connect(session_, &EncodeSession::decoded, this,
            [this](const lb::ImageBuffer& input, const lb::ImageBuffer& output) {
                decodeView_->setImages(toDisplayImage(input), toDisplayImage(output));
                status_->setText(tr("Encoded and decoded: compare both in \"Decoded latent\"."));
            });
    connect(session_, &EncodeSession::decodedCleared, decodeView_, &DecodeView::clear);
    connect(session_, &EncodeSession::message, this, &EncodePanel::message);
    connect(chooser_, &VaeChooser::loadFailed, this,
            [this](const QString& text) { emit message(text, true); });
    updateState();
}

void EncodePanel::updateState() {
    const bool running = session_->isRunning();
    encode_->setEnabled(session_->canEncode());
    cancel_->setEnabled(running);
    export_->setEnabled(session_->resultIsCurrent()); // the decode preview may still run
    if (running) return;
    if (session_->modeConflict())
        status_->setText(regionsNeedInpaintMessage());
    else if (!session_->vae())
        status_->setText(tr("Choose a VAE to encode. The preview on the left needs none."));
    else if (!session_->hasResult())
        status_->setText(tr("Ready to encode with %1.").arg(chooser_->summary()));
    else if (session_->isStale())
        status_->setText(tr("The mask, grow or VAE changed since the last encode: encode again "
                            "before exporting."));
}

void EncodePanel::encode() {
    session_->encode();
}

void EncodePanel::cancel() {
    session_->cancel();
    status_->setText(tr("Cancelling…"));
}

void EncodePanel::onEncodeFinished(const EncodeOutput& out) {
    if (!out.error.isEmpty()) {
        progress_->setValue(0);
        if (out.cancelled)
            status_->setText(session_->hasResult()
                                 ? tr("Encoding cancelled; the previous result is kept.")
                                 : tr("Encoding cancelled."));
        else
            status_->setText(tr("Encoding failed."));
        return;
    }
    progress_->setValue(1000);
    const auto& s = out.samples.shape;
    const int maskHeight = out.noiseMaskMode ? out.softMask.height : out.noiseMask.height;
    const int maskWidth = out.noiseMaskMode ? out.softMask.width : out.noiseMask.width;
    status_->setText((out.noiseMaskMode ? tr("Encoded (noise mask): latent %1 x %2 x %3 x %4, "
                                             "soft noise_mask %5 x %6.")
                                        : tr("Encoded: latent %1 x %2 x %3 x %4, noise_mask %5 x "
                                             "%6."))
                         .arg(s.size() > 0 ? s[0] : 0)
                         .arg(s.size() > 1 ? s[1] : 0)
                         .arg(s.size() > 2 ? s[2] : 0)
                         .arg(s.size() > 3 ? s[3] : 0)
                         .arg(maskHeight)
                         .arg(maskWidth));
}

void EncodePanel::exportLatent() {
    if (!session_->resultIsCurrent()) {
        emit message(tr("Encode first: the mask, grow or VAE changed since the last encode."),
                     false);
        return;
    }
    QSettings s;
    const QString imagePath = session_->result()->source.imagePath;
    const QString base = MaskDocument::outputStem(imagePath);
    QString dir = s.value("folders/export").toString();
    if (dir.isEmpty()) dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    ExportLatentDialog dialog(QDir(dir).filePath(base + QStringLiteral(".latent")), this);
    dialog.setNoiseMaskMode(session_->result()->output.noiseMaskMode);
    const auto& regions = session_->result()->output.regions;
    dialog.setRegionCount(regions ? int(regions->plan.rects.size()) : 0);
    if (dialog.exec() != QDialog::Accepted) return;
    const QString path = dialog.latentPath();
    s.setValue("folders/export", QFileInfo(path).absolutePath());
    QString error;
    QStringList written;
    const bool ok = session_->exportLatent(path, &error, dialog.saveWorkflow(), &written);
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
    if (regions) {
        emit notice(
            dialog.saveWorkflow()
                ? tr("Exported %1 to %2. In ComfyUI, copy the image and the PNGs into input/ and "
                     "drag %3 onto the canvas: ImageCrop, ImageScale and VAEEncodeForInpaint per "
                     "region, then KSampler and SaveImage; stitch the results back with File > "
                     "Import Result.")
                      .arg(names.join(QStringLiteral(", ")),
                           QDir::toNativeSeparators(QFileInfo(path).absolutePath()),
                           names.value(names.size() - 1))
                : tr("Exported %1 to %2. In ComfyUI, load the .latent with LoadLatent and the "
                     "grown masks with LoadImageMask (red) into SetLatentNoiseMask, sample, and "
                     "stitch the results back with File > Import Result (see docs/COMFYUI.md).")
                      .arg(names.join(QStringLiteral(", ")),
                           QDir::toNativeSeparators(QFileInfo(path).absolutePath())));
        return;
    }
    if (session_->result()->output.noiseMaskMode) {
        emit notice(
            dialog.saveWorkflow()
                ? tr("Exported %1 to %2. In ComfyUI, copy the image and %3 into input/ and drag "
                     "%4 onto the canvas: VAEEncode + SetLatentNoiseMask (denoise below 1).")
                      .arg(names.join(QStringLiteral(", ")),
                           QDir::toNativeSeparators(QFileInfo(path).absolutePath()), names.value(2),
                           names.value(3))
                : tr("Exported %1 to %2. In ComfyUI, load the .latent with LoadLatent and the "
                     "soft mask with LoadImageMask (red), joined by SetLatentNoiseMask; sample "
                     "with denoise below 1 (see docs/COMFYUI.md).")
                      .arg(names.join(QStringLiteral(", ")),
                           QDir::toNativeSeparators(QFileInfo(path).absolutePath())));
        return;
    }
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
