// NoiseMaskPanel: binds the mode box and the GrowMask / ImageBlur controls to
// NoiseMaskPreview::setSettings (which remembers them), and shows the mode, the latent grid of
// the strength view and any problem (a blur too large for the image, regions with this mode).
#include "NoiseMaskPanel.h"

#include "NoiseMaskPreview.h"
#include "RegionPlanner.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace lbui {

NoiseMaskPanel::NoiseMaskPanel(NoiseMaskPreview* preview, RegionPlanner* regions, QWidget* parent)
    : QWidget(parent), preview_(preview), regions_(regions) {
    setObjectName(QStringLiteral("noiseMaskPanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 6, 0, 0);
    layout->setSpacing(4);
    auto* title = new QLabel(tr("<b>Encode mode</b>"), this);
    layout->addWidget(title);
    mode_ = new QComboBox(this);
    mode_->addItem(tr("Inpaint (VAEEncodeForInpaint)"));
    mode_->addItem(tr("Noise mask (VAEEncode + SetLatentNoiseMask)"));
    mode_->setToolTip(tr("Inpaint: the mask is rounded and grown, masked pixels gray-filled (for "
                         "denoise 1.0 and inpainting models). Noise mask: the image as it is and "
                         "the soft mask as painted (hardness, opacity kept), for denoise below 1 "
                         "and Differential Diffusion."));
    layout->addWidget(mode_);

    options_ = new QWidget(this);
    auto* form = new QFormLayout(options_);
    form->setContentsMargins(0, 0, 0, 0);
    expand_ = new QSpinBox(options_);
    expand_->setRange(-lb::kMaxMaskExpand, lb::kMaxMaskExpand);
    expand_->setSuffix(tr(" px"));
    expand_->setToolTip(tr("GrowMask expand: grows (or, negative, shrinks) the soft mask"));
    tapered_ = new QCheckBox(tr("Tapered corners"), options_);
    tapered_->setToolTip(tr("GrowMask tapered_corners: a cross footprint (on) or a square one"));
    blurRadius_ = new QSpinBox(options_);
    blurRadius_->setRange(0, lb::kMaxMaskBlur);
    blurRadius_->setSuffix(tr(" px"));
    blurRadius_->setSpecialValueText(tr("off"));
    blurRadius_->setToolTip(tr("ImageBlur blur_radius on the mask (0: no blur)"));
    blurSigma_ = new QDoubleSpinBox(options_);
    blurSigma_->setRange(0.1, 10.0);
    blurSigma_->setSingleStep(0.1);
    blurSigma_->setDecimals(2);
    blurSigma_->setToolTip(tr("ImageBlur sigma (relative to the radius, as the node has it)"));
    strength_ = new QCheckBox(tr("Strength view (latent grid)"), options_);
    strength_->setToolTip(tr("Shows the noise mask as the sampler sees it: resized bilinearly to "
                             "the latent grid (white: fully denoised, black: kept)"));
    form->addRow(tr("Mask expand"), expand_);
    form->addRow(QString(), tapered_);
    form->addRow(tr("Mask blur"), blurRadius_);
    form->addRow(tr("Blur sigma"), blurSigma_);
    form->addRow(QString(), strength_);
    layout->addWidget(options_);
    info_ = new QLabel(this);
    info_->setWordWrap(true);
    layout->addWidget(info_);

    fromSettings();
    connect(mode_, &QComboBox::currentIndexChanged, this, &NoiseMaskPanel::toSettings);
    connect(expand_, &QSpinBox::valueChanged, this, &NoiseMaskPanel::toSettings);
    connect(tapered_, &QCheckBox::toggled, this, &NoiseMaskPanel::toSettings);
    connect(blurRadius_, &QSpinBox::valueChanged, this, &NoiseMaskPanel::toSettings);
    connect(blurSigma_, &QDoubleSpinBox::valueChanged, this, &NoiseMaskPanel::toSettings);
    connect(strength_, &QCheckBox::toggled, preview_, &NoiseMaskPreview::setShowStrength);
    connect(preview_, &NoiseMaskPreview::settingsChanged, this, &NoiseMaskPanel::fromSettings);
    connect(preview_, &NoiseMaskPreview::previewChanged, this, &NoiseMaskPanel::updateInfo);
    if (regions_)
        connect(regions_, &RegionPlanner::settingsChanged, this, &NoiseMaskPanel::updateInfo);
}

void NoiseMaskPanel::fromSettings() {
    updating_ = true;
    const NoiseMaskSettings& s = preview_->settings();
    mode_->setCurrentIndex(s.noiseMask() ? 1 : 0);
    expand_->setValue(s.options.expand);
    tapered_->setChecked(s.options.taperedCorners);
    blurRadius_->setValue(s.options.blurRadius);
    blurSigma_->setValue(s.options.blurSigma);
    strength_->setChecked(preview_->showStrength());
    options_->setEnabled(s.noiseMask());
    updating_ = false;
    updateInfo();
}

void NoiseMaskPanel::toSettings() {
    if (updating_) return;
    NoiseMaskSettings s;
    s.mode = mode_->currentIndex() == 1 ? lb::EncodeMode::NoiseMask : lb::EncodeMode::Inpaint;
    s.options.expand = expand_->value();
    s.options.taperedCorners = tapered_->isChecked();
    s.options.blurRadius = blurRadius_->value();
    s.options.blurSigma = blurSigma_->value();
    options_->setEnabled(s.noiseMask());
    preview_->setSettings(s);
    updateInfo();
}

QString NoiseMaskPanel::infoText() const {
    return info_->text();
}

void NoiseMaskPanel::updateInfo() {
    if (!preview_->noiseMaskMode()) {
        info_->setText(tr("Mode: inpaint. The mask is rounded and grown by grow_mask_by."));
        info_->setStyleSheet(QString());
        return;
    }
    QString text = tr("Mode: %1.").arg(preview_->settings().describe());
    bool problem = false;
    if (regions_ && regions_->enabled()) {
        text += QLatin1Char('\n') + regionsNeedInpaintMessage();
        problem = true;
    }
    // Found without computing the mask: this runs on every mask edit.
    const QString error = preview_->optionsProblem();
    if (!error.isEmpty()) {
        text += QLatin1Char('\n') + tr("Mask blur: %1.").arg(error);
        problem = true;
    }
    const QRect crop = preview_->cropRect();
    const int d = std::max(1, preview_->downscale());
    if (crop.width() >= d && crop.height() >= d)
        text += QLatin1Char('\n') + tr("Sampler's latent grid: %1 x %2 (1/%3 of the crop).")
                                        .arg(crop.width() / d)
                                        .arg(crop.height() / d)
                                        .arg(d);
    info_->setText(text);
    info_->setStyleSheet(problem ? QStringLiteral("color: #e05040;") : QString());
}

} // namespace lbui
