// MaskTool: the canvas tools other than the brush (shapes, lassos, flood fill, select by
// color): pointer input in image coordinates, an outline drawn over the canvas while a shape is
// in progress, and the add / subtract / replace combination every selection tool shares.
#pragma once

#include "latentbrush/MaskTools.h"

#include <QObject>
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
struct ToolEdit {
    QRect rect;
    std::vector<float> before;
    std::vector<float> after;
};
// `buffers` (optional) lends its vectors' memory to the result (live re-applications at
// 4096 x 4096 then allocate nothing).
ToolEdit makeToolEdit(MaskDocument* doc, const lb::Coverage& coverage, MaskCombine mode,
                      const MaskEditCommand* live = nullptr, ToolEdit* buffers = nullptr);
ToolEdit makeToolEdit(MaskDocument* doc, const lb::Region& region, MaskCombine mode,
                      const MaskEditCommand* live = nullptr, ToolEdit* buffers = nullptr);

// Pushes `edit` as one undo command labelled `label`; returns the command (owned by the undo
// stack) or null when nothing changed.
MaskEditCommand* pushToolEdit(MaskDocument* doc, const QString& label, ToolEdit edit);

class MaskTool : public QObject {
    Q_OBJECT
public:
    MaskTool(MaskDocument* doc, const QString& settingsKey, QObject* parent = nullptr);

    MaskDocument* document() const { return doc_; }
    // The QSettings group of this tool's options ("tools/<name>").
    QString settingsKey() const { return settingsKey_; }

    // Input in image coordinates (pixel (x, y) covers [x, x+1) x [y, y+1)).
    virtual void press(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods) = 0;
    virtual void move(QPointF pos, Qt::KeyboardModifiers mods) {
        (void)pos;
        (void)mods;
    }
    virtual void release(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods) {
        (void)pos;
        (void)button;
        (void)mods;
    }
    virtual void doubleClick(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods) {
        press(pos, button, mods);
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

signals:
    void overlayChanged(); // the outline moved: repaint the old and new overlayBounds()
    void optionsChanged();
    void applied(const QRect& rect); // an application changed the mask inside rect

protected:
    MaskDocument* doc_;
    QString settingsKey_;
};

} // namespace lbui
