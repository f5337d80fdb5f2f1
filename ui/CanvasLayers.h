// CanvasLayers: the canvas's cached images (mask overlay, mask alone, grown-mask outline,
// encoder input), each updated only inside the rectangles that changed.
#pragma once

#include <QColor>
#include <QImage>
#include <QObject>
#include <QRect>

namespace lbui {

class GrowPreview;
class MaskDocument;

class CanvasLayers : public QObject {
    Q_OBJECT
public:
    CanvasLayers(MaskDocument* doc, GrowPreview* preview, QObject* parent = nullptr);

    QColor maskColor() const { return maskColor_; }
    void setMaskColor(const QColor& color);
    double maskOpacity() const { return maskOpacity_; }
    void setMaskOpacity(double opacity);
    QColor outlineColor() const { return outlineColor_; }

    // Layers built on first use and then kept up to date.
    const QImage& maskOverlay();  // premultiplied color * mask * opacity
    const QImage& maskOnly();     // the soft mask as gray (white = regenerate)
    const QImage& grownOverlay(); // noise_mask outline plus a tint where the grow added pixels
    const QImage& encoderInput(); // gray-filled pixels inside the crop, dark outside

signals:
    // Something shown changed inside this rectangle (image coordinates).
    void layersChanged(const QRect& imageRect);

private:
    void reset();
    // Apply or its undo: new pixels, the same size and mask, so only the encoder input is redrawn
    // (the mask layers stay: dropping four full-size images would stall the GUI thread).
    void onPixelsChanged();
    void onMaskChanged(const QRect& rect);
    void onPreviewChanged(const QRect& rect);
    void renderMaskOverlay(const QRect& r);
    void renderMaskOnly(const QRect& r);
    void renderGrown(const QRect& r);
    void renderEncoder(const QRect& r);

    MaskDocument* doc_;
    GrowPreview* preview_;
    QColor maskColor_{255, 64, 48};
    double maskOpacity_ = 0.55;
    QColor outlineColor_{0, 229, 255};
    QImage overlay_, maskOnly_, grown_, encoder_;
    bool overlayValid_ = false, maskOnlyValid_ = false, grownValid_ = false, encoderValid_ = false;
};

} // namespace lbui
