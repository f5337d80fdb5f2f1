// KeptImages: the live view's three pictures (original, decoded, heat map of the difference)
// built from a round trip. Built on the live view's worker, so that a large photo's result
// arrives ready to paint instead of being converted on the GUI thread.
#pragma once

#include "latentbrush/RoundTrip.h"

#include <QImage>

namespace lbui {

struct KeptImages {
    QImage original;   // the crop of the image, 8-bit
    QImage decoded;    // the VAE's decode, 8-bit
    QImage difference; // |decoded - original| through keptHeatColour
};

// |decoded - original| of 0 .. kKeptHeatRange maps onto the heat map's colours.
inline constexpr float kKeptHeatRange = 0.25f;
QRgb keptHeatColour(float difference);

// Thread-safe; the images equal toDisplayImage of each buffer and the heat map of `difference`.
KeptImages makeKeptImages(const lb::RoundTrip& trip);

} // namespace lbui
