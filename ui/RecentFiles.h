// RecentFiles: a most-recent-first list of paths kept in QSettings under one key, with a menu
// that reopens them. Used for images and for VAE files.
#pragma once

#include <QObject>
#include <QStringList>

class QMenu;

namespace lbui {

class RecentFiles : public QObject {
    Q_OBJECT
public:
    RecentFiles(const QString& settingsKey, int maxCount, QObject* parent = nullptr);

    QStringList paths() const { return paths_; }
    void add(const QString& path);
    void remove(const QString& path);
    void clear();
    // Rebuilds `menu` with one entry per path (and "Clear" at the end) whenever the list changes.
    void attachMenu(QMenu* menu);

signals:
    void changed();
    void triggered(const QString& path);

private:
    void save();
    void rebuild(QMenu* menu);

    QString key_;
    int max_;
    QStringList paths_;
};

} // namespace lbui
