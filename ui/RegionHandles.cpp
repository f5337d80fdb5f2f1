// RegionHandles: hit testing, cursors and the drag rule of the manual region (RegionHandles.h).
#include "RegionHandles.h"

#include <algorithm>
#include <cmath>

namespace lbui::regionhandles {

namespace {

// A length `n` moved onto the multiples of `snap`: the nearest, at least snap, at most the
// largest multiple within `room`; where not even one multiple fits, all of `room`.
int snapLength(int n, int room, int snap) {
    if (snap <= 1) return std::clamp(n, 1, std::max(1, room));
    const int most = room / snap * snap;
    if (most < snap) return std::max(1, room);
    const int nearest = std::max(snap, int(std::lround(double(n) / snap)) * snap);
    return std::min(nearest, most);
}

// One axis of a drag: the edges [lo, hi) with the moving one(s) given by `moveLo` / `moveHi`.
void dragAxis(int& lo, int& hi, bool moveLo, bool moveHi, int delta, int size, int snap) {
    if (moveLo && moveHi) { // the whole rectangle
        const int len = hi - lo;
        lo = std::clamp(lo + delta, 0, size - len);
        hi = lo + len;
    } else if (moveLo) {
        const int l = std::clamp(lo + delta, 0, hi - 1);
        lo = hi - snapLength(hi - l, hi, snap);
    } else if (moveHi) {
        const int h = std::clamp(hi + delta, lo + 1, size);
        hi = lo + snapLength(h - lo, size - lo, snap);
    }
}

// One axis of a new rectangle from `anchor` to anchor + delta: the edge at the anchor stays.
void createAxis(int& lo, int& hi, int anchor, int delta, int size, int snap) {
    const int a = std::clamp(anchor, 0, size);
    if (delta >= 0 && a < size) {
        lo = a;
        hi = lo + snapLength(std::max(1, delta), size - lo, snap);
    } else {
        hi = std::max(1, a);
        lo = hi - snapLength(std::max(1, -delta), hi, snap);
    }
}

} // namespace

Part hit(const QRectF& r, QPointF p) {
    if (r.isEmpty()) return Part::None;
    const bool nearL = std::abs(p.x() - r.left()) <= kGrab;
    const bool nearR = std::abs(p.x() - r.right()) <= kGrab;
    const bool nearT = std::abs(p.y() - r.top()) <= kGrab;
    const bool nearB = std::abs(p.y() - r.bottom()) <= kGrab;
    const bool inX = p.x() >= r.left() - kGrab && p.x() <= r.right() + kGrab;
    const bool inY = p.y() >= r.top() - kGrab && p.y() <= r.bottom() + kGrab;
    if (nearT && nearL) return Part::TopLeft;
    if (nearT && nearR) return Part::TopRight;
    if (nearB && nearL) return Part::BottomLeft;
    if (nearB && nearR) return Part::BottomRight;
    if (nearL && inY) return Part::Left;
    if (nearR && inY) return Part::Right;
    if (nearT && inX) return Part::Top;
    if (nearB && inX) return Part::Bottom;
    if (r.contains(p)) return Part::Move;
    return Part::None;
}

Qt::CursorShape cursorFor(Part part) {
    switch (part) {
    case Part::None:
        return Qt::CrossCursor;
    case Part::Move:
        return Qt::SizeAllCursor;
    case Part::Left:
    case Part::Right:
        return Qt::SizeHorCursor;
    case Part::Top:
    case Part::Bottom:
        return Qt::SizeVerCursor;
    case Part::TopLeft:
    case Part::BottomRight:
        return Qt::SizeFDiagCursor;
    case Part::TopRight:
    case Part::BottomLeft:
        return Qt::SizeBDiagCursor;
    }
    return Qt::ArrowCursor;
}

QList<QRectF> handleSquares(const QRectF& r) {
    const double h = kHandleHalf;
    const QPointF c = r.center();
    QList<QRectF> out;
    for (const QPointF& p :
         {r.topLeft(), QPointF(c.x(), r.top()), r.topRight(), QPointF(r.right(), c.y()),
          r.bottomRight(), QPointF(c.x(), r.bottom()), r.bottomLeft(), QPointF(r.left(), c.y())})
        out.append(QRectF(p.x() - h, p.y() - h, 2 * h, 2 * h));
    return out;
}

QRect dragged(const QRect& start, Part part, QPoint delta, QPoint anchor, QSize image, int snap) {
    const int W = std::max(1, image.width()), H = std::max(1, image.height());
    if (part == Part::None) {
        // A new rectangle from the anchor, growing towards the pointer.
        int l = 0, r = 0, t = 0, b = 0;
        createAxis(l, r, anchor.x(), delta.x(), W, snap);
        createAxis(t, b, anchor.y(), delta.y(), H, snap);
        return QRect(l, t, r - l, b - t);
    }
    // The start rectangle, kept inside the image.
    int l = std::clamp(start.left(), 0, W - 1), t = std::clamp(start.top(), 0, H - 1);
    int r = std::clamp(start.left() + start.width(), l + 1, W);
    int b = std::clamp(start.top() + start.height(), t + 1, H);
    const bool move = part == Part::Move;
    const bool left =
        move || part == Part::Left || part == Part::TopLeft || part == Part::BottomLeft;
    const bool right =
        move || part == Part::Right || part == Part::TopRight || part == Part::BottomRight;
    const bool top = move || part == Part::Top || part == Part::TopLeft || part == Part::TopRight;
    const bool bottom =
        move || part == Part::Bottom || part == Part::BottomLeft || part == Part::BottomRight;
    dragAxis(l, r, left, right, delta.x(), W, move ? 1 : snap);
    dragAxis(t, b, top, bottom, delta.y(), H, move ? 1 : snap);
    return QRect(l, t, r - l, b - t);
}

} // namespace lbui::regionhandles
