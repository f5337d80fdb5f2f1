// LiveRoundTrip: keeps "what the VAE keeps" current while the user paints. After each change of
// the mask, the grow, the encode mode or the VAE, it runs lb::vaeRoundTrip on a worker: the
// node's gray-filled input encoded and decoded, compared with the original crop (in the
// noise-mask mode lb::vaeRoundTripNoiseMask: the crop as VAEEncode takes it, no gray fill). A
// change while a run is going cancels it; only the newest inputs' result is ever shown as current.
//
// The VAE it runs: the session's (its own instance, loaded with the session's options, so that it
// never shares a model with an Encode running at the same time) when it has a decoder and a probe
// says its encode + decode of the current crop fits the interactive budget; otherwise the built-in
// TAEF2. When the session's precision is "auto" and the VAE runs on the CPU, an instance in bf16
// is tried before giving up on a VAE (CPUs with native bf16 run it about twice as fast). Which
// VAE and which precision were used is part of every result.
//
// When it runs: an edit made while a mouse button is held (a brush stroke, a slider drag) waits
// for the gesture to end or to pause for the debounce; any other edit (a key, an undo, the end of
// a stroke) starts a run at once, so that the view's latency is the VAE's time alone.
#pragma once

#include "KeptImages.h"

#include "latentbrush/RoundTrip.h"
#include "latentbrush/Vae.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QTimer>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

namespace lbui {

class GrowPreview;
class MaskDocument;
class EncodeSession;

// A VAE the live view has loaded: its file, the options it was loaded with, the model, and its
// measured speed.
struct LiveVae {
    std::string file;
    lb::VaeLoadOptions options;
    std::shared_ptr<lb::Vae> vae;
    double secondsPerPixel = 0.0; // encode + decode, from a probe
};
using LiveVaes = std::vector<std::shared_ptr<LiveVae>>;

struct LiveResult {
    quint64 generation = 0; // the inputs' generation this result belongs to
    lb::RoundTrip trip;
    KeptImages images;            // the trip as the view paints it, built on the worker
    QString vaeName;              // the VAE that ran, as shown ("taef2 (built-in)", a file name)
    QString precision;            // the precision it ran in ("fp32", "bf16", ...)
    bool fasterPrecision = false; // bf16 instead of the session's automatic float32, for speed
    QString why;                  // why that one, when it is not the chosen VAE
    bool chosenSkipped = false;   // a VAE was chosen, and this run used the built-in one instead
    bool builtin = false;
    int grow = 0;
    bool noiseMaskMode = false; // VAEEncode without gray fill (the noise-mask mode's Encode)
    QString error;              // empty on success
    bool cancelled = false;
    // VAEs loaded and measured so far, handed back to the GUI thread for the next runs.
    LiveVaes loaded;
};

class LiveRoundTrip : public QObject {
    Q_OBJECT
public:
    // Encode + decode time per update the live view aims at: a chosen VAE predicted to take
    // longer gives way to the built-in TAEF2.
    static constexpr double kDefaultBudgetSeconds = 1.0;

    LiveRoundTrip(MaskDocument* doc, GrowPreview* preview, EncodeSession* session,
                  QObject* parent = nullptr);
    ~LiveRoundTrip() override; // cancels and waits

    bool isEnabled() const { return enabled_; }
    void setEnabled(bool enabled);
    // Milliseconds a gesture (mouse button held) must pause before a run starts (default 250).
    void setDebounceMs(int ms) { gestureDebounceMs_ = ms; }
    void setBudgetSeconds(double seconds) { budgetSeconds_ = seconds; }
    double budgetSeconds() const { return budgetSeconds_; }

    bool isRunning() const { return watcher_.isRunning(); }
    bool isPending() const { return debounce_.isActive() || startWhenFinished_; }
    // The last result shown (current or superseded), if any.
    const LiveResult* result() const { return shown_ ? &*shown_ : nullptr; }
    // Whether the shown result belongs to the current inputs and no run is due.
    bool resultIsCurrent() const;
    quint64 generation() const { return generation_; }
    int finishedRuns() const { return finishedRuns_; }
    int cancelledRuns() const { return cancelledRuns_; }

public slots:
    // An input changed: the shown result is stale; a run starts after the debounce.
    void inputsChanged();

signals:
    void resultChanged(); // a new result is shown
    void stateChanged();  // running, pending, stale or enabled changed
    void progress(double fraction, const QString& stage);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override; // the end of a gesture

private:
    void start();
    void onDebounceTimeout();
    bool gestureInProgress() const; // a mouse button or a pen is down
    void onFinished();

    MaskDocument* doc_;
    GrowPreview* preview_;
    EncodeSession* session_;
    QTimer debounce_;
    QFutureWatcher<std::shared_ptr<LiveResult>> watcher_; // shared: never copied whole
    std::shared_ptr<std::atomic<bool>> cancel_;
    LiveVaes loaded_; // the instances loaded and probed so far (chosen, built-in; per precision)
    int gestureDebounceMs_ = 250;
    bool tabletDown_ = false;
    std::optional<LiveResult> shown_;
    quint64 generation_ = 1;
    double budgetSeconds_ = kDefaultBudgetSeconds;
    bool enabled_ = true;
    bool startWhenFinished_ = false;
    int finishedRuns_ = 0;
    int cancelledRuns_ = 0;
};

} // namespace lbui
