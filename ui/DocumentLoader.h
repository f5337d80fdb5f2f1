// DocumentLoader: reads an image (and optionally a mask file) off the GUI thread with the
// core's ImageIO, converting to what MaskDocument holds; errors come back as messages.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/ImageIO.h"

#include <QFuture>
#include <QFutureWatcher>
#include <QImage>
#include <QList>
#include <QObject>
#include <QString>

#include <memory>

namespace lbui {

struct LoadedDocument {
    std::shared_ptr<const lb::ImageBuffer> rgb; // the encoder's RGB float image
    QImage display;                             // 8-bit copy for the canvas
    lb::MaskBuffer mask;                        // image-sized (from --mask or the alpha)
    bool maskIsZero = false;                    // `mask` was made here, all zero (none given)
    lb::MaskBuffer alphaMask;                   // 1 - alpha, when the image has alpha
    QString imagePath;
    QString maskPath;
    QString error;   // set when loading failed (the current document stays)
    QString warning; // a note to show (e.g. the mask's aspect ratio differs)
    lb::InputPrecision precision = lb::InputPrecision::Reference; // how 16-bit samples were read
    bool ok() const { return error.isEmpty() && rgb; }
};

// Synchronous loads (thread-safe, never throw).
LoadedDocument loadDocument(const QString& imagePath, const QString& maskPath = {},
                            lb::InputPrecision precision = lb::InputPrecision::Reference);
LoadedDocument loadSampleDocument(const QString& resourcePath);
// A mask file resized to height x width exactly as the node resizes it (bilinear).
struct LoadedMask {
    lb::MaskBuffer mask;
    QString path;
    QString error;
    QString warning;
};
LoadedMask loadMaskFile(const QString& path, int height, int width,
                        lb::InputPrecision precision = lb::InputPrecision::Reference);

// The canvas's 8-bit copy of an RGB float image (round(v * 255), clamped).
QImage toDisplayImage(const lb::ImageBuffer& rgb);

// Runs loads on the thread pool. A new image request supersedes the one in flight at once (the
// window never waits for it): only the latest request's result is delivered.
class DocumentLoader : public QObject {
    Q_OBJECT
public:
    // Tests: LATENTBRUSH_TEST_LOAD_DELAY_MS holds every image load this long on its worker (a
    // slow disk or a huge image), so that a test can order the load against other start-up work.
    explicit DocumentLoader(QObject* parent = nullptr);
    ~DocumentLoader() override;

    // How the loads that start from now on read 16-bit samples (the editor's Input Precision).
    void setInputPrecision(lb::InputPrecision precision) { precision_ = precision; }
    lb::InputPrecision inputPrecision() const { return precision_; }

    void loadImage(const QString& imagePath, const QString& maskPath = {});
    void loadMask(const QString& maskPath, int height, int width);
    // The image load in flight, if any, is not delivered (the sample was opened instead).
    void cancelImage();
    bool isBusy() const;
    bool isLoadingImage() const { return loadingImage_; }
    // The image whose load is in flight (as it was asked for).
    QString loadingImagePath() const { return loadingImagePath_; }
    void waitForFinished();

signals:
    // Its listeners may move the masks out of `doc` (the document takes them over); connect
    // directly, and read the masks before DocumentController::applyLoadedDocument runs.
    void imageLoaded(lbui::LoadedDocument& doc);
    void maskLoaded(const lbui::LoadedMask& mask);
    void busyChanged(bool busy);

private:
    quint64 imageRequest_ = 0;  // the latest image request; older results are dropped
    bool loadingImage_ = false; // that request is in flight
    QString loadingImagePath_;  // its image
    // Loads not finished yet (superseded ones included).
    QList<QFuture<std::shared_ptr<LoadedDocument>>> images_;
    int loadDelayMs_ = 0;
    lb::InputPrecision precision_ = lb::InputPrecision::Reference;
    QFutureWatcher<LoadedMask> maskWatcher_;
};

} // namespace lbui
