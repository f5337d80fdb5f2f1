// BrushPanel: the brush settings dock (size, hardness, opacity) bound to a BrushTool.
// Thin: every change goes straight to the tool and back.
#pragma once

#include <QWidget>

namespace lbui {

class BrushTool;
class SliderSpin;

class BrushPanel : public QWidget {
    Q_OBJECT
public:
    BrushPanel(BrushTool* tool, QWidget* parent = nullptr);
    SliderSpin* sizeControl() const { return size_; }

private:
    void syncFromTool();

    BrushTool* tool_;
    SliderSpin* size_;
    SliderSpin* hardness_;
    SliderSpin* opacity_;
};

} // namespace lbui
