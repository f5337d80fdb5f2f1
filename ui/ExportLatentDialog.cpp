// ExportLatentDialog: a path field with Browse…, the files that will be written, the workflow
// check box (remembered in the settings) and the ComfyUI note.
#include "ExportLatentDialog.h"

#include "latentbrush/regions/RegionLatent.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

#include <algorithm>

namespace lbui {

namespace {

QString stem(const QString& latentPath) {
    QString p = latentPath;
    if (p.endsWith(QLatin1String(".latent"), Qt::CaseInsensitive)) p.chop(7);
    return p;
}

} // namespace

ExportLatentDialog::ExportLatentDialog(const QString& suggestedPath, QWidget* parent)
    : QDialog(parent) {
    setObjectName(QStringLiteral("ExportLatentDialog"));
    setWindowTitle(tr("Export Latent"));
    auto* layout = new QVBoxLayout(this);

    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Latent file:"), this));
    path_ = new QLineEdit(QDir::toNativeSeparators(suggestedPath), this);
    path_->setObjectName(QStringLiteral("latentPath"));
    path_->setMinimumWidth(420);
    row->addWidget(path_, 1);
    auto* browse = new QPushButton(tr("Browse…"), this);
    row->addWidget(browse);
    layout->addLayout(row);

    workflow_ = new QCheckBox(tr("Also save the ComfyUI workflow that loads them"), this);
    workflow_->setObjectName(QStringLiteral("saveWorkflow"));
    workflow_->setChecked(QSettings().value(QStringLiteral("export/saveWorkflow"), true).toBool());
    layout->addWidget(workflow_);

    files_ = new QLabel(this);
    files_->setWordWrap(true);
    files_->setTextFormat(Qt::RichText);
    layout->addWidget(files_);

    note_ = new QLabel(this);
    note_->setObjectName(QStringLiteral("comfyNote"));
    note_->setWordWrap(true);
    note_->setTextFormat(Qt::RichText);
    note_->setText(
        tr("<b>In ComfyUI:</b> copy the .latent and the mask into ComfyUI's <i>input/</i> "
           "folder, then drag the workflow onto the canvas. It loads the latent with LoadLatent "
           "and the mask with LoadImageMask (channel red), and joins them with "
           "SetLatentNoiseMask, which gives what VAEEncodeForInpaint gives (LoadLatent alone "
           "ignores the noise_mask). Pick a checkpoint of the same VAE family and keep denoise "
           "at 1.0."));
    layout->addWidget(note_);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    layout->addWidget(buttons);

    connect(browse, &QPushButton::clicked, this, &ExportLatentDialog::browse);
    connect(path_, &QLineEdit::textChanged, this, &ExportLatentDialog::updateNames);
    connect(workflow_, &QCheckBox::toggled, this, &ExportLatentDialog::updateNames);
    connect(buttons, &QDialogButtonBox::accepted, this, &ExportLatentDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updateNames();
}

void ExportLatentDialog::accept() {
    if (latentPath().isEmpty()) return;
    QSettings().setValue(QStringLiteral("export/saveWorkflow"), workflow_->isChecked());
    QDialog::accept();
}

QString ExportLatentDialog::latentPath() const {
    QString p = QDir::fromNativeSeparators(path_->text().trimmed());
    if (p.isEmpty()) return p;
    if (QFileInfo(p).suffix().isEmpty()) p += QStringLiteral(".latent");
    return p;
}

void ExportLatentDialog::setLatentPath(const QString& path) {
    path_->setText(QDir::toNativeSeparators(path));
}

bool ExportLatentDialog::saveWorkflow() const {
    return workflow_->isChecked();
}

void ExportLatentDialog::setSaveWorkflow(bool on) {
    workflow_->setChecked(on);
}

QString ExportLatentDialog::maskPathFor(const QString& latentPath) {
    return stem(latentPath) + QStringLiteral(".mask.png");
}

QString ExportLatentDialog::paintedMaskPathFor(const QString& latentPath) {
    return stem(latentPath) + QStringLiteral(".painted.png");
}

QString ExportLatentDialog::regionMaskPathFor(const QString& latentPath, int index) {
    return QFile::decodeName(QByteArray::fromStdString(lb::regions::indexedPath(
        QFile::encodeName(maskPathFor(latentPath)).toStdString(), std::size_t(index))));
}

void ExportLatentDialog::setRegionCount(int count) {
    regionCount_ = std::max(count, 0);
    if (regionCount_ > 0) {
        workflow_->setText(tr("Also save the ComfyUI workflow that computes them in stock nodes"));
        note_->setText(
            tr("<b>In ComfyUI:</b> copy the original image and the PNGs into ComfyUI's "
               "<i>input/</i> folder, then drag the workflow onto the canvas. It computes the "
               "regions' latent in stock nodes (ImageCrop, ImageScale and VAEEncodeForInpaint "
               "per region, joined by LatentBatch, with the grown masks put back by "
               "SetLatentNoiseMask) and saves one image per region; bring them back with "
               "<i>File ▸ Import Result…</i> or <tt>latentbrush-cli stitch</tt>. Without the "
               "workflow: LoadLatent + LoadImageMask of the grown masks + SetLatentNoiseMask."));
    }
    updateNames();
}

void ExportLatentDialog::setNoiseMaskMode(bool on) {
    noiseMask_ = on;
    updateNames();
}

QString ExportLatentDialog::workflowPathFor(const QString& latentPath) {
    return stem(latentPath) + QStringLiteral(".workflow.json");
}

void ExportLatentDialog::browse() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Latent"), latentPath(),
                                                      tr("ComfyUI latent (*.latent)"));
    if (!path.isEmpty()) setLatentPath(path);
}

void ExportLatentDialog::updateNames() {
    const QString latent = latentPath();
    if (latent.isEmpty()) {
        files_->clear();
        return;
    }
    QStringList names{QFileInfo(latent).fileName()};
    if (regionCount_ > 0)
        for (int i = 0; i < regionCount_; ++i)
            names << QFileInfo(regionMaskPathFor(latent, i)).fileName();
    else
        names << QFileInfo(maskPathFor(latent)).fileName();
    if (workflow_->isChecked()) {
        if (noiseMask_ || regionCount_ > 0)
            names << QFileInfo(paintedMaskPathFor(latent)).fileName();
        names << QFileInfo(workflowPathFor(latent)).fileName();
    }
    QStringList items;
    for (const QString& n : names)
        items << QStringLiteral("<tt>%1</tt>").arg(n.toHtmlEscaped());
    QString what;
    if (regionCount_ > 0)
        what = workflow_->isChecked()
                   ? tr("Writes %1 into %2 (one grown noise_mask per region at the region's size "
                        "as a 0/255 PNG; the workflow recomputes the regions in stock nodes from "
                        "the image and the mask as encoded).")
                   : tr("Writes %1 into %2 (one grown noise_mask per region at the region's size "
                        "as a 0/255 PNG).");
    files_->setText(
        (!what.isEmpty() ? what
         : noiseMask_    ? tr("Writes %1 into %2 (the mask is the soft noise_mask as an 8-bit PNG; "
                                 "the workflow loads the mask as painted and redoes GrowMask and "
                                 "ImageBlur).")
                      : tr("Writes %1 into %2 (the mask is the grown noise_mask as a 0/255 PNG)."))
            .arg(items.join(QStringLiteral(", ")),
                 QDir::toNativeSeparators(QFileInfo(latent).absolutePath()).toHtmlEscaped()));
}

} // namespace lbui
