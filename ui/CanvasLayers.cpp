// CanvasLayers: renders the mask and preview layers into cached QImages tile by tile, only where
// they are drawn, and re-renders only dirty rectangles of tiles already rendered; the encoder
// layer comes from GrowPreview::encoderPixels (lb::grayFill).
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

int layerIndex(CanvasLayers::Layer layer) {
    return int(layer);
}

QImage::Format formatOf(CanvasLayers::Layer layer) {
    switch (layer) {
    case CanvasLayers::Layer::MaskOnly:
        return QImage::Format_Grayscale8;
    case CanvasLayers::Layer::Encoder:
        return QImage::Format_RGB32;
    default:
        return QImage::Format_ARGB32_Premultiplied;
    }
}

// The mean of four premultiplied pixels, channel by channel (rounded).
QRgb mean4(QRgb a, QRgb b, QRgb c, QRgb d) {
    auto ch = [&](int shift) {
        return ((int((a >> shift) & 0xff) + int((b >> shift) & 0xff) + int((c >> shift) & 0xff) +
                 int((d >> shift) & 0xff) + 2) >>
                2)
               << shift;
    };
    return QRgb(ch(24) | ch(16) | ch(8) | ch(0));
}

// Image rows or columns a reduced pixel samples: the two around its block's centre.
inline int sampleAt(int i, int factor, int size, int which) {
    return std::min(i * factor + factor / 2 - 1 + which, size - 1);
}

} // namespace

CanvasLayers::CanvasLayers(MaskDocument* doc, GrowPreview* preview, QObject* parent)
    : QObject(parent), doc_(doc), preview_(preview) {
    connect(doc_, &MaskDocument::imageChanged, this, &CanvasLayers::reset);
    // Apply or its undo: new pixels, the same size and mask, so only the encoder input is
    // redrawn (the mask layers stay: dropping them would render them again on the GUI thread).
    connect(doc_, &MaskDocument::pixelsChanged, this, [this] {
        invalidate(Layer::Encoder);
        emit layersChanged(doc_->bounds());
    });
    connect(doc_, &MaskDocument::maskChanged, this, &CanvasLayers::onMaskChanged);
    connect(preview_, &GrowPreview::previewChanged, this, &CanvasLayers::onPreviewChanged);
    connect(preview_, &GrowPreview::cropChanged, this, [this] {
        invalidate(Layer::Grown);
        invalidate(Layer::Encoder);
        emit layersChanged(doc_->bounds());
    });
}

void CanvasLayers::setMaskColor(const QColor& color) {
    if (!color.isValid() || color == maskColor_) return;
    maskColor_ = color;
    invalidate(Layer::MaskOverlay);
    emit layersChanged(doc_->bounds());
}

void CanvasLayers::setMaskOpacity(double opacity) {
    opacity = std::clamp(opacity, 0.0, 1.0);
    if (opacity == maskOpacity_) return;
    maskOpacity_ = opacity;
    invalidate(Layer::MaskOverlay);
    emit layersChanged(doc_->bounds());
}

int CanvasLayers::reductionFor(double zoom) {
    int f = 1;
    while (f < 256 && double(f) * 2.0 * zoom <= 1.0)
        f *= 2;
    return f;
}

void CanvasLayers::reset() {
    for (auto& planes : planes_)
        planes.clear();
    emit layersChanged(doc_->bounds());
}

void CanvasLayers::invalidate(Layer layer) {
    for (Plane& p : planes_[layerIndex(layer)])
        std::fill(p.rendered.begin(), p.rendered.end(), std::uint8_t(0));
}

CanvasLayers::Plane& CanvasLayers::plane(Layer layer, int factor) {
    auto& planes = planes_[layerIndex(layer)];
    for (Plane& p : planes)
        if (p.factor == factor) return p;
    Plane p;
    p.factor = factor;
    const int w = (doc_->width() + factor - 1) / factor;
    const int h = (doc_->height() + factor - 1) / factor;
    // Not filled: each tile is written whole when it is first drawn.
    p.image = QImage(w, h, formatOf(layer));
    if (!p.image.isNull()) {
        p.tilesX = (w + kTileSize - 1) / kTileSize;
        p.tilesY = (h + kTileSize - 1) / kTileSize;
        p.rendered.assign(std::size_t(p.tilesX) * std::size_t(p.tilesY), 0);
    }
    planes.push_back(std::move(p));
    return planes.back();
}

const QImage& CanvasLayers::layer(Layer which, int factor, const QRect& rect) {
    if (which == Layer::Encoder) factor = 1;
    factor = std::max(1, factor);
    Plane& p = plane(which, factor);
    const QRect r = rect & p.image.rect();
    if (r.isEmpty()) return p.image;
    for (int ty = r.top() / kTileSize; ty <= r.bottom() / kTileSize; ++ty)
        for (int tx = r.left() / kTileSize; tx <= r.right() / kTileSize; ++tx) {
            std::uint8_t& done = p.rendered[std::size_t(ty) * p.tilesX + tx];
            if (done) continue;
            renderTile(which, p,
                       QRect(tx * kTileSize, ty * kTileSize, kTileSize, kTileSize) &
                           p.image.rect());
            done = 1;
        }
    return p.image;
}

const QImage& CanvasLayers::fullLayer(Layer which) {
    return layer(which, 1, doc_->bounds());
}

void CanvasLayers::refresh(Layer which, const QRect& imageRect) {
    for (Plane& p : planes_[layerIndex(which)]) {
        if (p.image.isNull()) continue;
        const int f = p.factor;
        // The plane's pixels that sample `imageRect` (a superset: rendering is idempotent).
        const QRect r =
            f == 1 ? imageRect & p.image.rect()
                   : QRect(QPoint(std::max(0, (imageRect.left() - f / 2) / f),
                                  std::max(0, (imageRect.top() - f / 2) / f)),
                           QPoint((imageRect.right() + 1) / f, (imageRect.bottom() + 1) / f)) &
                         p.image.rect();
        if (r.isEmpty()) continue;
        for (int ty = r.top() / kTileSize; ty <= r.bottom() / kTileSize; ++ty)
            for (int tx = r.left() / kTileSize; tx <= r.right() / kTileSize; ++tx) {
                if (!p.rendered[std::size_t(ty) * p.tilesX + tx]) continue; // drawn when shown
                const QRect tile(tx * kTileSize, ty * kTileSize, kTileSize, kTileSize);
                renderTile(which, p, r & tile);
            }
    }
}

void CanvasLayers::onMaskChanged(const QRect& rect) {
    refresh(Layer::MaskOverlay, rect);
    refresh(Layer::MaskOnly, rect);
    emit layersChanged(rect);
}

void CanvasLayers::onPreviewChanged(const QRect& rect) {
    refresh(Layer::Grown, rect.adjusted(-1, -1, 1, 1));
    refresh(Layer::Encoder, rect);
    emit layersChanged(rect.adjusted(-1, -1, 1, 1));
}

void CanvasLayers::renderTile(Layer which, Plane& p, const QRect& r) {
    if (p.factor != 1) {
        renderReduced(which, p, r);
        return;
    }
    switch (which) {
    case Layer::MaskOverlay:
        renderMaskOverlay(p.image, r);
        break;
    case Layer::MaskOnly:
        renderMaskOnly(p.image, r);
        break;
    case Layer::Grown:
        // Transparent outside the crop; renderGrown writes every pixel inside it.
        for (int y = r.top(); y <= r.bottom(); ++y)
            std::fill_n(reinterpret_cast<QRgb*>(p.image.scanLine(y)) + r.left(), r.width(),
                        QRgb(0));
        renderGrown(p.image, r);
        break;
    case Layer::Encoder:
        // Dark outside the crop; renderEncoder writes every pixel inside it.
        for (int y = r.top(); y <= r.bottom(); ++y)
            std::fill_n(reinterpret_cast<QRgb*>(p.image.scanLine(y)) + r.left(), r.width(),
                        QColor(24, 24, 26).rgb());
        renderEncoder(p.image, r);
        break;
    }
}

void CanvasLayers::renderMaskOverlay(QImage& out, const QRect& rect) const {
    const QRect r = rect & doc_->bounds();
    if (r.isEmpty() || out.isNull()) return;
    const float o = float(maskOpacity_);
    const float cr = float(maskColor_.red()), cg = float(maskColor_.green()),
                cb = float(maskColor_.blue());
    const lb::MaskBuffer& mask = doc_->mask();
    for (int y = r.top(); y <= r.bottom(); ++y) {
        const float* m = mask.row(y);
        auto* dst = reinterpret_cast<QRgb*>(out.scanLine(y));
        for (int x = r.left(); x <= r.right(); ++x) {
            const float a = std::clamp(m[x], 0.0f, 1.0f) * o;
            dst[x] = qRgba(int(cr * a + 0.5f), int(cg * a + 0.5f), int(cb * a + 0.5f),
                           int(255.0f * a + 0.5f));
        }
    }
}

void CanvasLayers::renderMaskOnly(QImage& out, const QRect& rect) const {
    const QRect r = rect & doc_->bounds();
    if (r.isEmpty() || out.isNull()) return;
    const lb::MaskBuffer& mask = doc_->mask();
    for (int y = r.top(); y <= r.bottom(); ++y) {
        const float* m = mask.row(y);
        uchar* dst = out.scanLine(y);
        for (int x = r.left(); x <= r.right(); ++x)
            dst[x] = uchar(toByte(m[x]));
    }
}

void CanvasLayers::renderGrown(QImage& out, const QRect& rect) const {
    if (out.isNull()) return;
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
        auto* dst = reinterpret_cast<QRgb*>(out.scanLine(y));
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

void CanvasLayers::renderEncoder(QImage& out, const QRect& rect) const {
    if (out.isNull()) return;
    const QRect r = rect & preview_->cropRect();
    if (r.isEmpty()) return;
    const lb::ImageBuffer px = preview_->encoderPixels(r);
    for (int y = 0; y < px.height; ++y) {
        const float* src = px.row(y);
        auto* dst = reinterpret_cast<QRgb*>(out.scanLine(r.top() + y)) + r.left();
        for (int x = 0; x < px.width; ++x)
            dst[x] = qRgb(toByte(src[3 * x]), toByte(src[3 * x + 1]), toByte(src[3 * x + 2]));
    }
}

void CanvasLayers::renderReduced(Layer which, Plane& p, const QRect& rect) const {
    const QRect r = rect & p.image.rect();
    if (r.isEmpty()) return;
    const int f = p.factor, w = doc_->width(), h = doc_->height();
    const lb::MaskBuffer& mask = doc_->mask();
    // The full layers' pixels, as renderMaskOverlay and renderGrown compute them.
    const float o = float(maskOpacity_);
    const float cr = float(maskColor_.red()), cg = float(maskColor_.green()),
                cb = float(maskColor_.blue());
    const auto overlayAt = [&](int x, int y) {
        const float a = std::clamp(mask.row(y)[x], 0.0f, 1.0f) * o;
        return qRgba(int(cr * a + 0.5f), int(cg * a + 0.5f), int(cb * a + 0.5f),
                     int(255.0f * a + 0.5f));
    };
    const QRect crop = preview_->cropRect();
    const lb::BinaryMask& noise = preview_->noiseMask();
    const lb::BinaryMask& rounded = preview_->roundedMask();
    const QRgb edge = qPremultiply(outlineColor_.rgb());
    QColor tint = outlineColor_;
    tint.setAlpha(70);
    const QRgb fill = qPremultiply(tint.rgba());
    const auto grownAt = [&](int x, int y) -> QRgb {
        if (!crop.contains(x, y) || noise.empty()) return 0;
        const int cx = x - crop.left(), cy = y - crop.top();
        const std::uint8_t* n = noise.row(cy);
        if (!n[cx]) return 0;
        const bool border = cx == 0 || cy == 0 || cx + 1 == noise.width || cy + 1 == noise.height ||
                            !n[cx - 1] || !n[cx + 1] || !noise.row(cy - 1)[cx] ||
                            !noise.row(cy + 1)[cx];
        if (border) return edge;
        return rounded.row(cy)[cx] ? QRgb(0) : fill;
    };
    for (int y = r.top(); y <= r.bottom(); ++y) {
        const int y0 = sampleAt(y, f, h, 0), y1 = sampleAt(y, f, h, 1);
        uchar* line = p.image.scanLine(y);
        for (int x = r.left(); x <= r.right(); ++x) {
            const int x0 = sampleAt(x, f, w, 0), x1 = sampleAt(x, f, w, 1);
            switch (which) {
            case Layer::MaskOverlay:
                reinterpret_cast<QRgb*>(line)[x] = mean4(overlayAt(x0, y0), overlayAt(x1, y0),
                                                         overlayAt(x0, y1), overlayAt(x1, y1));
                break;
            case Layer::MaskOnly:
                line[x] = uchar((toByte(mask.row(y0)[x0]) + toByte(mask.row(y0)[x1]) +
                                 toByte(mask.row(y1)[x0]) + toByte(mask.row(y1)[x1]) + 2) >>
                                2);
                break;
            case Layer::Grown:
                reinterpret_cast<QRgb*>(line)[x] =
                    mean4(grownAt(x0, y0), grownAt(x1, y0), grownAt(x0, y1), grownAt(x1, y1));
                break;
            case Layer::Encoder:
                break; // never reduced
            }
        }
    }
}

} // namespace lbui
