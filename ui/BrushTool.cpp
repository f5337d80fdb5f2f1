// BrushTool: round brush strokes as capsules between input points (exact discs for a hard
// brush), coverage kept as the maximum over the stroke so overlapping segments do not build up.
#include "BrushTool.h"

#include "MaskDocument.h"
#include "PaintStrokeCommand.h"
#include "StrokeBuffer.h"

#include <QPainter>
#include <QUndoStack>

#include <algorithm>
#include <cmath>

namespace lbui {

BrushTool::BrushTool(MaskDocument* doc, QObject* parent)
    : MaskTool(doc, QStringLiteral("brush"), parent) {
    // Anything else that moves the history (undo during a drag) ends the stroke.
    connect(doc_->undoStack(), &QUndoStack::indexChanged, this, [this] {
        if (!pushing_ && stroke_) abandonStroke();
    });
    connect(doc_, &MaskDocument::imageChanged, this, [this] {
        if (stroke_) abandonStroke();
        stroke_.reset();
        command_ = nullptr;
        hasLast_ = false;
    });
}

void BrushTool::setSettings(const BrushSettings& s) {
    settings_.size = std::clamp(s.size, kMinSize, kMaxSize);
    settings_.hardness = std::clamp(s.hardness, 0.0, 1.0);
    settings_.opacity = std::clamp(s.opacity, 0.0, 1.0);
    emit settingsChanged();
    emit cursorChanged();
}

void BrushTool::setSize(double size) {
    BrushSettings s = settings_;
    s.size = size;
    setSettings(s);
}

void BrushTool::setHardness(double hardness) {
    BrushSettings s = settings_;
    s.hardness = hardness;
    setSettings(s);
}

void BrushTool::setOpacity(double opacity) {
    BrushSettings s = settings_;
    s.opacity = opacity;
    setSettings(s);
}

void BrushTool::growSize() {
    setSize(std::max(settings_.size + 1.0, std::round(settings_.size * 1.15)));
}
void BrushTool::shrinkSize() {
    setSize(std::min(settings_.size - 1.0, std::round(settings_.size / 1.15)));
}

void BrushTool::setMode(Mode mode) {
    if (mode_ == mode) return;
    mode_ = mode;
    emit modeChanged(mode);
}

double BrushTool::coverageAt(double d2, double radius, double hardness) {
    if (radius <= 0.0 || d2 > radius * radius) return 0.0;
    if (hardness >= 1.0) return 1.0;
    const double d = std::sqrt(d2);
    const double inner = hardness * radius;
    if (d <= inner) return 1.0;
    const double t = (d - inner) / (radius - inner);
    return 1.0 - t * t * (3.0 - 2.0 * t);
}

double BrushTool::radiusFor(double pressure) const {
    return 0.5 * settings_.size * std::clamp(pressure, 0.0, 1.0);
}

void BrushTool::beginStroke(QPointF pos, double pressure, bool erase, bool lineFromLast) {
    if (stroke_) endStroke();
    if (!doc_->hasImage()) return;
    stroke_ = std::make_shared<StrokeBuffer>(doc_);
    command_ = nullptr;
    erasing_ = erase || mode_ == Mode::Erase;
    const bool line = lineFromLast && hasLast_;
    label_ = line ? (erasing_ ? tr("Erase line") : tr("Straight line"))
                  : (erasing_ ? tr("Eraser stroke") : tr("Brush stroke"));
    if (line)
        paintSegment(last_, lastPressure_, pos, pressure);
    else
        paintSegment(pos, pressure, pos, pressure);
    last_ = pos;
    lastPressure_ = pressure;
    hasLast_ = true;
}

void BrushTool::continueStroke(QPointF pos, double pressure) {
    if (!stroke_) return;
    paintSegment(last_, lastPressure_, pos, pressure);
    last_ = pos;
    lastPressure_ = pressure;
}

void BrushTool::endStroke() {
    if (!stroke_) return;
    QUndoStack* stack = doc_->undoStack();
    if (command_ && stack->index() > 0 && stack->command(stack->index() - 1) == command_)
        command_->finish();
    stroke_.reset();
    command_ = nullptr;
}

void BrushTool::abandonStroke() {
    // The stroke's command (if still in the stack) finishes itself from the document's state.
    stroke_.reset();
    command_ = nullptr;
}

void BrushTool::press(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods,
                      double pressure) {
    pressed_ = true;
    beginStroke(pos, pressure, button == Qt::RightButton, mods.testFlag(Qt::ShiftModifier));
}

void BrushTool::move(QPointF pos, Qt::KeyboardModifiers mods, double pressure) {
    (void)mods;
    if (pressed_) continueStroke(pos, pressure);
}

void BrushTool::release(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods) {
    (void)pos;
    (void)button;
    (void)mods;
    pressed_ = false;
    endStroke();
}

void BrushTool::deactivate() {
    if (!pressed_) return;
    pressed_ = false;
    endStroke();
}

void BrushTool::paintCursor(QPainter& p, QPointF at, double zoom, Qt::MouseButton held) const {
    const double r = std::max(1.5, radiusFor(1.0) * zoom);
    const bool erase = mode_ == Mode::Erase || held == Qt::RightButton;
    p.setBrush(Qt::NoBrush);
    p.setPen(QPen(QColor(0, 0, 0, 170), 3.0));
    p.drawEllipse(at, r, r);
    p.setPen(QPen(erase ? QColor(255, 255, 255) : QColor(255, 240, 120), 1.2,
                  erase ? Qt::DashLine : Qt::SolidLine));
    p.drawEllipse(at, r, r);
    p.setPen(QPen(QColor(255, 255, 255, 200), 1.0));
    p.drawLine(at - QPointF(3, 0), at + QPointF(3, 0));
    p.drawLine(at - QPointF(0, 3), at + QPointF(0, 3));
}

QRect BrushTool::cursorBounds(QPointF at, double zoom) const {
    const double r = radiusFor(1.0) * zoom + 3.0;
    return QRectF(at.x() - r, at.y() - r, 2 * r, 2 * r).toAlignedRect().adjusted(-2, -2, 2, 2);
}

void BrushTool::paintSegment(QPointF a, double pa, QPointF b, double pb) {
    const double ra = radiusFor(pa), rb = radiusFor(pb);
    const double rmax = std::max(ra, rb);
    if (rmax <= 0.0) return;
    const QRect box = QRectF(QPointF(std::min(a.x(), b.x()) - rmax, std::min(a.y(), b.y()) - rmax),
                             QPointF(std::max(a.x(), b.x()) + rmax, std::max(a.y(), b.y()) + rmax))
                          .toAlignedRect()
                          .adjusted(-1, -1, 1, 1) &
                      doc_->bounds();
    if (box.isEmpty()) return;
    stroke_->touch(box);

    const double dx = b.x() - a.x(), dy = b.y() - a.y();
    const double len2 = dx * dx + dy * dy;
    const double hardness = settings_.hardness, opacity = settings_.opacity;
    const float target = erasing_ ? 0.0f : 1.0f;
    int top = box.bottom() + 1, bottom = -1, left = box.right() + 1, right = -1;
    for (int y = box.top(); y <= box.bottom(); ++y) {
        float* row = doc_->maskRow(y);
        const double py = y + 0.5;
        for (int x = box.left(); x <= box.right(); ++x) {
            const double px = x + 0.5;
            double t = 0.0;
            if (len2 > 0.0)
                t = std::clamp(((px - a.x()) * dx + (py - a.y()) * dy) / len2, 0.0, 1.0);
            const double cx = a.x() + t * dx - px, cy = a.y() + t * dy - py;
            const double r = ra + (rb - ra) * t;
            const double c = opacity * coverageAt(cx * cx + cy * cy, r, hardness);
            if (c <= 0.0) continue;
            float& cov = stroke_->coverage(x, y);
            if (float(c) <= cov) continue;
            cov = float(c);
            const float before = stroke_->before(x, y);
            const float value = cov >= 1.0f ? target : before + (target - before) * cov;
            if (value == row[x]) continue;
            row[x] = value;
            top = std::min(top, y);
            bottom = std::max(bottom, y);
            left = std::min(left, x);
            right = std::max(right, x);
        }
    }
    if (bottom < 0) return; // nothing changed
    const QRect dirty(QPoint(left, top), QPoint(right, bottom));
    doc_->notifyMaskChanged(dirty);
    auto* segment = new PaintStrokeCommand(stroke_, dirty, label_);
    pushing_ = true;
    if (!command_) command_ = segment;
    doc_->undoStack()->push(segment); // merges into command_ after the first segment
    pushing_ = false;
}

} // namespace lbui
