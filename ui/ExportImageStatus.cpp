// ExportImageStatus: StitchSession's export signals shown in the status bar (ExportImageStatus.h).
#include "ExportImageStatus.h"

#include "StitchSession.h"

#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QStatusBar>

namespace lbui {

ExportImageStatus::ExportImageStatus(StitchSession* stitch, QStatusBar* bar)
    : QWidget(bar), bar_(bar) {
    setObjectName(QStringLiteral("exportImageStatus"));
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    text_ = new QLabel(this);
    row->addWidget(text_);
    busy_ = new QProgressBar(this);
    busy_->setObjectName(QStringLiteral("exportImageBusy"));
    busy_->setRange(0, 0); // busy: the write gives no fraction
    busy_->setMaximumWidth(120);
    busy_->setMaximumHeight(14);
    row->addWidget(busy_);
    bar_->addPermanentWidget(this);
    hide();
    connect(stitch, &StitchSession::exportStarted, this, [this](const QString& path) {
        text_->setText(tr("Exporting %1…").arg(QFileInfo(path).fileName()));
        show();
    });
    connect(stitch, &StitchSession::exportFinished, this,
            [this](const QString& path, const QString& error) {
                hide();
                if (error.isEmpty())
                    bar_->showMessage(
                        tr("Image exported to %1").arg(QDir::toNativeSeparators(path)), 5000);
                else
                    emit failed(tr("Could not export the image to \"%1\": %2")
                                    .arg(QDir::toNativeSeparators(path), error));
            });
}

} // namespace lbui
