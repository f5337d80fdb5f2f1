// RecoveryBar: a header, one row per kept mask (what it is, what Restore will do, Restore and
// Discard) and a close button that puts the decision off to the next start. The rows are
// rebuilt whenever the offers or the window's image change, so the wording is never stale.
#include "RecoveryBar.h"

#include "InfoBar.h"
#include "MaskDocument.h"

#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace lbui {

namespace {

const char* kFileProperty = "autosaveFile";

} // namespace

RecoveryBar::RecoveryBar(QWidget* parent) : QFrame(parent) {
    setObjectName(QStringLiteral("RecoveryBar"));
    setStyleSheet(InfoBar::frameStyle(InfoBar::Kind::Warning, objectName()));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 6, 6, 6);
    layout->setSpacing(8);
    auto* content = new QVBoxLayout;
    content->setSpacing(4);
    header_ = new QLabel(this);
    header_->setWordWrap(true);
    header_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    content->addWidget(header_);
    rows_ = new QVBoxLayout;
    rows_->setSpacing(2);
    content->addLayout(rows_);
    layout->addLayout(content, 1);
    auto* close = new QToolButton(this);
    close->setText(QStringLiteral("\u2715"));
    close->setAutoRaise(true);
    close->setToolTip(tr("Decide later: the kept masks stay where they are and are offered "
                         "again at the next start"));
    connect(close, &QToolButton::clicked, this, [this] {
        offers_.clear();
        asideNote_.clear();
        rebuild();
    });
    layout->addWidget(close, 0, Qt::AlignTop);
    hide();
}

void RecoveryBar::setRelationOf(RelationOf relationOf) {
    relationOf_ = std::move(relationOf);
    refresh();
}

void RecoveryBar::offer(std::vector<AutosavedMask> masks, const QString& setAsideNote) {
    offers_ = std::move(masks);
    asideNote_ = setAsideNote;
    rebuild();
}

void RecoveryBar::offerAgain(const AutosavedMask& mask) {
    std::erase_if(offers_, [&](const AutosavedMask& m) { return m.file == mask.file; });
    offers_.insert(offers_.begin(), mask);
    rebuild();
}

void RecoveryBar::refresh() {
    if (!offers_.empty()) rebuild();
}

QString RecoveryBar::headerText() const {
    QString text;
    if (!offers_.empty())
        text =
            tr("Latentbrush did not close properly last time and kept %n unsaved mask(s):", nullptr,
               int(offers_.size()));
    if (!asideNote_.isEmpty())
        text += (text.isEmpty() ? QString() : QStringLiteral(" ")) + asideNote_;
    return text;
}

QString RecoveryBar::rowText(const AutosavedMask& mask) const {
    const QString name =
        MaskDocument::isSamplePath(mask.imagePath)
            ? tr("The sample image")
            : QStringLiteral("\u201c%1\u201d").arg(QFileInfo(mask.imagePath).fileName());
    QString details =
        tr("%1 x %2, kept %3")
            .arg(mask.width)
            .arg(mask.height)
            .arg(QLocale().toString(mask.savedAt.toLocalTime(), QLocale::ShortFormat));
    if (mask.stitch)
        details += tr(", with the imported result of %n region(s)", nullptr,
                      int(mask.stitch->results.size()));
    if (mask.applied) details += tr(", with an applied result that was not exported");
    const Relation relation = relationOf_ ? relationOf_(mask) : Relation::OtherImage;
    switch (relation) {
    case Relation::OpenImage:
        return tr("%1 (%2) is the image you opened: Restore puts the mask back into it.")
            .arg(name, details);
    case Relation::OpeningImage:
        return tr("%1 (%2) is the image being opened: Restore puts the mask back into it as soon "
                  "as it is open.")
            .arg(name, details);
    case Relation::OtherImage:
        break;
    }
    return tr("%1 (%2): Restore opens that image with the mask.").arg(name, details);
}

void RecoveryBar::rebuild() {
    while (QLayoutItem* item = rows_->takeAt(0)) {
        if (QWidget* w = item->widget()) {
            w->hide();
            w->deleteLater(); // a row's own button may be the one being clicked
        }
        delete item;
    }
    header_->setText(headerText());
    // The mask of the image that is open (or opening) first, then the others, newest first.
    std::vector<const AutosavedMask*> order;
    for (const AutosavedMask& mask : offers_)
        order.push_back(&mask);
    std::stable_partition(order.begin(), order.end(), [this](const AutosavedMask* mask) {
        return relationOf_ && relationOf_(*mask) != Relation::OtherImage;
    });
    const int shown = std::min<int>(kMaxRows, int(order.size()));
    for (int i = 0; i < shown; ++i) {
        const AutosavedMask& mask = *order[std::size_t(i)];
        auto* row = new QWidget(this);
        auto* layout = new QHBoxLayout(row);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(6);
        auto* label = new QLabel(rowText(mask), row);
        label->setWordWrap(true);
        label->setToolTip(tr("Image: %1\nKept in: %2")
                              .arg(QDir::toNativeSeparators(mask.imagePath),
                                   QDir::toNativeSeparators(mask.file)));
        layout->addWidget(label, 1);
        for (const bool restore : {true, false}) {
            auto* button = new QPushButton(restore ? tr("Restore") : tr("Discard"), row);
            button->setProperty(kFileProperty, mask.file);
            button->setToolTip(restore ? tr("Put this mask back (one undoable step)")
                                       : tr("Delete this kept mask"));
            connect(button, &QPushButton::clicked, this,
                    [this, file = mask.file, restore] { answer(file, restore); });
            layout->addWidget(button);
        }
        rows_->addWidget(row);
    }
    if (int(offers_.size()) > shown) {
        auto* more = new QLabel(
            tr("… and %n more, offered as you answer these.", nullptr, int(offers_.size()) - shown),
            this);
        rows_->addWidget(more);
    }
    setVisible(!offers_.empty() || !asideNote_.isEmpty());
    emit changed();
}

void RecoveryBar::answer(const QString& file, bool restore) {
    const auto it = std::find_if(offers_.begin(), offers_.end(),
                                 [&](const AutosavedMask& m) { return m.file == file; });
    if (it == offers_.end()) return;
    const AutosavedMask mask = std::move(*it);
    offers_.erase(it);
    if (offers_.empty()) asideNote_.clear(); // every offer answered: the bar has done its job
    rebuild();
    if (restore)
        emit restoreRequested(mask);
    else
        emit discardRequested(mask);
}

QString RecoveryBar::text() const {
    QStringList lines{header_->text()};
    for (int i = 0; i < rows_->count(); ++i) {
        QWidget* row = rows_->itemAt(i)->widget();
        if (auto* label = qobject_cast<QLabel*>(row)) {
            lines << label->text();
        } else if (row) {
            if (auto* rowLabel = row->findChild<QLabel*>()) lines << rowLabel->text();
        }
    }
    return lines.join(QLatin1Char('\n'));
}

bool RecoveryBar::trigger(const QString& label, const QString& file) {
    if (!isVisible()) return false; // nobody can click a hidden bar
    for (int i = 0; i < rows_->count(); ++i) {
        QWidget* row = rows_->itemAt(i)->widget();
        if (!row) continue;
        for (QPushButton* button : row->findChildren<QPushButton*>()) {
            if (button->text() != label) continue;
            if (!file.isEmpty() && button->property(kFileProperty).toString() != file) continue;
            button->click();
            return true;
        }
    }
    return false;
}

} // namespace lbui
