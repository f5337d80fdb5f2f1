// latentbrush-bench-mask-tools: flood fill and select by color on a 4096 x 4096 photo (the
// shared astronaut.png upscaled, or a generated one), in the core and through the editor's
// tools (undo command and live grow preview included). Prints figures only.
#include "FillTool.h"
#include "GrowPreview.h"
#include "MaskDocument.h"

#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/MaskTools.h"
#include "latentbrush/Parallel.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QImage>
#include <QStandardPaths>
#include <QUndoStack>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// The median of `runs` timings of fn, in milliseconds.
double timeMs(const std::function<void()>& fn, int runs = 5) {
    std::vector<double> t;
    for (int i = 0; i < runs; ++i) {
        const auto t0 = Clock::now();
        fn();
        t.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

QString sharedDir() {
    if (const char* env = std::getenv("LATENTBRUSH_SHARED")) return QString::fromLocal8Bit(env);
    return QStringLiteral(LATENTBRUSH_SOURCE_DIR "/../shared");
}

lb::ImageBuffer photo(int size, QString* source) {
    QImage img(sharedDir() + QStringLiteral("/data/astronaut.png"));
    if (!img.isNull()) {
        *source = QStringLiteral("astronaut.png upscaled");
        img = img.convertToFormat(QImage::Format_RGB888)
                  .scaled(size, size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    } else {
        *source = QStringLiteral("generated (astronaut.png not found)");
        img = QImage(size, size, QImage::Format_RGB888);
        for (int y = 0; y < size; ++y) {
            uchar* row = img.scanLine(y);
            for (int x = 0; x < size; ++x) {
                const double u = x / double(size), v = y / double(size);
                row[3 * x] = uchar(127 + 120 * std::sin(9 * u + 3 * std::sin(7 * v)));
                row[3 * x + 1] = uchar(127 + 120 * std::sin(5 * v + 2 * std::cos(11 * u)));
                row[3 * x + 2] = uchar(127 + 120 * std::sin(13 * (u + v)));
            }
        }
    }
    lb::ImageBuffer out;
    out.height = out.width = size;
    out.channels = 3;
    out.data.resize(out.pixelCount() * 3);
    for (int y = 0; y < size; ++y) {
        const uchar* row = img.constScanLine(y);
        float* dst = out.row(y);
        for (int x = 0; x < size * 3; ++x)
            dst[x] = lb::byteToFloat(row[x]);
    }
    return out;
}

} // namespace

int main(int argc, char** argv) {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("LatentbrushBench"));
    QCoreApplication::setApplicationName(QStringLiteral("bench_mask_tools"));
    const int size = 4096;
    QString source;
    auto image = std::make_shared<lb::ImageBuffer>(photo(size, &source));
    std::printf("mask tools on a %d x %d photo (%s), %d worker threads\n", size, size,
                qPrintable(source), lb::cpuThreadCount());

    struct Seed {
        const char* what;
        int x, y;
    };
    const Seed seeds[] = {{"background", 60, 60},
                          {"centre", size / 2, size / 2},
                          {"lower left", size / 5, size * 4 / 5}};
    std::printf("\ncore flood fill (lb::floodFill)\n");
    for (const Seed& s : seeds)
        for (auto metric : {lb::ColorMetric::Rgb, lb::ColorMetric::Lab})
            for (int tol : {16, 48})
                for (int conn : {4, 8}) {
                    std::int64_t count = 0;
                    const double ms = timeMs(
                        [&] { count = lb::floodFill(*image, s.x, s.y, metric, tol, conn).count; });
                    std::printf("  %-10s %s tol %3d %d-conn: %9.1f ms  (%5.1f%% of the image)\n",
                                s.what, metric == lb::ColorMetric::Rgb ? "RGB" : "Lab", tol, conn,
                                ms, 100.0 * double(count) / (double(size) * size));
                }

    std::printf("\ncore select by color\n");
    for (auto metric : {lb::ColorMetric::Rgb, lb::ColorMetric::Lab}) {
        const float* p = image->row(size / 2) + std::size_t(size / 2) * 3;
        std::vector<std::uint16_t> d;
        const double mapMs = timeMs([&] { d = lb::colorDistanceMap(*image, p, metric); });
        std::int64_t count = 0;
        const double thrMs = timeMs([&] { count = lb::selectByDistance(d, size, size, 32).count; });
        std::printf("  %s: distance map %7.1f ms, threshold (a slider step) %6.1f ms  (tol 32: "
                    "%.1f%%)\n",
                    metric == lb::ColorMetric::Rgb ? "RGB" : "Lab", mapMs, thrMs,
                    100.0 * double(count) / (double(size) * size));
    }

    std::printf("\nthrough the editor (tool + undo command + live grow preview, grow 6)\n");
    lbui::MaskDocument doc;
    lbui::GrowPreview preview(&doc);
    doc.setImage(image, QImage(), QStringLiteral("bench.png"));
    for (auto kind : {lbui::FillTool::Kind::FloodFill, lbui::FillTool::Kind::SelectColor}) {
        lbui::FillTool tool(kind, &doc);
        for (auto metric : {lb::ColorMetric::Rgb, lb::ColorMetric::Lab}) {
            tool.setOptions({32, metric, 4, false});
            // A click on an empty mask (the reset is not timed); the median of 3.
            std::vector<double> clicks;
            for (int run = 0; run < 3; ++run) {
                doc.undoStack()->clear();
                doc.writeMask(doc.bounds(), std::vector<float>(doc.mask().data.size()).data());
                const auto t0 = Clock::now();
                tool.applyAt(QPoint(size / 2, size / 2), lbui::MaskCombine::Add);
                clicks.push_back(
                    std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
            }
            std::sort(clicks.begin(), clicks.end());
            const double click = clicks[1];
            int tol = 32;
            const double stepMs = timeMs([&] { tool.setTolerance(tol += 2); }, 5);
            std::printf("  %-15s %s: click %8.1f ms, tolerance step (live) %7.1f ms, grown "
                        "%.1f%%\n",
                        qPrintable(tool.name()), metric == lb::ColorMetric::Rgb ? "RGB" : "Lab",
                        click, stepMs,
                        100.0 * double(preview.grownCount()) / (double(size) * size));
        }
    }
    return 0;
}
