// NoiseMaskPreview: the live preview of the noise-mask mode: the mode and its options
// (NoiseMaskSettings), the soft noise_mask that SetLatentNoiseMask will get (the painted mask,
// soft values kept, after GrowMask and ImageBlur, computed with the core's exact operations) and
// the "strength" the sampler sees: that mask resized bilinearly to the latent grid (crop / the
// VAE's downscale factor), as ComfyUI's sampler resizes a noise mask. Computed on demand and
// kept until the mask, the crop or the options change.
#pragma once

#include "NoiseMaskSettings.h"

#include "latentbrush/Buffers.h"

#include <QImage>
#include <QObject>
#include <QRect>
#include <QString>
#include <QTimer>

namespace lbui {

class GrowPreview;
class MaskDocument;

class NoiseMaskPreview : public QObject {
    Q_OBJECT
public:
    NoiseMaskPreview(MaskDocument* doc, GrowPreview* grow, QObject* parent = nullptr);

    const NoiseMaskSettings& settings() const { return settings_; }
    void setSettings(const NoiseMaskSettings& settings); // saves them to QSettings
    bool noiseMaskMode() const { return settings_.noiseMask(); }

    // Whether the canvas shows the strength view instead of the soft noise_mask.
    bool showStrength() const { return showStrength_; }
    void setShowStrength(bool show);

    // The soft noise_mask at the mask's own size (empty without an image or when the blur
    // cannot run; error() then says why).
    const lb::MaskBuffer& noiseMask();
    // The noise mask on the latent grid: crop height / d rows, crop width / d columns
    // (F.interpolate(mask, size=(h, w), mode="bilinear"), as the sampler prepares it).
    const lb::MaskBuffer& strength();
    QString error();
    // Why the options cannot run on this image (a blur radius not below its height and width),
    // found without computing anything; empty when they can.
    QString optionsProblem() const;

    // For the canvas: the noise_mask as a tint (image size) and the strength as gray, one pixel
    // a latent cell (to be drawn nearest over cropRect()). While the mask is being painted they
    // are redone at most every kRefreshMs (a large blur costs more than a stroke's frame), so
    // for that long they may show the mask of a moment before; previewChanged follows.
    const QImage& noiseMaskImage();
    const QImage& strengthImage();
    QRect cropRect() const;
    int downscale() const;

    static constexpr int kRefreshMs = 40;

signals:
    void settingsChanged();
    // The noise mask, the strength or the view choice changed (mask edits: at most once every
    // kRefreshMs, and only in the noise-mask mode).
    void previewChanged();

private:
    void invalidate();
    void compute();
    void renderImages();

    MaskDocument* doc_;
    GrowPreview* grow_;
    NoiseMaskSettings settings_;
    bool showStrength_ = false;
    bool valid_ = false;
    lb::MaskBuffer noise_;
    lb::MaskBuffer strength_;
    QString error_;
    QImage noiseImage_, strengthImage_;
    bool imagesStale_ = true;
    QTimer* refresh_;
};

} // namespace lbui
