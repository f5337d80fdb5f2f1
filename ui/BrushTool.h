// BrushTool: the round mask brush and eraser (size, hardness, opacity, pen pressure, straight
// lines), the canvas tool that paints strokes into the document, one PaintStrokeCommand per
// stroke, and draws its outline as the cursor.
#pragma once

#include "MaskTool.h"

#include <QPointF>
#include <QRect>

#include <memory>

namespace lbui {

class PaintStrokeCommand;
class StrokeBuffer;

struct BrushSettings {
    double size = 64.0;    // diameter in image pixels at full pressure
    double hardness = 1.0; // 1: hard edge; lower: a smooth falloff from hardness * radius
    double opacity = 1.0;  // the most one stroke changes a pixel towards its target
};

class BrushTool : public MaskTool {
    Q_OBJECT
public:
    enum class Mode { Paint, Erase };
    static constexpr double kMinSize = 1.0;
    static constexpr double kMaxSize = 2000.0;

    explicit BrushTool(MaskDocument* doc, QObject* parent = nullptr);

    const BrushSettings& settings() const { return settings_; }
    void setSettings(const BrushSettings& settings);
    void setSize(double size);
    void setHardness(double hardness);
    void setOpacity(double opacity);
    void growSize();   // ] : about 15% larger
    void shrinkSize(); // [ : about 15% smaller

    Mode mode() const { return mode_; }
    void setMode(Mode mode);

    // A stroke in image coordinates (pixel (x, y) has its centre at (x + 0.5, y + 0.5)).
    // `erase` overrides the mode (right button); `lineFromLast` draws a straight line from the
    // previous stroke's end (Shift-click).
    void beginStroke(QPointF pos, double pressure, bool erase, bool lineFromLast);
    void continueStroke(QPointF pos, double pressure);
    void endStroke();
    bool isStroking() const { return stroke_ != nullptr; }
    bool hasLastPoint() const { return hasLast_; }
    QPointF lastPoint() const { return last_; }

    // Coverage of a dab at squared distance d2 from its centre (radius r): 1 inside a hard
    // disc (d2 <= r * r), a smoothstep falloff from hardness * r to r for softer brushes.
    static double coverageAt(double d2, double radius, double hardness);
    double radiusFor(double pressure) const;

    // The canvas input: the left button paints in the mode, the right one erases, Shift-click
    // draws a straight line from the previous stroke's end.
    void press(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods,
               double pressure) override;
    void move(QPointF pos, Qt::KeyboardModifiers mods, double pressure) override;
    void release(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods) override;
    bool wantsDoubleClick() const override { return false; } // a second click paints again
    void deactivate() override;                              // ends a stroke in progress

    // The brush outline (dashed when erasing) instead of the system cursor.
    Qt::CursorShape cursorShape() const override { return Qt::BlankCursor; }
    void paintCursor(QPainter& painter, QPointF at, double zoom,
                     Qt::MouseButton held) const override;
    QRect cursorBounds(QPointF at, double zoom) const override;

signals:
    void settingsChanged();
    void modeChanged(lbui::BrushTool::Mode mode);

private:
    void paintSegment(QPointF a, double pa, QPointF b, double pb);
    void abandonStroke();

    BrushSettings settings_;
    Mode mode_ = Mode::Paint;

    std::shared_ptr<StrokeBuffer> stroke_;
    PaintStrokeCommand* command_ = nullptr; // the stroke's command, owned by the undo stack
    bool erasing_ = false;
    bool pushing_ = false;
    bool pressed_ = false; // a canvas press began the stroke; moves continue it
    QString label_;
    QPointF last_;
    double lastPressure_ = 1.0;
    bool hasLast_ = false;
};

} // namespace lbui
