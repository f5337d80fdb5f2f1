// ActionTable: QActions from specs, and the menus and toolbars filled from lists of their names.
#include "ActionTable.h"

#include "SvgIconRenderer.h"

#include <QAction>
#include <QActionGroup>
#include <QMenu>
#include <QToolBar>
#include <QWidget>

namespace lbui {

ActionTable::ActionTable(QWidget* window) : QObject(window), window_(window) {}

QAction* ActionTable::add(const ActionSpec& spec) {
    QAction* a = spec.make ? spec.make(window_) : new QAction(spec.text, window_);
    a->setObjectName(spec.name);
    if (!spec.icon.isEmpty()) a->setIcon(themeIcon(spec.icon));
    if (!spec.shortcuts.isEmpty()) a->setShortcuts(spec.shortcuts);
    if (!spec.make) {
        const QString status =
            spec.tip.isEmpty()
                ? QString(spec.text).remove(QLatin1Char('&')).remove(QStringLiteral("…"))
                : spec.tip;
        if (!spec.shortcuts.isEmpty())
            a->setToolTip(QStringLiteral("%1 (%2)").arg(
                status, spec.shortcuts.first().toString(QKeySequence::NativeText)));
        else
            a->setToolTip(status);
        a->setStatusTip(status);
    }
    window_->addAction(a); // shortcuts work even when the action is in no visible menu
    if (spec.checkable || !spec.group.isEmpty()) a->setCheckable(true);
    if (spec.data.isValid()) a->setData(spec.data);
    if (!spec.group.isEmpty()) {
        QActionGroup*& group = groups_[spec.group];
        if (!group) group = new QActionGroup(window_);
        group->addAction(a);
    }
    if (spec.checked) a->setChecked(true);
    if (spec.toggled) connect(a, &QAction::toggled, window_, spec.toggled);
    if (spec.triggered) connect(a, &QAction::triggered, window_, [run = spec.triggered] { run(); });
    ordered_.append(a);
    byName_.insert(spec.name, a);
    enabled_.insert(spec.name, spec.enabled);
    return a;
}

void ActionTable::addAll(const QList<ActionSpec>& specs) {
    for (const ActionSpec& spec : specs)
        add(spec);
}

QList<QAction*> ActionTable::group(const QString& name) const {
    const QActionGroup* g = groups_.value(name);
    return g ? g->actions() : QList<QAction*>();
}

QList<QAction*> ActionTable::withShortcuts() const {
    QList<QAction*> list;
    for (QAction* a : ordered_)
        if (!a->shortcut().isEmpty()) list << a;
    return list;
}

void ActionTable::fill(QMenu* menu, const QStringList& items,
                       const std::function<void(QMenu*, const QString&)>& special) const {
    for (const QString& item : items) {
        if (item == QLatin1String("-"))
            menu->addSeparator();
        else if (item.startsWith(QLatin1Char('#')))
            menu->addActions(group(item.mid(1)));
        else if (item.startsWith(QLatin1Char('@')))
            special(menu, item.mid(1));
        else
            menu->addAction(action(item));
    }
}

void ActionTable::fill(QToolBar* bar, const QStringList& items) const {
    for (const QString& item : items) {
        if (item == QLatin1String("-"))
            bar->addSeparator();
        else if (item.startsWith(QLatin1Char('#')))
            bar->addActions(group(item.mid(1)));
        else
            bar->addAction(action(item));
    }
}

void ActionTable::updateEnabled(bool hasImage, bool hasAlpha) const {
    for (QAction* a : ordered_) {
        const ActionEnabled when = enabled_.value(a->objectName());
        if (when == ActionEnabled::WithImage)
            a->setEnabled(hasImage);
        else if (when == ActionEnabled::WithImageAlpha)
            a->setEnabled(hasImage && hasAlpha);
    }
}

} // namespace lbui
