// MaskDocument: the open image (read-only, shared with worker threads) and the editable mask,
// with the undo stack that records every mask change. Views listen to its signals.
#pragma once

#include "MaskSnapshots.h"

#include "latentbrush/Buffers.h"
#include "latentbrush/ImageIO.h"

#include <QImage>
#include <QObject>
#include <QRect>
#include <QString>
#include <QUndoStack>

#include <memory>
#include <vector>

namespace lbui {

class MaskDocument : public QObject {
    Q_OBJECT
public:
    explicit MaskDocument(QObject* parent = nullptr);

    // Replaces the document: image (RGB float, as the encoder gets it), its 8-bit display copy,
    // and a mask of the same size (empty: all zero; `maskIsZero`: the caller made it all zero,
    // so that its snapshots need no copy of it). Clears the undo history.
    void setImage(std::shared_ptr<const lb::ImageBuffer> rgb, QImage display,
                  const QString& imagePath, lb::MaskBuffer mask = {}, lb::MaskBuffer alphaMask = {},
                  bool maskIsZero = false);

    bool hasImage() const { return image_ && !image_->empty(); }
    int width() const { return mask_.width; }
    int height() const { return mask_.height; }
    QSize size() const { return {mask_.width, mask_.height}; }
    QRect bounds() const { return {0, 0, mask_.width, mask_.height}; }

    const std::shared_ptr<const lb::ImageBuffer>& image() const { return image_; }
    const QImage& displayImage() const { return display_; }
    const lb::MaskBuffer& mask() const { return mask_; }
    // The mask as it is now, for a job on a worker: taken on the GUI thread (a copy of the tiles
    // edited since the last snapshot only), read there with get() (MaskSnapshots.h).
    MaskSnapshot maskSnapshot() { return snapshots_.take(mask_); }
    // The mask the image's own alpha gives (1 - alpha); empty when the image has no alpha.
    const lb::MaskBuffer& alphaMask() const { return alphaMask_; }

    // Tools write the mask directly while a stroke lasts and then report the changed rect.
    float* maskRow(int y) { return mask_.row(y); }
    void notifyMaskChanged(const QRect& rect);

    // Copies of a rectangle of the mask (row-major) and writes of one; writeMask notifies.
    std::vector<float> readMask(const QRect& rect) const;
    void writeMask(const QRect& rect, const float* pixels);

    // Apply of a stitched result: the new pixels (same size and channels) as one undo step.
    // `samples` are the stitched samples behind them (all channels of the original, the values
    // Export Image writes) and `depth` the depth they are written at.
    void replaceImagePixels(std::shared_ptr<const lb::ImageBuffer> rgb, QImage display,
                            std::shared_ptr<const lb::ImageBuffer> samples, lb::SampleDepth depth,
                            const QString& text);
    // ImageReplaceCommand's swap: puts these in and hands the current ones back.
    void swapImagePixels(std::shared_ptr<const lb::ImageBuffer>& rgb, QImage& display,
                         std::shared_ptr<const lb::ImageBuffer>& samples, lb::SampleDepth& depth);

    // The image after an Apply: the stitched samples behind it and their depth (null while the
    // image is the file's own pixels, e.g. after the Apply was undone).
    const std::shared_ptr<const lb::ImageBuffer>& appliedSamples() const { return applied_; }
    lb::SampleDepth appliedDepth() const { return appliedDepth_; }
    bool imageIsApplied() const { return applied_ != nullptr; }
    // An applied image that was not written by Export Image (closing would lose it).
    bool hasUnexportedImage() const { return applied_ && applied_ != exported_; }
    // Export Image wrote these samples (the applied image when they are appliedSamples()).
    void markImageExported(const std::shared_ptr<const lb::ImageBuffer>& samples);
    // True when the mask differs from its saved state: a step other than an Apply lies between
    // the undo stack's clean state and its current one (isModified() also counts Apply steps).
    bool maskModified() const;

    QUndoStack* undoStack() { return &undoStack_; }
    bool isModified() const { return !undoStack_.isClean(); }
    void markSaved() { undoStack_.setClean(); }

    QString imagePath() const { return imagePath_; }
    // The built-in sample image is a Qt resource (":/..."), not a file: it has no folder, is not
    // a recent file, and is always read at 8 bits.
    static bool isSamplePath(const QString& path) { return path.startsWith(QLatin1Char(':')); }
    bool isSample() const { return isSamplePath(imagePath_); }
    // The stem of the names suggested for outputs: the image's file name without its extension,
    // "sample" for the sample.
    static QString outputStem(const QString& imagePath);
    QString outputStem() const { return outputStem(imagePath_); }
    QString maskPath() const { return maskPath_; }
    // How the image's 16-bit samples were read (the .latent's source.precision).
    lb::InputPrecision inputPrecision() const { return inputPrecision_; }
    void setInputPrecision(lb::InputPrecision precision) { inputPrecision_ = precision; }
    void setMaskPath(const QString& path);
    // A short name for titles: the image's file name, or "Untitled".
    QString displayName() const;

signals:
    void imageChanged();  // a new document (size may change)
    void pixelsChanged(); // the image's pixels replaced (Apply, its undo); mask and size stay
    // imageIsApplied() or hasUnexportedImage() may have changed (Apply, undo, export, new image)
    void appliedChanged();
    void maskChanged(const QRect& rect); // any mask change, undo and redo included
    void modifiedChanged(bool modified);
    void pathsChanged();

private:
    std::shared_ptr<const lb::ImageBuffer> image_;
    QImage display_;
    std::shared_ptr<const lb::ImageBuffer> applied_; // see appliedSamples()
    lb::SampleDepth appliedDepth_ = lb::SampleDepth::Default;
    std::shared_ptr<const lb::ImageBuffer> exported_; // the samples Export Image wrote last
    lb::MaskBuffer mask_;
    MaskSnapshots snapshots_; // told of every change of mask_ before maskChanged is emitted
    lb::MaskBuffer alphaMask_;
    QString imagePath_;
    QString maskPath_;
    lb::InputPrecision inputPrecision_ = lb::InputPrecision::Reference;
    QUndoStack undoStack_;
};

} // namespace lbui
