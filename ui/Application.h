// Application: the editor's QApplication: names for QSettings/QStandardPaths, the dark Fusion
// theme, and a notify() that turns any escaped exception into a message instead of a crash.
#pragma once

#include <QApplication>

namespace lbui {

class Application : public QApplication {
    Q_OBJECT
public:
    Application(int& argc, char** argv);
    bool notify(QObject* receiver, QEvent* event) override;

    // Organisation and application names used by QSettings and QStandardPaths.
    static void setIdentity();
    // The dark Fusion palette of the editor.
    static void applyTheme(QApplication& app);
};

} // namespace lbui
