// AutosaveManager: autosave files are QDataStream headers plus the zlib-compressed float mask,
// written through QSaveFile; a per-process QLockFile tells live sessions from crashed ones.
#include "AutosaveManager.h"

#include "MaskDocument.h"

#include <QCoreApplication>
#include <QDataStream>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>
#include <QtConcurrent>

#include <cstring>

namespace lbui {

namespace {

constexpr quint32 kMagic = 0x4c424d4b; // "LBMK"
constexpr quint32 kVersion = 1;

QString lockPathFor(const QString& autosaveFile) {
    QString base = autosaveFile;
    base.replace(QStringLiteral(".lbmask"), QStringLiteral(".lock"));
    return base;
}

} // namespace

AutosaveManager::AutosaveManager(MaskDocument* doc, QObject* parent) : QObject(parent), doc_(doc) {
    const QString dir = folder();
    QDir().mkpath(dir);
    static int instances = 0; // one per window; the pid tells sessions apart
    file_ = QDir(dir).filePath(QStringLiteral("autosave-%1-%2.lbmask")
                                   .arg(QCoreApplication::applicationPid())
                                   .arg(++instances));
    lock_ = std::make_unique<QLockFile>(lockPathFor(file_));
    lock_->setStaleLockTime(0);
    lock_->tryLock(0);
    connect(doc_, &MaskDocument::maskChanged, this, [this] { ++generation_; });
    connect(doc_, &MaskDocument::imageChanged, this, [this] {
        // A new document: the previous one's autosave no longer applies.
        generation_ = savedGeneration_ = 0;
        discard();
    });
    connect(doc_, &MaskDocument::modifiedChanged, this, [this](bool modified) {
        if (!modified) discard();
    });
    timer_.setInterval(kDefaultIntervalMs);
    connect(&timer_, &QTimer::timeout, this, &AutosaveManager::onTimer);
    connect(&writer_, &QFutureWatcher<QString>::finished, this, [this] {
        const QString error = writer_.result();
        if (error.isEmpty())
            emit saved(file_);
        else
            emit failed(error);
    });
    timer_.start();
}

AutosaveManager::~AutosaveManager() {
    writer_.waitForFinished();
}

QString AutosaveManager::folder() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/autosave");
}

bool AutosaveManager::write(const QString& file, const QString& imagePath, int width, int height,
                            const std::vector<float>& mask, QString* error) {
    QByteArray raw(reinterpret_cast<const char*>(mask.data()),
                   qsizetype(mask.size() * sizeof(float)));
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly)) {
        if (error) *error = out.errorString();
        return false;
    }
    QDataStream s(&out);
    s.setVersion(QDataStream::Qt_6_0);
    s << kMagic << kVersion << imagePath << QDateTime::currentDateTimeUtc() << qint32(width)
      << qint32(height) << qCompress(raw, 1);
    if (s.status() != QDataStream::Ok || !out.commit()) {
        if (error) *error = out.errorString();
        return false;
    }
    return true;
}

bool AutosaveManager::saveNow() {
    writer_.waitForFinished();
    if (file_.isEmpty()) return false;
    if (!doc_->hasImage() || !doc_->isModified() || generation_ == savedGeneration_) return true;
    QString error;
    const bool ok =
        write(file_, doc_->imagePath(), doc_->width(), doc_->height(), doc_->mask().data, &error);
    if (ok) {
        savedGeneration_ = generation_;
        emit saved(file_);
    } else {
        emit failed(error);
    }
    return ok;
}

void AutosaveManager::onTimer() {
    if (writer_.isRunning() || file_.isEmpty()) return;
    if (!doc_->hasImage() || !doc_->isModified() || generation_ == savedGeneration_) return;
    // Copy on the GUI thread, compress and write on a worker.
    std::vector<float> copy = doc_->mask().data;
    const QString file = file_, image = doc_->imagePath();
    const int w = doc_->width(), h = doc_->height();
    savedGeneration_ = generation_;
    writer_.setFuture(QtConcurrent::run([file, image, w, h, copy = std::move(copy)] {
        QString error;
        write(file, image, w, h, copy, &error);
        return error;
    }));
}

void AutosaveManager::discard() {
    writer_.waitForFinished();
    if (!file_.isEmpty()) QFile::remove(file_);
    savedGeneration_ = generation_;
}

void AutosaveManager::shutdown() {
    timer_.stop();
    if (doc_->hasImage() && doc_->isModified())
        saveNow();
    else
        discard();
}

QStringList AutosaveManager::orphanedAutosaves() {
    QDir dir(folder());
    QStringList out;
    const QFileInfoList files =
        dir.entryInfoList({QStringLiteral("autosave-*.lbmask")}, QDir::Files, QDir::Time);
    for (const QFileInfo& info : files) {
        QLockFile lock(lockPathFor(info.absoluteFilePath()));
        lock.setStaleLockTime(0);
        if (!lock.tryLock(0)) continue; // its session is still running
        lock.unlock();
        out << info.absoluteFilePath();
    }
    return out;
}

std::optional<AutosavedMask> AutosaveManager::read(const QString& file, QString* error) {
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly)) {
        if (error) *error = in.errorString();
        return std::nullopt;
    }
    QDataStream s(&in);
    s.setVersion(QDataStream::Qt_6_0);
    quint32 magic = 0, version = 0;
    AutosavedMask out;
    qint32 w = 0, h = 0;
    QByteArray compressed;
    s >> magic >> version;
    if (magic != kMagic || version != kVersion) {
        if (error) *error = QCoreApplication::translate("Autosave", "not an autosave file");
        return std::nullopt;
    }
    s >> out.imagePath >> out.savedAt >> w >> h >> compressed;
    const QByteArray raw = qUncompress(compressed);
    if (s.status() != QDataStream::Ok || w <= 0 || h <= 0 ||
        raw.size() != qsizetype(w) * h * qsizetype(sizeof(float))) {
        if (error) *error = QCoreApplication::translate("Autosave", "the file is damaged");
        return std::nullopt;
    }
    out.file = file;
    out.width = w;
    out.height = h;
    out.mask.resize(std::size_t(w) * std::size_t(h));
    std::memcpy(out.mask.data(), raw.constData(), std::size_t(raw.size()));
    return out;
}

void AutosaveManager::removeOrphan(const QString& file) {
    QFile::remove(file);
    QFile::remove(lockPathFor(file));
}

void AutosaveManager::abandonForTest() {
    timer_.stop();
    writer_.waitForFinished();
    lock_->unlock();
    file_ = QString(); // never touch the file again
}

} // namespace lbui
