// MaskTool: the canvas tools (the brush, shapes, lassos, flood fill, select by color): pointer
// input in image coordinates, the cursor and an outline drawn over the canvas, and the
// add / subtract / replace combination every selection tool shares.
#pragma once

#include "MaskRegionCommand.h"

#include "latentbrush/MaskTools.h"

#include <QObject>
#include <QPointF>
#include <QRect>
#include <QRectF>
#include <QString>

#include <vector>

class QKeyEvent;
class QPainter;
class QTransform;

namespace lbui {

class MaskDocument;
class MaskEditCommand;

// How a tool's shape or region changes the mask: Add (default), Subtract (Alt or the right
// button), Replace (Shift: the mask becomes the shape alone).
enum class MaskCombine { Add, Subtract, Replace };
MaskCombine combineFor(Qt::MouseButton button, Qt::KeyboardModifiers modifiers);
QString combineName(MaskCombine mode); // "add", "subtract", "replace"

// The new value of a pixel holding `before` under coverage c (0..1): Add moves it towards 1
// and Subtract towards 0 by c, as a brush dab of opacity c does; Replace gives c.
inline float combineValue(float before, float c, MaskCombine mode) {
    switch (mode) {
    case MaskCombine::Add:
        return c >= 1.0f ? 1.0f : (c <= 0.0f ? before : before + (1.0f - before) * c);
    case MaskCombine::Subtract:
        return c >= 1.0f ? 0.0f : (c <= 0.0f ? before : before - before * c);
    case MaskCombine::Replace:
        break;
    }
    return c;
}

// The bounding box of the nonzero pixels of the document's mask (empty when all zero).
QRect nonzeroBounds(const MaskDocument* doc);

// One application of a tool: the before and after pixels of the smallest rectangle it can
// change. `live` (optional) is a previous application of the same gesture still on top of the
// undo stack: its before pixels are the base, so that re-applying with new options replaces it.
// `buffers` (optional) lends its vectors' memory to the result (live re-applications at
// 4096 x 4096 then allocate nothing).
MaskRegion makeToolEdit(MaskDocument* doc, const lb::Coverage& coverage, MaskCombine mode,
                        const MaskEditCommand* live = nullptr, MaskRegion* buffers = nullptr);
MaskRegion makeToolEdit(MaskDocument* doc, const lb::Region& region, MaskCombine mode,
                        const MaskEditCommand* live = nullptr, MaskRegion* buffers = nullptr);

// Pushes `edit` as one undo command labelled `label`; returns the command (owned by the undo
// stack) or null when nothing changed.
MaskEditCommand* pushToolEdit(MaskDocument* doc, const QString& label, MaskRegion edit);

class MaskTool : public QObject {
    Q_OBJECT
public:
    MaskTool(MaskDocument* doc, const QString& settingsKey, QObject* parent = nullptr);

    MaskDocument* document() const { return doc_; }
    // The QSettings group of this tool's options ("tools/<name>"; the brush's: "brush").
    QString settingsKey() const { return settingsKey_; }

    // Input in image coordinates (pixel (x, y) covers [x, x+1) x [y, y+1)); `pressure` is the
    // pen's, 0..1 (1 for a mouse). The canvas sends press and release for the left and right
    // buttons only (one button at a time), and every move, held button or not.
    virtual void press(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods,
                       double pressure) = 0;
    virtual void move(QPointF pos, Qt::KeyboardModifiers mods, double pressure) {
        (void)pos;
        (void)mods;
        (void)pressure;
    }
    virtual void release(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods) {
        (void)pos;
        (void)button;
        (void)mods;
    }
    // Whether a double-click goes to doubleClick() (with no release after it); if not, the
    // canvas treats it as one more press (and release).
    virtual bool wantsDoubleClick() const { return true; }
    virtual void doubleClick(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods) {
        press(pos, button, mods, 1.0);
    }
    // Keys while the tool has work in progress (Escape, Return, Backspace); true when used.
    virtual bool wantsKey(int key) const {
        (void)key;
        return false;
    }
    virtual void keyPress(QKeyEvent* event) { (void)event; }
    // Drops any shape in progress.
    virtual void cancel() {}
    virtual bool isBusy() const { return false; }
    // Called when the tool stops being the active one.
    virtual void deactivate() { cancel(); }

    // The in-progress outline, drawn in widget coordinates through `imageToWidget`.
    virtual void paintOverlay(QPainter& painter, const QTransform& imageToWidget) const {
        (void)painter;
        (void)imageToWidget;
    }
    // Image-coordinate bounds of what paintOverlay draws (empty: nothing).
    virtual QRectF overlayBounds() const { return {}; }

    // The pointer over the canvas: the system cursor's shape, and what the tool draws itself
    // at widget position `at` (`zoom`: widget pixels per image pixel; `held`: the button held
    // on the canvas, Qt::NoButton if none) inside cursorBounds().
    virtual Qt::CursorShape cursorShape() const { return Qt::CrossCursor; }
    virtual void paintCursor(QPainter& painter, QPointF at, double zoom,
                             Qt::MouseButton held) const {
        (void)painter;
        (void)at;
        (void)zoom;
        (void)held;
    }
    virtual QRect cursorBounds(QPointF at, double zoom) const {
        (void)at;
        (void)zoom;
        return {};
    }

signals:
    void overlayChanged(); // the outline moved: repaint the old and new overlayBounds()
    void cursorChanged();  // what paintCursor draws changed (a brush size)
    void optionsChanged();
    void applied(const QRect& rect); // an application changed the mask inside rect

protected:
    MaskDocument* doc_;
    QString settingsKey_;
};

} // namespace lbui
