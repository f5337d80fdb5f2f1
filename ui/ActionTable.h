// ActionTable: the editor's actions built from one list of specs (name, text, shortcuts, icon,
// tip, check group, when enabled, what triggering does); the menus, the toolbars, the shortcuts
// help and the test driver all take their actions from it, so each is described once.
#pragma once

#include <QHash>
#include <QKeySequence>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <functional>

class QAction;
class QActionGroup;
class QMenu;
class QToolBar;
class QWidget;

namespace lbui {

// When an action can be used. The table enables the first three from the document; the owner of
// an action marked ByOwner (the encode session, the stitch) sets it.
enum class ActionEnabled { Always, WithImage, WithImageAlpha, ByOwner };

struct ActionSpec {
    QString name{}; // objectName: tests, the test driver and the help find the action by it
    QString text{};
    QString icon{}; // theme icon name; empty: none
    QList<QKeySequence> shortcuts{};
    QString tip{};   // status and tool tip; empty: the text without '&' and '…'
    QString group{}; // exclusive check group ("tools", "viewMode", ...); empty: none
    bool checkable = false;
    bool checked = false;
    QVariant data{}; // the value a group's member stands for (a view mode, a precision)
    ActionEnabled enabled = ActionEnabled::Always;
    std::function<void()> triggered{};   // on QAction::triggered (null: nothing)
    std::function<void(bool)> toggled{}; // on QAction::toggled, settings restored included
    // Makes the action instead of `new QAction` (undo and redo come from the undo stack); such an
    // action takes its text and tips from its maker, the table gives it name, icon and keys.
    std::function<QAction*(QObject* parent)> make{};
};

// One menu or toolbar: action names in order; "-" is a separator, "@NAME" a submenu or a slot
// that the window fills (the recent files, a check group's members as "#GROUP").
struct ActionBarSpec {
    QString name;  // the toolbar's objectName (empty for menus)
    QString title; // the menu or toolbar title
    QStringList items;
};

class ActionTable : public QObject {
    Q_OBJECT
public:
    // The actions are children of `window` and added to it (their shortcuts work while the
    // action is in no visible menu).
    explicit ActionTable(QWidget* window);

    QAction* add(const ActionSpec& spec);
    void addAll(const QList<ActionSpec>& specs);

    QAction* action(const QString& name) const { return byName_.value(name); }
    QList<QAction*> actions() const { return ordered_; } // in table order
    QList<QAction*> group(const QString& name) const;
    // The actions that have a keyboard shortcut (the shortcuts help lists them).
    QList<QAction*> withShortcuts() const;

    // Fills `menu` or `bar` from the item list; "@NAME" entries call `special` with the name.
    void fill(QMenu* menu, const QStringList& items,
              const std::function<void(QMenu*, const QString&)>& special = {}) const;
    void fill(QToolBar* bar, const QStringList& items) const;

    // Enables the WithImage / WithImageAlpha actions for the document's state.
    void updateEnabled(bool hasImage, bool hasAlpha) const;

private:
    QWidget* window_;
    QList<QAction*> ordered_;
    QHash<QString, QAction*> byName_;
    QHash<QString, ActionEnabled> enabled_;
    QHash<QString, QActionGroup*> groups_;
};

} // namespace lbui
