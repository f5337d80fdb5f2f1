// BrushPanel: three SliderSpins for the brush; [ and ] (window actions) change the tool,
// which updates the panel through settingsChanged.
#include "BrushPanel.h"

#include "BrushTool.h"
#include "SliderSpin.h"

#include <QVBoxLayout>

#include <cmath>

namespace lbui {

BrushPanel::BrushPanel(BrushTool* tool, QWidget* parent) : QWidget(parent), tool_(tool) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 6, 10, 6);
    layout->setSpacing(6);
    size_ = new SliderSpin(tr("Size"), 1, 500, int(BrushTool::kMaxSize), tr(" px"), this);
    hardness_ = new SliderSpin(tr("Hardness"), 0, 100, 100, tr(" %"), this);
    opacity_ = new SliderSpin(tr("Opacity"), 1, 100, 100, tr(" %"), this);
    size_->setToolTip(tr("Brush diameter in image pixels ([ and ] change it)"));
    hardness_->setToolTip(tr("100%: a hard edge; lower values fade the edge out"));
    opacity_->setToolTip(tr("How far one stroke moves the mask towards painted or erased"));
    layout->addWidget(size_);
    layout->addWidget(hardness_);
    layout->addWidget(opacity_);
    layout->addStretch(1);
    syncFromTool();
    connect(tool_, &BrushTool::settingsChanged, this, &BrushPanel::syncFromTool);
    connect(size_, &SliderSpin::valueChanged, tool_, [this](int v) { tool_->setSize(v); });
    connect(hardness_, &SliderSpin::valueChanged, tool_,
            [this](int v) { tool_->setHardness(v / 100.0); });
    connect(opacity_, &SliderSpin::valueChanged, tool_,
            [this](int v) { tool_->setOpacity(v / 100.0); });
}

void BrushPanel::syncFromTool() {
    const BrushSettings& s = tool_->settings();
    const QSignalBlocker a(size_), b(hardness_), c(opacity_);
    size_->setValue(int(std::lround(s.size)));
    hardness_->setValue(int(std::lround(s.hardness * 100)));
    opacity_->setValue(int(std::lround(s.opacity * 100)));
}

} // namespace lbui
