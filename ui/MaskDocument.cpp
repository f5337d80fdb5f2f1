// MaskDocument: the open image and the editable mask, with the undo stack.
// Every change of the mask goes through notifyMaskChanged/writeMask and emits maskChanged.
#include "MaskDocument.h"

#include "ImageReplaceCommand.h"

#include <QFileInfo>

#include <algorithm>
#include <cstring>

namespace lbui {

MaskDocument::MaskDocument(QObject* parent) : QObject(parent) {
    undoStack_.setUndoLimit(0);
    connect(&undoStack_, &QUndoStack::cleanChanged, this,
            [this](bool clean) { emit modifiedChanged(!clean); });
}

void MaskDocument::setImage(std::shared_ptr<const lb::ImageBuffer> rgb, QImage display,
                            const QString& imagePath, lb::MaskBuffer mask, lb::MaskBuffer alphaMask,
                            bool maskIsZero) {
    undoStack_.clear();
    image_ = std::move(rgb);
    display_ = std::move(display);
    applied_.reset();
    appliedDepth_ = lb::SampleDepth::Default;
    exported_.reset();
    const int h = image_ ? image_->height : 0;
    const int w = image_ ? image_->width : 0;
    const bool sized = mask.height == h && mask.width == w;
    const bool empty = !sized || maskIsZero;
    if (!sized) {
        mask = lb::MaskBuffer{};
        mask.height = h;
        mask.width = w;
        mask.data.assign(std::size_t(h) * std::size_t(w), 0.0f);
    }
    mask_ = std::move(mask);
    snapshots_.reset(w, h, empty); // a new, empty mask costs its snapshots no copy
    alphaMask_ =
        (alphaMask.height == h && alphaMask.width == w) ? std::move(alphaMask) : lb::MaskBuffer{};
    imagePath_ = imagePath;
    maskPath_.clear();
    undoStack_.setClean();
    emit imageChanged();
    emit maskChanged(bounds());
    emit pathsChanged();
    emit modifiedChanged(false);
    emit appliedChanged();
}

void MaskDocument::replaceImagePixels(std::shared_ptr<const lb::ImageBuffer> rgb, QImage display,
                                      std::shared_ptr<const lb::ImageBuffer> samples,
                                      lb::SampleDepth depth, const QString& text) {
    if (!hasImage() || !rgb || rgb->width != image_->width || rgb->height != image_->height ||
        rgb->channels != image_->channels || !samples || samples->width != rgb->width ||
        samples->height != rgb->height)
        return;
    undoStack_.push(new ImageReplaceCommand(this, std::move(rgb), std::move(display),
                                            std::move(samples), depth, text));
}

void MaskDocument::swapImagePixels(std::shared_ptr<const lb::ImageBuffer>& rgb, QImage& display,
                                   std::shared_ptr<const lb::ImageBuffer>& samples,
                                   lb::SampleDepth& depth) {
    std::swap(image_, rgb);
    std::swap(display_, display);
    std::swap(applied_, samples);
    std::swap(appliedDepth_, depth);
    emit pixelsChanged();
    emit appliedChanged();
}

void MaskDocument::markImageExported(const std::shared_ptr<const lb::ImageBuffer>& samples) {
    if (!samples || samples == exported_) return;
    exported_ = samples;
    emit appliedChanged();
}

bool MaskDocument::maskModified() const {
    const int clean = undoStack_.cleanIndex(), now = undoStack_.index();
    if (clean < 0) return true; // the saved state was dropped from the history
    for (int i = std::min(clean, now); i < std::max(clean, now); ++i)
        if (!dynamic_cast<const ImageReplaceCommand*>(undoStack_.command(i))) return true;
    return false;
}

void MaskDocument::notifyMaskChanged(const QRect& rect) {
    const QRect r = rect & bounds();
    if (r.isEmpty()) return;
    snapshots_.edited(r);
    emit maskChanged(r);
}

std::vector<float> MaskDocument::readMask(const QRect& rect) const {
    const QRect r = rect & bounds();
    std::vector<float> out(std::size_t(r.width()) * std::size_t(std::max(0, r.height())));
    for (int y = 0; y < r.height(); ++y)
        std::memcpy(out.data() + std::size_t(y) * r.width(), mask_.row(r.top() + y) + r.left(),
                    sizeof(float) * std::size_t(r.width()));
    return out;
}

void MaskDocument::writeMask(const QRect& rect, const float* pixels) {
    if (rect.isEmpty() || !bounds().contains(rect)) return;
    for (int y = 0; y < rect.height(); ++y)
        std::memcpy(mask_.row(rect.top() + y) + rect.left(), pixels + std::size_t(y) * rect.width(),
                    sizeof(float) * rect.width());
    snapshots_.edited(rect);
    emit maskChanged(rect);
}

void MaskDocument::setMaskPath(const QString& path) {
    maskPath_ = path;
    emit pathsChanged();
}

QString MaskDocument::outputStem(const QString& imagePath) {
    return isSamplePath(imagePath) ? QStringLiteral("sample")
                                   : QFileInfo(imagePath).completeBaseName();
}

QString MaskDocument::displayName() const {
    if (imagePath_.isEmpty()) return tr("Untitled");
    if (isSample()) return tr("Sample image");
    return QFileInfo(imagePath_).fileName();
}

} // namespace lbui
