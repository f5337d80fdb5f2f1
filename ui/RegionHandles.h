// RegionHandles: the geometry of editing the manual region on the canvas, apart from the widget:
// which part of the rectangle a pointer is over (8 handles, the inside, or outside), the cursor
// that says so, the 8 handle squares to draw, and the rectangle a drag gives (clamped to the
// image, its size snapped to the VAE's multiple when the planning requires one). Pure functions,
// so that the canvas stays a view and the rules can be read in one place.
#pragma once

#include <QList>
#include <QPoint>
#include <QPointF>
#include <QRect>
#include <QRectF>
#include <QSize>
#include <Qt>

namespace lbui::regionhandles {

enum class Part {
    None, // outside: a drag draws a new rectangle
    Move, // inside: a drag moves the rectangle
    Left,
    Right,
    Top,
    Bottom,
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
};

// Half the side of a drawn handle square, and how far from an edge or handle a pointer still
// takes it (widget pixels).
constexpr double kHandleHalf = 4.0;
constexpr double kGrab = 6.0;

// The part of `onWidget` (the rectangle in widget coordinates) under `pos`.
Part hit(const QRectF& onWidget, QPointF pos);
Qt::CursorShape cursorFor(Part part);
// The 8 handle squares of `onWidget`, in widget coordinates.
QList<QRectF> handleSquares(const QRectF& onWidget);

// The rectangle after dragging `part` of `start` by `delta` image pixels (for Part::None, a new
// rectangle from `anchor` to anchor + delta), inside an image of `image` size. With snap > 1
// the width and height become multiples of snap (the nearest, at least snap, at most what fits
// beside the edge that stays), keeping the opposite edge in place.
QRect dragged(const QRect& start, Part part, QPoint delta, QPoint anchor, QSize image, int snap);

} // namespace lbui::regionhandles
