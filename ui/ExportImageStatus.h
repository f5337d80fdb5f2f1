// ExportImageStatus: the status bar's indicator while File > Export Image... writes on the thread
// pool (StitchSession::startExportImage): the file's name and a busy bar, then the outcome. The
// write reports no fraction (one OpenImageIO call), so the bar shows activity, not a percentage.
#pragma once

#include <QWidget>

class QLabel;
class QProgressBar;
class QStatusBar;

namespace lbui {

class StitchSession;

class ExportImageStatus : public QWidget {
    Q_OBJECT
public:
    // Adds itself to `bar` (hidden until an export starts).
    ExportImageStatus(StitchSession* stitch, QStatusBar* bar);

signals:
    void failed(const QString& message); // one line naming the file and the problem

private:
    QStatusBar* bar_;
    QLabel* text_;
    QProgressBar* busy_;
};

} // namespace lbui
