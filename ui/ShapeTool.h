// ShapeTool: rectangle and ellipse (drag; Ctrl keeps the aspect), polygon lasso (clicks,
// double-click or Return closes) and freehand lasso (drag), rasterized with anti-aliased
// edges by lb::rasterizePolygon and applied as one undo command.
#pragma once

#include "MaskTool.h"

#include <QPointF>
#include <QVector>

namespace lbui {

class ShapeTool : public MaskTool {
    Q_OBJECT
public:
    enum class Kind { Rectangle, Ellipse, PolygonLasso, FreehandLasso };
    struct Options {
        bool antialias = true;
    };

    ShapeTool(Kind kind, MaskDocument* doc, QObject* parent = nullptr);

    Kind kind() const { return kind_; }
    QString name() const; // "Rectangle", ...
    const Options& options() const { return options_; }
    void setOptions(const Options& options); // persisted in QSettings

    // The shape's outline in image coordinates for a drag from `anchor` to `to` (rectangle and
    // ellipse; `keepAspect` makes a square or circle).
    static std::vector<lb::PointD> dragShape(Kind kind, QPointF anchor, QPointF to,
                                             bool keepAspect);

    void press(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods,
               double pressure) override;
    void move(QPointF pos, Qt::KeyboardModifiers mods, double pressure) override;
    void release(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods) override;
    void doubleClick(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods) override;
    bool wantsKey(int key) const override;
    void keyPress(QKeyEvent* event) override;
    void cancel() override;
    bool isBusy() const override { return active_; }
    void paintOverlay(QPainter& painter, const QTransform& imageToWidget) const override;
    QRectF overlayBounds() const override;

    // Closes the polygon lasso and applies it (also Return).
    void closePolygon();
    int pointCount() const { return int(points_.size()); }

private:
    void addPoint(QPointF pos);
    void apply(const std::vector<lb::PointD>& polygon);
    std::vector<lb::PointD> currentPolygon() const;
    void changed();

    Kind kind_;
    Options options_;
    bool active_ = false;
    bool dragging_ = false;
    Qt::MouseButton button_ = Qt::NoButton;
    MaskCombine mode_ = MaskCombine::Add;
    QPointF anchor_, current_, hover_;
    bool keepAspect_ = false;
    bool hasHover_ = false;
    QVector<QPointF> points_; // lasso vertices
};

} // namespace lbui
