// DocumentLoader: reads an image (and optionally a mask file) off the GUI thread with the
// core's ImageIO, converting to what MaskDocument holds; errors come back as messages.
#pragma once

#include "latentbrush/Buffers.h"

#include <QFutureWatcher>
#include <QImage>
#include <QObject>
#include <QString>

#include <memory>

namespace lbui {

struct LoadedDocument {
    std::shared_ptr<const lb::ImageBuffer> rgb; // the encoder's RGB float image
    QImage display;                             // 8-bit copy for the canvas
    lb::MaskBuffer mask;                        // image-sized (from --mask or the alpha)
    lb::MaskBuffer alphaMask;                   // 1 - alpha, when the image has alpha
    QString imagePath;
    QString maskPath;
    QString error;   // set when loading failed (the current document stays)
    QString warning; // a note to show (e.g. the mask's aspect ratio differs)
    bool ok() const { return error.isEmpty() && rgb; }
};

// Synchronous loads (thread-safe, never throw).
LoadedDocument loadDocument(const QString& imagePath, const QString& maskPath = {});
LoadedDocument loadSampleDocument(const QString& resourcePath);
// A mask file resized to height x width exactly as the node resizes it (bilinear).
struct LoadedMask {
    lb::MaskBuffer mask;
    QString path;
    QString error;
    QString warning;
};
LoadedMask loadMaskFile(const QString& path, int height, int width);

// The canvas's 8-bit copy of an RGB float image (round(v * 255), clamped).
QImage toDisplayImage(const lb::ImageBuffer& rgb);

// Runs loads on the thread pool; one at a time (a new request supersedes the previous one).
class DocumentLoader : public QObject {
    Q_OBJECT
public:
    explicit DocumentLoader(QObject* parent = nullptr);
    ~DocumentLoader() override;

    void loadImage(const QString& imagePath, const QString& maskPath = {});
    void loadMask(const QString& maskPath, int height, int width);
    bool isBusy() const;
    void waitForFinished();

signals:
    void imageLoaded(const lbui::LoadedDocument& doc);
    void maskLoaded(const lbui::LoadedMask& mask);
    void busyChanged(bool busy);

private:
    QFutureWatcher<LoadedDocument> imageWatcher_;
    QFutureWatcher<LoadedMask> maskWatcher_;
};

} // namespace lbui
