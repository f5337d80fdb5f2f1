// PreviewPanel: binds the grow control to GrowPreview and shows what the encoder will get:
// crop size and offset, masked and grown fractions; overlay color and opacity for the canvas.
#include "PreviewPanel.h"

#include "CanvasLayers.h"
#include "GrowPreview.h"
#include "MaskDocument.h"
#include "NoiseMaskPreview.h"
#include "SliderSpin.h"

#include <QAction>
#include <QColorDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace lbui {

PreviewPanel::PreviewPanel(MaskDocument* doc, GrowPreview* preview, CanvasLayers* layers,
                           const QList<QAction*>& viewActions, QWidget* parent)
    : QWidget(parent), doc_(doc), preview_(preview), layers_(layers) {
    auto* layout = layout_ = new QVBoxLayout(this);
    layout->setContentsMargins(10, 6, 10, 6);
    layout->setSpacing(6);

    grow_ = new SliderSpin(tr("grow_mask_by"), 0, 64, 1024, tr(" px"), this);
    grow_->setToolTip(tr("How far VAEEncodeForInpaint grows the mask into noise_mask "
                         "(ComfyUI's default is 6; the node allows 0..64)."));
    grow_->setValue(preview_->grow());
    layout->addWidget(grow_);
    connect(grow_, &SliderSpin::valueChanged, preview_, &GrowPreview::setGrow);
    connect(preview_, &GrowPreview::growChanged, grow_, &SliderSpin::setValue);

    auto* buttons = new QHBoxLayout;
    buttons->setSpacing(2);
    for (QAction* action : viewActions) {
        if (!action) {
            buttons->addSpacing(10);
            continue;
        }
        auto* b = new QToolButton(this);
        b->setDefaultAction(action);
        b->setAutoRaise(true);
        b->setIconSize(QSize(20, 20));
        buttons->addWidget(b);
    }
    buttons->addStretch(1);
    layout->addLayout(buttons);

    vaeInfo_ = new QLabel(this);
    vaeInfo_->setWordWrap(true);
    cropInfo_ = new QLabel(this);
    cropInfo_->setWordWrap(true);
    stats_ = new QLabel(this);
    stats_->setObjectName(QStringLiteral("coverageLine"));
    stats_->setWordWrap(true);
    layout->addWidget(vaeInfo_);
    layout->addWidget(cropInfo_);
    layout->addWidget(stats_);

    auto* overlayRow = new QHBoxLayout;
    color_ = new QToolButton(this);
    color_->setToolTip(tr("Overlay color"));
    color_->setIconSize(QSize(18, 18));
    connect(color_, &QToolButton::clicked, this, [this] {
        const QColor c = QColorDialog::getColor(layers_->maskColor(), this, tr("Overlay color"));
        if (c.isValid()) layers_->setMaskColor(c);
        updateColorButton();
    });
    opacity_ = new SliderSpin(tr("Overlay opacity"), 5, 100, 100, tr(" %"), this);
    opacity_->setValue(int(std::lround(layers_->maskOpacity() * 100)));
    connect(opacity_, &SliderSpin::valueChanged, layers_,
            [this](int v) { layers_->setMaskOpacity(v / 100.0); });
    overlayRow->addWidget(opacity_, 1);
    overlayRow->addWidget(color_, 0, Qt::AlignBottom);
    layout->addLayout(overlayRow);
    layout->addStretch(1);

    connect(preview_, &GrowPreview::cropChanged, this, &PreviewPanel::updateCropInfo);
    connect(preview_, &GrowPreview::previewChanged, this, &PreviewPanel::updateInpaintStats);
    connect(layers_, &CanvasLayers::layersChanged, this, &PreviewPanel::updateColorButton);
    setVaeDescription(tr("Crop to multiples of 8 (no VAE chosen)."));
    updateCropInfo();
    updateStats();
    updateColorButton();
}

void PreviewPanel::addSection(QWidget* section) {
    layout_->insertWidget(layout_->count() - 1, section); // above the closing stretch
}

void PreviewPanel::setVaeDescription(const QString& text) {
    vaeInfo_->setText(text);
}

void PreviewPanel::updateCropInfo() {
    if (!doc_->hasImage()) {
        cropInfo_->clear();
        return;
    }
    const QRect crop = preview_->cropRect();
    const int lostX = doc_->width() - crop.width(), lostY = doc_->height() - crop.height();
    QString text = tr("Encoder input: %1 x %2 (multiple of %3)")
                       .arg(crop.width())
                       .arg(crop.height())
                       .arg(preview_->multiple());
    if (lostX || lostY)
        text += QLatin1Char('\n') + tr("Crop drops %1 px left, %2 right, %3 top, %4 bottom")
                                        .arg(crop.left())
                                        .arg(lostX - crop.left())
                                        .arg(crop.top())
                                        .arg(lostY - crop.top());
    else
        text += QLatin1Char('\n') + tr("Nothing is cropped.");
    cropInfo_->setText(text);
}

void PreviewPanel::setNoiseMaskPreview(NoiseMaskPreview* noiseMask) {
    noiseMask_ = noiseMask;
    // The noise-mask preview refreshes at most every NoiseMaskPreview::kRefreshMs while painting;
    // its line follows it rather than each grow update, which would recompute the blur each time.
    connect(noiseMask_, &NoiseMaskPreview::settingsChanged, this, &PreviewPanel::updateStats);
    connect(noiseMask_, &NoiseMaskPreview::previewChanged, this, &PreviewPanel::updateSoftStats);
    updateStats();
}

void PreviewPanel::updateSoftStats() {
    if (!noiseMask_ || !noiseMask_->noiseMaskMode()) return;
    // The soft noise_mask SetLatentNoiseMask gets: how much of the image it touches and its mean
    // strength (1 = fully regenerated), over the whole mask as the sampler resizes it.
    const lb::MaskBuffer& soft = noiseMask_->noiseMask();
    if (soft.empty()) {
        stats_->setText(noiseMask_->error());
        return;
    }
    double sum = 0.0;
    std::size_t touched = 0;
    for (const float v : soft.data) {
        sum += v;
        touched += v > 0.0f;
    }
    const double n = double(soft.data.size());
    stats_->setText(tr("Soft noise_mask: touches %1 %   mean %2 %")
                        .arg(100.0 * double(touched) / n, 0, 'f', 1)
                        .arg(100.0 * sum / n, 0, 'f', 1));
}

void PreviewPanel::updateStats() {
    if (noiseMask_ && noiseMask_->noiseMaskMode())
        updateSoftStats();
    else
        updateInpaintStats();
}

void PreviewPanel::updateInpaintStats() {
    if (noiseMask_ && noiseMask_->noiseMaskMode()) return; // updateSoftStats' line stays
    const QRect crop = preview_->cropRect();
    const double n = double(crop.width()) * crop.height();
    if (n <= 0) {
        stats_->clear();
        return;
    }
    stats_->setText(tr("Masked (round): %1 %   noise_mask: %2 %")
                        .arg(100.0 * preview_->maskedCount() / n, 0, 'f', 1)
                        .arg(100.0 * preview_->grownCount() / n, 0, 'f', 1));
}

void PreviewPanel::updateColorButton() {
    QPixmap swatch(18, 18);
    swatch.fill(Qt::transparent);
    QPainter p(&swatch);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(palette().color(QPalette::WindowText), 1));
    p.setBrush(layers_->maskColor());
    p.drawRoundedRect(QRectF(1.5, 1.5, 15, 15), 3, 3);
    color_->setIcon(QIcon(swatch));
}

} // namespace lbui
