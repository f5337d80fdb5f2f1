// make_sample_image: draws the editor's sample image (a lakeside landscape at dusk) from
// procedural noise and writes it as PNG. Run at build time; nothing here is copied from elsewhere.
#include <QColor>
#include <QImage>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace {

constexpr int kWidth = 1030; // deliberately not multiples of 8: the editor shows the crop
constexpr int kHeight = 774;

double hash(int x, int y, int seed) {
    std::uint32_t h = std::uint32_t(x) * 374761393u + std::uint32_t(y) * 668265263u +
                      std::uint32_t(seed) * 2246822519u;
    h = (h ^ (h >> 13)) * 1274126177u;
    h ^= h >> 16;
    return double(h & 0xffffff) / double(0xffffff);
}

double smooth(double t) {
    return t * t * (3.0 - 2.0 * t);
}

double valueNoise(double x, double y, int seed) {
    const int xi = int(std::floor(x)), yi = int(std::floor(y));
    const double fx = smooth(x - xi), fy = smooth(y - yi);
    const double a = hash(xi, yi, seed), b = hash(xi + 1, yi, seed);
    const double c = hash(xi, yi + 1, seed), d = hash(xi + 1, yi + 1, seed);
    return (a + (b - a) * fx) + ((c + (d - c) * fx) - (a + (b - a) * fx)) * fy;
}

double fbm(double x, double y, int seed, int octaves) {
    double sum = 0.0, amp = 0.5, norm = 0.0;
    for (int i = 0; i < octaves; ++i) {
        sum += amp * valueNoise(x, y, seed + i * 17);
        norm += amp;
        x *= 2.03;
        y *= 2.03;
        amp *= 0.5;
    }
    return sum / norm;
}

struct Rgb {
    double r, g, b;
};

Rgb mix(Rgb a, Rgb b, double t) {
    t = std::clamp(t, 0.0, 1.0);
    return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}

// Height of a mountain ridge (in rows from the top) at column x.
double ridge(double x, int seed, double base, double amplitude, double scale) {
    return base - amplitude * fbm(x / scale, 0.5, seed, 5);
}

Rgb scene(double x, double y) {
    const double horizon = kHeight * 0.62;
    const Rgb skyTop{0.10, 0.13, 0.32}, skyMid{0.55, 0.36, 0.52}, skyLow{0.98, 0.62, 0.36};
    const double sunX = kWidth * 0.68, sunY = horizon - 70.0;

    auto sky = [&](double sx, double sy) {
        const double t = sy / horizon;
        Rgb c = t < 0.55 ? mix(skyTop, skyMid, t / 0.55) : mix(skyMid, skyLow, (t - 0.55) / 0.45);
        const double d = std::hypot(sx - sunX, sy - sunY);
        c = mix(c, Rgb{1.0, 0.85, 0.55}, 0.55 * std::exp(-d / 120.0));
        if (d < 38.0)
            c = mix(c, Rgb{1.0, 0.95, 0.80}, smooth(std::clamp((38.0 - d) / 3.0, 0.0, 1.0)));
        // Thin clouds.
        const double cloud = fbm(sx / 180.0, sy / 40.0, 7, 5);
        const double cover = std::clamp((cloud - 0.55) * 3.0, 0.0, 1.0) * (1.0 - t * 0.6);
        return mix(c, Rgb{0.95, 0.70, 0.65}, cover * 0.6);
    };

    auto land = [&](double lx, double ly, bool& hit) {
        hit = true;
        const double far = ridge(lx, 31, horizon - 10.0, 150.0, 260.0);
        const double near = ridge(lx, 53, horizon + 4.0, 95.0, 140.0);
        if (ly >= near) {
            const double shade = 0.7 + 0.3 * fbm(lx / 25.0, ly / 25.0, 91, 4);
            return mix(Rgb{0.10, 0.16, 0.14}, Rgb{0.18, 0.22, 0.20}, shade - 0.6);
        }
        if (ly >= far) {
            const double haze = (ly - far) / std::max(1.0, near - far);
            const double rock = fbm(lx / 60.0, ly / 30.0, 77, 4);
            return mix(mix(Rgb{0.36, 0.30, 0.44}, Rgb{0.28, 0.24, 0.38}, rock),
                       Rgb{0.55, 0.40, 0.50}, 0.4 * (1.0 - haze));
        }
        hit = false;
        return Rgb{0, 0, 0};
    };

    if (y < horizon) {
        bool hit = false;
        Rgb c = land(x, y, hit);
        return hit ? c : sky(x, y);
    }
    // Lake: the mirrored scene, rippled and darkened, with a shore of reeds in front.
    const double depth = (y - horizon) / (kHeight - horizon);
    const double ripple = (fbm(x / 90.0, y / 6.0, 13, 4) - 0.5) * 14.0 * (0.3 + depth);
    const double my = 2.0 * horizon - y;
    bool hit = false;
    Rgb c = land(x + ripple, my, hit);
    if (!hit) c = sky(x + ripple, my);
    c = mix(c, Rgb{0.05, 0.10, 0.18}, 0.25 + 0.45 * depth);
    const double glint = std::exp(-std::abs(x + ripple - sunX) / 18.0) * (1.0 - depth);
    c = mix(c, Rgb{1.0, 0.85, 0.6}, 0.5 * glint * (fbm(x / 8.0, y / 2.0, 5, 2) > 0.55));
    // Reeds along the bottom edge.
    const double reed = kHeight - 30.0 - 70.0 * std::pow(fbm(x / 7.0, 0.0, 101, 3), 3.0) * 3.0;
    if (y > reed)
        c = mix(Rgb{0.06, 0.08, 0.06}, Rgb{0.16, 0.17, 0.09}, fbm(x / 3.0, y / 30.0, 3, 2));
    return c;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_sample_image OUT.png\n");
        return 2;
    }
    QImage image(kWidth, kHeight, QImage::Format_RGB32);
    for (int y = 0; y < kHeight; ++y) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
        for (int x = 0; x < kWidth; ++x) {
            // 2x2 supersampling for smooth edges.
            Rgb acc{0, 0, 0};
            for (int s = 0; s < 4; ++s) {
                const Rgb c = scene(x + 0.25 + 0.5 * (s & 1), y + 0.25 + 0.5 * (s >> 1));
                acc.r += c.r / 4;
                acc.g += c.g / 4;
                acc.b += c.b / 4;
            }
            const double grain = (hash(x, y, 1234) - 0.5) * (2.0 / 255.0);
            auto q = [&](double v) {
                return std::clamp(int(std::lround((v + grain) * 255.0)), 0, 255);
            };
            line[x] = qRgb(q(acc.r), q(acc.g), q(acc.b));
        }
    }
    if (!image.save(QString::fromLocal8Bit(argv[1]), "PNG")) {
        std::fprintf(stderr, "make_sample_image: cannot write %s\n", argv[1]);
        return 1;
    }
    return 0;
}
