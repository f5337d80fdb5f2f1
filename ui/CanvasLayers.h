// CanvasLayers: the canvas's cached images (mask overlay, mask alone, grown-mask outline,
// encoder input), each rendered on first use in tiles, only where the canvas shows it, and then
// kept up to date only inside the rectangles that changed. Zoomed out, the canvas draws a
// layer reduced by a power of two instead (one sample per block), so that a large photo's
// layers are never rendered whole to be shown small.
#pragma once

#include <QColor>
#include <QImage>
#include <QObject>
#include <QRect>

#include <array>
#include <cstdint>
#include <vector>

namespace lbui {

class GrowPreview;
class MaskDocument;

class CanvasLayers : public QObject {
    Q_OBJECT
public:
    enum class Layer {
        MaskOverlay, // premultiplied color * mask * opacity
        MaskOnly,    // the soft mask as gray (white = regenerate)
        Grown,       // noise_mask outline plus a tint where the grow added pixels
        Encoder,     // gray-filled pixels inside the crop, dark outside (never reduced)
    };
    static constexpr int kTileSize = 256;

    CanvasLayers(MaskDocument* doc, GrowPreview* preview, QObject* parent = nullptr);

    QColor maskColor() const { return maskColor_; }
    void setMaskColor(const QColor& color);
    double maskOpacity() const { return maskOpacity_; }
    void setMaskOpacity(double opacity);
    QColor outlineColor() const { return outlineColor_; }

    // The reduction the canvas draws at `zoom`: the largest power of two `f` with f * zoom <= 1
    // (1 from a zoom of 0.5 up: the layers at full resolution).
    static int reductionFor(double zoom);
    // `layer` reduced by `factor` (1: full resolution, the image's size; otherwise a power of
    // two, ceil(size / factor)), up to date inside `rect` (that image's coordinates). Pixel
    // (x, y) of a reduced layer is the mean of the full layer's 2 x 2 pixels around the centre of
    // the block it stands for, (x * factor + factor / 2 - 1 .. x * factor + factor / 2, same
    // for y, clamped to the image): what a bilinear draw of the full layer samples there. The
    // encoder layer is only ever full.
    const QImage& layer(Layer which, int factor, const QRect& rect);
    // The whole layer at full resolution (renders what was not rendered yet).
    const QImage& fullLayer(Layer which);

signals:
    // Something shown changed inside this rectangle (image coordinates).
    void layersChanged(const QRect& imageRect);

private:
    // One resolution of one layer: its image and which of its tiles are rendered.
    struct Plane {
        int factor = 1;
        QImage image;
        int tilesX = 0, tilesY = 0;
        std::vector<std::uint8_t> rendered;
    };

    void reset();
    void invalidate(Layer layer);
    void onMaskChanged(const QRect& rect);
    void onPreviewChanged(const QRect& rect);
    Plane& plane(Layer layer, int factor);
    // Re-renders the rendered tiles' part of `imageRect` in every plane of `layer`.
    void refresh(Layer layer, const QRect& imageRect);
    void renderTile(Layer layer, Plane& plane, const QRect& planeRect);
    void renderMaskOverlay(QImage& out, const QRect& r) const;
    void renderMaskOnly(QImage& out, const QRect& r) const;
    void renderGrown(QImage& out, const QRect& r) const;
    void renderEncoder(QImage& out, const QRect& r) const;
    void renderReduced(Layer layer, Plane& plane, const QRect& planeRect) const;

    MaskDocument* doc_;
    GrowPreview* preview_;
    QColor maskColor_{255, 64, 48};
    double maskOpacity_ = 0.55;
    QColor outlineColor_{0, 229, 255};
    std::array<std::vector<Plane>, 4> planes_; // per Layer, one per factor used
};

} // namespace lbui
