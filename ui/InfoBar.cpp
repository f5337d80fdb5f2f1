// InfoBar: message strip with a colored edge, the text, action buttons and a close button.
// Styled with the palette so it fits the dark theme.
#include "InfoBar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QToolButton>

namespace lbui {

InfoBar::InfoBar(QWidget* parent) : QFrame(parent) {
    setObjectName(QStringLiteral("InfoBar"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 6, 6, 6);
    layout->setSpacing(8);
    label_ = new QLabel(this);
    label_->setWordWrap(true);
    label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(label_, 1);
    actionsLayout_ = new QHBoxLayout;
    actionsLayout_->setSpacing(6);
    layout->addLayout(actionsLayout_);
    auto* close = new QToolButton(this);
    close->setText(QStringLiteral("\u2715"));
    close->setAutoRaise(true);
    close->setToolTip(tr("Close this message"));
    connect(close, &QToolButton::clicked, this, [this] {
        hide();
        emit closed();
    });
    layout->addWidget(close);
    hide();
}

void InfoBar::clearActions() {
    while (QLayoutItem* item = actionsLayout_->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    actions_.clear();
}

void InfoBar::showMessage(Kind kind, const QString& text, std::vector<Action> actions) {
    kind_ = kind;
    clearActions();
    actions_ = std::move(actions);
    for (std::size_t i = 0; i < actions_.size(); ++i) {
        auto* button = new QPushButton(actions_[i].label, this);
        connect(button, &QPushButton::clicked, this, [this, i] {
            if (i >= actions_.size()) return;
            auto run = actions_[i].run;
            hide();
            emit closed();
            if (run) run();
        });
        actionsLayout_->addWidget(button);
    }
    setStyleSheet(frameStyle(kind, objectName()));
    label_->setText(text);
    show();
}

QString InfoBar::frameStyle(Kind kind, const QString& objectName) {
    const char* edge = kind == Kind::Error     ? "#e5484d"
                       : kind == Kind::Warning ? "#f5a524"
                                               : "#3e9bff";
    const char* background = kind == Kind::Error     ? "#3b2326"
                             : kind == Kind::Warning ? "#3a3122"
                                                     : "#22303f";
    return QStringLiteral("#%1 { background: %2; border-left: 4px solid %3; }")
        .arg(objectName, QLatin1String(background), QLatin1String(edge));
}

QString InfoBar::text() const {
    return label_->text();
}

bool InfoBar::trigger(const QString& label) {
    for (std::size_t i = 0; i < actions_.size(); ++i) {
        if (actions_[i].label != label) continue;
        auto run = actions_[i].run;
        hide();
        emit closed();
        if (run) run();
        return true;
    }
    return false;
}

} // namespace lbui
