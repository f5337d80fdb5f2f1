// NoiseMaskPreview: lb::growMaskComfy and lb::blurMaskComfy on the document's mask (the steps of
// lb::prepareNoiseMask, in its order) and lb::resizeBilinear to the latent grid, redone lazily
// after a change; images for the canvas made from them.
#include "NoiseMaskPreview.h"

#include "GrowPreview.h"
#include "MaskDocument.h"

#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/NoiseMaskOps.h"

#include <algorithm>
#include <cmath>

namespace lbui {

NoiseMaskPreview::NoiseMaskPreview(MaskDocument* doc, GrowPreview* grow, QObject* parent)
    : QObject(parent), doc_(doc), grow_(grow), settings_(NoiseMaskSettings::load()),
      refresh_(new QTimer(this)) {
    refresh_->setSingleShot(true);
    refresh_->setInterval(kRefreshMs);
    connect(refresh_, &QTimer::timeout, this, &NoiseMaskPreview::previewChanged);
    connect(doc_, &MaskDocument::imageChanged, this, &NoiseMaskPreview::invalidate);
    connect(doc_, &MaskDocument::maskChanged, this, &NoiseMaskPreview::invalidate);
    connect(grow_, &GrowPreview::cropChanged, this, &NoiseMaskPreview::invalidate);
}

void NoiseMaskPreview::setSettings(const NoiseMaskSettings& settings) {
    if (settings == settings_) return;
    settings_ = settings;
    settings_.save();
    valid_ = false;
    emit settingsChanged();
    emit previewChanged();
}

void NoiseMaskPreview::setShowStrength(bool show) {
    if (show == showStrength_) return;
    showStrength_ = show;
    emit previewChanged();
}

void NoiseMaskPreview::invalidate() {
    valid_ = false;
    // One previewChanged per kRefreshMs however many edits come: views repaint then, and the
    // inpaint mode's views (which show none of this) are left alone.
    if (noiseMaskMode() && !refresh_->isActive()) refresh_->start();
}

QRect NoiseMaskPreview::cropRect() const {
    return grow_->cropRect();
}

int NoiseMaskPreview::downscale() const {
    return grow_->multiple();
}

void NoiseMaskPreview::compute() {
    if (valid_) return;
    valid_ = true;
    noise_ = lb::MaskBuffer{};
    strength_ = lb::MaskBuffer{};
    error_.clear();
    imagesStale_ = true;
    const lb::MaskBuffer& mask = doc_->mask();
    if (!doc_->hasImage() || mask.empty()) return;
    const lb::NoiseMaskOptions& o = settings_.options;
    lb::Result<lb::MaskBuffer> blurred = lb::blurMaskComfy(
        lb::growMaskComfy(mask, o.expand, o.taperedCorners), o.blurRadius, o.blurSigma);
    if (!blurred) {
        error_ = QString::fromStdString(blurred.message());
        return;
    }
    noise_ = std::move(blurred).value();
    const lb::CropRect crop = grow_->crop();
    const int d = std::max(1, grow_->multiple());
    if (crop.height >= d && crop.width >= d)
        strength_ = lb::resizeBilinear(noise_, crop.height / d, crop.width / d);
}

const lb::MaskBuffer& NoiseMaskPreview::noiseMask() {
    compute();
    return noise_;
}

const lb::MaskBuffer& NoiseMaskPreview::strength() {
    compute();
    return strength_;
}

QString NoiseMaskPreview::optionsProblem() const {
    const int r = settings_.options.blurRadius;
    if (!doc_->hasImage() || r <= 0 || (r < doc_->height() && r < doc_->width())) return {};
    return tr("the mask blur radius %1 needs an image wider and taller than %1 pixels").arg(r);
}

QString NoiseMaskPreview::error() {
    compute();
    return error_;
}

const QImage& NoiseMaskPreview::noiseMaskImage() {
    // Within kRefreshMs of a change the images shown last stay; the timer asks for a repaint.
    if (!(!valid_ && refresh_->isActive() && !noiseImage_.isNull())) renderImages();
    return noiseImage_;
}

const QImage& NoiseMaskPreview::strengthImage() {
    if (!(!valid_ && refresh_->isActive() && !strengthImage_.isNull())) renderImages();
    return strengthImage_;
}

void NoiseMaskPreview::renderImages() {
    compute();
    if (!imagesStale_) return;
    imagesStale_ = false;
    noiseImage_ = QImage();
    strengthImage_ = QImage();
    if (!noise_.empty()) {
        // The soft mask as a cyan tint whose opacity is the mask's value.
        noiseImage_ = QImage(noise_.width, noise_.height, QImage::Format_ARGB32_Premultiplied);
        for (int y = 0; y < noise_.height; ++y) {
            const float* m = noise_.row(y);
            auto* dst = reinterpret_cast<QRgb*>(noiseImage_.scanLine(y));
            for (int x = 0; x < noise_.width; ++x) {
                const float a = std::clamp(m[x], 0.0f, 1.0f) * 0.6f;
                dst[x] = qRgba(0, int(229.0f * a + 0.5f), int(255.0f * a + 0.5f),
                               int(255.0f * a + 0.5f));
            }
        }
    }
    if (!strength_.empty()) {
        // White: the sampler denoises fully; black: it keeps the latent.
        strengthImage_ = QImage(strength_.width, strength_.height, QImage::Format_Grayscale8);
        for (int y = 0; y < strength_.height; ++y) {
            const float* m = strength_.row(y);
            uchar* dst = strengthImage_.scanLine(y);
            for (int x = 0; x < strength_.width; ++x)
                dst[x] = uchar(std::lround(std::clamp(m[x], 0.0f, 1.0f) * 255.0f));
        }
    }
}

} // namespace lbui
