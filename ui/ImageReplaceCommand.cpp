// ImageReplaceCommand: redo and undo are the same swap (ImageReplaceCommand.h).
#include "ImageReplaceCommand.h"

#include "MaskDocument.h"

namespace lbui {

ImageReplaceCommand::ImageReplaceCommand(MaskDocument* doc,
                                         std::shared_ptr<const lb::ImageBuffer> pixels,
                                         QImage display,
                                         std::shared_ptr<const lb::ImageBuffer> samples,
                                         lb::SampleDepth depth, const QString& text)
    : QUndoCommand(text), doc_(doc), pixels_(std::move(pixels)), display_(std::move(display)),
      samples_(std::move(samples)), depth_(depth) {}

void ImageReplaceCommand::redo() {
    doc_->swapImagePixels(pixels_, display_, samples_, depth_);
}

void ImageReplaceCommand::undo() {
    doc_->swapImagePixels(pixels_, display_, samples_, depth_);
}

} // namespace lbui
