// CanvasWidget: the view of the document: draws the cached layers, zooms around the cursor,
// pans (space-drag, middle button), and passes mouse and tablet input to the current MaskTool
// (or, while the manual region is being edited, turns it into moves and resizes of its
// rectangle).
#pragma once

#include <QPointF>
#include <QRect>
#include <QWidget>

class QKeyEvent;

namespace lbui {

class CanvasLayers;
class GrowPreview;
class MaskDocument;
class MaskTool;
class NoiseMaskPreview;
class RegionPlanner;
class StitchSession;

class CanvasWidget : public QWidget {
    Q_OBJECT
public:
    enum class ViewMode { Overlay, MaskOnly, EncoderInput };
    static constexpr double kMinZoom = 1.0 / 64.0;
    static constexpr double kMaxZoom = 64.0;

    // `tool`: the tool active at first (never null).
    CanvasWidget(MaskDocument* doc, GrowPreview* preview, CanvasLayers* layers, MaskTool* tool,
                 QWidget* parent = nullptr);

    double zoom() const { return zoom_; }
    QPointF offset() const { return offset_; } // widget position of the image's (0, 0)
    QPointF widgetToImage(QPointF p) const { return (p - offset_) / zoom_; }
    QPointF imageToWidget(QPointF p) const { return p * zoom_ + offset_; }

    // The active tool, never null (the brush is one); setTool ignores null.
    MaskTool* tool() const { return tool_; }
    void setTool(lbui::MaskTool* tool);
    // The planned regions are outlined on the canvas (numbered in batch order), and the
    // encoder-input view shows each region's encoder input in its rectangle.
    void setRegionPlanner(lbui::RegionPlanner* planner);
    // An imported result shows the stitched photo in the overlay view (unless "before" is on).
    void setStitchSession(lbui::StitchSession* stitch);
    // In the noise-mask mode the grown-outline layer shows the soft noise_mask instead, or the
    // strength view (the mask on the latent grid, drawn nearest over the crop).
    void setNoiseMaskPreview(lbui::NoiseMaskPreview* preview);

    ViewMode viewMode() const { return viewMode_; }
    bool showGrownOutline() const { return showGrown_; }
    bool showCropLoss() const { return showCrop_; }

public slots:
    void zoomAt(QPointF widgetPos, double factor);
    void setZoom(double zoom, QPointF widgetPos);
    void zoomIn();
    void zoomOut();
    void fitToWindow();
    void actualSize();
    void panBy(QPointF delta);
    void setViewMode(lbui::CanvasWidget::ViewMode mode);
    void setShowGrownOutline(bool show);
    void setShowCropLoss(bool show);

signals:
    void zoomChanged(double zoom);
    void cursorMoved(QPoint imagePos, bool insideImage);
    void cursorLeft();

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void tabletEvent(QTabletEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void enterEvent(QEnterEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;

private:
    void onImageChanged();
    void updateImageRect(const QRect& imageRect);
    void updateToolCursor(QPointF widgetPos);
    QRect toolCursorRect(QPointF widgetPos) const;
    void updatePanCursor();
    void emitCursor(QPointF widgetPos);
    void pointerPress(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods,
                      double pressure);
    void pointerMove(QPointF pos, double pressure, Qt::KeyboardModifiers mods);
    void pointerRelease(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods);
    void updateToolOverlay();
    void updateIdleCursor();
    // The manual region: its rectangle on the widget, and the drag of it (RegionHandles).
    QRectF manualRectOnWidget() const;
    bool regionPress(QPointF pos, Qt::MouseButton button);
    bool regionMove(QPointF pos);
    bool regionRelease(Qt::MouseButton button);
    bool regionHistoryKey(const QKeyEvent* key) const; // Undo/Redo of the manual rectangle

    MaskDocument* doc_;
    GrowPreview* preview_;
    RegionPlanner* regions_ = nullptr;
    StitchSession* stitch_ = nullptr;
    NoiseMaskPreview* noiseMask_ = nullptr;
    CanvasLayers* layers_;
    MaskTool* tool_;
    QRect toolOverlayRect_; // widget rect of the tool's outline, last painted
    double zoom_ = 1.0;
    QPointF offset_;
    ViewMode viewMode_ = ViewMode::Overlay;
    bool showGrown_ = true;
    bool showCrop_ = true;
    bool fitPending_ = true; // fit when the widget first gets its size
    bool fitted_ = true;     // keep fitting on resize until the user zooms or pans

    bool spaceHeld_ = false;
    bool panning_ = false;
    bool painting_ = false;
    bool tabletActive_ = false;
    Qt::MouseButton paintButton_ = Qt::NoButton;
    bool regionDragging_ = false;
    int regionPart_ = 0; // a regionhandles::Part
    QRect regionDragStart_;
    QPointF regionDragFrom_; // widget position of the press
    QPointF lastPanPos_;
    QPointF cursorPos_;
    bool cursorInside_ = false;
};

} // namespace lbui
