// DocumentController: opening, saving, exporting and recovering the editor's document; the
// dialogs it asks with and the notes it leaves belong to the window it was given.
#include "DocumentController.h"

#include "AutosaveManager.h"
#include "DocumentLoader.h"
#include "EncodeSession.h"
#include "GrowPreview.h"
#include "InfoBar.h"
#include "MaskDocument.h"
#include "MaskEditCommand.h"
#include "RecentFiles.h"
#include "RecoveryBar.h"
#include "RegionPlanner.h"
#include "Resources.h"
#include "ResultDrop.h"
#include "StitchSession.h"

#include "latentbrush/ImageIO.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMainWindow>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QUndoStack>

#include <algorithm>
#include <utility>

namespace lbui {

namespace {

const char* kImageFilter = QT_TRANSLATE_NOOP(
    "DocumentController",
    "Images (*.png *.jpg *.jpeg *.tif *.tiff *.exr *.webp *.bmp *.tga *.psd);;All files (*)");
const char* kMaskFilter =
    QT_TRANSLATE_NOOP("DocumentController",
                      "Masks (*.png *.tif *.tiff *.exr *.webp *.bmp *.jpg *.jpeg);;All files (*)");

// Whether two image paths name the same image: the sample by its resource path, files by what
// they point at (a relative and an absolute path, or a link, name the same file).
bool sameImageFile(const QString& a, const QString& b) {
    if (a.isEmpty() || b.isEmpty()) return false;
    if (MaskDocument::isSamplePath(a) || MaskDocument::isSamplePath(b)) return a == b;
    return QFileInfo(a) == QFileInfo(b);
}

} // namespace

DocumentController::DocumentController(QMainWindow* window, MaskDocument* doc, GrowPreview* preview)
    : QObject(window), window_(window), doc_(doc), preview_(preview) {
    loader_ = new DocumentLoader(this);
    autosave_ = new AutosaveManager(doc_, this);
    recentImages_ = new RecentFiles(QStringLiteral("recent/images"), 12, this);
}

DocumentController::~DocumentController() = default;

void DocumentController::setBars(RecoveryBar* recoveryBar, InfoBar* infoBar) {
    recoveryBar_ = recoveryBar;
    infoBar_ = infoBar;
    connect(loader_, &DocumentLoader::imageLoaded, this, &DocumentController::applyLoadedDocument);
    connect(loader_, &DocumentLoader::maskLoaded, this, &DocumentController::applyLoadedMask);
    connect(loader_, &DocumentLoader::busyChanged, this, [this](bool busy) {
        QStatusBar* status = window_->statusBar();
        if (busy)
            status->showMessage(tr("Loading…"));
        else if (status->currentMessage() == tr("Loading…"))
            status->clearMessage(); // a note shown meanwhile stays
        recoveryBar_->refresh();
    });
    // The recovery offer says, row by row, whether Restore puts a mask into the image that is
    // open, the one being opened, or opens another; it never goes away with a load.
    recoveryBar_->setRelationOf([this](const AutosavedMask& kept) {
        if (loader_->isLoadingImage())
            return sameImageFile(loader_->loadingImagePath(), kept.imagePath)
                       ? RecoveryBar::Relation::OpeningImage
                       : RecoveryBar::Relation::OtherImage;
        return documentHolds(kept) ? RecoveryBar::Relation::OpenImage
                                   : RecoveryBar::Relation::OtherImage;
    });
    connect(doc_, &MaskDocument::imageChanged, recoveryBar_, &RecoveryBar::refresh);
    connect(recoveryBar_, &RecoveryBar::restoreRequested, this,
            &DocumentController::restoreAutosave);
    connect(recoveryBar_, &RecoveryBar::discardRequested, this,
            [](const AutosavedMask& kept) { AutosaveManager::removeOrphan(kept.file); });
    connect(recentImages_, &RecentFiles::triggered, this, [this](const QString& path) {
        if (maybeSave()) openImage(path);
    });
    connect(autosave_, &AutosaveManager::failed, this, [this](const QString& why) {
        showWarning(tr("The mask could not be autosaved (%1). Save it with File > Save Mask, "
                       "and check that %2 is writable.")
                        .arg(why, AutosaveManager::folder()));
    });
}

void DocumentController::setSessions(RegionPlanner* regions, EncodeSession* encode,
                                     StitchSession* stitch) {
    regionPlanner_ = regions;
    encodeSession_ = encode;
    stitch_ = stitch;
    connect(stitch_, &StitchSession::importFinished, this, [this](int files, const QString& why) {
        const QString note = std::exchange(importNote_, QString());
        if (!why.isEmpty())
            showError(tr("Could not import the result: %1").arg(why));
        else if (!note.isEmpty())
            showStatus(note, kStatusNoteMs); // why the dropped files were stitched
        else
            showStatus(tr("Stitched %1 result(s) into the photo").arg(files), 5000);
    });
    connect(stitch_, &StitchSession::applyFinished, this, [this](const QString& why) {
        if (!why.isEmpty()) showError(tr("Could not apply the result: %1").arg(why));
    });
}

// --- messages, folders ---------------------------------------------------------------------

void DocumentController::showError(const QString& message) {
    infoBar_->showMessage(InfoBar::Kind::Error, message);
}

void DocumentController::showWarning(const QString& message) {
    infoBar_->showMessage(InfoBar::Kind::Warning, message);
}

void DocumentController::showStatus(const QString& message, int timeoutMs) {
    window_->statusBar()->showMessage(message, timeoutMs);
}

QString DocumentController::lastFolder(const QString& key) const {
    const QString dir = QSettings().value(QStringLiteral("folders/") + key).toString();
    if (!dir.isEmpty() && QFileInfo(dir).isDir()) return dir;
    return QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
}

void DocumentController::rememberFolder(const QString& key, const QString& file) {
    QSettings().setValue(QStringLiteral("folders/") + key, QFileInfo(file).absolutePath());
}

// --- files ---------------------------------------------------------------------------------

bool DocumentController::maybeSave() {
    // An Apply being composed is made first and an export being written ends first: the
    // prompt then asks about the image they leave (a failed export reports its error).
    if (stitch_) {
        stitch_->waitForApply();
        stitch_->waitForExport();
    }
    // An applied result not written anywhere is asked about first: saving the mask keeps it not.
    bool imageDiscarded = false;
    if (doc_->hasUnexportedImage()) {
        QMessageBox box(QMessageBox::Question, tr("Image not exported"),
                        tr("The image of \"%1\" has an applied result that is not exported. "
                           "Export it first?")
                            .arg(doc_->displayName()),
                        QMessageBox::Discard | QMessageBox::Cancel, window_);
        QPushButton* exportButton = box.addButton(tr("Export Image…"), QMessageBox::AcceptRole);
        exportButton->setObjectName(QStringLiteral("exportImageButton"));
        box.setDefaultButton(exportButton);
        box.exec();
        if (box.clickedButton() == exportButton) {
            // the write ends (ExportImageStatus reports a failure) before the window lets go
            if (!chooseExportImage() || !stitch_->waitForExport()) return false;
        } else if (box.clickedButton() == box.button(QMessageBox::Discard)) {
            imageDiscarded = true;
        } else {
            return false;
        }
        if (!doc_->maskModified()) {
            autosave_->discard(false); // nothing else to keep
            return true;
        }
    } else if (doc_->isModified() && !doc_->maskModified()) {
        autosave_->discard(false); // an Apply that was exported: the mask is the saved one
        return true;
    }
    if (!doc_->isModified()) return true;
    const auto answer = QMessageBox::question(
        window_, tr("Unsaved mask"),
        tr("The mask of \"%1\" has changes that are not saved. Save them first?")
            .arg(doc_->displayName()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save) {
        if (!saveMask()) return false;
        if (imageDiscarded) autosave_->discard(false); // the mask is saved, the image let go
        return true;
    }
    if (answer == QMessageBox::Discard) {
        autosave_->discard(false);
        return true;
    }
    return false;
}

void DocumentController::chooseImage() {
    if (!maybeSave()) return;
    const QString path = QFileDialog::getOpenFileName(window_, tr("Open Image"),
                                                      lastFolder("images"), tr(kImageFilter));
    if (path.isEmpty()) return;
    rememberFolder("images", path);
    openImage(path);
}

void DocumentController::openImage(const QString& path, const QString& maskPath) {
    loader_->loadImage(path, maskPath);
}

void DocumentController::openSample() {
    loader_->cancelImage(); // an image still loading would replace the sample
    LoadedDocument sample = loadSampleDocument(sampleImagePath());
    sample.precision = loader_->inputPrecision(); // an 8-bit image: the same either way
    applyLoadedDocument(sample);
}

void DocumentController::setInputPrecision(lb::InputPrecision precision) {
    QSettings().setValue(QStringLiteral("image/inputPrecision"),
                         QString::fromLatin1(lb::inputPrecisionName(precision)));
    emit inputPrecisionChanged(precision);
    loader_->setInputPrecision(precision);
    if (!doc_->hasImage() || doc_->inputPrecision() == precision) return;
    if (doc_->isSample()) { // 8 bits
        doc_->setInputPrecision(precision);
        return;
    }
    // Unsaved mask edits are offered for saving first; kept, the image stays as it was read.
    if (maybeSave()) openImage(doc_->imagePath(), doc_->maskPath());
}

void DocumentController::applyLoadedDocument(LoadedDocument& loaded) {
    if (!loaded.ok()) {
        showError(loaded.error);
        if (!loaded.imagePath.isEmpty() && !QFileInfo::exists(loaded.imagePath))
            recentImages_->remove(loaded.imagePath);
        if (pendingRecovery_) {
            // Its image could not be opened (or another load replaced it): the kept mask is
            // still on disk and is offered again.
            recoveryBar_->offerAgain(*pendingRecovery_);
            pendingRecovery_.reset();
        }
        return;
    }
    const bool maskFromAlpha = !loaded.alphaMask.empty() && loaded.maskPath.isEmpty();
    // Moved, not copied: a large photo's masks are hundreds of megabytes.
    doc_->setImage(loaded.rgb, loaded.display, loaded.imagePath, std::move(loaded.mask),
                   std::move(loaded.alphaMask), loaded.maskIsZero);
    doc_->setInputPrecision(loaded.precision);
    if (!loaded.maskPath.isEmpty()) doc_->setMaskPath(loaded.maskPath);
    recentImages_->add(loaded.imagePath);
    infoBar_->hide();
    if (!loaded.warning.isEmpty())
        showWarning(loaded.warning);
    else if (maskFromAlpha)
        infoBar_->showMessage(InfoBar::Kind::Information,
                              tr("The image has transparency: its mask was taken from the alpha "
                                 "channel (transparent = regenerate), as ComfyUI's LoadImage "
                                 "does."));
    if (pendingRecovery_) {
        const AutosavedMask kept = *pendingRecovery_;
        pendingRecovery_.reset();
        if (sameImageFile(loaded.imagePath, kept.imagePath))
            applyRecoveredMask(kept);
        else // another image was opened while the restore waited for its own
            recoveryBar_->offerAgain(kept);
    }
    emit imageOpened();
}

void DocumentController::chooseMask() {
    if (!doc_->hasImage()) return;
    const QString path = QFileDialog::getOpenFileName(window_, tr("Load Mask"), lastFolder("masks"),
                                                      tr(kMaskFilter));
    if (path.isEmpty()) return;
    rememberFolder("masks", path);
    loadMask(path);
}

void DocumentController::loadMask(const QString& path) {
    if (!doc_->hasImage()) return;
    loader_->loadMask(path, doc_->height(), doc_->width());
}

void DocumentController::applyLoadedMask(const LoadedMask& loaded) {
    if (!loaded.error.isEmpty()) {
        showError(loaded.error);
        return;
    }
    if (loaded.mask.height != doc_->height() || loaded.mask.width != doc_->width()) return;
    auto cmd = makeReplaceCommand(doc_, tr("Load mask %1").arg(QFileInfo(loaded.path).fileName()),
                                  loaded.mask.data);
    if (cmd) doc_->undoStack()->push(cmd.release());
    doc_->setMaskPath(loaded.path);
    if (!loaded.warning.isEmpty()) showWarning(loaded.warning);
}

bool DocumentController::saveMask() {
    if (!doc_->hasImage()) return false;
    if (doc_->maskPath().isEmpty()) return saveMaskAs();
    return saveMaskTo(doc_->maskPath());
}

bool DocumentController::saveMaskAs() {
    if (!doc_->hasImage()) return false;
    QString suggestion = doc_->maskPath();
    if (suggestion.isEmpty()) {
        const QFileInfo image(doc_->imagePath());
        const QString base = doc_->outputStem();
        suggestion = QDir(lastFolder("masks")).filePath(base + QStringLiteral("_mask.png"));
    }
    const QString path = QFileDialog::getSaveFileName(
        window_, tr("Save Mask"), suggestion,
        tr("8-bit PNG (*.png);;Float TIFF (*.tif *.tiff);;Float EXR (*.exr)"));
    if (path.isEmpty()) return false;
    rememberFolder("masks", path);
    return saveMaskTo(path);
}

bool DocumentController::saveMaskTo(const QString& path) {
    const std::string file = QFile::encodeName(path).toStdString();
    const QString suffix = QFileInfo(path).suffix().toLower();
    lb::Status status;
    if (suffix == QLatin1String("tif") || suffix == QLatin1String("tiff") ||
        suffix == QLatin1String("exr")) {
        lb::ImageBuffer plane;
        plane.height = doc_->height();
        plane.width = doc_->width();
        plane.channels = 1;
        plane.data = doc_->mask().data;
        status = lb::writeImage(file, plane);
    } else {
        status = lb::writeMaskPng(file, doc_->mask());
    }
    if (!status) {
        showError(
            tr("Could not save the mask to \"%1\": %2. Choose another folder or file "
               "name (File > Save Mask As).")
                .arg(QDir::toNativeSeparators(path), QString::fromStdString(status.message())));
        return false;
    }
    doc_->setMaskPath(path);
    doc_->markSaved();
    autosave_->discard();
    showStatus(tr("Mask saved to %1").arg(QDir::toNativeSeparators(path)), 5000);
    return true;
}

bool DocumentController::importResults(const QStringList& paths) {
    QString why;
    if (!stitch_->importResults(paths, &why)) {
        showError(tr("Could not import the result: %1").arg(why));
        return false;
    }
    showStatus(tr("Stitched %1 result(s) into the photo").arg(paths.size()), 5000);
    return true;
}

bool DocumentController::startImportResults(const QStringList& paths) {
    importNote_.clear();
    QString why;
    if (!stitch_->startImport(paths, &why)) {
        showError(tr("Could not import the result: %1").arg(why));
        return false;
    }
    showStatus(tr("Reading %1 result(s)…").arg(paths.size()), 0); // until importFinished
    return true;
}

void DocumentController::chooseResults() {
    const QStringList paths =
        QFileDialog::getOpenFileNames(window_, tr("Import Result (one image per region, in order)"),
                                      lastFolder("results"), tr(kImageFilter));
    if (paths.isEmpty()) return;
    rememberFolder("results", paths.first());
    startImportResults(paths);
}

bool DocumentController::chooseExportImage() {
    if (!stitch_->isActive() && !doc_->imageIsApplied()) return false;
    const QFileInfo image(doc_->imagePath());
    const QString base = doc_->outputStem();
    const QString path = QFileDialog::getSaveFileName(
        window_, tr("Export Image"),
        QDir(lastFolder("results")).filePath(base + QStringLiteral("-inpainted.png")),
        tr("PNG, the original's depth (*.png);;TIFF, the original's depth (*.tif *.tiff);;"
           "Float EXR (*.exr);;JPEG (*.jpg)"));
    if (path.isEmpty()) return false;
    rememberFolder("results", path);
    // A result shown or an applied image is written on the thread pool (ExportImageStatus
    // reports the outcome).
    QString why;
    if (!(stitch_->isActive() ? stitch_->startExportImage(path, &why)
                              : stitch_->startExportAppliedImage(path, &why))) {
        showError(tr("Could not export the image to \"%1\": %2")
                      .arg(QDir::toNativeSeparators(path), why));
        return false;
    }
    return true;
}

void DocumentController::exportGrownMask() {
    if (!doc_->hasImage() || preview_->noiseMask().empty()) return;
    const QFileInfo image(doc_->imagePath());
    const QString base = doc_->outputStem();
    const QString path = QFileDialog::getSaveFileName(
        window_, tr("Export Grown Mask"),
        QDir(lastFolder("export")).filePath(base + QStringLiteral("_noise_mask.png")),
        tr("PNG (*.png)"));
    if (path.isEmpty()) return;
    rememberFolder("export", path);
    const lb::Status status =
        lb::writeBinaryMaskPng(QFile::encodeName(path).toStdString(), preview_->noiseMask());
    if (!status)
        showError(
            tr("Could not export the grown mask to \"%1\": %2. Choose another folder.")
                .arg(QDir::toNativeSeparators(path), QString::fromStdString(status.message())));
    else
        showStatus(tr("Grown mask exported to %1").arg(path), 5000);
}

// --- autosave recovery ------------------------------------------------------------------

void DocumentController::offerAutosaveRecovery() {
    AutosaveScan scan = AutosaveManager::scanOrphans();
    if (pendingRecovery_) // being restored already: its file goes once the mask is in
        std::erase_if(scan.recoverable,
                      [this](const AutosavedMask& m) { return m.file == pendingRecovery_->file; });
    // Damaged autosaves were renamed to NAME.corrupt: say so, never stop for them.
    QString asideNote;
    if (!scan.setAside.isEmpty()) {
        QStringList items;
        for (qsizetype i = 0; i < scan.setAside.size(); ++i)
            items << tr("%1 (%2)").arg(QDir::toNativeSeparators(scan.setAside[i]),
                                       scan.reasons.value(i));
        asideNote = tr("%n damaged autosave file(s) could not be restored and were set aside: "
                       "%1.",
                       nullptr, int(items.size()))
                        .arg(items.join(QStringLiteral("; ")));
    }
    recoveryBar_->offer(std::move(scan.recoverable), asideNote);
}

bool DocumentController::documentHolds(const AutosavedMask& kept) const {
    return doc_->hasImage() && sameImageFile(doc_->imagePath(), kept.imagePath) &&
           doc_->width() == kept.width && doc_->height() == kept.height;
}

void DocumentController::restoreAutosave(const AutosavedMask& kept) {
    const bool loading = loader_->isLoadingImage();
    if (!loading && documentHolds(kept)) {
        applyRecoveredMask(kept); // straight into the open image
        return;
    }
    // Its image is loading now (the one the editor was started with): wait for it.
    const bool opening = loading && sameImageFile(loader_->loadingImagePath(), kept.imagePath);
    if (!opening && !maybeSave()) {
        recoveryBar_->offerAgain(kept); // cancelled: still offered
        return;
    }
    if (pendingRecovery_ && pendingRecovery_->file != kept.file)
        recoveryBar_->offerAgain(*pendingRecovery_); // the latest Restore wins the window
    pendingRecovery_ = std::make_unique<AutosavedMask>(kept);
    if (opening) return;
    if (MaskDocument::isSamplePath(kept.imagePath))
        openSample();
    else
        openImage(kept.imagePath);
}

void DocumentController::applyRecoveredMask(const AutosavedMask& recovered) {
    if (recovered.width != doc_->width() || recovered.height != doc_->height()) {
        showError(tr("The autosaved mask (%1 x %2) does not fit this image (%3 x %4); it was "
                     "kept in %5.")
                      .arg(recovered.width)
                      .arg(recovered.height)
                      .arg(doc_->width())
                      .arg(doc_->height())
                      .arg(QDir::toNativeSeparators(recovered.file)));
        return;
    }
    auto cmd = makeReplaceCommand(doc_, tr("Restore autosaved mask"), recovered.mask);
    if (cmd) doc_->undoStack()->push(cmd.release());
    if (!recovered.regions.isEmpty()) // the regions as they were (files before them have none)
        regionPlanner_->setSettings(RegionSettings::fromMap(recovered.regions));
    if (recovered.applied) { // before the import: that was shown over the applied image
        QString why;
        if (!stitch_->restoreApplied(recovered, &why))
            showWarning(tr("The applied image kept in %1 could not be restored: %2")
                            .arg(QDir::toNativeSeparators(recovered.file), why));
    }
    if (recovered.stitch) {
        QString why;
        if (!stitch_->restore(*recovered.stitch, &why))
            showWarning(tr("The imported result kept in %1 could not be shown again: %2")
                            .arg(QDir::toNativeSeparators(recovered.file), why));
    }
    AutosaveManager::removeOrphan(recovered.file);
    autosave_->saveNow(); // the restored mask is now this session's unsaved work
    showStatus(tr("Autosaved mask restored"), 5000);
}

// --- drops ---------------------------------------------------------------------------------

void DocumentController::openDropped(const QStringList& paths, bool asMask) {
    if (asMask && doc_->hasImage()) {
        loadMask(paths.first());
        return;
    }
    // Sampled results of a region encode are stitched; anything else opens as the image.
    const DropDecision drop = decideDrop(paths, encodeSession_->result(), doc_);
    if (drop.action == DropDecision::Action::ImportResults) {
        if (startImportResults(drop.paths)) {
            importNote_ = drop.note; // shown again when the import ends well
            showStatus(drop.note, kStatusNoteMs);
        }
    } else if (maybeSave()) {
        openImage(paths.first());
        showStatus(drop.note, kStatusNoteMs);
    }
}

} // namespace lbui
