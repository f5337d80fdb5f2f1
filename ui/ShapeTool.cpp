// ShapeTool: builds the outline of a rectangle, ellipse or lasso from pointer input, draws it
// while it is in progress, and applies its anti-aliased coverage with the add/subtract/replace
// combination as one MaskEditCommand.
#include "ShapeTool.h"

#include "MaskDocument.h"

#include <QKeyEvent>
#include <QPainter>
#include <QPainterPath>
#include <QSettings>

#include <cmath>

namespace lbui {

namespace {

const char* kindKey(ShapeTool::Kind kind) {
    switch (kind) {
    case ShapeTool::Kind::Rectangle:
        return "rectangle";
    case ShapeTool::Kind::Ellipse:
        return "ellipse";
    case ShapeTool::Kind::PolygonLasso:
        return "polygonLasso";
    case ShapeTool::Kind::FreehandLasso:
        return "freehandLasso";
    }
    return "shape";
}

double polygonArea(const std::vector<lb::PointD>& p) {
    double a = 0.0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const lb::PointD& u = p[i];
        const lb::PointD& v = p[(i + 1) % p.size()];
        a += u.x * v.y - v.x * u.y;
    }
    return 0.5 * a;
}

QColor modeColor(MaskCombine mode) {
    switch (mode) {
    case MaskCombine::Add:
        return {255, 240, 120};
    case MaskCombine::Subtract:
        return {120, 210, 255};
    case MaskCombine::Replace:
        return {255, 255, 255};
    }
    return Qt::white;
}

} // namespace

ShapeTool::ShapeTool(Kind kind, MaskDocument* doc, QObject* parent)
    : MaskTool(doc, QStringLiteral("tools/%1").arg(QLatin1String(kindKey(kind))), parent),
      kind_(kind) {
    QSettings s;
    options_.antialias = s.value(settingsKey_ + QStringLiteral("/antialias"), true).toBool();
    connect(doc_, &MaskDocument::imageChanged, this, &ShapeTool::cancel);
}

QString ShapeTool::name() const {
    switch (kind_) {
    case Kind::Rectangle:
        return tr("Rectangle");
    case Kind::Ellipse:
        return tr("Ellipse");
    case Kind::PolygonLasso:
        return tr("Polygon lasso");
    case Kind::FreehandLasso:
        return tr("Freehand lasso");
    }
    return {};
}

void ShapeTool::setOptions(const Options& options) {
    options_ = options;
    QSettings().setValue(settingsKey_ + QStringLiteral("/antialias"), options_.antialias);
    emit optionsChanged();
}

std::vector<lb::PointD> ShapeTool::dragShape(Kind kind, QPointF anchor, QPointF to,
                                             bool keepAspect) {
    double dx = to.x() - anchor.x(), dy = to.y() - anchor.y();
    if (keepAspect) {
        const double s = std::max(std::fabs(dx), std::fabs(dy));
        dx = std::copysign(s, dx);
        dy = std::copysign(s, dy);
    }
    if (kind == Kind::Ellipse)
        return lb::ellipsePolygon(anchor.x() + dx / 2, anchor.y() + dy / 2, std::fabs(dx) / 2,
                                  std::fabs(dy) / 2);
    const double ax = anchor.x(), ay = anchor.y();
    return {{ax, ay}, {ax + dx, ay}, {ax + dx, ay + dy}, {ax, ay + dy}};
}

std::vector<lb::PointD> ShapeTool::currentPolygon() const {
    if (!active_) return {};
    if (kind_ == Kind::Rectangle || kind_ == Kind::Ellipse)
        return dragShape(kind_, anchor_, current_, keepAspect_);
    std::vector<lb::PointD> out;
    out.reserve(std::size_t(points_.size()));
    for (const QPointF& p : points_)
        out.push_back({p.x(), p.y()});
    return out;
}

void ShapeTool::changed() {
    emit overlayChanged();
}

void ShapeTool::addPoint(QPointF pos) {
    if (!points_.isEmpty()) {
        const QPointF d = pos - points_.last();
        if (d.x() * d.x() + d.y() * d.y() < 1e-12) return;
    }
    points_.push_back(pos);
}

void ShapeTool::press(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods,
                      double /*pressure*/) {
    if (!doc_->hasImage()) return;
    if (kind_ == Kind::PolygonLasso) {
        if (!active_) {
            active_ = true;
            mode_ = combineFor(button, mods);
            points_.clear();
        }
        addPoint(pos);
        hover_ = pos;
        hasHover_ = true;
        changed();
        return;
    }
    if (dragging_) return;
    active_ = dragging_ = true;
    button_ = button;
    mode_ = combineFor(button, mods);
    anchor_ = current_ = pos;
    keepAspect_ = mods.testFlag(Qt::ControlModifier);
    points_.clear();
    if (kind_ == Kind::FreehandLasso) points_.push_back(pos);
    changed();
}

void ShapeTool::move(QPointF pos, Qt::KeyboardModifiers mods, double /*pressure*/) {
    if (kind_ == Kind::PolygonLasso) {
        if (!active_) return;
        hover_ = pos;
        hasHover_ = true;
        changed();
        return;
    }
    if (!dragging_) return;
    current_ = pos;
    keepAspect_ = mods.testFlag(Qt::ControlModifier);
    if (kind_ == Kind::FreehandLasso) {
        const QPointF d = pos - points_.last();
        if (d.x() * d.x() + d.y() * d.y() >= 0.25) points_.push_back(pos);
    }
    changed();
}

void ShapeTool::release(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods) {
    if (kind_ == Kind::PolygonLasso || !dragging_ || button != button_) return;
    current_ = pos;
    keepAspect_ = mods.testFlag(Qt::ControlModifier);
    if (kind_ == Kind::FreehandLasso) addPoint(pos);
    const std::vector<lb::PointD> polygon = currentPolygon();
    cancel();
    apply(polygon);
}

void ShapeTool::doubleClick(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods) {
    if (kind_ != Kind::PolygonLasso) return press(pos, button, mods, 1.0);
    if (!active_) press(pos, button, mods, 1.0);
    addPoint(pos);
    closePolygon();
}

void ShapeTool::closePolygon() {
    if (kind_ != Kind::PolygonLasso || !active_) return;
    const std::vector<lb::PointD> polygon = currentPolygon();
    cancel();
    apply(polygon);
}

bool ShapeTool::wantsKey(int key) const {
    if (!active_) return false;
    if (key == Qt::Key_Escape) return true;
    return kind_ == Kind::PolygonLasso &&
           (key == Qt::Key_Return || key == Qt::Key_Enter || key == Qt::Key_Backspace);
}

void ShapeTool::keyPress(QKeyEvent* event) {
    switch (event->key()) {
    case Qt::Key_Escape:
        cancel();
        break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        closePolygon();
        break;
    case Qt::Key_Backspace:
        if (!points_.isEmpty()) points_.pop_back();
        if (points_.isEmpty())
            cancel();
        else
            changed();
        break;
    default:
        break;
    }
}

void ShapeTool::cancel() {
    if (!active_) return;
    changed(); // repaint where the outline was
    active_ = dragging_ = false;
    hasHover_ = false;
    button_ = Qt::NoButton;
    points_.clear();
}

void ShapeTool::apply(const std::vector<lb::PointD>& polygon) {
    if (polygon.size() < 3 || std::fabs(polygonArea(polygon)) < 1e-9) return;
    const lb::Coverage coverage =
        lb::rasterizePolygon(polygon, doc_->height(), doc_->width(), options_.antialias);
    if (coverage.empty() && mode_ != MaskCombine::Replace) return;
    MaskRegion edit = makeToolEdit(doc_, coverage, mode_);
    const QRect rect = edit.rect;
    if (pushToolEdit(doc_, tr("%1 (%2)").arg(name(), combineName(mode_)), std::move(edit)))
        emit applied(rect);
}

QRectF ShapeTool::overlayBounds() const {
    if (!active_) return {};
    QRectF r;
    const std::vector<lb::PointD> poly = currentPolygon();
    if (poly.empty()) return {};
    double x0 = poly[0].x, x1 = x0, y0 = poly[0].y, y1 = y0;
    for (const lb::PointD& p : poly) {
        x0 = std::min(x0, p.x);
        x1 = std::max(x1, p.x);
        y0 = std::min(y0, p.y);
        y1 = std::max(y1, p.y);
    }
    r = QRectF(QPointF(x0, y0), QPointF(x1, y1));
    if (hasHover_ && kind_ == Kind::PolygonLasso) {
        r.setLeft(std::min(r.left(), hover_.x()));
        r.setRight(std::max(r.right(), hover_.x()));
        r.setTop(std::min(r.top(), hover_.y()));
        r.setBottom(std::max(r.bottom(), hover_.y()));
    }
    return r.adjusted(-0.5, -0.5, 0.5, 0.5); // never null while a shape is in progress
}

void ShapeTool::paintOverlay(QPainter& p, const QTransform& t) const {
    if (!active_) return;
    const std::vector<lb::PointD> poly = currentPolygon();
    if (poly.empty()) return;
    QPainterPath path;
    path.moveTo(t.map(QPointF(poly[0].x, poly[0].y)));
    for (std::size_t i = 1; i < poly.size(); ++i)
        path.lineTo(t.map(QPointF(poly[i].x, poly[i].y)));
    const bool open = kind_ == Kind::PolygonLasso || kind_ == Kind::FreehandLasso;
    if (kind_ == Kind::PolygonLasso && hasHover_) path.lineTo(t.map(hover_));
    if (!open) path.closeSubpath();
    p.save();
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setBrush(Qt::NoBrush);
    QPen under(QColor(0, 0, 0, 200), 3.0);
    under.setCosmetic(true);
    p.setPen(under);
    p.drawPath(path);
    QPen over(modeColor(mode_), 1.2, mode_ == MaskCombine::Subtract ? Qt::DashLine : Qt::SolidLine);
    over.setCosmetic(true);
    p.setPen(over);
    p.drawPath(path);
    if (open && poly.size() > 1) { // the closing edge, dotted
        QPen closing(QColor(255, 255, 255, 160), 1.0, Qt::DotLine);
        closing.setCosmetic(true);
        p.setPen(closing);
        p.drawLine(t.map(kind_ == Kind::PolygonLasso && hasHover_
                             ? hover_
                             : QPointF(poly.back().x, poly.back().y)),
                   t.map(QPointF(poly[0].x, poly[0].y)));
    }
    if (kind_ == Kind::PolygonLasso) {
        p.setPen(QPen(Qt::black, 1.0));
        p.setBrush(modeColor(mode_));
        for (const lb::PointD& v : poly)
            p.drawRect(QRectF(t.map(QPointF(v.x, v.y)) - QPointF(2.5, 2.5), QSizeF(5, 5)));
    }
    p.restore();
}

} // namespace lbui
