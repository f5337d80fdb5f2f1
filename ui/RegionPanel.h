// RegionPanel: the region controls of the Inpaint Preview panel (off = the whole image; auto with
// context, separate regions, a manual rectangle with X, Y, W, H and a toggle for editing it on the
// canvas, target size or area, resize method) and a line saying what the planner made of them.
// A view of RegionPlanner: every change goes to setSettings, and settings changed elsewhere (a
// drag on the canvas, a restored autosave) are shown.
#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QSpinBox;
class QToolButton;

namespace lbui {

class RegionPlanner;
struct RegionSettings;

class RegionPanel : public QWidget {
    Q_OBJECT
public:
    explicit RegionPanel(RegionPlanner* planner, QWidget* parent = nullptr);

private:
    void showSettings(const RegionSettings& s);
    void apply();
    void updateEnabled();
    void updateInfo();

    RegionPlanner* planner_;
    QComboBox* mode_;
    QComboBox* contextUnit_;
    QSpinBox* context_;
    QSpinBox* manualX_;
    QSpinBox* manualY_;
    QSpinBox* manualW_;
    QSpinBox* manualH_;
    QToolButton* editManual_;
    QWidget* manualRow_;
    QComboBox* target_;
    QSpinBox* targetWidth_;
    QSpinBox* targetHeight_;
    QSpinBox* targetArea_;
    QComboBox* method_;
    QLabel* info_;
    bool updating_ = false;
};

} // namespace lbui
