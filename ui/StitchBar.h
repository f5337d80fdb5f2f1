// StitchBar: the bar above the canvas while an imported result is shown: what was stitched, the
// before/after toggle, the feather (live), Apply (busy while the photo is composed), Export
// Image... and Close. A view of StitchSession.
#pragma once

#include <QWidget>

class QDoubleSpinBox;
class QLabel;
class QToolButton;

namespace lbui {

class StitchSession;

class StitchBar : public QWidget {
    Q_OBJECT
public:
    StitchBar(StitchSession* stitch, QAction* exportImage, QWidget* parent = nullptr);

private:
    void refresh();

    StitchSession* stitch_;
    QLabel* text_;
    QToolButton* before_;
    QDoubleSpinBox* feather_;
    QToolButton* apply_;
};

} // namespace lbui
