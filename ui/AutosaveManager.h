// AutosaveManager: keeps a copy of an unsaved mask in the application's data folder (shortly
// after each edit, in the background, and on quit) and finds the copies a crash left behind.
// The copy also holds the region settings (RegionSettings::toMap) that a source gives, so that
// a restore brings the regions back with the mask.
#pragma once

#include <QDateTime>
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QLockFile>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QVariantMap>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace lbui {

class MaskDocument;

struct AutosavedMask {
    QString file;
    QString imagePath;
    QDateTime savedAt;
    int width = 0;
    int height = 0;
    std::vector<float> mask;
    QVariantMap regions; // the region settings at the time (empty in files written before them)
};

// What a look at the autosave folder found: files of crashed sessions that read back, and
// damaged ones, which were renamed to NAME.corrupt and are never offered again.
struct AutosaveScan {
    std::vector<AutosavedMask> recoverable; // newest first
    QStringList setAside;                   // the .corrupt paths
    QStringList reasons;                    // why each was set aside
};

class AutosaveManager : public QObject {
    Q_OBJECT
public:
    // An edit is written `delay` after the last change, and never later than `maxDelay` after
    // the first unsaved one, so a crash loses at most maxDelay plus one write. The periodic
    // timer is a backstop (retries after a failed write).
    static constexpr int kDefaultDelayMs = 2000;
    static constexpr int kDefaultMaxDelayMs = 5000;
    static constexpr int kDefaultIntervalMs = 60 * 1000;
    static constexpr const char* kCorruptSuffix = ".corrupt";

    explicit AutosaveManager(MaskDocument* doc, QObject* parent = nullptr);
    ~AutosaveManager() override;

    static QString folder(); // <AppDataLocation>/autosave
    QString filePath() const { return file_; }
    void setInterval(int ms) { timer_.setInterval(ms); }
    // Settings "autosave/delayMs" and "autosave/maxDelayMs", or the environment variables
    // LATENTBRUSH_AUTOSAVE_DELAY_MS and LATENTBRUSH_AUTOSAVE_MAX_DELAY_MS, set these at start.
    void setDelays(int delayMs, int maxDelayMs);
    int delayMs() const { return delayMs_; }
    int maxDelayMs() const { return maxDelayMs_; }
    bool isWriting() const { return writer_.isRunning(); }

    // Where the region settings written beside the mask come from; regionsChanged() marks the
    // autosave out of date as a mask edit does.
    void setRegionSource(std::function<QVariantMap()> source) { regionSource_ = std::move(source); }
    void regionsChanged() { onMaskChanged(); }

    // Writes the mask now when it changed since the last autosave (synchronously, atomically).
    bool saveNow();
    // Removes this session's autosave (after a save or an explicit discard).
    void discard();
    // Ends the session cleanly: autosaves an unsaved mask, or removes the file if none.
    void shutdown();

    // Autosaves of other sessions whose process is gone, newest first (not read).
    static QStringList orphanedAutosaves();
    // Reads every orphaned autosave; damaged ones are set aside (renamed .corrupt). Also removes
    // temporary files that writes of crashed sessions left behind.
    static AutosaveScan scanOrphans();
    static std::optional<AutosavedMask> read(const QString& file, QString* error = nullptr);
    static void removeOrphan(const QString& file);
    // Renames a damaged autosave to FILE.corrupt (and drops its lock); returns the new path.
    static QString setAside(const QString& file);

    // Tests: stop as a crash would (lock released, autosave left in place).
    void abandonForTest();

signals:
    void saved(const QString& file);
    void failed(const QString& message);

private:
    void onMaskChanged();
    void startBackgroundSave();
    void onWriteFinished();
    static bool write(const QString& file, const QString& imagePath, int width, int height,
                      const std::vector<float>& mask, const QVariantMap& regions, QString* error);
    QVariantMap regions() const { return regionSource_ ? regionSource_() : QVariantMap(); }

    MaskDocument* doc_;
    std::function<QVariantMap()> regionSource_;
    QString file_;
    std::unique_ptr<QLockFile> lock_;
    QTimer timer_;    // periodic backstop
    QTimer debounce_; // single shot, restarted by edits (within maxDelay)
    QElapsedTimer dirtySince_;
    int delayMs_ = kDefaultDelayMs;
    int maxDelayMs_ = kDefaultMaxDelayMs;
    quint64 generation_ = 0;      // bumped by every mask change
    quint64 savedGeneration_ = 0; // what the file holds
    quint64 writingGeneration_ = 0;
    bool saveWhenWritten_ = false;
    bool failing_ = false;
    QFutureWatcher<QString> writer_;
};

} // namespace lbui
