// ShortcutsDialog: a two-column table (what, keys) built from the actions, plus the canvas
// gestures, which have no QAction.
#include "ShortcutsDialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace lbui {

ShortcutsDialog::ShortcutsDialog(const QList<QAction*>& actions, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Keyboard Shortcuts — Latentbrush"));
    setModal(false);
    resize(560, 640);
    auto* layout = new QVBoxLayout(this);
    auto* table = new QTableWidget(this);
    table->setColumnCount(2);
    table->setHorizontalHeaderLabels({tr("Action"), tr("Shortcut")});
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionMode(QAbstractItemView::NoSelection);
    table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);

    QList<QPair<QString, QString>> rows;
    for (QAction* a : actions) {
        QStringList keys;
        for (const QKeySequence& k : a->shortcuts())
            keys << k.toString(QKeySequence::NativeText);
        QString text = a->text();
        text.remove(QLatin1Char('&'));
        rows.append({text, keys.join(QStringLiteral(", "))});
    }
    std::sort(rows.begin(), rows.end());
    const QList<QPair<QString, QString>> gestures = {
        {tr("Paint the mask"), tr("Left button drag")},
        {tr("Erase the mask"), tr("Right button drag")},
        {tr("Straight line from the last point"), tr("Shift + click")},
        {tr("Zoom around the cursor"), tr("Mouse wheel")},
        {tr("Pan"), tr("Space + drag, or middle button drag")},
        {tr("Brush size with pen pressure"), tr("Tablet pen")},
        {tr("Load a dropped file as the mask"), tr("Shift while dropping")},
        {tr("Selection tools: subtract from the mask"), tr("Alt + click/drag, or right button")},
        {tr("Selection tools: replace the mask"), tr("Shift + click/drag")},
        {tr("Rectangle, ellipse: keep the aspect"), tr("Ctrl while dragging")},
        {tr("Polygon lasso: close"), tr("Double-click, or Return")},
        {tr("Polygon lasso: remove the last point"), tr("Backspace")},
        {tr("Cancel a shape in progress"), tr("Escape")},
        {tr("Adjust the last fill / color selection"), tr("Move the tolerance slider")},
    };
    table->setRowCount(int(rows.size() + gestures.size()));
    int r = 0;
    for (const auto& row : gestures + rows) {
        table->setItem(r, 0, new QTableWidgetItem(row.first));
        table->setItem(r, 1, new QTableWidgetItem(row.second));
        ++r;
    }
    layout->addWidget(table);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    layout->addWidget(buttons);
}

} // namespace lbui
