// DocumentController: the editor's file side, without a widget of its own: opening images and
// masks (dialogs, recent files, drops), saving the mask, exporting the grown mask and the
// stitched image, importing results, the unsaved-changes prompt and the recovery of autosaved
// masks (AutosaveManager and RecoveryBar). MainWindow assembles the widgets and wires it in.
#pragma once

#include "latentbrush/ImageIO.h"

#include <QObject>
#include <QStringList>

#include <memory>

class QMainWindow;

namespace lbui {

class AutosaveManager;
class DocumentLoader;
class EncodeSession;
class GrowPreview;
class InfoBar;
class MaskDocument;
class RecentFiles;
class RecoveryBar;
class RegionPlanner;
class StitchSession;
struct AutosavedMask;
struct LoadedDocument;
struct LoadedMask;

class DocumentController : public QObject {
    Q_OBJECT
public:
    // How long a status-bar note stays (a person glancing at the window should still catch it).
    static constexpr int kStatusNoteMs = 30000;

    // `window` parents the dialogs and shows the status notes; the loader, the autosave and the
    // recent images are made here, children of this controller.
    DocumentController(QMainWindow* window, MaskDocument* doc, GrowPreview* preview);
    ~DocumentController() override;

    // The message bars of the window (errors and warnings go to `infoBar`, autosave offers to
    // `recoveryBar`); called once they exist.
    void setBars(RecoveryBar* recoveryBar, InfoBar* infoBar);
    // The sessions a restore, a drop and the result import act on; called once they exist.
    void setSessions(RegionPlanner* regions, EncodeSession* encode, StitchSession* stitch);

    DocumentLoader* loader() const { return loader_; }
    AutosaveManager* autosave() const { return autosave_; }
    RecentFiles* recentImages() const { return recentImages_; }

    // Asks to save unsaved mask edits; false: the person cancelled (nothing may replace them).
    bool maybeSave();
    // Opens asynchronously; on failure the current document stays and the info bar says why.
    void openImage(const QString& path, const QString& maskPath = {});
    void openSample();
    void loadMask(const QString& path);
    bool saveMaskTo(const QString& path);
    // File > Import Result... without the dialog, here: one error box on failure.
    bool importResults(const QStringList& paths);
    // The same read on the background pool (the dialog's files, dropped files): the status bar
    // says it is busy, then the outcome (one error box on failure).
    bool startImportResults(const QStringList& paths);
    // File > Input Precision: how 16-bit samples of the images and mask files opened are read
    // (remembered); the open image and its mask file are read again the new way.
    void setInputPrecision(lb::InputPrecision precision);
    // Offers every autosave that crashed sessions left behind, in the recovery bar (non-modal);
    // the offer stays through image loads until each is answered.
    void offerAutosaveRecovery();
    // Files dropped on the window: the mask (`asMask`, with an image open), the sampled results
    // of a region encode, or the image to open.
    void openDropped(const QStringList& paths, bool asMask);

    // The File menu's dialogs.
    void chooseImage();
    void chooseMask();
    bool saveMask();
    bool saveMaskAs();
    void exportGrownMask();
    void chooseResults();
    bool chooseExportImage(); // false: cancelled or failed

signals:
    // An image was opened and is in the document (the canvas takes the focus).
    void imageOpened();
    // The input precision chosen (the menu shows it).
    void inputPrecisionChanged(lb::InputPrecision precision);

private:
    void applyLoadedDocument(LoadedDocument& loaded); // takes its masks over
    void applyLoadedMask(const LoadedMask& loaded);
    void restoreAutosave(const AutosavedMask& kept);
    void applyRecoveredMask(const AutosavedMask& recovered);
    bool documentHolds(const AutosavedMask& kept) const;
    void showError(const QString& message);
    void showWarning(const QString& message);
    void showStatus(const QString& message, int timeoutMs);
    QString lastFolder(const QString& key) const;
    void rememberFolder(const QString& key, const QString& file);

    QMainWindow* window_;
    MaskDocument* doc_;
    GrowPreview* preview_;
    DocumentLoader* loader_;
    AutosaveManager* autosave_;
    RecentFiles* recentImages_;
    RecoveryBar* recoveryBar_ = nullptr;
    InfoBar* infoBar_ = nullptr;
    RegionPlanner* regionPlanner_ = nullptr;
    EncodeSession* encodeSession_ = nullptr;
    StitchSession* stitch_ = nullptr;
    QString importNote_; // why dropped files were imported: shown again when the import ends
    // A restore waiting for its image to open: applied when that image has loaded.
    std::unique_ptr<AutosavedMask> pendingRecovery_;
};

} // namespace lbui
