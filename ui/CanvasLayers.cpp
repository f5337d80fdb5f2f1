// CanvasLayers: renders the mask and preview layers into cached QImages, only inside dirty
// rectangles; the encoder layer comes from GrowPreview::encoderPixels (lb::grayFill).
#include "CanvasLayers.h"

#include "GrowPreview.h"
#include "MaskDocument.h"

#include <algorithm>
#include <cmath>

namespace lbui {

namespace {

inline int toByte(float v) {
    return int(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
}

} // namespace

CanvasLayers::CanvasLayers(MaskDocument* doc, GrowPreview* preview, QObject* parent)
    : QObject(parent), doc_(doc), preview_(preview) {
    connect(doc_, &MaskDocument::imageChanged, this, &CanvasLayers::reset);
    connect(doc_, &MaskDocument::pixelsChanged, this, &CanvasLayers::onPixelsChanged);
    connect(doc_, &MaskDocument::maskChanged, this, &CanvasLayers::onMaskChanged);
    connect(preview_, &GrowPreview::previewChanged, this, &CanvasLayers::onPreviewChanged);
    connect(preview_, &GrowPreview::cropChanged, this, [this] {
        grownValid_ = encoderValid_ = false;
        emit layersChanged(doc_->bounds());
    });
}

void CanvasLayers::setMaskColor(const QColor& color) {
    if (!color.isValid() || color == maskColor_) return;
    maskColor_ = color;
    overlayValid_ = false;
    emit layersChanged(doc_->bounds());
}

void CanvasLayers::setMaskOpacity(double opacity) {
    opacity = std::clamp(opacity, 0.0, 1.0);
    if (opacity == maskOpacity_) return;
    maskOpacity_ = opacity;
    overlayValid_ = false;
    emit layersChanged(doc_->bounds());
}

void CanvasLayers::reset() {
    overlay_ = maskOnly_ = grown_ = encoder_ = QImage();
    overlayValid_ = maskOnlyValid_ = grownValid_ = encoderValid_ = false;
    emit layersChanged(doc_->bounds());
}

void CanvasLayers::onPixelsChanged() {
    encoderValid_ = false; // redrawn (into a new image) when next shown
    emit layersChanged(doc_->bounds());
}

void CanvasLayers::onMaskChanged(const QRect& rect) {
    if (overlayValid_) renderMaskOverlay(rect);
    if (maskOnlyValid_) renderMaskOnly(rect);
    emit layersChanged(rect);
}

void CanvasLayers::onPreviewChanged(const QRect& rect) {
    if (grownValid_) renderGrown(rect.adjusted(-1, -1, 1, 1));
    if (encoderValid_) renderEncoder(rect);
    emit layersChanged(rect.adjusted(-1, -1, 1, 1));
}

const QImage& CanvasLayers::maskOverlay() {
    if (!overlayValid_) {
        overlay_ = QImage(doc_->size(), QImage::Format_ARGB32_Premultiplied);
        overlayValid_ = true;
        renderMaskOverlay(doc_->bounds());
    }
    return overlay_;
}

const QImage& CanvasLayers::maskOnly() {
    if (!maskOnlyValid_) {
        maskOnly_ = QImage(doc_->size(), QImage::Format_Grayscale8);
        maskOnlyValid_ = true;
        renderMaskOnly(doc_->bounds());
    }
    return maskOnly_;
}

const QImage& CanvasLayers::grownOverlay() {
    if (!grownValid_) {
        grown_ = QImage(doc_->size(), QImage::Format_ARGB32_Premultiplied);
        grown_.fill(Qt::transparent);
        grownValid_ = true;
        renderGrown(doc_->bounds());
    }
    return grown_;
}

const QImage& CanvasLayers::encoderInput() {
    if (!encoderValid_) {
        encoder_ = QImage(doc_->size(), QImage::Format_RGB32);
        encoder_.fill(QColor(24, 24, 26));
        encoderValid_ = true;
        renderEncoder(doc_->bounds());
    }
    return encoder_;
}

void CanvasLayers::renderMaskOverlay(const QRect& rect) {
    const QRect r = rect & doc_->bounds();
    if (r.isEmpty() || overlay_.isNull()) return;
    const float o = float(maskOpacity_);
    const float cr = float(maskColor_.red()), cg = float(maskColor_.green()),
                cb = float(maskColor_.blue());
    const lb::MaskBuffer& mask = doc_->mask();
    for (int y = r.top(); y <= r.bottom(); ++y) {
        const float* m = mask.row(y);
        auto* dst = reinterpret_cast<QRgb*>(overlay_.scanLine(y));
        for (int x = r.left(); x <= r.right(); ++x) {
            const float a = std::clamp(m[x], 0.0f, 1.0f) * o;
            dst[x] = qRgba(int(cr * a + 0.5f), int(cg * a + 0.5f), int(cb * a + 0.5f),
                           int(255.0f * a + 0.5f));
        }
    }
}

void CanvasLayers::renderMaskOnly(const QRect& rect) {
    const QRect r = rect & doc_->bounds();
    if (r.isEmpty() || maskOnly_.isNull()) return;
    const lb::MaskBuffer& mask = doc_->mask();
    for (int y = r.top(); y <= r.bottom(); ++y) {
        const float* m = mask.row(y);
        uchar* dst = maskOnly_.scanLine(y);
        for (int x = r.left(); x <= r.right(); ++x)
            dst[x] = uchar(toByte(m[x]));
    }
}

void CanvasLayers::renderGrown(const QRect& rect) {
    if (grown_.isNull()) return;
    const QRect crop = preview_->cropRect();
    const QRect r = rect & crop;
    const lb::BinaryMask& noise = preview_->noiseMask();
    const lb::BinaryMask& rounded = preview_->roundedMask();
    if (r.isEmpty() || noise.empty()) return;
    const QRgb edge = qPremultiply(outlineColor_.rgb());
    QColor tint = outlineColor_;
    tint.setAlpha(70);
    const QRgb fill = qPremultiply(tint.rgba());
    const int h = noise.height, w = noise.width;
    for (int y = r.top(); y <= r.bottom(); ++y) {
        const int cy = y - crop.top();
        const std::uint8_t* n = noise.row(cy);
        const std::uint8_t* up = cy > 0 ? noise.row(cy - 1) : nullptr;
        const std::uint8_t* down = cy + 1 < h ? noise.row(cy + 1) : nullptr;
        const std::uint8_t* m = rounded.row(cy);
        auto* dst = reinterpret_cast<QRgb*>(grown_.scanLine(y));
        for (int x = r.left(); x <= r.right(); ++x) {
            const int cx = x - crop.left();
            QRgb v = 0;
            if (n[cx]) {
                const bool border = cx == 0 || cx + 1 == w || !n[cx - 1] || !n[cx + 1] || !up ||
                                    !down || !up[cx] || !down[cx];
                if (border)
                    v = edge;
                else if (!m[cx])
                    v = fill;
            }
            dst[x] = v;
        }
    }
}

void CanvasLayers::renderEncoder(const QRect& rect) {
    if (encoder_.isNull()) return;
    const QRect r = rect & preview_->cropRect();
    if (r.isEmpty()) return;
    const lb::ImageBuffer px = preview_->encoderPixels(r);
    for (int y = 0; y < px.height; ++y) {
        const float* src = px.row(y);
        auto* dst = reinterpret_cast<QRgb*>(encoder_.scanLine(r.top() + y)) + r.left();
        for (int x = 0; x < px.width; ++x)
            dst[x] = qRgb(toByte(src[3 * x]), toByte(src[3 * x + 1]), toByte(src[3 * x + 2]));
    }
}

} // namespace lbui
