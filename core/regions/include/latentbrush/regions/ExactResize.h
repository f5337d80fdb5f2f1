// The four resizes ComfyUI's ImageScale runs (comfy.utils.common_upscale -> F.interpolate), with
// PyTorch 1.13's CPU semantics on float32: area (adaptive average pooling), bicubic (A = -0.75,
// align_corners=False, not clamped), bilinear (align_corners=False) and nearest-exact; none
// antialiased. Multi-threaded over output rows (Parallel.h). Measured against
// /usr/bin/python3's torch.nn.functional.interpolate by tests/core/tst_region_resize.cpp.
#pragma once

#include "latentbrush/regions/PlanarImage.h"

#include <optional>
#include <string>

namespace lb::regions {

enum class ResizeMethod { Area, Bicubic, Bilinear, NearestExact };

// "area", "bicubic", "bilinear", "nearest-exact" (the names of F.interpolate and ImageScale).
const char* resizeMethodName(ResizeMethod m);
std::optional<ResizeMethod> parseResizeMethod(const std::string& name);

// Each plane resized to outHeight x outWidth (both >= 1). The same size returns a copy.
PlanarImage resizeExact(const PlanarImage& src, int outHeight, int outWidth, ResizeMethod method);

} // namespace lb::regions
