// LiveRoundTrip: the debounce, the cancellation by generation, the choice of VAE and the worker
// that loads, probes and runs it.
#include "LiveRoundTrip.h"

#include "BackgroundPool.h"
#include "EncodeSession.h"
#include "GrowPreview.h"
#include "MaskDocument.h"
#include "NoiseMaskPreview.h"
#include "WorkerProgress.h"

#include "latentbrush/BuiltinVae.h"
#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/Progress.h"

#include <QFileInfo>
#include <QGuiApplication>
#include <QThreadPool>
#include <QtConcurrent>

#include <chrono>
#include <exception>
#include <filesystem>
#include <system_error>

namespace lbui {

namespace {

bool sameOptions(const lb::VaeLoadOptions& a, const lb::VaeLoadOptions& b) {
    return a.family == b.family && a.device == b.device && a.dtype == b.dtype &&
           a.kernels == b.kernels && a.cpuThreads == b.cpuThreads;
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
    if (progress.cancelled()) {
        // A probe cut short measured nothing: not kept, so that the next run measures again.
        *error = QStringLiteral("cancelled");
        return nullptr;
    }
    return live;
}

struct LiveInputs {
    quint64 generation = 0;
    std::shared_ptr<const lb::ImageBuffer> image;
    MaskSnapshot mask; // the document's mask when the run was asked for, built on the worker
    int grow = 0;
    // The noise-mask mode's options: VAEEncode without gray fill, as its Encode runs.
    std::optional<lb::NoiseMaskOptions> noiseMask;
    std::string chosenFile; // empty: no VAE chosen, or one without a decoder
    double budgetSeconds = LiveRoundTrip::kDefaultBudgetSeconds;
    lb::VaeLoadOptions options;
    LiveVaes loaded;
};

// The instance of `file` loaded with `options`, from `loaded` or loaded (and probed) now and
// added to it; null with `error` when it cannot be loaded.
std::shared_ptr<LiveVae> obtain(LiveVaes& loaded, const std::string& file,
                                const lb::VaeLoadOptions& options, const lb::Progress& progress,
                                QString* error) {
    for (const auto& live : loaded)
        if (live->file == file && sameOptions(live->options, options)) return live;
    auto live = loadLiveVae(file, options, progress, error);
    if (live) loaded.push_back(live);
    return live;
}

// Seconds `live` is predicted to take for an encode + decode of `image`'s crop (negative: the
// probe failed, so unknown).
double predictedSeconds(const LiveVae& live, const lb::ImageBuffer& image) {
    if (live.secondsPerPixel < 0.0) return -1.0;
    const lb::CropRect crop = lb::centreCrop(image.height, image.width, live.vae->info().downscale);
    return live.secondsPerPixel * double(crop.height) * double(crop.width);
}

// The instances of one VAE the live view may run, in order of preference: the session's options,
// then, when those leave the precision to us and the model runs on the CPU, bf16. Loads each
// only when the one before it does not fit the budget; returns the first that fits, or null with
// the fastest tried in `fastest`.
std::shared_ptr<LiveVae> firstThatFits(LiveVaes& loaded, const std::string& file,
                                       const LiveInputs& in, const lb::Progress& progress,
                                       std::shared_ptr<LiveVae>* fastest, QString* error) {
    std::vector<lb::VaeLoadOptions> variants{in.options};
    double fastestSeconds = 0.0;
    for (std::size_t i = 0; i < variants.size() && !progress.cancelled(); ++i) {
        auto live = obtain(loaded, file, variants[i], progress, error);
        if (!live) return nullptr;
        const double seconds = predictedSeconds(*live, *in.image);
        if (seconds >= 0.0 && seconds <= in.budgetSeconds) return live;
        if (seconds >= 0.0 && (!*fastest || seconds < fastestSeconds)) {
            *fastest = live;
            fastestSeconds = seconds;
        }
        if (i == 0 && in.options.dtype == lb::ComputeDType::Auto &&
            live->vae->info().device == "cpu") {
            lb::VaeLoadOptions bf16 = in.options;
            bf16.dtype = lb::ComputeDType::BF16;
            variants.push_back(bf16);
        }
    }
    return nullptr;
}

bool isBuiltinFile(const std::string& file) {
    const auto builtinFile = lb::resolveVaePath(lb::builtinVaeSpec("taef2"));
    std::error_code noError;
    return builtinFile && std::filesystem::equivalent(builtinFile.value(), file, noError);
}

QString fileName(const std::string& file) {
    return QFileInfo(QString::fromStdString(file)).fileName();
}

LiveResult runLive(const LiveInputs& in, const lb::Progress& progress) {
    LiveResult out;
    out.generation = in.generation;
    out.grow = in.grow;
    out.loaded = in.loaded;
    try {
        const auto builtinFile = lb::resolveVaePath(lb::builtinVaeSpec("taef2"));
        const bool chosenIsBuiltin = !in.chosenFile.empty() && isBuiltinFile(in.chosenFile);
        std::shared_ptr<LiveVae> use;
        if (in.chosenFile.empty()) {
            out.why = QStringLiteral("no VAE with a decoder is chosen");
        } else if (!chosenIsBuiltin) {
            progress(0.0, "loading the chosen VAE for the live view");
            std::shared_ptr<LiveVae> fastest;
            QString error;
            use = firstThatFits(out.loaded, in.chosenFile, in, progress, &fastest, &error);
            if (progress.cancelled()) {
                out.cancelled = true;
                return out;
            }
            if (!error.isEmpty())
                out.why = error;
            else if (!use && fastest)
                out.why = QStringLiteral("%1 would take about %2 s here")
                              .arg(fileName(in.chosenFile))
                              .arg(predictedSeconds(*fastest, *in.image), 0, 'f', 1);
            out.chosenSkipped = !use;
        }
        if (!use) {
            // The built-in TAEF2: the fastest VAE there is, so it runs even over the budget.
            if (!builtinFile) {
                out.error = QString::fromStdString(builtinFile.message());
                return out;
            }
            progress(0.0, "loading the built-in VAE for the live view");
            std::shared_ptr<LiveVae> fastest;
            QString error;
            use = firstThatFits(out.loaded, builtinFile.value(), in, progress, &fastest, &error);
            if (progress.cancelled()) {
                out.cancelled = true;
                return out;
            }
            if (!use) use = fastest;
            if (!use) {
                out.error = error.isEmpty() ? QStringLiteral("the built-in VAE could not be probed")
                                            : error;
                return out;
            }
            out.builtin = true;
        }
        out.vaeName = out.builtin ? QStringLiteral("TAEF2 (built-in)") : fileName(use->file);
        out.precision = QString::fromStdString(use->vae->info().computeDType);
        out.fasterPrecision = use->options.dtype != in.options.dtype;
        if (progress.cancelled()) {
            out.cancelled = true;
            return out;
        }
        out.noiseMaskMode = in.noiseMask.has_value();
        const std::shared_ptr<const lb::MaskBuffer> mask = in.mask.get();
        auto trip = in.noiseMask ? lb::vaeRoundTripNoiseMask(*use->vae, *in.image, *mask,
                                                             *in.noiseMask, progress)
                                 : lb::vaeRoundTrip(*use->vae, *in.image, *mask, in.grow, progress);
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
    // Named for traces of the GUI thread's event dispatch (latentbrush-bench-editor-regions).
    debounce_.setObjectName(QStringLiteral("live-debounce"));
    watcher_.setObjectName(QStringLiteral("live-watcher"));
    debounce_.setSingleShot(true);
    connect(&debounce_, &QTimer::timeout, this, &LiveRoundTrip::onDebounceTimeout);
    QCoreApplication::instance()->installEventFilter(this);
    connect(&watcher_, &QFutureWatcher<std::shared_ptr<LiveResult>>::finished, this,
            &LiveRoundTrip::onFinished);
    connect(doc_, &MaskDocument::maskChanged, this, &LiveRoundTrip::inputsChanged);
    connect(doc_, &MaskDocument::imageChanged, this, &LiveRoundTrip::inputsChanged);
    connect(doc_, &MaskDocument::pixelsChanged, this, &LiveRoundTrip::inputsChanged);
    connect(preview_, &GrowPreview::growChanged, this, &LiveRoundTrip::inputsChanged);
    connect(session_, &EncodeSession::vaeChanged, this, &LiveRoundTrip::inputsChanged);
    if (NoiseMaskPreview* noiseMask = session_->noiseMaskPreview())
        connect(noiseMask, &NoiseMaskPreview::settingsChanged, this, &LiveRoundTrip::inputsChanged);
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
    // Edits in one pass of the event loop (an undo, a fill) make one run; a gesture's wait.
    debounce_.start(gestureInProgress() ? gestureDebounceMs_ : 0);
    emit stateChanged();
}

bool LiveRoundTrip::gestureInProgress() const {
    return tabletDown_ || QGuiApplication::mouseButtons() != Qt::NoButton;
}

void LiveRoundTrip::onDebounceTimeout() {
    if (gestureInProgress()) {
        debounce_.start(gestureDebounceMs_); // it paused; the release starts the run at once
        return;
    }
    start();
}

bool LiveRoundTrip::eventFilter(QObject* watched, QEvent* event) {
    const QEvent::Type type = event->type();
    if (type == QEvent::TabletPress) tabletDown_ = true;
    if (type == QEvent::TabletRelease) tabletDown_ = false;
    if ((type == QEvent::MouseButtonRelease || type == QEvent::TabletRelease) &&
        debounce_.isActive() && debounce_.interval() != 0)
        debounce_.start(0); // after the release is handled: the stroke's last edit is in
    return QObject::eventFilter(watched, event);
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
    in.mask = doc_->maskSnapshot(); // the edited tiles only: the whole mask is built there
    in.grow = preview_->grow();
    if (const NoiseMaskSettings noiseMask = session_->noiseMaskSettings(); noiseMask.noiseMask())
        in.noiseMask = noiseMask.options;
    in.options = session_->vaeLoadOptions();
    in.budgetSeconds = budgetSeconds_;
    if (auto vae = session_->vae(); vae && vae->info().hasDecoder) in.chosenFile = vae->info().file;
    in.loaded = loaded_;
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    auto cancel = cancel_;
    auto report = progressTo(this, &LiveRoundTrip::progress);
    watcher_.setFuture(QtConcurrent::run(
        backgroundPool(), [report, cancel, in = std::move(in)]() -> std::shared_ptr<LiveResult> {
            lb::Progress progress;
            progress.cancel = cancel.get();
            progress.report = report;
            auto out = std::make_shared<LiveResult>(runLive(in, progress));
            // The view's images are built here: a large photo's three conversions would
            // otherwise stall the GUI thread when the result arrives.
            if (out->error.isEmpty() && !out->cancelled && !progress.cancelled())
                out->images = makeKeptImages(out->trip);
            return out;
        }));
    emit stateChanged();
}

void LiveRoundTrip::onFinished() {
    // Moved, not copied: a large photo's result holds over a gigabyte of buffers.
    LiveResult out = std::move(*watcher_.result());
    // Loaded and probed VAEs are kept whatever became of the run: those of the VAE chosen now and
    // of the built-in one, with the session's options or their bf16 variant.
    loaded_.clear();
    const std::string chosenFile = session_->vae() ? session_->vae()->info().file : std::string();
    const lb::VaeLoadOptions options = session_->vaeLoadOptions();
    for (auto& live : out.loaded) {
        lb::VaeLoadOptions base = live->options;
        base.dtype = options.dtype;
        const bool usable =
            live->options.dtype == options.dtype || (options.dtype == lb::ComputeDType::Auto &&
                                                     live->options.dtype == lb::ComputeDType::BF16);
        const bool keep = usable && sameOptions(base, options) &&
                          (live->file == chosenFile || isBuiltinFile(live->file));
        if (keep) loaded_.push_back(std::move(live));
    }
    out.loaded.clear();
    if (out.cancelled || (!out.error.isEmpty() && out.generation != generation_)) {
        ++cancelledRuns_;
    } else {
        ++finishedRuns_;
        // A superseded result is still shown (marked stale) rather than nothing; a newer one
        // replaces it as soon as it arrives.
        if (shown_) releaseInBackground(std::move(*shown_)); // the replaced result's buffers
        shown_ = std::move(out);
        emit resultChanged();
    }
    if (startWhenFinished_ ||
        (enabled_ && shown_ && shown_->generation != generation_ && !debounce_.isActive()))
        start();
    emit stateChanged();
}

} // namespace lbui
