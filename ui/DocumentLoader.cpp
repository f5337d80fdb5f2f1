// DocumentLoader: image and mask loading through lb::readImage/readMask on worker threads;
// core errors become messages that say what to do.
#include "DocumentLoader.h"

#include "BackgroundPool.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/Parallel.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QThread>
#include <QtConcurrent>

#include <algorithm>
#include <cmath>
#include <exception>

namespace lbui {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("DocumentLoader", text);
}

QString openErrorMessage(const QString& path, const std::string& detail) {
    return tr("Could not open \"%1\": %2. Choose a PNG, JPEG, TIFF, EXR, WebP or BMP image "
              "that is readable and not damaged.")
        .arg(QFileInfo(path).fileName(), QString::fromStdString(detail));
}

} // namespace

QImage toDisplayImage(const lb::ImageBuffer& rgb) {
    QImage out(rgb.width, rgb.height, QImage::Format_RGB32);
    if (out.isNull()) return out;
    const int c = rgb.channels;
    lb::parallelFor(0, rgb.height, 16, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            const float* src = rgb.row(int(y));
            auto* dst = reinterpret_cast<QRgb*>(out.scanLine(int(y)));
            for (int x = 0; x < rgb.width; ++x) {
                auto q = [](float v) {
                    return int(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
                };
                const float* px = src + std::size_t(x) * c;
                dst[x] = c >= 3 ? qRgb(q(px[0]), q(px[1]), q(px[2]))
                                : qRgb(q(px[0]), q(px[0]), q(px[0]));
            }
        }
    });
    return out;
}

LoadedDocument loadDocument(const QString& imagePath, const QString& maskPath,
                            lb::InputPrecision precision) {
    LoadedDocument out;
    out.imagePath = imagePath;
    out.precision = precision;
    try {
        lb::ImageReadOptions options;
        options.precision = precision;
        auto loaded = lb::readImage(QFile::encodeName(imagePath).toStdString(), options);
        if (!loaded) {
            out.error = openErrorMessage(imagePath, loaded.message());
            return out;
        }
        auto rgb = std::make_shared<lb::ImageBuffer>(lb::toRgb(loaded->image));
        out.display = toDisplayImage(*rgb);
        if (out.display.isNull()) {
            out.error = tr("\"%1\" is too large to show (%2 x %3). Free some memory or use a "
                           "smaller image.")
                            .arg(QFileInfo(imagePath).fileName())
                            .arg(rgb->width)
                            .arg(rgb->height);
            return out;
        }
        if (loaded->hasAlpha) out.alphaMask = lb::maskFromAlpha(*loaded);
        if (!maskPath.isEmpty()) {
            LoadedMask m = loadMaskFile(maskPath, rgb->height, rgb->width, precision);
            if (!m.error.isEmpty()) {
                out.error = m.error;
                return out;
            }
            out.mask = std::move(m.mask);
            out.maskPath = maskPath;
            out.warning = m.warning;
        } else if (!out.alphaMask.empty()) {
            out.mask = out.alphaMask;
        } else {
            // The empty mask the document starts with, made here: zeroing a large photo's mask
            // on the GUI thread stalls the window as it opens.
            out.mask.height = rgb->height;
            out.mask.width = rgb->width;
            out.mask.data.assign(std::size_t(rgb->height) * std::size_t(rgb->width), 0.0f);
            out.maskIsZero = true;
        }
        out.rgb = std::move(rgb);
    } catch (const std::exception& e) {
        out.error = openErrorMessage(imagePath, e.what());
    }
    return out;
}

LoadedDocument loadSampleDocument(const QString& resourcePath) {
    LoadedDocument out;
    out.imagePath = resourcePath;
    QImage image(resourcePath);
    if (image.isNull()) {
        out.error = tr("The sample image is missing from this build. Open an image with "
                       "File > Open.");
        return out;
    }
    image = image.convertToFormat(QImage::Format_RGB32);
    auto rgb = std::make_shared<lb::ImageBuffer>();
    rgb->height = image.height();
    rgb->width = image.width();
    rgb->channels = 3;
    rgb->data.resize(std::size_t(rgb->height) * rgb->width * 3);
    for (int y = 0; y < image.height(); ++y) {
        const auto* src = reinterpret_cast<const QRgb*>(image.constScanLine(y));
        float* dst = rgb->row(y);
        for (int x = 0; x < image.width(); ++x) {
            dst[3 * x] = lb::byteToFloat(std::uint8_t(qRed(src[x])));
            dst[3 * x + 1] = lb::byteToFloat(std::uint8_t(qGreen(src[x])));
            dst[3 * x + 2] = lb::byteToFloat(std::uint8_t(qBlue(src[x])));
        }
    }
    out.display = image;
    out.rgb = std::move(rgb);
    return out;
}

LoadedMask loadMaskFile(const QString& path, int height, int width, lb::InputPrecision precision) {
    LoadedMask out;
    out.path = path;
    try {
        lb::ImageReadOptions options;
        options.precision = precision;
        auto mask =
            lb::readMask(QFile::encodeName(path).toStdString(), lb::MaskChannel::Auto, options);
        if (!mask) {
            out.error =
                tr("Could not read the mask \"%1\": %2. A mask is a gray image (white = "
                   "regenerate) or an image whose transparent pixels mark the region.")
                    .arg(QFileInfo(path).fileName(), QString::fromStdString(mask.message()));
            return out;
        }
        if (mask->height != height || mask->width != width) {
            const double a = double(mask->width) / mask->height, b = double(width) / height;
            if (std::abs(a - b) > 0.01 * b)
                out.warning = tr("The mask \"%1\" (%2 x %3) has another aspect ratio than the "
                                 "image; it was stretched to %4 x %5 as ComfyUI does.")
                                  .arg(QFileInfo(path).fileName())
                                  .arg(mask->width)
                                  .arg(mask->height)
                                  .arg(width)
                                  .arg(height);
            out.mask = lb::resizeBilinear(*mask, height, width);
        } else {
            out.mask = std::move(*mask);
        }
    } catch (const std::exception& e) {
        out.error = tr("Could not read the mask \"%1\": %2.")
                        .arg(QFileInfo(path).fileName(), QString::fromUtf8(e.what()));
    }
    return out;
}

DocumentLoader::DocumentLoader(QObject* parent) : QObject(parent) {
    loadDelayMs_ = std::max(0, qEnvironmentVariableIntValue("LATENTBRUSH_TEST_LOAD_DELAY_MS"));
    maskWatcher_.setObjectName(QStringLiteral("mask-loader"));
    connect(&maskWatcher_, &QFutureWatcher<LoadedMask>::finished, this, [this] {
        emit busyChanged(isBusy());
        emit maskLoaded(maskWatcher_.result());
    });
}

DocumentLoader::~DocumentLoader() {
    waitForFinished();
}

void DocumentLoader::loadImage(const QString& imagePath, const QString& maskPath) {
    const quint64 request = ++imageRequest_;
    loadingImage_ = true;
    loadingImagePath_ = imagePath;
    const int delayMs = loadDelayMs_;
    const lb::InputPrecision precision = precision_;
    // Shared, so that the document can take the masks over instead of copying them.
    QFuture<std::shared_ptr<LoadedDocument>> future =
        QtConcurrent::run(backgroundPool(), [imagePath, maskPath, delayMs, precision] {
            if (delayMs > 0) QThread::msleep(ulong(delayMs));
            return std::make_shared<LoadedDocument>(loadDocument(imagePath, maskPath, precision));
        });
    images_.removeIf(
        [](const QFuture<std::shared_ptr<LoadedDocument>>& f) { return f.isFinished(); });
    images_.append(future);
    // One watcher per request: a superseded load finishing late cannot be mistaken for the
    // latest one, whatever order the finished signals arrive in.
    auto* watcher = new QFutureWatcher<std::shared_ptr<LoadedDocument>>(this);
    connect(watcher, &QFutureWatcher<std::shared_ptr<LoadedDocument>>::finished, this,
            [this, watcher, request] {
                watcher->deleteLater();
                if (request != imageRequest_) return; // superseded
                loadingImage_ = false;
                loadingImagePath_.clear();
                emit busyChanged(isBusy());
                // The listener may take the masks over: a copy of a large photo's masks would cost
                // the GUI thread as much as the listeners' own work.
                const std::shared_ptr<LoadedDocument> loaded = watcher->result();
                emit imageLoaded(*loaded);
            });
    watcher->setFuture(future);
    emit busyChanged(true);
}

void DocumentLoader::cancelImage() {
    if (!loadingImage_) return;
    ++imageRequest_; // its result no longer matches the latest request
    loadingImage_ = false;
    loadingImagePath_.clear();
    emit busyChanged(isBusy());
}

void DocumentLoader::loadMask(const QString& maskPath, int height, int width) {
    maskWatcher_.waitForFinished();
    emit busyChanged(true);
    maskWatcher_.setFuture(
        QtConcurrent::run(backgroundPool(), loadMaskFile, maskPath, height, width, precision_));
}

bool DocumentLoader::isBusy() const {
    return loadingImage_ || maskWatcher_.isRunning();
}

void DocumentLoader::waitForFinished() {
    for (QFuture<std::shared_ptr<LoadedDocument>>& f : images_)
        f.waitForFinished();
    images_.clear();
    maskWatcher_.waitForFinished();
}

} // namespace lbui
