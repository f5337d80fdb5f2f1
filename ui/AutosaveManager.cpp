// AutosaveManager: autosave files are QDataStream headers plus the zlib-compressed float mask,
// written through QSaveFile (temporary file + rename) on a worker thread; a per-session
// QLockFile tells live sessions from crashed ones. Damaged files are renamed, never fatal.
// Version 2 adds, after the mask, the imported result (AutosavedStitch) when there is one;
// version 3 then whether an applied, unexported image is kept (AutosavedApplied), its samples in
// the file beside (pixelsPathFor: zlib-compressed float rows, written atomically). Versions 1 and
// 2 still read.
#include "AutosaveManager.h"

#include "BackgroundPool.h"
#include "MaskDocument.h"

#include <QCoreApplication>
#include <QDataStream>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>
#include <QtConcurrent>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lbui {

namespace {

constexpr quint32 kMagic = 0x4c424d4b; // "LBMK"
// Version 2 appends the region settings (a QVariantMap) and the imported result, if any, after
// the mask; version 1 files (neither) are still read. Version 3 appends the applied image's
// record (its samples lie in the pixels file beside).
constexpr quint32 kVersion = 3;
constexpr quint32 kPixelsMagic = 0x4c425058; // "LBPX"
constexpr quint32 kPixelsVersion = 1;
constexpr int kPixelsRowsPerBlock = 64;
constexpr qint64 kMaxPixels = qint64(1) << 30; // far above the image size limit (16384^2)

const QString kSuffix = QStringLiteral(".lbmask");
const QString kPixelsSuffix = QStringLiteral(".lbpixels");

// "autosave-P-N-R.lbmask" and its temporary siblings "autosave-P-N-R.lbmask.XXXXXX" share the
// lock "autosave-P-N-R.lock".
QString lockPathFor(const QString& autosaveFile) {
    int at = autosaveFile.lastIndexOf(kSuffix);
    if (at < 0) at = autosaveFile.lastIndexOf(kPixelsSuffix);
    return (at < 0 ? autosaveFile : autosaveFile.left(at)) + QStringLiteral(".lock");
}

// True when nobody holds the lock of this autosave (its session is gone).
bool ownerIsGone(const QString& autosaveFile) {
    QLockFile lock(lockPathFor(autosaveFile));
    lock.setStaleLockTime(0); // age alone never makes a live session's lock stale
    if (!lock.tryLock(0)) return false;
    lock.unlock();
    return true;
}

int envOr(const char* name, int fallback) {
    bool ok = false;
    const int v = qEnvironmentVariableIntValue(name, &ok);
    return ok && v >= 0 ? v : fallback;
}

QString damaged(const char* what) {
    return QCoreApplication::translate("Autosave", what);
}

} // namespace

AutosaveManager::AutosaveManager(MaskDocument* doc, QObject* parent) : QObject(parent), doc_(doc) {
    // Named for traces of the GUI thread's event dispatch (latentbrush-bench-editor-regions).
    timer_.setObjectName(QStringLiteral("autosave-timer"));
    debounce_.setObjectName(QStringLiteral("autosave-debounce"));
    writer_.setObjectName(QStringLiteral("autosave-writer"));
    const QString dir = folder();
    QDir().mkpath(dir);
    // pid + counter + random part: a later session that gets a crashed session's pid again
    // must not take over (and overwrite) that session's autosave.
    static int instances = 0;
    ++instances;
    for (int attempt = 0; attempt < 8; ++attempt) {
        const QString name =
            QStringLiteral("autosave-%1-%2-%3%4")
                .arg(QCoreApplication::applicationPid())
                .arg(instances)
                .arg(QRandomGenerator::global()->generate() & 0xffffffu, 6, 16, QLatin1Char('0'))
                .arg(kSuffix);
        const QString path = QDir(dir).filePath(name);
        if (QFileInfo::exists(path)) continue;
        auto lock = std::make_unique<QLockFile>(lockPathFor(path));
        lock->setStaleLockTime(0);
        if (!lock->tryLock(0)) continue;
        file_ = path;
        lock_ = std::move(lock);
        break;
    }
    if (!lock_) lock_ = std::make_unique<QLockFile>(QString()); // no autosave this session

    QSettings s;
    int delay = s.value(QStringLiteral("autosave/delayMs"), kDefaultDelayMs).toInt();
    int maxDelay = s.value(QStringLiteral("autosave/maxDelayMs"), kDefaultMaxDelayMs).toInt();
    delay = envOr("LATENTBRUSH_AUTOSAVE_DELAY_MS", delay);
    maxDelay = envOr("LATENTBRUSH_AUTOSAVE_MAX_DELAY_MS", maxDelay);
    setDelays(delay, maxDelay);

    debounce_.setSingleShot(true);
    connect(&debounce_, &QTimer::timeout, this, &AutosaveManager::startBackgroundSave);
    connect(doc_, &MaskDocument::maskChanged, this, &AutosaveManager::onMaskChanged);
    connect(doc_, &MaskDocument::imageChanged, this, [this] {
        // A new document: the previous one's autosave no longer applies. (The generation only
        // grows, so a write of the previous document finishing later cannot mark new edits.)
        discard();
    });
    // An Apply, its undo or an export of the applied image: kept (or dropped) like an edit.
    connect(doc_, &MaskDocument::appliedChanged, this, [this] {
        if (wanted())
            onMaskChanged();
        else
            discard();
    });
    connect(doc_, &MaskDocument::modifiedChanged, this, [this](bool modified) {
        if (!modified) discard();
    });
    timer_.setInterval(kDefaultIntervalMs);
    connect(&timer_, &QTimer::timeout, this, &AutosaveManager::startBackgroundSave);
    connect(&writer_, &QFutureWatcher<QString>::finished, this, &AutosaveManager::onWriteFinished);
    timer_.start();
}

AutosaveManager::~AutosaveManager() {
    writer_.waitForFinished();
}

QString AutosaveManager::folder() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/autosave");
}

void AutosaveManager::setDelays(int delayMs, int maxDelayMs) {
    delayMs_ = std::max(0, delayMs);
    maxDelayMs_ = std::max(delayMs_, maxDelayMs);
}

bool AutosaveManager::wanted() const {
    return doc_->hasImage() &&
           (doc_->isModified() || stitch_.has_value() || doc_->hasUnexportedImage());
}

std::optional<AutosavedApplied> AutosaveManager::appliedState() const {
    if (!doc_->hasUnexportedImage()) return std::nullopt;
    return AutosavedApplied{int(doc_->appliedDepth()), doc_->appliedSamples()->channels};
}

std::shared_ptr<const lb::ImageBuffer> AutosaveManager::pixelsToWrite() const {
    if (!doc_->hasUnexportedImage() || doc_->appliedSamples() == writtenPixels_) return nullptr;
    return doc_->appliedSamples();
}

QString AutosaveManager::pixelsPathFor(const QString& autosaveFile) {
    const int at = autosaveFile.lastIndexOf(kSuffix);
    return (at < 0 ? autosaveFile : autosaveFile.left(at)) + kPixelsSuffix;
}

bool AutosaveManager::writeAppliedPixels(const QString& file, const lb::ImageBuffer& pixels,
                                         QString* error) {
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly)) {
        if (error) *error = out.errorString();
        return false;
    }
    QDataStream s(&out);
    s.setVersion(QDataStream::Qt_6_0);
    s << kPixelsMagic << kPixelsVersion << qint32(pixels.width) << qint32(pixels.height)
      << qint32(pixels.channels);
    // Blocks of rows, each within qCompress's 4-byte size whatever the image's size.
    const qsizetype rowBytes = qsizetype(pixels.width) * pixels.channels * qsizetype(sizeof(float));
    for (int y = 0; y < pixels.height && s.status() == QDataStream::Ok; y += kPixelsRowsPerBlock) {
        const int rows = std::min(kPixelsRowsPerBlock, pixels.height - y);
        s << qCompress(reinterpret_cast<const uchar*>(pixels.row(y)), rowBytes * rows, 1);
    }
    if (s.status() != QDataStream::Ok || !out.commit()) {
        if (error) *error = out.errorString();
        return false;
    }
    return true;
}

std::optional<lb::ImageBuffer> AutosaveManager::readAppliedPixels(const AutosavedMask& kept,
                                                                  QString* error) {
    auto fail = [error](const QString& why) {
        if (error) *error = why;
        return std::nullopt;
    };
    if (!kept.applied) return fail(damaged("the autosave keeps no applied image"));
    const QString file = pixelsPathFor(kept.file);
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("%1: %2").arg(QDir::toNativeSeparators(file), in.errorString()));
    QDataStream s(&in);
    s.setVersion(QDataStream::Qt_6_0);
    quint32 magic = 0, version = 0;
    qint32 w = 0, h = 0, c = 0;
    s >> magic >> version >> w >> h >> c;
    const QString where = QDir::toNativeSeparators(file) + QStringLiteral(": ");
    if (s.status() != QDataStream::Ok || magic != kPixelsMagic || version != kPixelsVersion)
        return fail(where + damaged("not the pixels of an autosave (cut short or overwritten)"));
    if (w != kept.width || h != kept.height || c != kept.applied->channels || c < 1 || c > 4)
        return fail(where + damaged("the pixels do not fit the autosaved mask"));
    lb::ImageBuffer out;
    out.width = w;
    out.height = h;
    out.channels = c;
    out.data.resize(std::size_t(w) * std::size_t(h) * std::size_t(c));
    const qint64 rowBytes = qint64(w) * c * qint64(sizeof(float));
    for (int y = 0; y < h; y += kPixelsRowsPerBlock) {
        const int rows = std::min(kPixelsRowsPerBlock, h - y);
        quint32 blockSize = 0;
        s >> blockSize;
        if (s.status() != QDataStream::Ok || blockSize < 4 || blockSize > in.size())
            return fail(where + damaged("the file is cut short"));
        QByteArray block(qsizetype(blockSize), Qt::Uninitialized);
        if (s.readRawData(block.data(), int(blockSize)) != int(blockSize))
            return fail(where + damaged("the file is cut short"));
        const quint32 expected = (quint32(uchar(block[0])) << 24) |
                                 (quint32(uchar(block[1])) << 16) |
                                 (quint32(uchar(block[2])) << 8) | quint32(uchar(block[3]));
        if (qint64(expected) != rowBytes * rows)
            return fail(where + damaged("the pixels are damaged"));
        const QByteArray raw = qUncompress(block);
        if (qint64(raw.size()) != rowBytes * rows)
            return fail(where + damaged("the pixels are damaged"));
        std::memcpy(out.row(y), raw.constData(), std::size_t(raw.size()));
    }
    if (!s.atEnd()) return fail(where + damaged("the file has data after the pixels"));
    for (float v : out.data)
        if (!std::isfinite(v))
            return fail(where + damaged("the pixels hold values that are not numbers"));
    return out;
}

void AutosaveManager::setStitch(std::optional<AutosavedStitch> stitch) {
    if (stitch == stitch_) return;
    stitch_ = std::move(stitch);
    if (wanted())
        onMaskChanged(); // written like an edit
    else
        discard();
}

void AutosaveManager::onMaskChanged() {
    ++generation_;
    if (file_.isEmpty()) return;
    if (!dirtySince_.isValid()) dirtySince_.start();
    const qint64 left = maxDelayMs_ - dirtySince_.elapsed();
    debounce_.start(int(std::clamp<qint64>(std::min<qint64>(delayMs_, left), 0, delayMs_)));
}

bool AutosaveManager::write(const QString& file, const QString& imagePath, int width, int height,
                            const std::vector<float>& mask, const QVariantMap& regions,
                            const std::optional<AutosavedStitch>& stitch,
                            const std::shared_ptr<const lb::ImageBuffer>& pixels,
                            const std::optional<AutosavedApplied>& applied, QString* error) {
    // The samples first: the autosave that names them is written once they are on disk.
    if (pixels && !writeAppliedPixels(pixelsPathFor(file), *pixels, error)) return false;
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
      << qint32(height) << qCompress(raw, 1) << regions << stitch.has_value();
    if (stitch)
        s << stitch->results << stitch->feather << qint32(stitch->precision)
          << qint32(stitch->scaledWidth) << qint32(stitch->scaledHeight) << stitch->rects
          << qCompress(stitch->grown, 1);
    s << applied.has_value();
    if (applied) s << qint32(applied->depth) << qint32(applied->channels);
    if (s.status() != QDataStream::Ok || !out.commit()) {
        if (error) *error = out.errorString();
        return false;
    }
    if (!applied) QFile::remove(pixelsPathFor(file)); // an Apply since undone or exported
    return true;
}

bool AutosaveManager::saveNow() {
    writer_.waitForFinished();
    if (file_.isEmpty()) return false;
    debounce_.stop();
    dirtySince_.invalidate();
    if (!wanted() || generation_ == savedGeneration_) return true;
    QString error;
    const std::shared_ptr<const lb::ImageBuffer> pixels = pixelsToWrite();
    const std::optional<AutosavedApplied> applied = appliedState();
    const bool ok = write(file_, doc_->imagePath(), doc_->width(), doc_->height(),
                          doc_->mask().data, regions(), stitch_, pixels, applied, &error);
    if (ok) {
        savedGeneration_ = generation_;
        writtenPixels_ = applied ? doc_->appliedSamples() : nullptr;
        failing_ = false;
        emit saved(file_);
    } else {
        failing_ = true;
        emit failed(error);
    }
    return ok;
}

void AutosaveManager::startBackgroundSave() {
    if (file_.isEmpty()) return;
    if (writer_.isRunning()) {
        saveWhenWritten_ = true; // the edits since this write started go in the next one
        return;
    }
    if (!wanted() || generation_ == savedGeneration_) return;
    debounce_.stop();
    dirtySince_.invalidate();
    // A snapshot of the mask (only the tiles edited since the last one are copied here); the
    // whole mask is built, compressed and written on a worker.
    MaskSnapshot snapshot = doc_->maskSnapshot();
    const QString file = file_, image = doc_->imagePath();
    const int w = doc_->width(), h = doc_->height();
    const QVariantMap regionMap = regions();
    writingGeneration_ = generation_;
    const std::optional<AutosavedApplied> applied = appliedState();
    writingPixels_ = applied ? doc_->appliedSamples() : nullptr;
    writer_.setFuture(QtConcurrent::run(
        backgroundPool(), [file, image, w, h, regionMap, snapshot = std::move(snapshot),
                           stitch = stitch_, pixels = pixelsToWrite(), applied]() mutable {
            const std::shared_ptr<const lb::MaskBuffer> mask = snapshot.get();
            snapshot = {}; // a later snapshot may reuse its buffer once `mask` is released
            QString error;
            write(file, image, w, h, mask->data, regionMap, stitch, pixels, applied, &error);
            return error;
        }));
}

void AutosaveManager::onWriteFinished() {
    const QString error = writer_.result();
    if (file_.isEmpty()) return; // abandoned (tests)
    if (error.isEmpty()) {
        // discard() may have run meanwhile; it already brought savedGeneration_ up to date.
        savedGeneration_ = std::max(savedGeneration_, writingGeneration_);
        writtenPixels_ = writingPixels_;
        failing_ = false;
        emit saved(file_);
    } else {
        // Retried by the periodic timer; one message per failure streak.
        if (!failing_) emit failed(error);
        failing_ = true;
        saveWhenWritten_ = false;
        return;
    }
    if (saveWhenWritten_) {
        saveWhenWritten_ = false;
        startBackgroundSave();
    }
}

void AutosaveManager::discard(bool keepOthers) {
    writer_.waitForFinished();
    debounce_.stop();
    dirtySince_.invalidate();
    saveWhenWritten_ = false;
    if (!file_.isEmpty()) {
        QFile::remove(file_);
        QFile::remove(pixelsPathFor(file_));
    }
    writtenPixels_.reset();
    savedGeneration_ = generation_;
    // the import, or an applied image not exported, is still to be kept
    if (keepOthers && (stitch_ || doc_->hasUnexportedImage()) && doc_->hasImage()) onMaskChanged();
}

void AutosaveManager::shutdown() {
    timer_.stop();
    debounce_.stop();
    if (doc_->hasImage() && (doc_->isModified() || doc_->hasUnexportedImage())) {
        saveNow();
    } else {
        stitch_.reset(); // a clean exit keeps no import on its own
        discard(false);
    }
}

QStringList AutosaveManager::orphanedAutosaves() {
    QDir dir(folder());
    QStringList out;
    const QFileInfoList files =
        dir.entryInfoList({QStringLiteral("autosave-*") + kSuffix}, QDir::Files, QDir::Time);
    for (const QFileInfo& info : files)
        if (ownerIsGone(info.absoluteFilePath())) out << info.absoluteFilePath();
    return out;
}

AutosaveScan AutosaveManager::scanOrphans() {
    AutosaveScan scan;
    // Temporary files of writes that a kill interrupted (the autosave itself is intact).
    QDir dir(folder());
    const QFileInfoList temps =
        dir.entryInfoList({QStringLiteral("autosave-*") + kSuffix + QStringLiteral(".*"),
                           QStringLiteral("autosave-*") + kPixelsSuffix + QStringLiteral(".*")},
                          QDir::Files);
    for (const QFileInfo& info : temps) {
        const QString path = info.absoluteFilePath();
        if (!path.endsWith(QLatin1String(kCorruptSuffix)) && ownerIsGone(path)) QFile::remove(path);
    }
    for (const QString& file : orphanedAutosaves()) {
        QString error;
        if (auto m = read(file, &error)) {
            scan.recoverable.push_back(std::move(*m));
            continue;
        }
        const QString aside = setAside(file);
        scan.setAside << (aside.isEmpty() ? file : aside); // not renamed: reported as is
        scan.reasons << error;
    }
    return scan;
}

std::optional<AutosavedMask> AutosaveManager::read(const QString& file, QString* error) {
    auto fail = [error](const QString& why) {
        if (error) *error = why;
        return std::nullopt;
    };
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly)) return fail(in.errorString());
    QDataStream s(&in);
    s.setVersion(QDataStream::Qt_6_0);
    quint32 magic = 0, version = 0;
    AutosavedMask out;
    qint32 w = 0, h = 0;
    s >> magic >> version;
    if (s.status() != QDataStream::Ok || magic != kMagic)
        return fail(damaged("not an autosave file (empty, cut short or overwritten)"));
    if (version < 1 || version > kVersion)
        return fail(damaged("an autosave of an unknown version"));
    s >> out.imagePath >> out.savedAt >> w >> h;
    if (s.status() != QDataStream::Ok) return fail(damaged("the file is cut short"));
    if (w <= 0 || h <= 0 || qint64(w) * h > kMaxPixels)
        return fail(damaged("the mask size in the file is impossible"));
    const qint64 rawSize = qint64(w) * h * qint64(sizeof(float));
    // The compressed block: qCompress's 4-byte big-endian size, then zlib data. Check the size
    // before inflating, so a damaged header cannot ask for gigabytes.
    quint32 blockSize = 0;
    s >> blockSize;
    if (s.status() != QDataStream::Ok || blockSize < 4 || blockSize > in.size())
        return fail(damaged("the file is cut short"));
    QByteArray compressed(qsizetype(blockSize), Qt::Uninitialized);
    if (s.readRawData(compressed.data(), int(blockSize)) != int(blockSize))
        return fail(damaged("the file is cut short"));
    const quint32 expected = (quint32(uchar(compressed[0])) << 24) |
                             (quint32(uchar(compressed[1])) << 16) |
                             (quint32(uchar(compressed[2])) << 8) | quint32(uchar(compressed[3]));
    if (qint64(expected) != rawSize)
        return fail(damaged("the mask data does not match the mask size in the file"));
    bool hasStitch = false;
    if (version >= 2) {
        s >> out.regions;
        if (s.status() != QDataStream::Ok)
            return fail(damaged("the region settings are cut short"));
        s >> hasStitch;
    }
    if (s.status() != QDataStream::Ok) return fail(damaged("the file is cut short"));
    if (hasStitch) {
        AutosavedStitch st;
        qint32 precision = 0, sw = 0, sh = 0;
        QByteArray grown;
        s >> st.results >> st.feather >> precision >> sw >> sh >> st.rects >> grown;
        if (s.status() != QDataStream::Ok) return fail(damaged("the imported result is cut short"));
        st.precision = precision;
        st.scaledWidth = sw;
        st.scaledHeight = sh;
        // the same size check as the mask's before inflating
        const quint32 grownSize =
            grown.size() < 4 ? 0
                             : (quint32(uchar(grown[0])) << 24) | (quint32(uchar(grown[1])) << 16) |
                                   (quint32(uchar(grown[2])) << 8) | quint32(uchar(grown[3]));
        if (qint64(grownSize) != qint64(w) * h)
            return fail(damaged("the imported result is damaged"));
        st.grown = qUncompress(grown);
        if (st.grown.size() != qint64(w) * h || st.results.size() != st.rects.size() ||
            st.rects.isEmpty() || sw <= 0 || sh <= 0 || !(st.feather >= 0.0f))
            return fail(damaged("the imported result is damaged"));
        out.stitch = std::move(st);
    }
    if (version >= 3) {
        bool hasApplied = false;
        s >> hasApplied;
        if (hasApplied) {
            qint32 depth = -1, channels = 0;
            s >> depth >> channels;
            if (s.status() == QDataStream::Ok &&
                (depth < 0 || depth > 3 || channels < 1 || channels > 4))
                return fail(damaged("the applied image's record is damaged"));
            out.applied = AutosavedApplied{depth, channels};
        }
        if (s.status() != QDataStream::Ok)
            return fail(damaged("the applied image's record is cut short"));
    }
    if (!s.atEnd()) return fail(damaged("the file has data after the mask"));
    const QByteArray raw = qUncompress(compressed);
    if (raw.size() != rawSize) return fail(damaged("the mask data is damaged"));
    out.file = file;
    out.width = w;
    out.height = h;
    out.mask.resize(std::size_t(w) * std::size_t(h));
    std::memcpy(out.mask.data(), raw.constData(), std::size_t(raw.size()));
    for (float v : out.mask)
        if (!(v >= 0.0f && v <= 1.0f)) return fail(damaged("the mask holds values outside 0..1"));
    return out;
}

void AutosaveManager::removeOrphan(const QString& file) {
    QFile::remove(file);
    QFile::remove(pixelsPathFor(file));
    QFile::remove(lockPathFor(file));
}

QString AutosaveManager::setAside(const QString& file) {
    QString target = file + QLatin1String(kCorruptSuffix);
    for (int n = 2; QFileInfo::exists(target); ++n)
        target = file + QStringLiteral(".%1").arg(n) + QLatin1String(kCorruptSuffix);
    if (!QFile::rename(file, target)) {
        // Cannot rename (read-only folder?): leave it; it will be reported again next time.
        return {};
    }
    QFile::remove(lockPathFor(file));
    return target;
}

void AutosaveManager::abandonForTest() {
    timer_.stop();
    debounce_.stop();
    writer_.waitForFinished();
    lock_->unlock();
    file_ = QString(); // never touch the file again
}

} // namespace lbui
