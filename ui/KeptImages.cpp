// KeptImages: the round trip's buffers as the 8-bit images KeptView paints; the heat map's
// colour ramp lives here so that the worker and the view use the same one.
#include "KeptImages.h"

#include "DocumentLoader.h"

#include "latentbrush/Parallel.h"

#include <QColor>

#include <algorithm>
#include <cmath>

namespace lbui {

QRgb keptHeatColour(float difference) {
    // Black, violet, orange, yellow, white: an inferno-like ramp that stays readable on the
    // dark theme and in greyscale.
    static const QColor stops[] = {QColor(0, 0, 4), QColor(120, 28, 109), QColor(237, 105, 37),
                                   QColor(252, 255, 164), QColor(255, 255, 255)};
    const float t = std::clamp(difference / kKeptHeatRange, 0.0f, 1.0f) * 4.0f;
    const int i = std::min(int(t), 3);
    const float f = t - float(i);
    const QColor& a = stops[i];
    const QColor& b = stops[i + 1];
    return qRgb(int(std::lround(a.red() + (b.red() - a.red()) * f)),
                int(std::lround(a.green() + (b.green() - a.green()) * f)),
                int(std::lround(a.blue() + (b.blue() - a.blue()) * f)));
}

KeptImages makeKeptImages(const lb::RoundTrip& trip) {
    KeptImages out;
    out.original = toDisplayImage(trip.original);
    out.decoded = toDisplayImage(trip.decoded);
    const lb::MaskBuffer& d = trip.difference;
    out.difference = QImage(d.width, d.height, QImage::Format_RGB32);
    if (out.difference.isNull()) return out;
    lb::parallelFor(0, d.height, 16, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const float* src = d.row(int(y));
            auto* line = reinterpret_cast<QRgb*>(out.difference.scanLine(int(y)));
            for (int x = 0; x < d.width; ++x)
                line[x] = keptHeatColour(src[x]);
        }
    });
    return out;
}

} // namespace lbui
