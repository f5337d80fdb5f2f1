// SliderSpin: slider and spin box in one row under a label; the two never fight: each change
// updates the other with signals blocked and emits valueChanged once.
#include "SliderSpin.h"

#include <QGridLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>

#include <algorithm>

namespace lbui {

SliderSpin::SliderSpin(const QString& label, int sliderMin, int sliderMax, int spinMax,
                       const QString& suffix, QWidget* parent)
    : QWidget(parent) {
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setHorizontalSpacing(8);
    layout->setVerticalSpacing(2);
    auto* title = new QLabel(label, this);
    slider_ = new QSlider(Qt::Horizontal, this);
    slider_->setRange(sliderMin, sliderMax);
    spin_ = new QSpinBox(this);
    spin_->setRange(sliderMin, spinMax);
    spin_->setSuffix(suffix);
    spin_->setKeyboardTracking(false);
    spin_->setMinimumWidth(72);
    spin_->setAlignment(Qt::AlignRight);
    title->setBuddy(spin_);
    layout->addWidget(title, 0, 0, 1, 2);
    layout->addWidget(slider_, 1, 0);
    layout->addWidget(spin_, 1, 1);
    value_ = sliderMin;
    connect(slider_, &QSlider::valueChanged, this, [this](int v) { setValue(v); });
    connect(spin_, &QSpinBox::valueChanged, this, [this](int v) { setValue(v); });
}

int SliderSpin::value() const {
    return value_;
}

void SliderSpin::setValue(int value) {
    value = std::clamp(value, spin_->minimum(), spin_->maximum());
    {
        const QSignalBlocker a(slider_), b(spin_);
        slider_->setValue(std::min(value, slider_->maximum()));
        spin_->setValue(value);
    }
    if (value == value_) return;
    value_ = value;
    emit valueChanged(value);
}

} // namespace lbui
