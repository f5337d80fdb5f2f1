// The editor's action table: every action in a menu or toolbar is one of the table's (found by its
// name) and every one of the table's is in a menu; no two actions share a shortcut; the shortcuts
// help lists each action that has one; "enabled when" follows the document; the test driver of the
// real program triggers an action by its name.
#include "EditorProcess.h"
#include "TestSupport.h"
#include "UiTestSupport.h"

#include "ShortcutsDialog.h"

#include <QAction>
#include <QDockWidget>
#include <QMenu>
#include <QMenuBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolBar>

using namespace lbui;

namespace {

// The window's own actions: the table's (menus' submenu entries and dock toggles belong to others).
QList<QAction*> tableActions(const MainWindow& w) {
    return w.findChildren<QAction*>(QString(), Qt::FindDirectChildrenOnly);
}

// Every action a menu shows, submenus included, but not the recent files (paths, not actions of
// the table) nor the docks' show/hide toggles.
void collectMenu(const QMenu* menu, QList<QAction*>* out) {
    for (QAction* a : menu->actions()) {
        if (a->isSeparator()) continue;
        if (a->menu()) {
            if (a->menu()->title() != MainWindow::tr("Open &Recent")) collectMenu(a->menu(), out);
            continue;
        }
        if (qobject_cast<QDockWidget*>(a->parent())) continue;
        out->append(a);
    }
}

QString plainText(const QAction* a) {
    return QString(a->text()).remove(QLatin1Char('&'));
}

} // namespace

class TestActionTable : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    void menusAndToolbarsShowTheTableActions() {
        MainWindow w;
        const QList<QAction*> table = tableActions(w);
        QVERIFY(table.size() >= 40);
        QList<QAction*> inMenus;
        for (QAction* top : w.menuBar()->actions())
            collectMenu(top->menu(), &inMenus);
        for (QAction* a : inMenus) {
            QVERIFY2(!a->objectName().isEmpty(), qPrintable(plainText(a)));
            QVERIFY2(w.action(a->objectName()) == a, qPrintable(a->objectName()));
        }
        for (QAction* a : table)
            QVERIFY2(inMenus.contains(a), qPrintable(a->objectName() + " is in no menu"));
        const QList<QToolBar*> bars = w.findChildren<QToolBar*>();
        QCOMPARE(bars.size(), 2);
        for (const QToolBar* bar : bars)
            for (QAction* a : bar->actions())
                if (!a->isSeparator())
                    QVERIFY2(table.contains(a),
                             qPrintable(bar->objectName() + ": " + plainText(a)));
    }

    void noTwoActionsShareAShortcut() {
        MainWindow w;
        QHash<QString, QString> owner;
        for (QAction* a : tableActions(w)) {
            QSet<QString> own; // redo lists Ctrl+Y twice where the platform's Redo is Ctrl+Y
            for (const QKeySequence& key : a->shortcuts())
                if (!key.isEmpty()) // a standard key this platform leaves unbound (Save As)
                    own.insert(key.toString(QKeySequence::PortableText));
            for (const QString& key : own) {
                QVERIFY2(!owner.contains(key),
                         qPrintable(QStringLiteral("%1: %2 and %3")
                                        .arg(key, owner.value(key), a->objectName())));
                owner.insert(key, a->objectName());
            }
        }
        QVERIFY(owner.size() >= 30);
    }

    void theHelpListsEveryShortcut() {
        MainWindow w;
        w.action(QStringLiteral("shortcuts"))->trigger();
        auto* dialog = w.findChild<ShortcutsDialog*>();
        QVERIFY(dialog);
        auto* table = dialog->findChild<QTableWidget*>();
        QVERIFY(table);
        QStringList rows;
        for (int r = 0; r < table->rowCount(); ++r)
            rows << table->item(r, 0)->text() + QLatin1Char('=') + table->item(r, 1)->text();
        int listed = 0;
        for (QAction* a : tableActions(w)) {
            if (a->shortcut().isEmpty()) continue; // none, or unbound here (the help skips it)
            QStringList keys;
            for (const QKeySequence& k : a->shortcuts())
                keys << k.toString(QKeySequence::NativeText);
            const QString row = plainText(a) + QLatin1Char('=') + keys.join(QStringLiteral(", "));
            QVERIFY2(rows.contains(row), qPrintable(row));
            ++listed;
        }
        QVERIFY(listed >= 30);
    }

    void enabledFollowsTheDocument() {
        MainWindow w;
        QVERIFY(!w.document()->hasImage());
        for (const char* name :
             {"loadMask", "saveMask", "fill", "clear", "zoomFit", "maskExpand", "maskFromAlpha"})
            QVERIFY2(!w.action(QString::fromLatin1(name))->isEnabled(), name);
        for (const char* name : {"open", "quit", "toolBrush", "chooseVae", "shortcuts"})
            QVERIFY2(w.action(QString::fromLatin1(name))->isEnabled(), name);
        // Set by their owners: nothing encoded, nothing stitched.
        for (const char* name : {"encode", "cancelEncode", "exportLatent", "exportImage"})
            QVERIFY2(!w.action(QString::fromLatin1(name))->isEnabled(), name);
        w.openSample();
        QVERIFY(w.document()->hasImage());
        for (const char* name : {"loadMask", "saveMask", "fill", "clear", "zoomFit", "maskExpand"})
            QVERIFY2(w.action(QString::fromLatin1(name))->isEnabled(), name);
        QCOMPARE(w.action(QStringLiteral("maskFromAlpha"))->isEnabled(),
                 !w.document()->alphaMask().empty());
    }

    void theDriverTriggersActionsByName() {
        if (!lbuitest::editorBuilt()) LB_CANNOT_RUN("the latentbrush program has not been built");
        QTemporaryDir home;
        QVERIFY(home.isValid());
        lbuitest::EditorProcess editor(home.path());
        QVERIFY(editor.start({}));
        QVERIFY2(editor.waitForEvent(QStringLiteral("image ")) >= 0,
                 qPrintable(editor.stderrText()));
        QCOMPARE(editor.state().value("undoCount").toInt(), 0);
        QVERIFY(editor.command(QStringLiteral("trigger fill")).value("ok").toBool());
        QJsonObject state = editor.state();
        QCOMPARE(state.value("undoCount").toInt(), 1);
        QVERIFY(state.value("modified").toBool());
        QVERIFY(editor.command(QStringLiteral("trigger undo")).value("ok").toBool());
        QVERIFY(!editor.state().value("modified").toBool());
        const QJsonObject unknown = editor.command(QStringLiteral("trigger noSuchAction"));
        QVERIFY(!unknown.value("ok").toBool());
        QVERIFY(unknown.value("error").toString().contains(QStringLiteral("noSuchAction")));
        // Disabled (nothing stitched): refused, as its menu item is.
        QVERIFY(!editor.command(QStringLiteral("trigger exportImage")).value("ok").toBool());
        QVERIFY(editor.quit());
    }
};

QTEST_MAIN(TestActionTable)
#include "tst_actiontable.moc"
