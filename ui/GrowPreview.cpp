// GrowPreview: incremental noise_mask and gray-fill preview. A mask edit re-rounds only its
// rectangle and regrows only what lb::growBinaryRegion says the edit can reach.
#include "GrowPreview.h"

#include "MaskDocument.h"

#include "latentbrush/Parallel.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <utility>

namespace lbui {

namespace {

qint64 countOnes(const lb::BinaryMask& m, const QRect& r) {
    qint64 n = 0;
    for (int y = r.top(); y <= r.bottom(); ++y) {
        const std::uint8_t* row = m.row(y);
        for (int x = r.left(); x <= r.right(); ++x)
            n += row[x];
    }
    return n;
}

// Whether every value of the crop of `mask` is exactly 0 (a new image's mask): its rounded and
// grown masks are then all 0, with no rounding and growing of a large photo's pixels.
bool cropIsZero(const lb::MaskBuffer& mask, const lb::CropRect& crop) {
    std::atomic<bool> nonzero{false};
    lb::parallelFor(0, crop.height, 64, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1 && !nonzero.load(std::memory_order_relaxed); ++y) {
            const float* row = mask.row(crop.top + int(y)) + crop.left;
            for (int x = 0; x < crop.width; ++x)
                if (row[x] != 0.0f) {
                    nonzero.store(true, std::memory_order_relaxed);
                    return;
                }
        }
    });
    return !nonzero.load();
}

lb::BinaryMask zeros(int height, int width) {
    lb::BinaryMask m;
    m.height = height;
    m.width = width;
    m.data.assign(std::size_t(height) * std::size_t(width), 0);
    return m;
}

qint64 countAll(const lb::BinaryMask& m) {
    qint64 n = 0;
    for (std::uint8_t v : m.data)
        n += v;
    return n;
}

} // namespace

GrowPreview::GrowPreview(MaskDocument* doc, QObject* parent) : QObject(parent), doc_(doc) {
    connect(doc_, &MaskDocument::imageChanged, this, &GrowPreview::onImageChanged);
    connect(doc_, &MaskDocument::maskChanged, this, &GrowPreview::onMaskChanged);
    rebuild();
}

QRect GrowPreview::cropRect() const {
    return {crop_.left, crop_.top, crop_.width, crop_.height};
}

void GrowPreview::setGrow(int grow) {
    grow = std::clamp(grow, 0, lb::kMaxGrow);
    if (grow == grow_) return;
    grow_ = grow;
    lb::BinaryMask grown = lb::growBinary(rounded_, grow_);
    // Only where the grown mask changed needs redrawing: usually a band along the mask's edge.
    QRect changed;
    if (grown.height == noise_.height && grown.width == noise_.width) {
        for (int y = 0; y < grown.height; ++y) {
            const std::uint8_t* a = grown.row(y);
            const std::uint8_t* b = noise_.row(y);
            if (std::memcmp(a, b, std::size_t(grown.width)) == 0) continue;
            int x0 = 0, x1 = grown.width - 1;
            while (a[x0] == b[x0])
                ++x0;
            while (a[x1] == b[x1])
                --x1;
            changed |= QRect(x0, y, x1 - x0 + 1, 1);
        }
    } else {
        changed = QRect(0, 0, grown.width, grown.height);
    }
    noise_ = std::move(grown);
    grownCount_ = countAll(noise_);
    emit growChanged(grow_);
    if (!changed.isEmpty()) emit previewChanged(changed.translated(crop_.left, crop_.top));
}

void GrowPreview::setMultiple(int multiple) {
    multiple = std::max(1, multiple);
    if (multiple == multiple_) return;
    multiple_ = multiple;
    // The masks depend on the crop only: a VAE whose multiple keeps the same crop (an image whose
    // sides are multiples of both) changes nothing shown, and a rebuild of a large photo's masks
    // would stall the window for nothing.
    const lb::CropRect crop = lb::centreCrop(doc_->mask().height, doc_->mask().width, multiple_);
    if (crop == crop_ && crop.height > 0 && crop.width > 0) return;
    rebuild();
}

void GrowPreview::rebuild() {
    const lb::MaskBuffer& mask = doc_->mask();
    crop_ = lb::centreCrop(mask.height, mask.width, multiple_);
    bool none = false; // no pixel is masked
    if (crop_.height <= 0 || crop_.width <= 0) {
        crop_ = lb::CropRect{};
        rounded_ = lb::BinaryMask{};
        noise_ = lb::BinaryMask{};
    } else if ((none = cropIsZero(mask, crop_))) {
        rounded_ = zeros(crop_.height, crop_.width);
        noise_ = zeros(crop_.height, crop_.width);
    } else {
        // A crop that keeps the whole image needs no copy of a large photo's mask.
        const bool whole = crop_.height == mask.height && crop_.width == mask.width;
        rounded_ = whole ? lb::roundMask(mask) : lb::roundMask(lb::cropMask(mask, crop_));
        noise_ = lb::growBinary(rounded_, grow_);
    }
    maskedCount_ = none ? 0 : countAll(rounded_);
    grownCount_ = none ? 0 : countAll(noise_);
    emit cropChanged();
    emit previewChanged(doc_->bounds());
}

void GrowPreview::onImageChanged() {
    rebuild();
    // MaskDocument::setImage announces the new mask as changed everywhere right after this:
    // what the rebuild just computed from it (for a large photo, twice the work on the GUI
    // thread when it opens).
    rebuiltForImage_ = true;
}

void GrowPreview::onMaskChanged(const QRect& rect) {
    const bool rebuiltForImage = std::exchange(rebuiltForImage_, false);
    if (rebuiltForImage && rect == doc_->bounds()) return; // shown since the rebuild
    if (rounded_.empty()) return;
    if (rounded_.height != crop_.height || rounded_.width != crop_.width) return rebuild();
    // The edit in crop coordinates.
    const QRect inCrop = (rect & cropRect()).translated(-crop_.left, -crop_.top);
    if (inCrop.isEmpty()) return;

    // Re-round the changed rectangle with the core's roundMask.
    lb::MaskBuffer part;
    part.height = inCrop.height();
    part.width = inCrop.width();
    part.data.resize(std::size_t(part.height) * part.width);
    const lb::MaskBuffer& mask = doc_->mask();
    for (int y = 0; y < part.height; ++y)
        std::memcpy(part.row(y),
                    mask.row(crop_.top + inCrop.top() + y) + crop_.left + inCrop.left(),
                    sizeof(float) * std::size_t(part.width));
    const lb::BinaryMask rounded = lb::roundMask(part);
    maskedCount_ -= countOnes(rounded_, inCrop);
    for (int y = 0; y < part.height; ++y)
        std::memcpy(rounded_.row(inCrop.top() + y) + inCrop.left(), rounded.row(y),
                    std::size_t(part.width));
    maskedCount_ += countOnes(rounded_, inCrop);

    // Regrow only what the change can reach (a superset is counted before and after).
    const QRect reachBound =
        inCrop.adjusted(-grow_, -grow_, grow_, grow_) & QRect(0, 0, crop_.width, crop_.height);
    grownCount_ -= countOnes(noise_, reachBound);
    const lb::CropRect changed{inCrop.top(), inCrop.left(), inCrop.height(), inCrop.width()};
    const lb::CropRect reached = lb::growBinaryRegion(rounded_, grow_, changed, noise_);
    grownCount_ += countOnes(noise_, reachBound);

    QRect out = inCrop;
    if (reached.height > 0 && reached.width > 0)
        out |= QRect(reached.left, reached.top, reached.width, reached.height);
    emit previewChanged(out.translated(crop_.left, crop_.top));
}

lb::ImageBuffer GrowPreview::encoderPixels(const QRect& imageRect) const {
    const QRect r = imageRect & cropRect();
    lb::ImageBuffer out;
    const auto& image = doc_->image();
    if (r.isEmpty() || !image) return out;
    out.height = r.height();
    out.width = r.width();
    out.channels = 3;
    out.data.resize(std::size_t(out.height) * out.width * 3);
    lb::MaskBuffer m;
    m.height = r.height();
    m.width = r.width();
    m.data.resize(std::size_t(m.height) * m.width);
    const lb::MaskBuffer& mask = doc_->mask();
    const int c = image->channels;
    for (int y = 0; y < r.height(); ++y) {
        const float* src = image->row(r.top() + y) + std::size_t(r.left()) * c;
        float* dst = out.row(y);
        for (int x = 0; x < r.width(); ++x)
            for (int k = 0; k < 3; ++k)
                dst[x * 3 + k] = src[x * c + std::min(k, c - 1)];
        std::memcpy(m.row(y), mask.row(r.top() + y) + r.left(), sizeof(float) * r.width());
    }
    lb::grayFill(out, m);
    return out;
}

} // namespace lbui
