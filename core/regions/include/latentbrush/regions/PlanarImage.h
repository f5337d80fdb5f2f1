// A planar float image (C x H x W, one plane per channel): the layout the exact resizes work on,
// as PyTorch's [C,H,W] slice of an NCHW tensor. Conversions to and from the core's interleaved
// ImageBuffer.
#pragma once

#include "latentbrush/Buffers.h"

#include <cstddef>
#include <vector>

namespace lb::regions {

struct PlanarImage {
    int channels = 0;
    int height = 0;
    int width = 0;
    std::vector<float> data; // channels * height * width, plane after plane

    bool empty() const { return channels == 0 || height == 0 || width == 0; }
    std::size_t planeSize() const { return std::size_t(height) * std::size_t(width); }
    float* plane(int c) { return data.data() + std::size_t(c) * planeSize(); }
    const float* plane(int c) const { return data.data() + std::size_t(c) * planeSize(); }
};

PlanarImage toPlanar(const ImageBuffer& image);
ImageBuffer toInterleaved(const PlanarImage& image);

} // namespace lb::regions
