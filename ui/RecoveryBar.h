// RecoveryBar: offers the unsaved masks that crashed sessions left behind, one row each, in a
// strip above the canvas that stays until each is answered, whatever else the window shows.
#pragma once

#include "AutosaveManager.h"

#include <QFrame>
#include <QString>

#include <functional>
#include <vector>

class QLabel;
class QVBoxLayout;

namespace lbui {

class RecoveryBar : public QFrame {
    Q_OBJECT
public:
    // How a kept mask relates to the window's image; each row says what Restore will do.
    enum class Relation {
        OtherImage,   // Restore opens the mask's image, then puts the mask in
        OpeningImage, // its image is loading now: Restore puts the mask in once it is open
        OpenImage,    // its image is the open one: Restore puts the mask straight back
    };
    using RelationOf = std::function<Relation(const AutosavedMask&)>;

    // Rows shown at once; further kept masks are offered as the shown ones are answered.
    static constexpr int kMaxRows = 5;

    explicit RecoveryBar(QWidget* parent = nullptr);

    // The window tells how a mask relates to what it holds (asked again on every refresh()).
    void setRelationOf(RelationOf relationOf);
    // Offers these masks (newest first; the row of the window's image goes first) in place of
    // any offered now. `setAsideNote` tells of
    // damaged autosaves that were set aside; it is shown even when there is nothing to offer.
    void offer(std::vector<AutosavedMask> masks, const QString& setAsideNote = {});
    // Offers one mask again, first (its image could not be opened after all).
    void offerAgain(const AutosavedMask& mask);
    // Rewords the rows: the open image, or the one loading, changed.
    void refresh();

    const std::vector<AutosavedMask>& offers() const { return offers_; }
    // Everything the bar says, one line per row (tests, TestDriver).
    QString text() const;
    // Clicks a row's button ("Restore", "Discard") as a person would: the row of the autosave
    // `file`, or the first row when `file` is empty. False when there is no such button.
    bool trigger(const QString& label, const QString& file = {});

signals:
    // The row is gone from the bar when these are emitted.
    void restoreRequested(const lbui::AutosavedMask& mask);
    void discardRequested(const lbui::AutosavedMask& mask);
    // The offers or their wording changed, or the bar was shown or hidden.
    void changed();

private:
    void rebuild();
    QString headerText() const;
    QString rowText(const AutosavedMask& mask) const;
    void answer(const QString& file, bool restore);

    QLabel* header_;
    QVBoxLayout* rows_;
    std::vector<AutosavedMask> offers_;
    QString asideNote_;
    RelationOf relationOf_;
};

} // namespace lbui
