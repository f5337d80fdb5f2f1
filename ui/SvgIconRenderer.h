// SvgIconRenderer: draws the project's own SVG icons (paths, circles, ellipses, rects, lines,
// polylines; fill/stroke/opacity/dash attributes) with QPainter, so no SVG plugin is needed.
#pragma once

#include <QByteArray>
#include <QColor>
#include <QIcon>
#include <QImage>
#include <QString>

namespace lbui {

class SvgIconRenderer {
public:
    // Renders `svg` into a transparent square image of `size` pixels; "currentColor" is `color`.
    static QImage render(const QByteArray& svg, int size, const QColor& color);
};

// The icon named `name` from :/icons/<name>.svg, in the palette's text color (dimmed when
// disabled). Cached per name and color.
QIcon themeIcon(const QString& name);
// The application icon (:/icons/latentbrush.svg, its own colors).
QIcon appIcon();

} // namespace lbui
