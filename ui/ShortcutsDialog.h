// ShortcutsDialog: a non-modal help window listing every keyboard shortcut (from the window's
// actions) and the mouse and tablet gestures of the canvas.
#pragma once

#include <QDialog>
#include <QList>

class QAction;

namespace lbui {

class ShortcutsDialog : public QDialog {
    Q_OBJECT
public:
    ShortcutsDialog(const QList<QAction*>& actions, QWidget* parent = nullptr);
};

} // namespace lbui
