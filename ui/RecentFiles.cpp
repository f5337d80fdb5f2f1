// RecentFiles: QSettings-backed recent-path list and its menu. Missing files stay listed until
// opening them fails (the caller then removes them).
#include "RecentFiles.h"

#include "MaskDocument.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace lbui {

RecentFiles::RecentFiles(const QString& settingsKey, int maxCount, QObject* parent)
    : QObject(parent), key_(settingsKey), max_(maxCount) {
    paths_ = QSettings().value(key_).toStringList();
    while (paths_.size() > max_)
        paths_.removeLast();
}

void RecentFiles::add(const QString& path) {
    if (path.isEmpty() || MaskDocument::isSamplePath(path)) return;
    const QString abs = QFileInfo(path).absoluteFilePath();
    paths_.removeAll(abs);
    paths_.prepend(abs);
    while (paths_.size() > max_)
        paths_.removeLast();
    save();
}

void RecentFiles::remove(const QString& path) {
    if (paths_.removeAll(QFileInfo(path).absoluteFilePath()) > 0) save();
}

void RecentFiles::clear() {
    paths_.clear();
    save();
}

void RecentFiles::save() {
    QSettings().setValue(key_, paths_);
    emit changed();
}

void RecentFiles::attachMenu(QMenu* menu) {
    rebuild(menu);
    connect(this, &RecentFiles::changed, menu, [this, menu] { rebuild(menu); });
}

void RecentFiles::rebuild(QMenu* menu) {
    menu->clear();
    int n = 0;
    for (const QString& path : paths_) {
        ++n;
        const QString text = n < 10
                                 ? QStringLiteral("&%1  %2").arg(n).arg(QFileInfo(path).fileName())
                                 : QFileInfo(path).fileName();
        QAction* a = menu->addAction(text);
        a->setToolTip(QDir::toNativeSeparators(path));
        a->setStatusTip(QDir::toNativeSeparators(path));
        connect(a, &QAction::triggered, this, [this, path] { emit triggered(path); });
    }
    if (paths_.isEmpty()) {
        menu->addAction(tr("No recent files"))->setEnabled(false);
        return;
    }
    menu->addSeparator();
    connect(menu->addAction(tr("Clear List")), &QAction::triggered, this, &RecentFiles::clear);
}

} // namespace lbui
