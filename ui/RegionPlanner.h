// RegionPlanner: the planned region(s) of the current mask, kept up to date as the mask, grow or
// region settings change (lb::regions planning on the grown mask of the whole image, the same
// steps regionEncode takes; no VAE needed). Recomputes once per event-loop turn however many
// changes arrive. On request it also gives each region's encoder input (ImageCrop -> ImageScale ->
// the node's gray fill), computed with the functions the encode uses, for the encoder-input view.
#pragma once

#include "RegionSettings.h"

#include "latentbrush/Buffers.h"

#include <QImage>
#include <QList>
#include <QObject>
#include <QRect>
#include <QString>

#include <optional>
#include <vector>

namespace lbui {

class GrowPreview;
class MaskDocument;

class RegionPlanner : public QObject {
    Q_OBJECT
public:
    RegionPlanner(MaskDocument* doc, GrowPreview* preview, QObject* parent = nullptr);

    const RegionSettings& settings() const { return settings_; }
    void setSettings(const RegionSettings& settings); // saves them to QSettings

    bool enabled() const { return settings_.enabled(); }
    // The plan of the current mask; nullopt when regions are off, no image is open or the
    // planning failed (error() says why, e.g. nothing masked).
    const std::optional<lb::regions::RegionPlan>& plan() const;
    QString error() const;
    QList<QRect> rects() const; // the plan's rectangles (image coordinates); empty without one

    // Each region's encoder input (W' x H' x 3, gray-filled) exactly as regionEncode gives it
    // to the VAE; computed when first asked after a change.
    const std::vector<lb::ImageBuffer>& encoderInputs();
    const QList<QImage>& encoderInputImages(); // the same, 8-bit for display

    // Recomputes now if a change is pending (tests and the encode call it; the GUI need not).
    void flush();

signals:
    void planChanged();
    void settingsChanged(); // before the plan follows them

private:
    void schedule();
    void recompute();

    MaskDocument* doc_;
    GrowPreview* preview_;
    RegionSettings settings_;
    bool pending_ = false;
    std::optional<lb::regions::RegionPlan> plan_;
    QString error_;
    lb::MaskBuffer fullMask_; // the mask at the image's size, as planned
    std::vector<lb::ImageBuffer> inputs_;
    QList<QImage> inputImages_;
    bool inputsValid_ = false;
    bool imagesValid_ = false;
};

} // namespace lbui
