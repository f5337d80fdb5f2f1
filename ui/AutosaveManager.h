// AutosaveManager: keeps a copy of an unsaved mask in the application's data folder
// (periodically, in the background, and on quit) and finds the copies a crash left behind.
#pragma once

#include <QDateTime>
#include <QFutureWatcher>
#include <QLockFile>
#include <QObject>
#include <QString>
#include <QTimer>

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
};

class AutosaveManager : public QObject {
    Q_OBJECT
public:
    static constexpr int kDefaultIntervalMs = 60 * 1000;

    explicit AutosaveManager(MaskDocument* doc, QObject* parent = nullptr);
    ~AutosaveManager() override;

    static QString folder(); // <AppDataLocation>/autosave
    QString filePath() const { return file_; }
    void setInterval(int ms) { timer_.setInterval(ms); }

    // Writes the mask now when it changed since the last autosave (synchronously, atomically).
    bool saveNow();
    // Removes this session's autosave (after a save or an explicit discard).
    void discard();
    // Ends the session cleanly: autosaves an unsaved mask, or removes the file if none.
    void shutdown();

    // Autosaves of other sessions whose process is gone, newest first.
    static QStringList orphanedAutosaves();
    static std::optional<AutosavedMask> read(const QString& file, QString* error = nullptr);
    static void removeOrphan(const QString& file);

    // Tests: stop as a crash would (lock released, autosave left in place).
    void abandonForTest();

signals:
    void saved(const QString& file);
    void failed(const QString& message);

private:
    void onTimer();
    static bool write(const QString& file, const QString& imagePath, int width, int height,
                      const std::vector<float>& mask, QString* error);

    MaskDocument* doc_;
    QString file_;
    std::unique_ptr<QLockFile> lock_;
    QTimer timer_;
    quint64 generation_ = 0;      // bumped by every mask change
    quint64 savedGeneration_ = 0; // what the file holds
    QFutureWatcher<QString> writer_;
};

} // namespace lbui
