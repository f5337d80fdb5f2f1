// libFuzzer target: the mask operations on random sizes, grow values, crop multiples, aspect
// ratios and thread counts. growBinary is checked against a direct box dilation (prefix sums, so
// any g is cheap), growBinaryRegion against a full regrow, and noiseMaskForSize / prepareInpaint
// against their documented output sizes, value ranges and errors.
#include "FuzzSupport.h"

#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/Parallel.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace {

// The node's grow by definition: out(i, j) = 1 when any input in rows i-a..i+b and columns
// j-a..j+b is 1, with a = ceil((g-1)/2), b = g-1-a (clipped at the borders; g <= 1 = identity).
lb::BinaryMask referenceGrow(const lb::BinaryMask& m, int g) {
    if (g <= 1) return m;
    const int h = m.height, w = m.width;
    const int a = g / 2, b = g - 1 - g / 2;
    std::vector<std::int64_t> sum(std::size_t(h + 1) * (w + 1), 0);
    auto S = [&](int y, int x) -> std::int64_t& { return sum[std::size_t(y) * (w + 1) + x]; };
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            S(y + 1, x + 1) = S(y, x + 1) + S(y + 1, x) - S(y, x) + m.data[std::size_t(y) * w + x];
    lb::BinaryMask out = m;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const int y0 = std::max(0, y - a), y1 = std::min(h, y + b + 1);
            const int x0 = std::max(0, x - a), x1 = std::min(w, x + b + 1);
            out.data[std::size_t(y) * w + x] = (S(y1, x1) - S(y0, x1) - S(y1, x0) + S(y0, x0)) > 0;
        }
    return out;
}

float maskValue(FuzzedDataProvider& in, int style) {
    switch (style) {
    case 0:
        return in.ConsumeBool() ? 1.0f : 0.0f; // binary
    case 1:
        return float(in.ConsumeIntegral<std::uint8_t>()) / 255.0f; // 8-bit file
    case 2:
        return 0.5f; // ties
    case 3:
        return in.ConsumeProbability<float>(); // any in [0, 1]
    default: {                                 // anything at all
        const float specials[] = {-0.0f,
                                  -1.0f,
                                  1.0000001f,
                                  2.0f,
                                  std::numeric_limits<float>::quiet_NaN(),
                                  std::numeric_limits<float>::infinity(),
                                  std::numeric_limits<float>::denorm_min()};
        return in.ConsumeBool() ? in.PickValueInArray(specials) : in.ConsumeFloatingPoint<float>();
    }
    }
}

lb::MaskBuffer makeMask(FuzzedDataProvider& in, int h, int w, int style) {
    lb::MaskBuffer m;
    m.height = h;
    m.width = w;
    m.data.resize(std::size_t(h) * w);
    for (float& v : m.data)
        v = in.remaining_bytes() ? maskValue(in, style) : 0.0f;
    return m;
}

bool valid01(const lb::MaskBuffer& m) {
    for (float v : m.data)
        if (!(v >= 0.0f && v <= 1.0f)) return false;
    return true;
}

void checkBinary(const lb::BinaryMask& m, int h, int w, const char* what) {
    FUZZ_CHECK(m.height == h && m.width == w && m.data.size() == std::size_t(h) * w,
               "%s: %dx%d (%zu bytes), expected %dx%d", what, m.width, m.height, m.data.size(), w,
               h);
    for (std::uint8_t v : m.data)
        FUZZ_CHECK(v == 0 || v == 1, "%s: value %d", what, int(v));
}

void fuzzGrow(FuzzedDataProvider& in) {
    const int h = in.ConsumeIntegralInRange(1, 96), w = in.ConsumeIntegralInRange(1, 96);
    const int g = in.ConsumeBool() ? in.ConsumeIntegralInRange(0, 12)
                                   : in.ConsumeIntegralInRange(0, lb::kMaxGrow);
    lb::BinaryMask m;
    m.height = h;
    m.width = w;
    m.data.resize(std::size_t(h) * w);
    const int density = in.ConsumeIntegralInRange(0, 32);
    for (auto& v : m.data)
        v = in.ConsumeIntegralInRange(0, 255) < density;
    const lb::BinaryMask grown = lb::growBinary(m, g);
    checkBinary(grown, h, w, "growBinary");
    FUZZ_CHECK(grown.data == referenceGrow(m, g).data,
               "growBinary(%dx%d, g=%d) differs from the "
               "direct box dilation",
               w, h, g);

    // Incremental: change a rectangle (possibly reaching past the borders) and regrow it.
    lb::BinaryMask out = grown;
    lb::CropRect changed;
    changed.top = in.ConsumeIntegralInRange(-4, h);
    changed.left = in.ConsumeIntegralInRange(-4, w);
    changed.height = in.ConsumeIntegralInRange(0, h + 4);
    changed.width = in.ConsumeIntegralInRange(0, w + 4);
    lb::BinaryMask edited = m;
    for (int y = std::max(0, changed.top); y < std::min(h, changed.top + changed.height); ++y)
        for (int x = std::max(0, changed.left); x < std::min(w, changed.left + changed.width); ++x)
            edited.data[std::size_t(y) * w + x] = in.ConsumeIntegralInRange(0, 255) < density * 4;
    const lb::CropRect redone = lb::growBinaryRegion(edited, g, changed, out);
    FUZZ_CHECK(redone.top >= 0 && redone.left >= 0 && redone.height >= 0 && redone.width >= 0 &&
                   redone.top + redone.height <= h && redone.left + redone.width <= w,
               "growBinaryRegion returned a rectangle outside the mask");
    FUZZ_CHECK(out.data == lb::growBinary(edited, g).data,
               "growBinaryRegion(g=%d, rect %d,%d %dx%d) differs from a full grow", g, changed.top,
               changed.left, changed.width, changed.height);
}

void fuzzNoiseMask(FuzzedDataProvider& in) {
    const int mh = in.ConsumeIntegralInRange(0, 80), mw = in.ConsumeIntegralInRange(0, 80);
    const int ih = in.ConsumeIntegralInRange(-2, 160), iw = in.ConsumeIntegralInRange(-2, 160);
    const int g = in.ConsumeIntegralInRange(-2, lb::kMaxGrow + 2);
    const int multiple = in.ConsumeIntegralInRange(-1, 33);
    const lb::MaskBuffer mask = makeMask(in, mh, mw, in.ConsumeIntegralInRange(0, 4));
    lb::CropRect crop;
    auto r = lb::noiseMaskForSize(mask, ih, iw, g, multiple, &crop);
    const bool shouldWork = g >= 0 && g <= lb::kMaxGrow && multiple > 0 && ih >= multiple &&
                            iw >= multiple && !mask.empty() && valid01(mask);
    FUZZ_CHECK(r.ok() == shouldWork, "noiseMaskForSize(%dx%d mask, %dx%d, g=%d, d=%d): %s", mw, mh,
               iw, ih, g, multiple, r.ok() ? "accepted" : r.message().c_str());
    if (!r) {
        lbfuzz::checkOneLine(r.error(), "noiseMaskForSize");
        return;
    }
    checkBinary(*r, (ih / multiple) * multiple, (iw / multiple) * multiple, "noiseMaskForSize");
    FUZZ_CHECK(crop.top == (ih % multiple) / 2 && crop.left == (iw % multiple) / 2,
               "crop offset %d,%d", crop.top, crop.left);
}

void fuzzPrepare(FuzzedDataProvider& in) {
    lb::ImageBuffer image;
    image.height = in.ConsumeIntegralInRange(0, 72);
    image.width = in.ConsumeIntegralInRange(0, 72);
    image.channels = in.ConsumeIntegralInRange(0, 5);
    image.data.resize(image.pixelCount() * std::size_t(std::max(image.channels, 0)));
    const bool hostilePixels = in.ConsumeIntegralInRange(0, 7) == 0;
    for (float& v : image.data)
        v = hostilePixels ? maskValue(in, 4)
                          : (in.remaining_bytes() ? in.ConsumeProbability<float>() : 0.25f);
    const int mh = in.ConsumeIntegralInRange(0, 90), mw = in.ConsumeIntegralInRange(0, 90);
    const lb::MaskBuffer mask = makeMask(in, mh, mw, in.ConsumeIntegralInRange(0, 4));
    const int g = in.ConsumeIntegralInRange(0, 70);
    const int multiple = in.PickValueInArray({1, 4, 8, 16, 3});
    auto r = lb::prepareInpaint(image, mask, g, multiple);
    bool finite = true;
    for (float v : image.data)
        finite = finite && std::isfinite(v);
    const bool shouldWork = image.channels >= 1 && image.channels <= 4 &&
                            image.height >= multiple && image.width >= multiple && finite &&
                            valid01(mask);
    FUZZ_CHECK(r.ok() == shouldWork, "prepareInpaint(%dx%dx%d, %dx%d mask, g=%d, d=%d): %s",
               image.width, image.height, image.channels, mw, mh, g, multiple,
               r.ok() ? "accepted" : r.message().c_str());
    if (!r) {
        lbfuzz::checkOneLine(r.error(), "prepareInpaint");
        return;
    }
    const int X = (image.height / multiple) * multiple, Y = (image.width / multiple) * multiple;
    checkBinary(r->noiseMask, X, Y, "prepareInpaint noiseMask");
    FUZZ_CHECK(r->pixels.height == X && r->pixels.width == Y && r->pixels.channels == 3 &&
                   r->pixels.data.size() == std::size_t(X) * Y * 3,
               "pixels are %dx%dx%d", r->pixels.width, r->pixels.height, r->pixels.channels);
    FUZZ_CHECK(r->mask.height == X && r->mask.width == Y, "mask is %dx%d", r->mask.width,
               r->mask.height);
    for (std::size_t i = 0; i < r->mask.data.size(); ++i) {
        const float m = r->mask.data[i];
        // Bilinear weights are float products that may sum to 1 + ulp (as in PyTorch).
        FUZZ_CHECK(m >= 0.0f && m <= 1.0f + 1e-6f, "resized mask value %.9g outside 0..1",
                   double(m));
        for (int c = 0; c < 3; ++c) {
            const float p = r->pixels.data[3 * i + c];
            // Finite pixels outside 0..1 are accepted as they are (only non-finite is an error).
            FUZZ_CHECK(std::isfinite(p) && (hostilePixels || (p >= 0.0f && p <= 1.0f)),
                       "pixel value %g", double(p));
            if (m > 0.5f) FUZZ_CHECK(p == 0.5f, "a masked pixel is %g, not gray", double(p));
        }
        // The grown mask covers the un-grown one.
        if (m > 0.5f) FUZZ_CHECK(r->noiseMask.data[i] == 1, "grown mask misses a masked pixel");
    }
}

void fuzzResize(FuzzedDataProvider& in) {
    const int h = in.ConsumeIntegralInRange(1, 64), w = in.ConsumeIntegralInRange(1, 64);
    const lb::MaskBuffer m = makeMask(in, h, w, in.ConsumeIntegralInRange(0, 3));
    const int oh = in.ConsumeIntegralInRange(0, 200), ow = in.ConsumeIntegralInRange(0, 200);
    const lb::MaskBuffer r = lb::resizeBilinear(m, oh, ow);
    FUZZ_CHECK(r.height == oh && r.width == ow && r.data.size() == std::size_t(oh) * ow,
               "resize to %dx%d gave %dx%d", ow, oh, r.width, r.height);
    const auto [lo, hi] = std::minmax_element(m.data.begin(), m.data.end());
    for (float v : r.data)
        FUZZ_CHECK(std::isfinite(v) && v >= *lo - 1e-6f && v <= *hi + 1e-6f,
                   "bilinear value %g outside the input's range [%g, %g]", double(v), double(*lo),
                   double(*hi));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    lb::setCpuThreadCount(in.ConsumeIntegralInRange(1, 4)); // 1 = serial; more splits the rows
    switch (in.ConsumeIntegralInRange(0, 3)) {
    case 0:
        fuzzGrow(in);
        break;
    case 1:
        fuzzNoiseMask(in);
        break;
    case 2:
        fuzzPrepare(in);
        break;
    default:
        fuzzResize(in);
        break;
    }
    return 0;
}
