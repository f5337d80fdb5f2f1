// latentbrush-bench-editor-regions: the editor's region workflow on a 8000x6000 photo,
// in a real main window (offscreen), timing what runs on the GUI thread: the region planning a
// mask edit triggers (RegionPlanner: the edit's own call, then the longest event-loop turn until
// the plan arrives from the thread pool, beside that planning's whole time, which the GUI thread
// paid before it moved), the Encode button's start, File > Import Result... (the call, the longest
// turn until the results, read, cut and stitched on the thread pool, are shown), a feather change
// (the call, the longest turn until the restitch arrives, the restitch itself, and the whole-photo
// restitch it replaced), Export Image (the call, the longest turn while the thread pool writes, the
// write itself) and Apply (the call, the longest turn until the photo composed on the thread pool
// is the image). The region encode itself runs on the worker and is timed for reference. Prints one
// JSON line; asserts nothing (docs/PERFORMANCE.md).
//
//   latentbrush-bench-editor-regions [--width 8000] [--height 6000] [--repeat 5] [--trace]
#include "CanvasWidget.h"
#include "DocumentLoader.h"
#include "EncodeSession.h"
#include "MainWindow.h"
#include "MaskDocument.h"
#include "RegionPlanner.h"
#include "StitchSession.h"

#include "latentbrush/BuiltinVae.h"
#include "latentbrush/ImageIO.h"
#include "latentbrush/regions/Stitch.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

double msSince(const QElapsedTimer& t) {
    return double(t.nsecsElapsed()) / 1e6;
}

// A photograph-like image: smooth colour gradients with fine texture.
lb::ImageBuffer makeImage(int width, int height) {
    lb::ImageBuffer img;
    img.width = width;
    img.height = height;
    img.channels = 3;
    img.data.resize(std::size_t(width) * height * 3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int k = 0; k < 3; ++k) {
                const double v = 0.5 + 0.3 * std::sin(0.0013 * x * (k + 1) + 0.0021 * y) +
                                 0.1 * std::sin(0.9 * x + 1.3 * y + k);
                img.data[(std::size_t(y) * width + x) * 3 + k] = float(std::clamp(v, 0.0, 1.0));
            }
    return img;
}

void paintDisc(lbui::MaskDocument* doc, int cx, int cy, int r, float value) {
    const QRect rect = QRect(cx - r, cy - r, 2 * r + 1, 2 * r + 1).intersected(doc->bounds());
    std::vector<float> pixels = doc->readMask(rect);
    for (int y = 0; y < rect.height(); ++y)
        for (int x = 0; x < rect.width(); ++x) {
            const int dx = rect.left() + x - cx, dy = rect.top() + y - cy;
            if (dx * dx + dy * dy <= r * r) pixels[std::size_t(y) * rect.width() + x] = value;
        }
    doc->writeMask(rect, pixels.data());
}

// Runs the event loop until `done`, sleeping between events (see bench_live.cpp).
bool waitFor(const std::function<bool()>& done, int timeoutMs = 600000) {
    QElapsedTimer t;
    t.start();
    QTimer wake;
    wake.start(5);
    while (!done()) {
        if (t.elapsed() > timeoutMs) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
    }
    return true;
}

// Runs the event loop until `done` without sleeping inside an event-loop turn; returns the longest
// turn (what a user would feel as a stutter), -1 on timeout.
double longestTurnUntil(const std::function<bool()>& done, int timeoutMs = 600000) {
    QElapsedTimer t, turn;
    t.start();
    double longest = 0.0;
    while (!done()) {
        if (t.elapsed() > timeoutMs) return -1.0;
        turn.start();
        QCoreApplication::processEvents(QEventLoop::AllEvents);
        longest = std::max(longest, double(turn.nsecsElapsed()) / 1e6);
        QThread::msleep(1);
    }
    return longest;
}

// Runs the event loop for `ms` (the workers a mask edit starts report back meanwhile).
void idle(int ms) {
    QElapsedTimer t;
    t.start();
    waitFor([&] { return t.elapsed() >= ms; });
}

// A QApplication that, with --trace, names each event dispatched from the event loop's top
// level that took longer than 30 ms (its receiver's class and name, the event's type): what the
// longest turns above are made of.
class TracingApplication : public QApplication {
public:
    using QApplication::QApplication;
    bool trace = false;

    bool notify(QObject* receiver, QEvent* event) override {
        if (trace && depth_ > 0 && event->type() == QEvent::Paint && receiver) {
            QElapsedTimer t;
            t.start();
            const bool handled = QApplication::notify(receiver, event);
            const double ms = double(t.nsecsElapsed()) / 1e6;
            if (ms > 20.0)
                std::fprintf(stderr, "  slow paint: %.1f ms, %s(%s)\n", ms,
                             receiver->metaObject()->className(),
                             receiver->objectName().toUtf8().constData());
            return handled;
        }
        if (!trace || depth_ > 0) return QApplication::notify(receiver, event);
        // The receiver and its parents (a timer's or a watcher's owner says whose it is).
        QString who;
        for (QObject* o = receiver; o; o = o->parent())
            who += QString::fromLatin1(o->metaObject()->className()) +
                   (o->objectName().isEmpty() ? QString() : "(" + o->objectName() + ")") +
                   (o->parent() ? " < " : "");
        const int type = int(event->type());
        ++depth_;
        QElapsedTimer t;
        t.start();
        const bool handled = QApplication::notify(receiver, event);
        --depth_;
        const double ms = double(t.nsecsElapsed()) / 1e6;
        if (ms > 30.0)
            std::fprintf(stderr, "slow dispatch: %.1f ms, event type %d to %s\n", ms, type,
                         who.toUtf8().constData());
        return handled;
    }

private:
    int depth_ = 0;
};

// A drag-pan's frames: the canvas moved by a few pixels and repainted whole, `frames` times;
// the median and the longest repaint (ms).
std::pair<double, double> panFrames(lbui::CanvasWidget* canvas, int frames) {
    std::vector<double> ms;
    QElapsedTimer t;
    for (int i = 0; i < frames; ++i) {
        canvas->panBy(QPointF(i % 2 ? -7.0 : 7.0, 3.0 * ((i / 2) % 2 ? -1.0 : 1.0)));
        t.start();
        canvas->repaint();
        ms.push_back(msSince(t));
    }
    return {median(ms), *std::max_element(ms.begin(), ms.end())};
}

int fail(const char* what) {
    std::fprintf(stderr, "latentbrush-bench-editor-regions: %s\n", what);
    return 1;
}

} // namespace

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    int width = 8000, height = 6000, repeat = 5;
    bool trace = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const int v = i + 1 < argc ? std::atoi(argv[i + 1]) : 0;
        if (a == "--width" && v > 0) {
            width = v;
            ++i;
        } else if (a == "--height" && v > 0) {
            height = v;
            ++i;
        } else if (a == "--trace") {
            trace = true;
        } else if (a == "--repeat" && v > 0) {
            repeat = v;
            ++i;
        } else {
            std::printf("usage: latentbrush-bench-editor-regions [--width W] [--height H] "
                        "[--repeat N] [--trace]\n");
            return a == "--help" ? 0 : 2;
        }
    }
    QStandardPaths::setTestModeEnabled(true); // the user's settings stay untouched
    TracingApplication app(argc, argv);
    app.trace = trace;
    QSettings().clear();
    QTemporaryDir dir;
    if (!dir.isValid()) return fail("no temporary folder");
    const QString photo = dir.filePath(QStringLiteral("photo.png"));
    if (!lb::writeImage(QFile::encodeName(photo).toStdString(), makeImage(width, height)))
        return fail("could not write the test photo");

    const auto phase = [trace](const char* what) {
        if (trace) std::fprintf(stderr, "-- %s\n", what);
    };
    lbui::MainWindow w;
    w.show();
    lbui::MaskDocument* doc = w.document();
    QElapsedTimer t;
    t.start();
    w.openImage(photo);
    if (!waitFor([&] { return doc->hasImage() && doc->imagePath() == photo; }))
        return fail("the photo did not open");
    const double openMs = msSince(t);

    lbui::RegionSettings settings;
    settings.mode = lbui::RegionSettings::Mode::Auto;
    settings.target = lbui::RegionSettings::Target::Area;
    settings.targetArea = 1048576;
    lbui::RegionPlanner* planner = w.regionPlanner();
    planner->setSettings(settings);

    idle(500);
    longestTurnUntil([&] { return !planner->isPlanning(); }); // the first plan (a full copy)
    phase("mask edits and planning");
    // Mask edits: a stroke-sized disc each; the planning runs on the thread pool.
    std::vector<double> editMs, planTurnMs, planLatencyMs, planSyncMs;
    for (int r = 0; r < repeat; ++r) {
        t.restart();
        paintDisc(doc, width / 2 + 37 * r, height / 2, 300, 1.0f);
        editMs.push_back(msSince(t));
        planTurnMs.push_back(longestTurnUntil([&] { return !planner->isPlanning(); }));
        planLatencyMs.push_back(msSince(t));
    }
    // The same planning done here, as the GUI thread did it before (flush runs it synchronously).
    for (int r = 0; r < repeat; ++r) {
        paintDisc(doc, width / 2 + 37 * r, height / 2 + 5, 300, 1.0f);
        t.restart();
        planner->flush();
        planSyncMs.push_back(msSince(t));
    }
    idle(2000);
    if (!planner->plan()) return fail("no region was planned");
    const lb::regions::RegionPlan plan = *planner->plan();

    lbui::EncodeSession* session = w.encodeSession();
    const auto vaePath = lb::resolveVaePath(lb::builtinVaeSpec("taef2"));
    if (!vaePath) return fail(vaePath.message().c_str());
    session->loadVae(QString::fromStdString(*vaePath));
    if (!waitFor([&] { return !session->isLoadingVae() && session->vae(); }))
        return fail("the VAE did not load");
    if (!waitFor([&] { return session->canEncode(); })) return fail("cannot encode");
    bool finished = false;
    QObject::connect(session, &lbui::EncodeSession::encodeFinished,
                     [&finished](const lbui::EncodeOutput& out) {
                         finished = true;
                         if (!out.error.isEmpty())
                             std::fprintf(stderr, "encode: %s%s\n", out.error.toUtf8().constData(),
                                          out.cancelled ? " (cancelled)" : "");
                     });
    phase("encode");
    t.restart();
    if (!session->encode()) return fail("encode did not start");
    const double encodeStartMs = msSince(t);
    const double encodeTurnMs = longestTurnUntil([&] { return finished; });
    if (encodeTurnMs < 0 || !session->hasResult())
        return fail(session->isStale() ? "the encode result is stale" : "the encode failed");
    const double encodeMs = msSince(t);
    const auto regions = session->result()->output.regions;
    if (!regions) return fail("no region result");

    QStringList results;
    for (std::size_t i = 0; i < regions->pixels.size(); ++i) {
        lb::ImageBuffer r = regions->pixels[i];
        for (float& v : r.data)
            v = 1.0f - v;
        const QString path = dir.filePath(QStringLiteral("sampled_%1.png").arg(i));
        if (!lb::writeImage(QFile::encodeName(path).toStdString(), r))
            return fail("could not write a result");
        results << path;
    }

    lbui::StitchSession* stitch = w.stitchSession();
    QString error;
    std::vector<double> importMs, importTurnMs, importLatencyMs, featherMs, featherTurnMs,
        featherLatencyMs;
    QString importError;
    QObject::connect(stitch, &lbui::StitchSession::importFinished,
                     [&importError](int, const QString& why) { importError = why; });
    phase("pan");
    const auto [panMs, panLongestMs] = panFrames(w.canvas(), 20); // the photo and its mask
    phase("import results");
    // As File > Import Result... runs it: read, cut and stitched on the thread pool.
    for (int r = 0; r < repeat; ++r) {
        stitch->close();
        t.restart();
        if (!stitch->startImport(results, &error)) return fail(error.toUtf8().constData());
        importMs.push_back(msSince(t));
        importTurnMs.push_back(longestTurnUntil([&] { return !stitch->isImporting(); }));
        importLatencyMs.push_back(msSince(t));
        if (!importError.isEmpty() || !stitch->isActive())
            return fail(importError.toUtf8().constData());
        waitFor([] { return true; });
    }
    phase("feather");
    for (int r = 0; r < repeat; ++r) {
        t.restart();
        stitch->setFeather(float(4 + r));
        featherMs.push_back(msSince(t));
        featherTurnMs.push_back(longestTurnUntil([&] { return !stitch->isRestitching(); }));
        featherLatencyMs.push_back(msSince(t));
    }
    // The baseline: what a feather change cost before it restitched only the regions' box (the
    // stitch of the whole photo, then its display conversion).
    std::vector<lb::ImageBuffer> sampled;
    for (const QString& path : results)
        sampled.push_back(lb::readImage(QFile::encodeName(path).toStdString())->image);
    std::vector<double> wholeMs;
    for (int r = 0; r < repeat; ++r) {
        t.restart();
        auto whole = lb::regions::stitch(*doc->image(), sampled, regions->plan, regions->grownFull,
                                         float(4 + r));
        if (!whole) return fail(whole.message().c_str());
        const QImage shown = lbui::toDisplayImage(*whole);
        wholeMs.push_back(msSince(t));
    }
    // Export Image as File > Export Image... runs it: on the thread pool.
    bool exported = false;
    QObject::connect(stitch, &lbui::StitchSession::exportFinished,
                     [&exported](const QString&, const QString& why) {
                         exported = true;
                         if (!why.isEmpty())
                             std::fprintf(stderr, "export: %s\n", why.toUtf8().constData());
                     });
    phase("export image");
    t.restart();
    if (!stitch->startExportImage(dir.filePath(QStringLiteral("out.png")), &error))
        return fail(error.toUtf8().constData());
    const double exportStartMs = msSince(t);
    const double exportTurnMs = longestTurnUntil([&] { return exported; });
    const double exportMs = msSince(t);
    phase("apply");
    // As the Apply button runs it: the photo composed on the thread pool.
    t.restart();
    if (!stitch->startApply()) return fail("apply failed");
    const double applyMs = msSince(t);
    const double applyTurnMs = longestTurnUntil([&] { return !stitch->isApplying(); });
    const double applyLatencyMs = msSince(t);
    if (!doc->imageIsApplied()) return fail("apply failed");
    phase("pan after apply");
    const auto [panAppliedMs, panAppliedLongestMs] = panFrames(w.canvas(), 20);

    std::printf("{\"bench\": \"editor regions\", \"image\": \"%dx%d\", \"region\": \"%d,%d "
                "%dx%d\", \"scaled\": \"%dx%d\", \"repeat\": %d, \"open_ms\": %.0f, "
                "\"mask_edit_ms\": %.1f, \"plan_longest_turn_ms\": %.1f, "
                "\"plan_edit_to_shown_ms\": %.1f, \"baseline_plan_on_gui_thread_ms\": %.1f, "
                "\"encode_start_ms\": %.1f, \"encode_longest_turn_ms\": %.1f, "
                "\"region_encode_worker_ms\": %.0f, "
                "\"first_import_ms\": %.1f, \"import_ms\": %.1f, \"import_longest_turn_ms\": %.1f, "
                "\"import_to_shown_ms\": %.1f, \"feather_change_ms\": %.1f, "
                "\"feather_longest_turn_ms\": %.1f, \"feather_change_to_shown_ms\": %.1f, "
                "\"baseline_whole_image_restitch_ms\": %.1f, \"export_start_ms\": %.1f, "
                "\"export_longest_turn_ms\": %.1f, \"export_png_worker_ms\": %.0f, "
                "\"apply_ms\": %.1f, \"apply_longest_turn_ms\": %.1f, \"apply_to_shown_ms\": %.1f, "
                "\"pan_frame_ms\": %.1f, \"pan_longest_frame_ms\": %.1f, "
                "\"pan_frame_after_apply_ms\": %.1f, \"pan_longest_frame_after_apply_ms\": %.1f}\n",
                width, height, plan.rects[0].x, plan.rects[0].y, plan.rects[0].w, plan.rects[0].h,
                plan.scaledWidth, plan.scaledHeight, repeat, openMs, median(editMs),
                median(planTurnMs), median(planLatencyMs), median(planSyncMs), encodeStartMs,
                encodeTurnMs, encodeMs, importLatencyMs[0], median(importMs), median(importTurnMs),
                median(importLatencyMs), median(featherMs), median(featherTurnMs),
                median(featherLatencyMs), median(wholeMs), exportStartMs, exportTurnMs, exportMs,
                applyMs, applyTurnMs, applyLatencyMs, panMs, panLongestMs, panAppliedMs,
                panAppliedLongestMs);
    std::fflush(stdout);
    doc->markSaved();
    return 0;
}
