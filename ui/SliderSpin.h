// SliderSpin: a labelled slider with a spin box kept in step, the building block of the
// brush and preview panels (the spin box may allow more than the slider).
#pragma once

#include <QWidget>

class QLabel;
class QSlider;
class QSpinBox;

namespace lbui {

class SliderSpin : public QWidget {
    Q_OBJECT
public:
    SliderSpin(const QString& label, int sliderMin, int sliderMax, int spinMax,
               const QString& suffix = {}, QWidget* parent = nullptr);

    int value() const;
    void setValue(int value); // emits valueChanged only when it changes
    QSlider* slider() const { return slider_; }
    QSpinBox* spinBox() const { return spin_; }

signals:
    void valueChanged(int value);

private:
    QSlider* slider_;
    QSpinBox* spin_;
    int value_ = 0;
};

} // namespace lbui
