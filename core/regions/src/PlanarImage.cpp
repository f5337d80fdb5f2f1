// Conversions between the core's interleaved ImageBuffer and the planar layout of the resizes.
#include "latentbrush/regions/PlanarImage.h"

namespace lb::regions {

PlanarImage toPlanar(const ImageBuffer& image) {
    PlanarImage out;
    out.channels = image.channels;
    out.height = image.height;
    out.width = image.width;
    out.data.resize(std::size_t(out.channels) * out.planeSize());
    const std::size_t n = out.planeSize();
    for (int c = 0; c < out.channels; ++c) {
        float* dst = out.plane(c);
        for (std::size_t i = 0; i < n; ++i)
            dst[i] = image.data[i * std::size_t(out.channels) + c];
    }
    return out;
}

ImageBuffer toInterleaved(const PlanarImage& image) {
    ImageBuffer out;
    out.channels = image.channels;
    out.height = image.height;
    out.width = image.width;
    out.data.resize(std::size_t(out.channels) * image.planeSize());
    const std::size_t n = image.planeSize();
    for (int c = 0; c < out.channels; ++c) {
        const float* src = image.plane(c);
        for (std::size_t i = 0; i < n; ++i)
            out.data[i * std::size_t(out.channels) + c] = src[i];
    }
    return out;
}

} // namespace lb::regions
