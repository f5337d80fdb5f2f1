// GrowPreview: the live preview of VAEEncodeForInpaint's preprocessing: the crop to the VAE's
// multiple, round(mask), the grown noise_mask and the gray-filled pixels, kept up to date
// incrementally with the core's exact operations as the mask or grow_mask_by changes.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/InpaintPreprocess.h"

#include <QObject>
#include <QRect>

namespace lbui {

class MaskDocument;

class GrowPreview : public QObject {
    Q_OBJECT
public:
    static constexpr int kDefaultGrow = 6;

    explicit GrowPreview(MaskDocument* doc, QObject* parent = nullptr);

    int grow() const { return grow_; }
    void setGrow(int grow); // 0 .. lb::kMaxGrow
    int multiple() const { return multiple_; }
    void setMultiple(int multiple); // the VAE's downscale ratio (8 without a VAE)

    // The crop in image coordinates (x = column, y = row).
    QRect cropRect() const;
    lb::CropRect crop() const { return crop_; }
    // Crop-sized planes: round(mask) and the grown noise_mask, 0/1 each.
    const lb::BinaryMask& roundedMask() const { return rounded_; }
    const lb::BinaryMask& noiseMask() const { return noise_; }
    qint64 maskedCount() const { return maskedCount_; } // ones in roundedMask()
    qint64 grownCount() const { return grownCount_; }   // ones in noiseMask()

    // The encoder's input pixels for `imageRect` (clipped to the crop): RGB, gray-filled with
    // lb::grayFill exactly as lb::prepareInpaint does. Rows of the clipped rect, 3 channels.
    lb::ImageBuffer encoderPixels(const QRect& imageRect) const;

signals:
    // The rounded or grown masks changed inside this rectangle (image coordinates).
    void previewChanged(const QRect& imageRect);
    void cropChanged();
    void growChanged(int grow);

private:
    void rebuild();
    void onImageChanged();
    void onMaskChanged(const QRect& rect);

    MaskDocument* doc_;
    int grow_ = kDefaultGrow;
    int multiple_ = 8;
    lb::CropRect crop_;
    lb::BinaryMask rounded_;
    lb::BinaryMask noise_;
    qint64 maskedCount_ = 0;
    qint64 grownCount_ = 0;
    bool rebuiltForImage_ = false; // rebuilt for a new image, its mask not announced yet
};

} // namespace lbui
