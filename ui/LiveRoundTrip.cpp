// LiveRoundTrip: the debounce, the cancellation by generation, the choice of VAE and the worker
// that loads, probes and runs it.
#include "LiveRoundTrip.h"

#include "EncodeSession.h"
#include "GrowPreview.h"
#include "MaskDocument.h"
#include "WorkerProgress.h"

#include "latentbrush/BuiltinVae.h"
#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/Progress.h"

#include <QFileInfo>
#include <QtConcurrent>

#include <chrono>
#include <exception>
#include <filesystem>
#include <system_error>

namespace lbui {

namespace {

bool sameOptions(const lb::VaeLoadOptions& a, const lb::VaeLoadOptions& b) {
    return a.family == b.family && a.device == b.device && a.dtype == b.dtype &&
           a.referenceKernels == b.referenceKernels && a.cpuThreads == b.cpuThreads;
}

// Encode + decode seconds per pixel of `vae`, from a 128 x 128 round trip run twice (the first
// run pays for LibTorch's one-time set-up). Small images cost more per pixel than large ones, so
// the estimate errs towards the faster fallback.
double probeSecondsPerPixel(lb::Vae& vae, const lb::Progress& progress) {
    constexpr int kSide = 128;
    lb::ImageBuffer image;
    image.height = image.width = kSide;
    image.channels = 3;
    image.data.resize(std::size_t(kSide) * kSide * 3);
    for (std::size_t i = 0; i < image.data.size(); ++i)
        image.data[i] = float((i * 2654435761u) % 1000) / 1000.0f;
    double seconds = 0.0;
    for (int run = 0; run < 2 && !progress.cancelled(); ++run) {
        const auto start = std::chrono::steady_clock::now();
        if (!lb::vaeRoundTrip(vae, image, {}, 0, lb::Progress{{}, progress.cancel})) return -1.0;
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    return seconds / double(kSide * kSide);
}

// Loads `file` with `options` (decoder needed) and probes it; null with `error` on failure.
std::shared_ptr<LiveVae> loadLiveVae(const std::string& file, lb::VaeLoadOptions options,
                                     const lb::Progress& progress, QString* error) {
    options.needEncoder = true;
    options.needDecoder = true;
    auto loaded = lb::Vae::load(file, options);
    if (!loaded) {
        *error = QString::fromStdString(loaded.message());
        return nullptr;
    }
    auto live = std::make_shared<LiveVae>();
    live->file = file;
    live->options = options;
    live->vae = loaded.value();
    if (!live->vae->info().hasDecoder) {
        *error = QString::fromStdString(file) + QStringLiteral(": no decoder");
        return nullptr;
    }
    live->secondsPerPixel = probeSecondsPerPixel(*live->vae, progress);
    return live;
}

struct LiveInputs {
    quint64 generation = 0;
    std::shared_ptr<const lb::ImageBuffer> image;
    lb::MaskBuffer mask;
    int grow = 0;
    std::string chosenFile; // empty: no VAE chosen, or one without a decoder
    double budgetSeconds = LiveRoundTrip::kDefaultBudgetSeconds;
    lb::VaeLoadOptions options;
    std::shared_ptr<LiveVae> chosen, fallback;
};

LiveResult runLive(const LiveInputs& in, const lb::Progress& progress) {
    LiveResult out;
    out.generation = in.generation;
    out.grow = in.grow;
    out.chosen = in.chosen;
    out.fallback = in.fallback;
    try {
        std::shared_ptr<LiveVae> use;
        std::error_code noError;
        if (!in.chosenFile.empty()) {
            if (!out.chosen || out.chosen->file != in.chosenFile ||
                !sameOptions(out.chosen->options, in.options)) {
                progress(0.0, "loading the chosen VAE for the live view");
                QString error;
                out.chosen = loadLiveVae(in.chosenFile, in.options, progress, &error);
                if (!out.chosen) out.why = error;
            }
            const auto builtinFile = lb::resolveVaePath(lb::builtinVaeSpec("taef2"));
            const bool chosenIsBuiltin =
                builtinFile && out.chosen &&
                std::filesystem::equivalent(builtinFile.value(), out.chosen->file, noError);
            if (chosenIsBuiltin) {
                use = out.chosen; // nothing faster to fall back to
                out.builtin = true;
            } else if (out.chosen) {
                const lb::CropRect crop = lb::centreCrop(in.image->height, in.image->width,
                                                         out.chosen->vae->info().downscale);
                const double predicted =
                    out.chosen->secondsPerPixel * double(crop.height) * double(crop.width);
                if (out.chosen->secondsPerPixel >= 0.0 && predicted <= in.budgetSeconds)
                    use = out.chosen;
                else
                    out.why = QStringLiteral("%1 would take about %2 s here")
                                  .arg(QFileInfo(QString::fromStdString(in.chosenFile)).fileName())
                                  .arg(predicted, 0, 'f', 1);
            }
        } else {
            out.why = QStringLiteral("no VAE with a decoder is chosen");
        }
        if (!use) {
            out.chosenSkipped = !in.chosenFile.empty();
            if (!out.fallback || !sameOptions(out.fallback->options, in.options)) {
                progress(0.0, "loading the built-in VAE for the live view");
                QString error;
                out.fallback =
                    loadLiveVae(lb::builtinVaeSpec("taef2"), in.options, progress, &error);
                if (!out.fallback) {
                    out.error = error;
                    return out;
                }
            }
            use = out.fallback;
            out.builtin = true;
        }
        out.vaeName = out.builtin ? QStringLiteral("TAEF2 (built-in)")
                                  : QFileInfo(QString::fromStdString(use->file)).fileName();
        if (progress.cancelled()) {
            out.cancelled = true;
            return out;
        }
        auto trip = lb::vaeRoundTrip(*use->vae, *in.image, in.mask, in.grow, progress);
        if (!trip) {
            out.cancelled = progress.cancelled();
            out.error = QString::fromStdString(trip.message());
            return out;
        }
        out.trip = std::move(trip.value());
    } catch (const std::exception& e) {
        out.error = QString::fromLocal8Bit(e.what());
    }
    return out;
}

} // namespace

LiveRoundTrip::LiveRoundTrip(MaskDocument* doc, GrowPreview* preview, EncodeSession* session,
                             QObject* parent)
    : QObject(parent), doc_(doc), preview_(preview), session_(session) {
    debounce_.setSingleShot(true);
    debounce_.setInterval(250);
    connect(&debounce_, &QTimer::timeout, this, &LiveRoundTrip::start);
    connect(&watcher_, &QFutureWatcher<LiveResult>::finished, this, &LiveRoundTrip::onFinished);
    connect(doc_, &MaskDocument::maskChanged, this, &LiveRoundTrip::inputsChanged);
    connect(doc_, &MaskDocument::imageChanged, this, &LiveRoundTrip::inputsChanged);
    connect(doc_, &MaskDocument::pixelsChanged, this, &LiveRoundTrip::inputsChanged);
    connect(preview_, &GrowPreview::growChanged, this, &LiveRoundTrip::inputsChanged);
    connect(session_, &EncodeSession::vaeChanged, this, &LiveRoundTrip::inputsChanged);
}

LiveRoundTrip::~LiveRoundTrip() {
    if (cancel_) cancel_->store(true);
    watcher_.waitForFinished();
}

void LiveRoundTrip::setEnabled(bool enabled) {
    if (enabled == enabled_) return;
    enabled_ = enabled;
    if (enabled_) {
        inputsChanged();
    } else {
        debounce_.stop();
        startWhenFinished_ = false;
        if (cancel_) cancel_->store(true);
    }
    emit stateChanged();
}

bool LiveRoundTrip::resultIsCurrent() const {
    return shown_ && shown_->generation == generation_ && !isPending() && !isRunning();
}

void LiveRoundTrip::inputsChanged() {
    ++generation_; // whatever is shown or running now is stale
    if (!enabled_ || !doc_->hasImage()) {
        emit stateChanged();
        return;
    }
    if (isRunning() && cancel_) cancel_->store(true); // the newest inputs win
    debounce_.start();
    emit stateChanged();
}

void LiveRoundTrip::start() {
    if (!enabled_ || !doc_->hasImage()) return;
    if (isRunning()) {
        // The cancelled run still has to return; the newest inputs start right after it.
        startWhenFinished_ = true;
        return;
    }
    startWhenFinished_ = false;
    LiveInputs in;
    in.generation = generation_;
    in.image = doc_->image();
    in.mask = doc_->mask();
    in.grow = preview_->grow();
    in.options = session_->vaeLoadOptions();
    in.budgetSeconds = budgetSeconds_;
    if (auto vae = session_->vae(); vae && vae->info().hasDecoder) in.chosenFile = vae->info().file;
    in.chosen = chosen_;
    in.fallback = fallback_;
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    auto cancel = cancel_;
    auto report = progressTo(this, &LiveRoundTrip::progress);
    watcher_.setFuture(QtConcurrent::run([report, cancel, in = std::move(in)]() -> LiveResult {
        lb::Progress progress;
        progress.cancel = cancel.get();
        progress.report = report;
        return runLive(in, progress);
    }));
    emit stateChanged();
}

void LiveRoundTrip::onFinished() {
    LiveResult out = watcher_.result();
    // Loaded and probed VAEs are kept whatever became of the run.
    chosen_ = out.chosen;
    fallback_ = out.fallback;
    out.chosen.reset();
    out.fallback.reset();
    if (out.cancelled || (!out.error.isEmpty() && out.generation != generation_)) {
        ++cancelledRuns_;
    } else {
        ++finishedRuns_;
        // A superseded result is still shown (marked stale) rather than nothing; a newer one
        // replaces it as soon as it arrives.
        shown_ = std::move(out);
        emit resultChanged();
    }
    if (startWhenFinished_ ||
        (enabled_ && shown_ && shown_->generation != generation_ && !debounce_.isActive()))
        start();
    emit stateChanged();
}

} // namespace lbui
