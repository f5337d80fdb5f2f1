// PreviewPanel: the grow_mask_by control (slider 0..64 and spin box up to 1024), the crop the
// encoder will apply, coverage figures, and the overlay's color and opacity.
#pragma once

#include <QList>
#include <QWidget>

class QAction;
class QVBoxLayout;
class QLabel;
class QToolButton;

namespace lbui {

class CanvasLayers;
class GrowPreview;
class MaskDocument;
class NoiseMaskPreview;
class SliderSpin;

class PreviewPanel : public QWidget {
    Q_OBJECT
public:
    // `viewActions` (view modes and layer toggles) appear as buttons in the panel.
    PreviewPanel(MaskDocument* doc, GrowPreview* preview, CanvasLayers* layers,
                 const QList<QAction*>& viewActions, QWidget* parent = nullptr);

    SliderSpin* growControl() const { return grow_; }
    void setVaeDescription(const QString& text); // "no VAE: crop to multiples of 8", ...
    // Adds a section (the region controls) below the panel's own.
    void addSection(QWidget* section);
    // In the noise-mask mode the coverage line describes the soft noise_mask instead of the
    // rounded and grown one, which that mode does not use.
    void setNoiseMaskPreview(NoiseMaskPreview* noiseMask);

private:
    void updateCropInfo();
    void updateStats(); // the line of the mode chosen
    void updateInpaintStats();
    void updateSoftStats();
    void updateColorButton();

    QVBoxLayout* layout_;
    MaskDocument* doc_;
    GrowPreview* preview_;
    NoiseMaskPreview* noiseMask_ = nullptr;
    CanvasLayers* layers_;
    SliderSpin* grow_;
    SliderSpin* opacity_;
    QLabel* cropInfo_;
    QLabel* stats_;
    QLabel* vaeInfo_;
    QToolButton* color_;
};

} // namespace lbui
