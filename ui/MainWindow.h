// MainWindow: the editor's window: builds the document, tools, canvas and docks, owns the
// actions and menus, and routes file operations; the work itself lives in the parts.
#pragma once

#include <QMainWindow>
#include <QPointer>

#include <memory>

class QAction;
class QActionGroup;
class QLabel;
class QMenu;
class QUndoView;

namespace lbui {

class AutosaveManager;
class BrushPanel;
class BrushTool;
class CanvasLayers;
class CanvasWidget;
class DocumentLoader;
class EncodePanel;
class KeptView;
class LiveRoundTrip;
class FillTool;
class GrowPreview;
class InfoBar;
class MaskDocument;
class MaskTool;
class PreviewPanel;
class RecentFiles;
class ShapeTool;
class ToolOptionsPanel;
struct AutosavedMask;
struct LoadedDocument;
struct LoadedMask;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // The smallest first-start size (DESIGN.md: at least 1280 x 800).
    static QSize firstStartSize();

    MaskDocument* document() const { return doc_; }
    BrushTool* brush() const { return brush_; }
    GrowPreview* preview() const { return preview_; }
    CanvasLayers* layers() const { return layers_; }
    CanvasWidget* canvas() const { return canvas_; }
    InfoBar* infoBar() const { return infoBar_; }
    AutosaveManager* autosave() const { return autosave_; }
    DocumentLoader* loader() const { return loader_; }
    EncodePanel* encodePanel() const { return encodePanel_; }
    LiveRoundTrip* liveRoundTrip() const { return liveRoundTrip_; }
    KeptView* keptView() const { return keptView_; }
    PreviewPanel* previewPanel() const { return previewPanel_; }
    ToolOptionsPanel* toolOptions() const { return toolOptions_; }
    // The selection tools, in toolbar order: rectangle, ellipse, polygon lasso, freehand lasso,
    // flood fill, select by color.
    const QList<MaskTool*>& maskTools() const { return maskTools_; }
    QAction* action(const QString& name) const; // by objectName, for tests and the help

public slots:
    // Opens asynchronously; on failure the current document stays and the info bar says why.
    void openImage(const QString& path, const QString& maskPath = {});
    void openSample();
    void loadMask(const QString& path);
    bool saveMaskTo(const QString& path);
    void setVaeFile(const QString& path);
    // Offers the newest autosave that a crashed session left behind (non-modal).
    void offerAutosaveRecovery();
    void showError(const QString& message);
    void showWarning(const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createActions();
    void createMaskToolActions();
    void activateTool(MaskTool* tool); // null: the brush
    void createMenus();
    void createToolBars();
    void createDocks();
    void createStatusBar();
    void readSettings();
    void writeSettings();
    QAction* makeAction(const QString& name, const QString& text, const QString& icon,
                        const QList<QKeySequence>& shortcuts, const QString& tip = {});

    bool maybeSave();
    void chooseImage();
    void chooseMask();
    bool saveMask();
    bool saveMaskAs();
    void exportGrownMask();
    void applyLoadedDocument(const LoadedDocument& loaded);
    void applyLoadedMask(const LoadedMask& loaded);
    void applyRecoveredMask(const AutosavedMask& recovered);
    void maskFromAlpha();
    void updateTitle();
    void updateStatusImage();
    void updateActions();
    void showShortcuts();
    void showAbout();
    QString lastFolder(const QString& key) const;
    void rememberFolder(const QString& key, const QString& file);

    MaskDocument* doc_;
    BrushTool* brush_;
    GrowPreview* preview_;
    CanvasLayers* layers_;
    CanvasWidget* canvas_;
    InfoBar* infoBar_;
    AutosaveManager* autosave_;
    DocumentLoader* loader_;
    RecentFiles* recentImages_;
    BrushPanel* brushPanel_ = nullptr;
    ToolOptionsPanel* toolOptions_ = nullptr;
    QList<MaskTool*> maskTools_;
    PreviewPanel* previewPanel_ = nullptr;
    EncodePanel* encodePanel_ = nullptr;
    LiveRoundTrip* liveRoundTrip_ = nullptr;
    KeptView* keptView_ = nullptr;
    QUndoView* historyView_ = nullptr;
    QMenu* viewMenu_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QActionGroup* toolGroup_ = nullptr;
    QActionGroup* viewModeGroup_ = nullptr;
    QLabel* statusSize_ = nullptr;
    QLabel* statusCursor_ = nullptr;
    QLabel* statusZoom_ = nullptr;
    QLabel* statusCoverage_ = nullptr;
    QPointer<QWidget> shortcutsDialog_;
    std::unique_ptr<AutosavedMask> pendingRecovery_;
    bool closing_ = false;
};

} // namespace lbui
