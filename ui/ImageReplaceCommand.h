// ImageReplaceCommand: the undo step of Apply (an imported, stitched result becomes the image).
// Swaps the document's pixels, display copy and the stitched samples behind them (with their
// depth: what Export Image writes and the autosave keeps); the mask, size and paths stay, so a
// second pass can follow on the same mask.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/ImageIO.h"

#include <QImage>
#include <QUndoCommand>

#include <memory>

namespace lbui {

class MaskDocument;

class ImageReplaceCommand : public QUndoCommand {
public:
    ImageReplaceCommand(MaskDocument* doc, std::shared_ptr<const lb::ImageBuffer> pixels,
                        QImage display, std::shared_ptr<const lb::ImageBuffer> samples,
                        lb::SampleDepth depth, const QString& text);
    void redo() override;
    void undo() override;

private:
    MaskDocument* doc_;
    std::shared_ptr<const lb::ImageBuffer> pixels_; // the pixels the next swap puts in
    QImage display_;
    std::shared_ptr<const lb::ImageBuffer> samples_; // null: the file's own pixels
    lb::SampleDepth depth_;
};

} // namespace lbui
