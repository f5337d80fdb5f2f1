// AutosaveManager: keeps a copy of an unsaved mask in the application's data folder (shortly
// after each edit, in the background, and on quit) and finds the copies a crash left behind.
// The copy also holds the region settings (RegionSettings::toMap) that a source gives, so that
// a restore brings the regions back with the mask.
// While a result is imported (File > Import Result...), the copy is kept even for a saved mask
// and carries what the stitch needs to be shown again (AutosavedStitch); an image made by Apply
// and not exported is kept too (AutosavedApplied, its samples in a file beside the autosave).
#pragma once

#include "latentbrush/Buffers.h"

#include <QByteArray>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QList>
#include <QLockFile>
#include <QObject>
#include <QRect>
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

// An imported region result (StitchSession) as the autosave keeps it: the result files, the
// feather, and what the region encode gave the stitch (the regions, their encoded size, the
// grown mask of the whole image), so that restoring needs neither the encode nor the VAE.
struct AutosavedStitch {
    QStringList results; // in batch order
    float feather = 0.0f;
    int precision = 0; // lb::InputPrecision the encode read the image with
    int scaledWidth = 0, scaledHeight = 0;
    QList<QRect> rects; // the regions, in batch order
    // The grown mask of the whole image: 0/1 bytes, row-major. Implicitly shared: StitchSession
    // makes it once per import, so handing it over on every change copies nothing.
    QByteArray grown;
    // The same buffer is equal without reading its 48 MB (a 8000x6000 photo) on every change.
    bool operator==(const AutosavedStitch& o) const {
        return results == o.results && feather == o.feather && precision == o.precision &&
               scaledWidth == o.scaledWidth && scaledHeight == o.scaledHeight && rects == o.rects &&
               ((grown.constData() == o.grown.constData() && grown.size() == o.grown.size()) ||
                grown == o.grown);
    }
};

// An applied result (the image an Apply made) that was not exported, as the autosave keeps it:
// its stitched samples lie beside the autosave in their own file (AutosaveManager::pixelsPathFor),
// written when they change, not with every mask edit.
struct AutosavedApplied {
    int depth = 0;    // lb::SampleDepth Export Image writes them at
    int channels = 0; // of the samples (the original file's channels)
    bool operator==(const AutosavedApplied&) const = default;
};

struct AutosavedMask {
    QString file;
    QString imagePath;
    QDateTime savedAt;
    int width = 0;
    int height = 0;
    std::vector<float> mask;
    QVariantMap regions; // the region settings at the time (empty in files written before them)
    std::optional<AutosavedStitch> stitch;   // an imported result shown when the session ended
    std::optional<AutosavedApplied> applied; // an applied image not exported (version 3)
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
    // Removes this session's autosave (after a save or an explicit discard); while a result is
    // imported or an applied image is not exported, it is written again (without unsaved mask
    // edits it still holds them) unless `keepOthers` is false (the person discarded everything).
    void discard(bool keepOthers = true);
    // The imported result to keep with the mask (nullopt: none). Written like a mask edit.
    void setStitch(std::optional<AutosavedStitch> stitch);
    const std::optional<AutosavedStitch>& stitch() const { return stitch_; }
    // Ends the session cleanly: autosaves an unsaved mask or an applied image not exported (unless
    // discarded), or removes the file if none.
    void shutdown();

    // Autosaves of other sessions whose process is gone, newest first (not read).
    static QStringList orphanedAutosaves();
    // Reads every orphaned autosave; damaged ones are set aside (renamed .corrupt). Also removes
    // temporary files that writes of crashed sessions left behind.
    static AutosaveScan scanOrphans();
    static std::optional<AutosavedMask> read(const QString& file, QString* error = nullptr);
    // The file beside an autosave that holds its applied image's samples.
    static QString pixelsPathFor(const QString& autosaveFile);
    // Reads those samples back (size and channels checked against `kept`); one error line.
    static std::optional<lb::ImageBuffer> readAppliedPixels(const AutosavedMask& kept,
                                                            QString* error = nullptr);
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
    bool wanted() const; // an unsaved mask, or an imported result, to keep
    // `pixels`: the applied samples to write beside the autosave first (null: that file holds
    // them already, or there are none); `applied`: what the autosave records of them.
    static bool write(const QString& file, const QString& imagePath, int width, int height,
                      const std::vector<float>& mask, const QVariantMap& regions,
                      const std::optional<AutosavedStitch>& stitch,
                      const std::shared_ptr<const lb::ImageBuffer>& pixels,
                      const std::optional<AutosavedApplied>& applied, QString* error);
    static bool writeAppliedPixels(const QString& file, const lb::ImageBuffer& pixels,
                                   QString* error);
    // The applied image to keep (nullopt when none) and its samples.
    std::optional<AutosavedApplied> appliedState() const;
    std::shared_ptr<const lb::ImageBuffer> pixelsToWrite() const;
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
    std::optional<AutosavedStitch> stitch_;
    std::shared_ptr<const lb::ImageBuffer> writtenPixels_; // what the pixels file holds
    std::shared_ptr<const lb::ImageBuffer> writingPixels_;
};

} // namespace lbui
