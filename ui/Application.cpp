// Application: identity, theme, and the last line of defence against exceptions reaching Qt's
// event loop (the core returns errors as values; this catches std::bad_alloc and the like).
#include "Application.h"

#include <QMessageBox>
#include <QPalette>
#include <QStyleFactory>
#include <QTimer>

#include <exception>

namespace lbui {

Application::Application(int& argc, char** argv) : QApplication(argc, argv) {
    setIdentity();
    applyTheme(*this);
}

void Application::setIdentity() {
    QCoreApplication::setOrganizationName(QStringLiteral("Latentbrush"));
    QCoreApplication::setApplicationName(QStringLiteral("Latentbrush"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LATENTBRUSH_VERSION));
    QGuiApplication::setDesktopFileName(QStringLiteral("latentbrush"));
}

void Application::applyTheme(QApplication& app) {
    app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette p;
    const QColor window(45, 45, 48), base(32, 32, 35), text(222, 222, 226), mid(60, 60, 64);
    const QColor highlight(62, 130, 230);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(40, 40, 43));
    p.setColor(QPalette::ToolTipBase, QColor(25, 25, 28));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(140, 140, 148));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, mid);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(255, 80, 80));
    p.setColor(QPalette::Light, QColor(75, 75, 80));
    p.setColor(QPalette::Midlight, QColor(66, 66, 70));
    p.setColor(QPalette::Mid, QColor(50, 50, 54));
    p.setColor(QPalette::Dark, QColor(28, 28, 30));
    p.setColor(QPalette::Shadow, QColor(10, 10, 12));
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(100, 170, 255));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(120, 120, 126));
    p.setColor(QPalette::Disabled, QPalette::Button, QColor(50, 50, 53));
    app.setPalette(p);
    app.setStyleSheet(
        QStringLiteral("QDockWidget::title { padding: 5px 8px; background: #38383c; }"
                       "QToolBar { border: none; spacing: 2px; padding: 3px; }"
                       "QToolButton:checked { background: #3e5f8f; border-radius: 4px; }"
                       "QStatusBar QLabel { color: #b8b8be; padding: 0 6px; }"));
}

bool Application::notify(QObject* receiver, QEvent* event) {
    try {
        return QApplication::notify(receiver, event);
    } catch (const std::exception& e) {
        const QString what = QString::fromLocal8Bit(e.what());
        QTimer::singleShot(0, [what] {
            QMessageBox::critical(nullptr, tr("Latentbrush"),
                                  tr("An operation failed: %1. Your mask is kept; save it and "
                                     "try again with a smaller image or fewer open programs.")
                                      .arg(what));
        });
    } catch (...) {
        QTimer::singleShot(0, [] {
            QMessageBox::critical(nullptr, tr("Latentbrush"),
                                  tr("An operation failed unexpectedly. Save your mask and "
                                     "restart Latentbrush."));
        });
    }
    return false;
}

} // namespace lbui
