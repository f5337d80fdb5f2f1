// Region planning: the rules are listed in RegionPlan.h.
#include "latentbrush/regions/RegionPlan.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

namespace lb::regions {
namespace {

// A box as half-open bounds, coordinates may lie outside the image while planning.
struct Box {
    std::int64_t x0, y0, x1, y1;
    std::int64_t w() const { return x1 - x0; }
    std::int64_t h() const { return y1 - y0; }
};

Box toBox(const RegionRect& r) {
    return {r.x, r.y, std::int64_t(r.x) + r.w, std::int64_t(r.y) + r.h};
}

std::int64_t roundUpTo(std::int64_t v, int d) {
    return ((v + d - 1) / d) * d;
}
std::int64_t nearestMultiple(double v, int d) {
    const std::int64_t m = std::llround(v / d) * d;
    return std::max<std::int64_t>(d, m);
}

std::int64_t contextPixels(const ContextSpec& c, const Box& box) {
    if (!c.percent) return c.amount;
    const double larger = double(std::max(box.w(), box.h()));
    std::int64_t px = std::llround(larger * c.amount / 100.0);
    if (c.isDefault) px = std::max<std::int64_t>(px, 32);
    return px;
}

Box withContext(const Box& b, std::int64_t c) {
    return {b.x0 - c, b.y0 - c, b.x1 + c, b.y1 + c};
}

// Places a w x h rectangle centred on `around` and shifts it inside the image; w, h <= image.
RegionRect place(const Box& around, std::int64_t w, std::int64_t h, int imageW, int imageH) {
    auto axis = [](std::int64_t a0, std::int64_t a1, std::int64_t len, int size) {
        std::int64_t start = (a0 + a1 - len);
        start = start >= 0 ? start / 2 : -((-start + 1) / 2); // floor((a0 + a1 - len) / 2)
        return std::clamp<std::int64_t>(start, 0, size - len);
    };
    RegionRect r;
    r.w = int(w);
    r.h = int(h);
    r.x = int(axis(around.x0, around.x1, w, imageW));
    r.y = int(axis(around.y0, around.y1, h, imageH));
    return r;
}

// The no-scaling size of a box: the next multiples of d, or the largest that fits the image.
std::int64_t unscaledSide(std::int64_t len, int d, int imageLen) {
    return std::min<std::int64_t>(roundUpTo(std::max<std::int64_t>(len, 1), d), (imageLen / d) * d);
}

// A box widened (never narrowed) on its short side to the aspect sw:sh, clipped to the image.
RegionRect fitToAspect(const Box& ctx, int sw, int sh, int imageW, int imageH) {
    std::int64_t w = ctx.w(), h = ctx.h();
    if (w * sh > h * sw)
        h = std::max<std::int64_t>(h, std::llround(double(w) * sh / sw));
    else
        w = std::max<std::int64_t>(w, std::llround(double(h) * sw / sh));
    w = std::min<std::int64_t>(w, imageW);
    h = std::min<std::int64_t>(h, imageH);
    return place(ctx, w, h, imageW, imageH);
}

std::string sizeText(std::int64_t w, std::int64_t h) {
    return std::to_string(w) + "x" + std::to_string(h);
}

// Context box of a mask box, its size clipped to the image.
Box contextBox(const Box& maskBox, const ContextSpec& spec, int imageW, int imageH) {
    Box c = withContext(maskBox, contextPixels(spec, maskBox));
    if (c.w() > imageW) c.x0 = 0, c.x1 = imageW;
    if (c.h() > imageH) c.y0 = 0, c.y1 = imageH;
    return c;
}

bool overlap(const Box& a, const Box& b) {
    return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

// (W', H') of one auto region from its context box.
std::pair<int, int> scaledSizeFor(const TargetSpec& t, const Box& ctx, int d, int imageW,
                                  int imageH) {
    switch (t.kind) {
    case TargetSpec::Kind::Size:
        return {t.width, t.height};
    case TargetSpec::Kind::Area: {
        const double a = double(ctx.w()) / double(ctx.h());
        return {int(nearestMultiple(std::sqrt(double(t.area) * a), d)),
                int(nearestMultiple(std::sqrt(double(t.area) / a), d))};
    }
    case TargetSpec::Kind::None:
        break;
    }
    return {int(unscaledSide(ctx.w(), d, imageW)), int(unscaledSide(ctx.h(), d, imageH))};
}

} // namespace

std::optional<RegionRect> maskBoundingBox(const BinaryMask& mask) {
    int x0 = mask.width, y0 = mask.height, x1 = -1, y1 = -1;
    for (int y = 0; y < mask.height; ++y) {
        const std::uint8_t* r = mask.row(y);
        int first = -1, last = -1;
        for (int x = 0; x < mask.width; ++x)
            if (r[x]) {
                if (first < 0) first = x;
                last = x;
            }
        if (first < 0) continue;
        y0 = std::min(y0, y);
        y1 = y;
        x0 = std::min(x0, first);
        x1 = std::max(x1, last);
    }
    if (x1 < 0) return std::nullopt;
    return RegionRect{x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

std::vector<RegionRect> componentBoxes(const BinaryMask& mask) {
    const int W = mask.width, H = mask.height;
    std::vector<std::int32_t> label(std::size_t(W) * H, -1);
    std::vector<RegionRect> boxes;
    std::vector<std::int64_t> stack;
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) {
            const std::size_t start = std::size_t(y) * W + x;
            if (!mask.data[start] || label[start] >= 0) continue;
            const std::int32_t id = std::int32_t(boxes.size());
            int bx0 = x, by0 = y, bx1 = x, by1 = y;
            label[start] = id;
            stack.assign(1, std::int64_t(start));
            while (!stack.empty()) {
                const std::int64_t p = stack.back();
                stack.pop_back();
                const int py = int(p / W), px = int(p % W);
                bx0 = std::min(bx0, px), bx1 = std::max(bx1, px);
                by0 = std::min(by0, py), by1 = std::max(by1, py);
                for (int dy = -1; dy <= 1; ++dy)
                    for (int dx = -1; dx <= 1; ++dx) {
                        const int qy = py + dy, qx = px + dx;
                        if (qy < 0 || qy >= H || qx < 0 || qx >= W) continue;
                        const std::size_t q = std::size_t(qy) * W + qx;
                        if (mask.data[q] && label[q] < 0) {
                            label[q] = id;
                            stack.push_back(std::int64_t(q));
                        }
                    }
            }
            boxes.push_back({bx0, by0, bx1 - bx0 + 1, by1 - by0 + 1});
        }
    return boxes;
}

Result<RegionPlan> planRegions(const RegionRequest& req, const BinaryMask& grown, int d) {
    const int W = grown.width, H = grown.height;
    if (d <= 0) return makeError("the VAE's multiple must be positive");
    if (W < d || H < d)
        return makeError("a " + sizeText(W, H) + " image is smaller than the VAE's multiple " +
                         std::to_string(d));
    if (req.target.kind == TargetSpec::Kind::Size &&
        (req.target.width <= 0 || req.target.height <= 0 || req.target.width % d != 0 ||
         req.target.height % d != 0))
        return makeError("--target " + sizeText(req.target.width, req.target.height) +
                         " is not a multiple of the VAE's " + std::to_string(d) + " on both sides");
    if (req.target.kind == TargetSpec::Kind::Area && req.target.area < std::int64_t(d) * d)
        return makeError("--target-area " + std::to_string(req.target.area) +
                         " is smaller than one " + sizeText(d, d) + " block");

    RegionPlan plan;
    if (!req.automatic) {
        if (req.separate) return makeError("--regions separate needs --region auto");
        const RegionRect& r = req.rect;
        if (r.w <= 0 || r.h <= 0 || r.x < 0 || r.y < 0 || std::int64_t(r.x) + r.w > W ||
            std::int64_t(r.y) + r.h > H)
            return makeError("the region " + formatRect(r) + " does not lie inside the " +
                             sizeText(W, H) + " image");
        if (req.target.kind == TargetSpec::Kind::None) {
            const RegionRect c =
                place(toBox(r), unscaledSide(r.w, d, W), unscaledSide(r.h, d, H), W, H);
            plan.rects = {c};
            plan.scaledWidth = c.w;
            plan.scaledHeight = c.h;
        } else {
            const auto s = scaledSizeFor(req.target, toBox(r), d, W, H);
            plan.rects = {r};
            plan.scaledWidth = s.first;
            plan.scaledHeight = s.second;
        }
        return plan;
    }

    std::vector<Box> maskBoxes;
    if (req.separate) {
        for (const RegionRect& r : componentBoxes(grown))
            maskBoxes.push_back(toBox(r));
    } else if (auto bb = maskBoundingBox(grown)) {
        maskBoxes.push_back(toBox(*bb));
    }
    if (maskBoxes.empty())
        return makeError("the grown mask is empty: --region auto has nothing to frame");

    // merge components whose context boxes overlap, until none do
    for (bool merged = true; merged;) {
        merged = false;
        for (std::size_t i = 0; i < maskBoxes.size() && !merged; ++i)
            for (std::size_t j = i + 1; j < maskBoxes.size() && !merged; ++j)
                if (overlap(contextBox(maskBoxes[i], req.context, W, H),
                            contextBox(maskBoxes[j], req.context, W, H))) {
                    Box& a = maskBoxes[i];
                    const Box& b = maskBoxes[j];
                    a = {std::min(a.x0, b.x0), std::min(a.y0, b.y0), std::max(a.x1, b.x1),
                         std::max(a.y1, b.y1)};
                    maskBoxes.erase(maskBoxes.begin() + std::ptrdiff_t(j));
                    merged = true;
                }
    }
    std::sort(maskBoxes.begin(), maskBoxes.end(),
              [](const Box& a, const Box& b) { return a.y0 != b.y0 ? a.y0 < b.y0 : a.x0 < b.x0; });
    std::vector<Box> contexts;
    for (const Box& b : maskBoxes)
        contexts.push_back(contextBox(b, req.context, W, H));
    const auto largest =
        std::max_element(contexts.begin(), contexts.end(),
                         [](const Box& a, const Box& b) { return a.w() * a.h() < b.w() * b.h(); });
    const auto size = scaledSizeFor(req.target, *largest, d, W, H);
    plan.scaledWidth = size.first;
    plan.scaledHeight = size.second;
    for (const Box& c : contexts) {
        if (req.target.kind == TargetSpec::Kind::None && contexts.size() == 1)
            plan.rects.push_back(place(c, plan.scaledWidth, plan.scaledHeight, W, H));
        else
            plan.rects.push_back(fitToAspect(c, plan.scaledWidth, plan.scaledHeight, W, H));
    }
    return plan;
}

namespace {
bool parseInt(std::string_view s, std::int64_t& out) {
    if (s.empty()) return false;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}
} // namespace

std::optional<RegionRect> parseRegionRect(const std::string& text) {
    std::int64_t v[4];
    std::size_t pos = 0;
    for (int i = 0; i < 4; ++i) {
        const std::size_t comma = i < 3 ? text.find(',', pos) : text.size();
        if (comma == std::string::npos) return std::nullopt;
        if (!parseInt(std::string_view(text).substr(pos, comma - pos), v[i])) return std::nullopt;
        if (v[i] < 0 || v[i] > 1'000'000) return std::nullopt;
        pos = comma + 1;
    }
    if (v[2] <= 0 || v[3] <= 0) return std::nullopt;
    return RegionRect{int(v[0]), int(v[1]), int(v[2]), int(v[3])};
}

std::optional<ContextSpec> parseContext(const std::string& text) {
    ContextSpec c;
    c.isDefault = false;
    std::string_view s = text;
    c.percent = !s.empty() && s.back() == '%';
    if (c.percent) s.remove_suffix(1);
    std::int64_t v = 0;
    if (!parseInt(s, v) || v < 0 || v > (c.percent ? 1000 : 100000)) return std::nullopt;
    c.amount = int(v);
    return c;
}

std::optional<TargetSpec> parseTargetSize(const std::string& text) {
    const std::size_t x = text.find('x');
    if (x == std::string::npos) return std::nullopt;
    std::int64_t w = 0, h = 0;
    if (!parseInt(std::string_view(text).substr(0, x), w) ||
        !parseInt(std::string_view(text).substr(x + 1), h) || w <= 0 || h <= 0 || w > 65536 ||
        h > 65536)
        return std::nullopt;
    TargetSpec t;
    t.kind = TargetSpec::Kind::Size;
    t.width = int(w);
    t.height = int(h);
    return t;
}

std::optional<TargetSpec> parseTargetArea(const std::string& text) {
    std::int64_t a = 0;
    if (!parseInt(text, a) || a <= 0 || a > (std::int64_t(1) << 32)) return std::nullopt;
    TargetSpec t;
    t.kind = TargetSpec::Kind::Area;
    t.area = a;
    return t;
}

std::string formatRect(const RegionRect& r) {
    return std::to_string(r.x) + "," + std::to_string(r.y) + "," + std::to_string(r.w) + "," +
           std::to_string(r.h);
}

} // namespace lb::regions
