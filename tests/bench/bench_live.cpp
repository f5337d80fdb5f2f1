// latentbrush-bench-live: the live "what the VAE keeps" view's latency, from a mask edit to the
// updated view, in a real main window (offscreen): the built-in TAEF2 by default, on square
// regions of 512 and 1024 pixels. Beside it, timed in the same run on the same inputs, the path the
// live view spares the user: the Encode button's job (encode, then a decode of its latent). Prints
// one JSON line per size; asserts nothing.
//
// The edit is a brush stroke dragged over the canvas (mouse events, as a user paints), timed from
// its release; `--edit write` writes a disc into the mask instead (an undo or a fill's edit).
// `--budget` is the live view's interactive budget (default the editor's): a VAE over it in
// float32 runs in bf16 on the CPU when the precision is "auto", as in the editor.
//
//   latentbrush-bench-live [--sizes 512,1024] [--repeat 5] [--vae builtin:taef2|FILE]
//                          [--device auto|cpu|cuda] [--dtype auto|fp32|bf16|fp16]
//                          [--debounce MS] [--threads N] [--edit stroke|write] [--budget S]
#include "CanvasWidget.h"
#include "EncodeJob.h"
#include "EncodePanel.h"
#include "EncodeSession.h"
#include "LiveRoundTrip.h"
#include "MainWindow.h"
#include "MaskDocument.h"
#include "VaeChooser.h"

#include "latentbrush/BuiltinVae.h"
#include "latentbrush/Vae.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

// A photograph-like test image: smooth colour gradients with fine texture.
std::shared_ptr<lb::ImageBuffer> makeImage(int side) {
    auto img = std::make_shared<lb::ImageBuffer>();
    img->height = img->width = side;
    img->channels = 3;
    img->data.resize(std::size_t(side) * side * 3);
    for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x)
            for (int k = 0; k < 3; ++k) {
                const double v = 0.5 + 0.3 * std::sin(0.013 * x * (k + 1) + 0.021 * y) +
                                 0.1 * std::sin(0.9 * x + 1.3 * y + k);
                img->data[(std::size_t(y) * side + x) * 3 + k] = float(std::clamp(v, 0.0, 1.0));
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

// A brush stroke across the middle of the canvas, as mouse events; odd repeats erase (right
// button), so every stroke changes the mask. Returns once the button is released.
void strokeAcross(QWidget* canvas, int repeat) {
    const Qt::MouseButton button = repeat % 2 ? Qt::RightButton : Qt::LeftButton;
    const QPoint centre = canvas->rect().center();
    const int dy = (repeat % 5 - 2) * 6;
    QTest::mousePress(canvas, button, Qt::NoModifier, centre + QPoint(-60, dy));
    for (int step = 1; step <= 6; ++step)
        QTest::mouseMove(canvas, centre + QPoint(-60 + 20 * step, dy));
    QTest::mouseRelease(canvas, button, Qt::NoModifier, centre + QPoint(60, dy));
}

// Runs the event loop until `done`, sleeping between events as the editor's own loop does: a
// loop that polls (processEvents with a time limit returns at once when nothing is queued) would
// take one of the 2 cores from the VAE's threads and double the figures.
bool waitFor(const std::function<bool()>& done, int timeoutMs = 600000) {
    QElapsedTimer t;
    t.start();
    QTimer wake; // the longest sleep between two looks at `done`
    wake.start(5);
    while (!done()) {
        if (t.elapsed() > timeoutMs) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
    }
    return true;
}

} // namespace

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    std::vector<int> sizes = {512, 1024};
    int repeat = 5, debounce = 250, threads = 0;
    double budget = lbui::LiveRoundTrip::kDefaultBudgetSeconds;
    std::string vae = lb::builtinVaeSpec("taef2"), device = "cpu", dtype = "auto", edit = "stroke";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const char* v = i + 1 < argc ? argv[i + 1] : "";
        if (a == "--sizes") {
            sizes.clear();
            for (const QString& s : QString::fromLatin1(v).split(','))
                sizes.push_back(s.toInt());
            ++i;
        } else if (a == "--repeat") {
            repeat = std::max(1, std::atoi(v));
            ++i;
        } else if (a == "--vae") {
            vae = v;
            ++i;
        } else if (a == "--device") {
            device = v;
            ++i;
        } else if (a == "--dtype") {
            dtype = v;
            ++i;
        } else if (a == "--debounce") {
            debounce = std::max(0, std::atoi(v));
            ++i;
        } else if (a == "--edit" && (std::string(v) == "stroke" || std::string(v) == "write")) {
            edit = v;
            ++i;
        } else if (a == "--budget") {
            budget = std::atof(v);
            ++i;
        } else if (a == "--threads") {
            threads = std::max(0, std::atoi(v));
            ++i;
        } else {
            std::printf("usage: latentbrush-bench-live [--sizes 512,1024] [--repeat N] [--vae V] "
                        "[--device auto|cpu|cuda] [--dtype auto|fp32|bf16|fp16] [--debounce MS] "
                        "[--threads N] [--edit stroke|write] [--budget S]\n");
            return a == "--help" ? 0 : 2;
        }
    }
    QStandardPaths::setTestModeEnabled(true); // the user's settings stay untouched
    QApplication app(argc, argv);
    QSettings().clear();
    QSettings().setValue(QStringLiteral("vae/device"), QString::fromStdString(device));
    QSettings().setValue(QStringLiteral("vae/cpuThreads"), threads);
    // The VAE panel's precision, used by the Encode button and the live view alike.
    QSettings().setValue(QStringLiteral("vae/dtype"), QString::fromStdString(dtype));
    lbui::MainWindow w;
    w.show();
    lbui::VaeChooser* chooser = w.encodePanel()->vaeChooser();
    const auto path = lb::resolveVaePath(vae);
    if (!path) {
        std::fprintf(stderr, "latentbrush-bench-live: %s\n", path.message().c_str());
        return 1;
    }
    bool failed = false;
    QObject::connect(chooser, &lbui::VaeChooser::loadFailed, [&failed](const QString& why) {
        std::fprintf(stderr, "latentbrush-bench-live: %s\n", why.toUtf8().constData());
        failed = true;
    });
    chooser->loadFile(QString::fromStdString(path.value()));
    // vaeChanged, not the worker's end, says the chooser has the model.
    if (!waitFor([&] { return chooser->vae() || failed; }) || !chooser->vae()) {
        std::fprintf(stderr, "latentbrush-bench-live: %s did not load\n", vae.c_str());
        return 1;
    }
    lbui::LiveRoundTrip* live = w.liveRoundTrip();
    live->setEnabled(true);
    live->setDebounceMs(debounce);
    live->setBudgetSeconds(budget);
    lbui::MaskDocument* doc = w.document();
    lbui::EncodeJob* job = w.encodeSession()->job();

    for (int side : sizes) {
        auto image = makeImage(side);
        doc->setImage(image, QImage(side, side, QImage::Format_RGB32), QStringLiteral("bench.png"));
        // Warm-up: the live view's own instance is loaded and probed, LibTorch sets up.
        paintDisc(doc, side / 2, side / 2, side / 8, 1.0f);
        if (!waitFor([&] { return live->resultIsCurrent(); })) return 1;
        std::vector<double> editToView, encodeMs, decodeMs, button;
        for (int r = 0; r < repeat; ++r) {
            QElapsedTimer t;
            if (edit == "stroke") {
                strokeAcross(w.canvas(), r);
                t.start(); // the release: the stroke's last edit is in
            } else {
                t.start();
                paintDisc(doc, side / 3 + 7 * r, side / 2, side / 10, r % 2 ? 0.0f : 1.0f);
            }
            if (!waitFor([&] { return live->resultIsCurrent(); })) return 1;
            editToView.push_back(double(t.nsecsElapsed()) / 1e6);
            encodeMs.push_back(live->result()->trip.encodeSeconds * 1e3);
            decodeMs.push_back(live->result()->trip.decodeSeconds * 1e3);

            // The same inputs through the Encode button's job: encode, then decode its latent.
            lbui::EncodeOutput encoded;
            bool gotEncode = false, gotDecode = false;
            auto c1 = QObject::connect(job, &lbui::EncodeJob::encoded, [&](const auto& out) {
                encoded = out;
                gotEncode = true;
            });
            auto c2 = QObject::connect(job, &lbui::EncodeJob::decoded,
                                       [&](const auto&) { gotDecode = true; });
            t.restart();
            job->start(chooser->vae(), doc->image(),
                       std::make_shared<const lb::MaskBuffer>(doc->mask()), 6);
            if (!waitFor([&] { return gotEncode; }) || !encoded.error.isEmpty()) return 1;
            job->startDecode(chooser->vae(), encoded.samples);
            if (!waitFor([&] { return gotDecode; })) return 1;
            button.push_back(double(t.nsecsElapsed()) / 1e6);
            QObject::disconnect(c1);
            QObject::disconnect(c2);
        }
        const lbui::LiveResult* res = live->result();
        std::printf("{\"bench\": \"live view\", \"vae\": \"%s\", \"shown\": \"%s\", \"device\": "
                    "\"%s\", \"dtype\": \"%s\", \"region\": \"%dx%d\", \"repeat\": %d, "
                    "\"debounce_ms\": %d, "
                    "\"edit\": \"%s\", \"precision\": \"%s\", \"edit_to_view_ms\": %.1f, "
                    "\"encode_ms\": %.1f, \"decode_ms\": %.1f, "
                    "\"baseline_encode_button_then_decode_ms\": %.1f}\n",
                    vae.c_str(), res->vaeName.toUtf8().constData(),
                    chooser->vae()->info().device.c_str(),
                    chooser->vae()->info().computeDType.c_str(), res->trip.crop.width,
                    res->trip.crop.height, repeat, debounce, edit.c_str(),
                    res->precision.toUtf8().constData(), median(editToView), median(encodeMs),
                    median(decodeMs), median(button));
        std::fflush(stdout);
    }
    return 0;
}
