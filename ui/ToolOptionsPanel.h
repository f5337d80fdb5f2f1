// ToolOptionsPanel: the "Tool Options" dock: the active tool's options (the brush panel, a
// shape tool's anti-aliasing, a fill tool's tolerance, distance and connectivity) above the
// mask adjustments (expand / contract by N px, fill holes), whose settings persist too.
#pragma once

#include "latentbrush/MaskTools.h"

#include <QHash>
#include <QWidget>

class QAction;
class QComboBox;
class QToolButton;

namespace lbui {

class BrushPanel;
class FillTool;
class MaskTool;
class ShapeTool;
class SliderSpin;

class ToolOptionsPanel : public QWidget {
    Q_OBJECT
public:
    ToolOptionsPanel(BrushPanel* brushPanel, const QList<MaskTool*>& tools,
                     QWidget* parent = nullptr);

    // Shows the options of `tool` (the brush: the brush panel).
    void showOptionsFor(MaskTool* tool);
    QWidget* currentPage() const;

    // The buttons of the adjustments run these actions (the window owns their shortcuts).
    void setAdjustActions(QAction* expand, QAction* contract, QAction* fillHoles);
    int adjustRadius() const;
    lb::Footprint adjustFootprint() const;
    qint64 holeArea() const;
    SliderSpin* radiusControl() const { return radius_; }
    QComboBox* footprintControl() const { return footprint_; }
    SliderSpin* holeAreaControl() const { return holeArea_; }
    SliderSpin* toleranceControl(const FillTool* tool) const { return tolerance_.value(tool); }

private:
    QWidget* makeShapePage(ShapeTool* tool);
    QWidget* makeFillPage(FillTool* tool);
    QWidget* makeAdjustGroup();

    QWidget* brushPage_;
    QWidget* current_ = nullptr;
    QHash<const MaskTool*, QWidget*> pages_;
    QHash<const FillTool*, SliderSpin*> tolerance_;
    SliderSpin* radius_ = nullptr;
    QComboBox* footprint_ = nullptr;
    SliderSpin* holeArea_ = nullptr;
    QToolButton* expandButton_ = nullptr;
    QToolButton* contractButton_ = nullptr;
    QToolButton* holesButton_ = nullptr;
};

} // namespace lbui
