// Plain CPU buffers shared by the core, the CLI and the editor: images (H x W x C float),
// masks (H x W float) and binary masks (H x W bytes of 0/1). Row-major, tightly packed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lb {

// An image as ComfyUI's IMAGE tensor holds it: float32 in 0..1, channels interleaved.
struct ImageBuffer {
    int height = 0;
    int width = 0;
    int channels = 0;
    std::vector<float> data; // height * width * channels

    bool empty() const { return height == 0 || width == 0; }
    std::size_t pixelCount() const { return std::size_t(height) * std::size_t(width); }
    float* row(int y) { return data.data() + std::size_t(y) * width * channels; }
    const float* row(int y) const { return data.data() + std::size_t(y) * width * channels; }
};

// A soft mask as ComfyUI's MASK tensor holds it: float32 in 0..1, 1 = regenerate.
struct MaskBuffer {
    int height = 0;
    int width = 0;
    std::vector<float> data; // height * width

    bool empty() const { return height == 0 || width == 0; }
    float* row(int y) { return data.data() + std::size_t(y) * width; }
    const float* row(int y) const { return data.data() + std::size_t(y) * width; }
};

// A binary mask: each byte is 0 or 1.
struct BinaryMask {
    int height = 0;
    int width = 0;
    std::vector<std::uint8_t> data; // height * width

    bool empty() const { return height == 0 || width == 0; }
    std::uint8_t* row(int y) { return data.data() + std::size_t(y) * width; }
    const std::uint8_t* row(int y) const { return data.data() + std::size_t(y) * width; }
};

// A latent as the .latent file holds it: float32 [B, C, h, w].
struct LatentBuffer {
    std::vector<std::int64_t> shape; // {B, C, h, w}
    std::vector<float> data;
};

} // namespace lb
