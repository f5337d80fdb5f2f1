// NoiseMaskPanel: the encode mode choice ("Inpaint (VAEEncodeForInpaint)" / "Noise mask (VAEEncode
// + SetLatentNoiseMask)") and the noise-mask mode's controls (GrowMask expand and tapered corners,
// ImageBlur radius and sigma, the strength view), a section of the preview panel. A view of
// NoiseMaskPreview; it also says when regions and the noise-mask mode cannot go together.
#pragma once

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace lbui {

class NoiseMaskPreview;
class RegionPlanner;

class NoiseMaskPanel : public QWidget {
    Q_OBJECT
public:
    NoiseMaskPanel(NoiseMaskPreview* preview, RegionPlanner* regions, QWidget* parent = nullptr);

    QComboBox* modeBox() const { return mode_; }
    QSpinBox* expandBox() const { return expand_; }
    QCheckBox* taperedBox() const { return tapered_; }
    QSpinBox* blurRadiusBox() const { return blurRadius_; }
    QDoubleSpinBox* blurSigmaBox() const { return blurSigma_; }
    QCheckBox* strengthBox() const { return strength_; }
    QString infoText() const; // what the info line says now

private:
    void fromSettings(); // the widgets follow the preview's settings
    void toSettings();   // and the settings the widgets
    void updateInfo();

    NoiseMaskPreview* preview_;
    RegionPlanner* regions_;
    QComboBox* mode_;
    QWidget* options_;
    QSpinBox* expand_;
    QCheckBox* tapered_;
    QSpinBox* blurRadius_;
    QDoubleSpinBox* blurSigma_;
    QCheckBox* strength_;
    QLabel* info_;
    bool updating_ = false;
};

} // namespace lbui
