// StitchBar: widgets bound to StitchSession (StitchBar.h).
#include "StitchBar.h"

#include "StitchSession.h"

#include <QAction>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace lbui {

StitchBar::StitchBar(StitchSession* stitch, QAction* exportImage, QWidget* parent)
    : QWidget(parent), stitch_(stitch) {
    setObjectName(QStringLiteral("stitchBar"));
    setAutoFillBackground(true);
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(8, 4, 8, 4);
    text_ = new QLabel(this);
    row->addWidget(text_, 1);
    before_ = new QToolButton(this);
    before_->setObjectName(QStringLiteral("stitchBefore"));
    before_->setText(tr("Before"));
    before_->setCheckable(true);
    before_->setToolTip(tr("Show the original while held on; the stitched photo when off"));
    connect(before_, &QToolButton::toggled, stitch_, &StitchSession::setShowOriginal);
    row->addWidget(before_);
    row->addWidget(new QLabel(tr("Feather"), this));
    feather_ = new QDoubleSpinBox(this);
    feather_->setObjectName(QStringLiteral("stitchFeather"));
    feather_->setRange(0.0, 1024.0);
    feather_->setDecimals(1);
    feather_->setSuffix(tr(" px"));
    feather_->setToolTip(tr("The blend ramps from the grown mask's edge over this many pixels "
                            "(0: the grown mask itself)"));
    connect(feather_, &QDoubleSpinBox::valueChanged, stitch_,
            [this](double v) { stitch_->setFeather(float(v)); });
    row->addWidget(feather_);
    apply_ = new QToolButton(this);
    QToolButton* apply = apply_;
    apply->setObjectName(QStringLiteral("stitchApply"));
    apply->setText(tr("Apply"));
    apply->setToolTip(tr("Make the stitched photo the image (undo brings the original back; the "
                         "mask stays for a second pass)"));
    // composed on the background pool; the bar says so meanwhile
    connect(apply, &QToolButton::clicked, stitch_, &StitchSession::startApply);
    row->addWidget(apply);
    auto* exportButton = new QToolButton(this);
    exportButton->setDefaultAction(exportImage);
    exportButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    row->addWidget(exportButton);
    auto* close = new QToolButton(this);
    close->setObjectName(QStringLiteral("stitchClose"));
    close->setText(tr("Close"));
    connect(close, &QToolButton::clicked, stitch_, &StitchSession::close);
    row->addWidget(close);
    connect(stitch_, &StitchSession::changed, this, &StitchBar::refresh);
    connect(stitch_, &StitchSession::applyStarted, this, &StitchBar::refresh);
    connect(stitch_, &StitchSession::applyFinished, this, &StitchBar::refresh);
    refresh();
}

void StitchBar::refresh() {
    setVisible(stitch_->isActive());
    if (!stitch_->isActive()) return;
    const bool applying = stitch_->isApplying();
    text_->setText(applying                   ? tr("Applying the stitched result…")
                   : stitch_->showsOriginal() ? tr("Showing the original.")
                                              : tr("Showing the stitched result."));
    apply_->setEnabled(!applying);
    feather_->setEnabled(!applying);
    const QSignalBlocker a(before_), b(feather_);
    before_->setChecked(stitch_->showsOriginal());
    feather_->setValue(stitch_->feather());
}

} // namespace lbui
