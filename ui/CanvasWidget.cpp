// CanvasWidget: draws only the dirty parts of the cached layers at the current zoom and maps
// input to image coordinates for the current tool. No document logic lives here.
#include "CanvasWidget.h"

#include "CanvasLayers.h"
#include "GrowPreview.h"
#include "MaskDocument.h"
#include "MaskTool.h"
#include "NoiseMaskPreview.h"
#include "RegionHandles.h"
#include "RegionPlanner.h"
#include "StitchSession.h"

#include <QCursor>
#include <QGuiApplication>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QPainterPath>
#include <QTabletEvent>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace lbui {

CanvasWidget::CanvasWidget(MaskDocument* doc, GrowPreview* preview, CanvasLayers* layers,
                           MaskTool* tool, QWidget* parent)
    : QWidget(parent), doc_(doc), preview_(preview), layers_(layers), tool_(tool) {
    setAttribute(Qt::WA_OpaquePaintEvent);
    setAttribute(Qt::WA_TabletTracking);
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAcceptDrops(false); // the main window takes drops
    setMinimumSize(200, 150);
    updateIdleCursor();
    connect(doc_, &MaskDocument::imageChanged, this, &CanvasWidget::onImageChanged);
    connect(doc_, &MaskDocument::pixelsChanged, this, qOverload<>(&QWidget::update));
    connect(layers_, &CanvasLayers::layersChanged, this, &CanvasWidget::updateImageRect);
    connect(tool_, &MaskTool::overlayChanged, this, &CanvasWidget::updateToolOverlay);
    connect(tool_, &MaskTool::cursorChanged, this, [this] { updateToolCursor(cursorPos_); });
}

void CanvasWidget::setTool(MaskTool* tool) {
    if (!tool || tool == tool_) return;
    if (painting_) {
        painting_ = false;
        paintButton_ = Qt::NoButton;
    }
    disconnect(tool_, nullptr, this, nullptr);
    tool_->deactivate();
    update(toolCursorRect(cursorPos_));
    tool_ = tool;
    connect(tool_, &MaskTool::overlayChanged, this, &CanvasWidget::updateToolOverlay);
    connect(tool_, &MaskTool::cursorChanged, this, [this] { updateToolCursor(cursorPos_); });
    update(toolOverlayRect_);
    toolOverlayRect_ = QRect();
    update(toolCursorRect(cursorPos_));
    updateIdleCursor();
}

void CanvasWidget::updateToolOverlay() {
    QRect now;
    const QRectF b = tool_->overlayBounds();
    if (!b.isNull())
        now = QRectF(imageToWidget(b.topLeft()), imageToWidget(b.bottomRight()))
                  .normalized()
                  .toAlignedRect()
                  .adjusted(-6, -6, 6, 6);
    update(toolOverlayRect_ | now);
    toolOverlayRect_ = now;
}

void CanvasWidget::onImageChanged() {
    fitted_ = true;
    fitToWindow();
}

void CanvasWidget::setZoom(double zoom, QPointF widgetPos) {
    zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    const QPointF anchor = widgetToImage(widgetPos);
    zoom_ = zoom;
    offset_ = widgetPos - anchor * zoom_;
    fitted_ = false;
    update();
    emit zoomChanged(zoom_);
}

void CanvasWidget::zoomAt(QPointF widgetPos, double factor) {
    setZoom(zoom_ * factor, widgetPos);
}

void CanvasWidget::zoomIn() {
    zoomAt(QPointF(width(), height()) / 2.0, 1.25);
}
void CanvasWidget::zoomOut() {
    zoomAt(QPointF(width(), height()) / 2.0, 1.0 / 1.25);
}

void CanvasWidget::fitToWindow() {
    if (!doc_->hasImage() || width() <= 0 || height() <= 0) return;
    const double margin = 24.0;
    const double zx = std::max(1.0, width() - 2 * margin) / doc_->width();
    const double zy = std::max(1.0, height() - 2 * margin) / doc_->height();
    zoom_ = std::clamp(std::min(zx, zy), kMinZoom, kMaxZoom);
    offset_ =
        QPointF((width() - doc_->width() * zoom_) / 2.0, (height() - doc_->height() * zoom_) / 2.0);
    fitted_ = true;
    update();
    emit zoomChanged(zoom_);
}

void CanvasWidget::actualSize() {
    if (!doc_->hasImage()) return;
    const QPointF centre(width() / 2.0, height() / 2.0);
    setZoom(1.0, centre);
    // Snap to whole pixels so the image is drawn unscaled and crisp.
    offset_ = QPointF(std::round(offset_.x()), std::round(offset_.y()));
    update();
}

void CanvasWidget::panBy(QPointF delta) {
    offset_ += delta;
    fitted_ = false;
    update();
}

void CanvasWidget::setViewMode(ViewMode mode) {
    viewMode_ = mode;
    update();
}

void CanvasWidget::setShowGrownOutline(bool show) {
    showGrown_ = show;
    update();
}

void CanvasWidget::setShowCropLoss(bool show) {
    showCrop_ = show;
    update();
}

void CanvasWidget::resizeEvent(QResizeEvent*) {
    if (fitted_ || fitPending_) {
        fitPending_ = false;
        fitToWindow();
    }
}

void CanvasWidget::updateImageRect(const QRect& imageRect) {
    if (imageRect.isEmpty()) return;
    const QRectF w(imageToWidget(imageRect.topLeft()),
                   imageToWidget(imageRect.bottomRight() + QPoint(1, 1)));
    update(w.toAlignedRect().adjusted(-2, -2, 2, 2) & rect());
}

QRect CanvasWidget::toolCursorRect(QPointF p) const {
    return tool_->cursorBounds(p, zoom_);
}

void CanvasWidget::updateToolCursor(QPointF widgetPos) {
    update(toolCursorRect(cursorPos_));
    cursorPos_ = widgetPos;
    update(toolCursorRect(cursorPos_));
}

void CanvasWidget::setRegionPlanner(RegionPlanner* planner) {
    regions_ = planner;
    connect(regions_, &RegionPlanner::planChanged, this, qOverload<>(&QWidget::update));
    connect(regions_, &RegionPlanner::settingsChanged, this, qOverload<>(&QWidget::update));
    connect(regions_, &RegionPlanner::editingChanged, this, [this] {
        regionDragging_ = false;
        update();
        updateIdleCursor();
    });
}

QRectF CanvasWidget::manualRectOnWidget() const {
    const QRect r = regions_ ? regions_->settings().manual : QRect();
    return QRectF(imageToWidget(r.topLeft()), QSizeF(r.width() * zoom_, r.height() * zoom_));
}

bool CanvasWidget::regionPress(QPointF pos, Qt::MouseButton button) {
    if (!regions_ || !regions_->editingManual() || !doc_->hasImage()) return false;
    if (button != Qt::LeftButton) return true; // nothing paints while the region is edited
    regionDragging_ = true;
    regionPart_ = int(regionhandles::hit(manualRectOnWidget(), pos));
    regionDragStart_ = regions_->settings().manual;
    regionDragFrom_ = pos;
    return true;
}

bool CanvasWidget::regionMove(QPointF pos) {
    if (!regions_ || !regions_->editingManual()) return false;
    const auto part = regionhandles::Part(regionPart_);
    if (!regionDragging_) {
        setCursor(regionhandles::cursorFor(regionhandles::hit(manualRectOnWidget(), pos)));
        return true;
    }
    const QPointF d = (pos - regionDragFrom_) / zoom_;
    const QPoint delta(int(std::lround(d.x())), int(std::lround(d.y())));
    const QPointF a = widgetToImage(regionDragFrom_);
    const QPoint anchor(int(std::lround(a.x())), int(std::lround(a.y())));
    regions_->setManualRect(regionhandles::dragged(regionDragStart_, part, delta, anchor,
                                                   doc_->size(), regions_->manualSnap()));
    return true;
}

bool CanvasWidget::regionRelease(Qt::MouseButton button) {
    if (!regionDragging_) return regions_ && regions_->editingManual();
    if (button == Qt::LeftButton) {
        regionDragging_ = false;
        regions_->recordManualEdit(regionDragStart_); // one undo step per drag
    }
    return true;
}

bool CanvasWidget::regionHistoryKey(const QKeyEvent* key) const {
    if (!regions_ || !regions_->editingManual() || regionDragging_) return false;
    return (key->matches(QKeySequence::Undo) && regions_->canUndoManual()) ||
           (key->matches(QKeySequence::Redo) && regions_->canRedoManual());
}

void CanvasWidget::setStitchSession(StitchSession* stitch) {
    stitch_ = stitch;
    connect(stitch_, &StitchSession::changed, this, qOverload<>(&QWidget::update));
}

void CanvasWidget::setNoiseMaskPreview(NoiseMaskPreview* preview) {
    noiseMask_ = preview;
    connect(noiseMask_, &NoiseMaskPreview::previewChanged, this, qOverload<>(&QWidget::update));
    connect(noiseMask_, &NoiseMaskPreview::settingsChanged, this, qOverload<>(&QWidget::update));
}

void CanvasWidget::paintEvent(QPaintEvent* event) {
    QPainter p(this);
    const QColor background(38, 38, 41);
    p.fillRect(event->rect(), background);
    if (!doc_->hasImage()) {
        p.setPen(QColor(170, 170, 175));
        p.drawText(rect(), Qt::AlignCenter,
                   tr("Open an image (Ctrl+O) or drop one here to start painting its mask."));
        return;
    }
    const QRectF imageOnWidget(offset_, QSizeF(doc_->width() * zoom_, doc_->height() * zoom_));
    p.setRenderHint(QPainter::SmoothPixmapTransform, zoom_ < 1.0);

    const bool regionInputs = viewMode_ == ViewMode::EncoderInput && regions_ &&
                              regions_->enabled() && regions_->plan().has_value();
    // While a result is imported, the person judges the photo itself, before and after: the mask's
    // tint would cover exactly the pixels the stitch changed, so only the grown mask's outline
    // shows.
    const bool resultImported = stitch_ && stitch_->isActive();
    const bool stitched = resultImported && !stitch_->showsOriginal();
    const bool soft = noiseMask_ && noiseMask_->noiseMaskMode();
    const bool strength = soft && noiseMask_->showStrength();
    // Zoomed out, the layers are drawn reduced (CanvasLayers::reductionFor): a large photo's
    // layers are never rendered whole to be shown small.
    const int reduction = CanvasLayers::reductionFor(zoom_);
    for (const QRect& dirty : event->region()) {
        const QRectF target = QRectF(dirty) & imageOnWidget;
        if (target.isEmpty()) continue;
        const QRectF source((target.topLeft() - offset_) / zoom_, target.size() / zoom_);
        const auto drawLayer = [&](CanvasLayers::Layer which) {
            const int f = which == CanvasLayers::Layer::Encoder ? 1 : reduction;
            const QRectF from(source.topLeft() / f, source.size() / f);
            // A margin for the smooth transform's neighbours at the edges of `from`.
            p.drawImage(target,
                        layers_->layer(which, f, from.toAlignedRect().adjusted(-2, -2, 2, 2)),
                        from);
        };
        switch (viewMode_) {
        case ViewMode::Overlay:
            p.drawImage(target, stitched ? stitch_->stitchedDisplay() : doc_->displayImage(),
                        source);
            if (!resultImported) drawLayer(CanvasLayers::Layer::MaskOverlay);
            break;
        case ViewMode::MaskOnly:
            drawLayer(CanvasLayers::Layer::MaskOnly);
            break;
        case ViewMode::EncoderInput:
            if (regionInputs)
                p.fillRect(target, QColor(24, 24, 26));
            else
                drawLayer(CanvasLayers::Layer::Encoder);
            break;
        }
        if (showGrown_ && !soft) drawLayer(CanvasLayers::Layer::Grown);
        if (showGrown_ && soft && !strength)
            p.drawImage(target, noiseMask_->noiseMaskImage(), source);
    }
    if (strength && !noiseMask_->strengthImage().isNull()) {
        // One latent cell = d x d image pixels, drawn nearest, as the sampler sees the mask.
        const QRect crop = noiseMask_->cropRect();
        p.setRenderHint(QPainter::SmoothPixmapTransform, false);
        p.drawImage(QRectF(imageToWidget(crop.topLeft()),
                           QSizeF(crop.width() * zoom_, crop.height() * zoom_)),
                    noiseMask_->strengthImage());
    }

    if (regionInputs) {
        // Each region's encoder input (W' x H', scaled and gray-filled) shown in its rectangle.
        const QList<QRect> rects = regions_->rects();
        const QList<QImage>& images = regions_->encoderInputImages();
        p.setRenderHint(QPainter::SmoothPixmapTransform, true);
        for (qsizetype i = 0; i < rects.size() && i < images.size(); ++i) {
            const QRect& r = rects[i];
            p.drawImage(
                QRectF(imageToWidget(r.topLeft()), QSizeF(r.width() * zoom_, r.height() * zoom_)),
                images[i]);
        }
    }

    p.setRenderHint(QPainter::Antialiasing, true);
    if (regions_ && regions_->enabled()) {
        // The planned regions, numbered in batch order.
        const QList<QRect> rects = regions_->rects();
        for (qsizetype i = 0; i < rects.size(); ++i) {
            const QRect& r = rects[i];
            const QRectF onWidget(imageToWidget(r.topLeft()),
                                  QSizeF(r.width() * zoom_, r.height() * zoom_));
            QPen pen(QColor(0, 220, 255), 2.0);
            pen.setCosmetic(true);
            p.setPen(pen);
            p.setBrush(Qt::NoBrush);
            p.drawRect(onWidget);
            const QString label = QString::number(i);
            const QRectF tag(onWidget.topLeft(), QSizeF(8 + 8 * label.size(), 16));
            p.fillRect(tag, QColor(0, 220, 255));
            p.setPen(Qt::black);
            p.drawText(tag, Qt::AlignCenter, label);
        }
    }
    if (regions_ && regions_->manual() && !regions_->settings().manual.isEmpty()) {
        // The manual rectangle as given (the plan above may widen it to the VAE's multiple), with
        // its 8 handles while it is edited.
        const QRectF r = manualRectOnWidget();
        QPen dash(QColor(255, 255, 255), 1.0, Qt::DashLine);
        dash.setCosmetic(true);
        p.setPen(dash);
        p.setBrush(Qt::NoBrush);
        p.drawRect(r);
        if (regions_->editingManual()) {
            p.setPen(QPen(QColor(0, 0, 0), 1.0));
            p.setBrush(QColor(255, 255, 255));
            for (const QRectF& h : regionhandles::handleSquares(r))
                p.drawRect(h);
        }
    }
    if (showCrop_ && !(regions_ && regions_->enabled())) {
        // What the crop to the VAE's multiple drops: hatched, with the kept area outlined.
        const QRect crop = preview_->cropRect();
        const QRectF cropOnWidget(imageToWidget(crop.topLeft()),
                                  QSizeF(crop.width() * zoom_, crop.height() * zoom_));
        if (cropOnWidget != imageOnWidget) {
            QPainterPath lost;
            lost.addRect(imageOnWidget);
            QPainterPath kept;
            kept.addRect(cropOnWidget);
            lost = lost.subtracted(kept);
            p.fillPath(lost, QColor(0, 0, 0, 150));
            p.fillPath(lost, QBrush(QColor(255, 200, 0, 150), Qt::BDiagPattern));
            QPen dash(QColor(255, 200, 0), 1.0, Qt::DashLine);
            dash.setCosmetic(true);
            p.setPen(dash);
            p.setBrush(Qt::NoBrush);
            p.drawRect(cropOnWidget.adjusted(-0.5, -0.5, 0.5, 0.5));
        }
    }

    const QTransform toWidget(zoom_, 0, 0, zoom_, offset_.x(), offset_.y());
    tool_->paintOverlay(p, toWidget);
    const QRectF b = tool_->overlayBounds();
    toolOverlayRect_ = b.isNull()
                           ? QRect()
                           : QRectF(imageToWidget(b.topLeft()), imageToWidget(b.bottomRight()))
                                 .normalized()
                                 .toAlignedRect()
                                 .adjusted(-6, -6, 6, 6);

    // The tool's cursor (the brush outline).
    if (cursorInside_ && !panning_ && !spaceHeld_ && !(regions_ && regions_->editingManual()))
        tool_->paintCursor(p, cursorPos_, zoom_, paintButton_);
}

void CanvasWidget::emitCursor(QPointF widgetPos) {
    if (!doc_->hasImage()) return;
    const QPointF ip = widgetToImage(widgetPos);
    const QPoint pixel(int(std::floor(ip.x())), int(std::floor(ip.y())));
    emit cursorMoved(pixel, doc_->bounds().contains(pixel));
}

void CanvasWidget::pointerPress(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods,
                                double pressure) {
    setFocus(Qt::MouseFocusReason);
    if (button == Qt::MiddleButton || (button == Qt::LeftButton && spaceHeld_)) {
        panning_ = true;
        lastPanPos_ = pos;
        updatePanCursor();
        return;
    }
    if (!painting_ && regionPress(pos, button)) return;
    if ((button == Qt::LeftButton || button == Qt::RightButton) && !painting_ && doc_->hasImage()) {
        painting_ = true;
        paintButton_ = button;
        tool_->press(widgetToImage(pos), button, mods, pressure);
    }
}

void CanvasWidget::pointerMove(QPointF pos, double pressure, Qt::KeyboardModifiers mods) {
    if (panning_) {
        panBy(pos - lastPanPos_);
        lastPanPos_ = pos;
        return;
    }
    if (!painting_ && regionMove(pos)) return;
    tool_->move(widgetToImage(pos), mods, pressure);
}

void CanvasWidget::pointerRelease(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods) {
    if (panning_ && (button == Qt::MiddleButton || button == Qt::LeftButton)) {
        panning_ = false;
        updatePanCursor();
        return;
    }
    if (!painting_ && regionRelease(button)) return;
    if (painting_ && button == paintButton_) {
        painting_ = false;
        paintButton_ = Qt::NoButton;
        tool_->release(widgetToImage(pos), button, mods);
    }
}

void CanvasWidget::mousePressEvent(QMouseEvent* event) {
    if (tabletActive_) return;
    pointerPress(event->position(), event->button(), event->modifiers(), 1.0);
    event->accept();
}

void CanvasWidget::mouseMoveEvent(QMouseEvent* event) {
    updateToolCursor(event->position());
    emitCursor(event->position());
    if (!tabletActive_) pointerMove(event->position(), 1.0, event->modifiers());
    event->accept();
}

void CanvasWidget::mouseReleaseEvent(QMouseEvent* event) {
    if (tabletActive_) return;
    pointerRelease(event->position(), event->button(), event->modifiers());
    event->accept();
}

void CanvasWidget::mouseDoubleClickEvent(QMouseEvent* event) {
    if (tool_->wantsDoubleClick() && !tabletActive_ && !spaceHeld_ &&
        (event->button() == Qt::LeftButton || event->button() == Qt::RightButton) &&
        doc_->hasImage()) {
        setFocus(Qt::MouseFocusReason);
        // A double-click's own press already reached the tool; no release follows for it here.
        painting_ = false;
        paintButton_ = Qt::NoButton;
        tool_->doubleClick(widgetToImage(event->position()), event->button(), event->modifiers());
        event->accept();
        return;
    }
    QWidget::mouseDoubleClickEvent(event);
}

bool CanvasWidget::event(QEvent* event) {
    // Keys a tool needs while a shape is in progress win over the window's shortcuts
    // (Backspace removes a polygon point instead of clearing the mask).
    // While the manual region is edited, Undo and Redo step through its rectangles first (the
    // mask's history is untouched; once the rectangle has none left, they reach the mask again).
    if (event->type() == QEvent::ShortcutOverride &&
        regionHistoryKey(static_cast<QKeyEvent*>(event))) {
        event->accept();
        return true;
    }
    if (event->type() == QEvent::ShortcutOverride) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (tool_->wantsKey(key->key())) {
            event->accept();
            return true;
        }
    }
    return QWidget::event(event);
}

void CanvasWidget::tabletEvent(QTabletEvent* event) {
    const QPointF pos = event->position();
    const double pressure = event->pressure() > 0 ? event->pressure() : 1.0;
    switch (event->type()) {
    case QEvent::TabletPress:
        tabletActive_ = true;
        pointerPress(pos, event->button() == Qt::NoButton ? Qt::LeftButton : event->button(),
                     event->modifiers(), pressure);
        break;
    case QEvent::TabletMove:
        updateToolCursor(pos);
        emitCursor(pos);
        pointerMove(pos, pressure, event->modifiers());
        break;
    case QEvent::TabletRelease:
        pointerRelease(pos, event->button() == Qt::NoButton ? paintButton_ : event->button(),
                       event->modifiers());
        if (panning_) pointerRelease(pos, Qt::MiddleButton, event->modifiers());
        tabletActive_ = false;
        break;
    default:
        break;
    }
    event->accept();
}

void CanvasWidget::wheelEvent(QWheelEvent* event) {
    const QPoint angle = event->angleDelta();
    if (!angle.isNull()) {
        const double steps = angle.y() / 120.0;
        if (event->modifiers().testFlag(Qt::ShiftModifier) &&
            !event->modifiers().testFlag(Qt::ControlModifier))
            panBy(QPointF(angle.y() / 2.0, angle.x() / 2.0));
        else
            zoomAt(event->position(), std::pow(1.25, steps));
    } else if (!event->pixelDelta().isNull()) {
        panBy(event->pixelDelta());
    }
    event->accept();
}

void CanvasWidget::keyPressEvent(QKeyEvent* event) {
    if (regionHistoryKey(event)) {
        if (event->matches(QKeySequence::Undo))
            regions_->undoManual();
        else
            regions_->redoManual();
        event->accept();
        return;
    }
    if (tool_->wantsKey(event->key())) {
        tool_->keyPress(event);
        event->accept();
        return;
    }
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        spaceHeld_ = true;
        updatePanCursor();
        update(toolCursorRect(cursorPos_));
        event->accept();
        return;
    }
    QWidget::keyPressEvent(event);
}

void CanvasWidget::keyReleaseEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        spaceHeld_ = false;
        if (panning_ && !(QGuiApplication::mouseButtons() & Qt::MiddleButton)) panning_ = false;
        updatePanCursor();
        update(toolCursorRect(cursorPos_));
        event->accept();
        return;
    }
    QWidget::keyReleaseEvent(event);
}

void CanvasWidget::updatePanCursor() {
    if (panning_)
        setCursor(Qt::ClosedHandCursor);
    else if (spaceHeld_)
        setCursor(Qt::OpenHandCursor);
    else
        updateIdleCursor();
}

void CanvasWidget::updateIdleCursor() {
    if (panning_ || spaceHeld_) return;
    if (regions_ && regions_->editingManual())
        setCursor(regionhandles::cursorFor(
            regionhandles::hit(manualRectOnWidget(), mapFromGlobal(QCursor::pos()))));
    else
        setCursor(tool_->cursorShape());
}

void CanvasWidget::enterEvent(QEnterEvent* event) {
    cursorInside_ = true;
    updateToolCursor(event->position());
}

void CanvasWidget::leaveEvent(QEvent*) {
    cursorInside_ = false;
    update(toolCursorRect(cursorPos_));
    emit cursorLeft();
}

void CanvasWidget::focusOutEvent(QFocusEvent* event) {
    spaceHeld_ = false;
    updatePanCursor();
    QWidget::focusOutEvent(event);
}

} // namespace lbui
