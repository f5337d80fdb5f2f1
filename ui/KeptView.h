// KeptView: the live "what the VAE keeps" panel: the crop of the original, the VAE's decode of
// the node's gray-filled input, and a heat map of |decoded - original|, with the VAE that ran, the
// PSNR over the pixels the sampler keeps and whether the view is current. Driven by
// LiveRoundTrip; a stale result is greyed and labelled, never shown as current.
#pragma once

#include "KeptImages.h"

#include <QImage>
#include <QWidget>

class QCheckBox;
class QLabel;

namespace lbui {

class LiveRoundTrip;

class KeptView : public QWidget {
    Q_OBJECT
public:
    explicit KeptView(LiveRoundTrip* live, QWidget* parent = nullptr);

    // The three images as painted (empty before the first result).
    const QImage& originalImage() const { return original_; }
    const QImage& decodedImage() const { return decoded_; }
    const QImage& differenceImage() const { return difference_; }
    QString caption() const;

    // |decoded - original| of 0 .. kHeatRange maps onto the heat map's colours.
    static constexpr float kHeatRange = kKeptHeatRange;
    static QRgb heatColour(float difference);

private:
    void showResult();
    void showState();

    LiveRoundTrip* live_;
    QCheckBox* enabled_;
    QLabel* caption_;
    class Images;
    Images* images_;
    QImage original_, decoded_, difference_;
};

} // namespace lbui
