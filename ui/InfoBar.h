// InfoBar: a non-modal message strip above the canvas (information, warning, error) with
// optional action buttons, used instead of dialogs so nothing blocks the window.
#pragma once

#include <QFrame>
#include <QString>

#include <functional>
#include <vector>

class QLabel;
class QHBoxLayout;

namespace lbui {

class InfoBar : public QFrame {
    Q_OBJECT
public:
    enum class Kind { Information, Warning, Error };
    struct Action {
        QString label;
        std::function<void()> run; // the bar closes after running it
    };

    explicit InfoBar(QWidget* parent = nullptr);

    void showMessage(Kind kind, const QString& text, std::vector<Action> actions = {});
    QString text() const;
    Kind kind() const { return kind_; }
    // Clicks the action with this label (tests); returns false when there is none.
    bool trigger(const QString& label);

    // The strip's look for a kind of message (a colored edge on a tinted background), for a
    // frame named `objectName`; other strips (RecoveryBar) share it.
    static QString frameStyle(Kind kind, const QString& objectName);

signals:
    void closed();

private:
    void clearActions();

    QLabel* label_;
    QHBoxLayout* actionsLayout_;
    Kind kind_ = Kind::Information;
    std::vector<Action> actions_;
};

} // namespace lbui
