// MainWindow: the editor's window: builds the document, tools, canvas and docks and wires them
// together; the actions come from one table (MainWindowActions.cpp, ActionTable), the file side
// (open, save, export, recovery) is DocumentController's; the work itself lives in the parts.
#pragma once

#include "latentbrush/ImageIO.h"

#include <QMainWindow>
#include <QPointer>

#include <memory>

class QAction;
class QLabel;
class QMenu;
class QUndoView;

namespace lbui {

// What the editor was started with: `latentbrush [IMG] [--mask MASK] [--vae VAE]`.
struct StartRequest {
    QString imagePath; // empty: the sample image
    QString maskPath;
    QString vaePath; // empty: the VAE that VaeChooser::chooseAtStart picks
};

class ActionTable;
class AutosaveManager;
class BrushPanel;
class BrushTool;
class CanvasLayers;
class CanvasWidget;
class DocumentController;
class DocumentLoader;
class EncodePanel;
class EncodeSession;
class KeptView;
class LiveRoundTrip;
class FillTool;
class GrowPreview;
class InfoBar;
class MaskDocument;
class MaskTool;
class RegionPlanner;
class StitchSession;
class PreviewPanel;
class RecoveryBar;
class ShapeTool;
class ToolOptionsPanel;
struct ActionBarSpec;
struct ActionSpec;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // The smallest first-start size (at least 1280 x 800: one large window at first start).
    static QSize firstStartSize();

    MaskDocument* document() const { return doc_; }
    BrushTool* brush() const { return brush_; }
    GrowPreview* preview() const { return preview_; }
    CanvasLayers* layers() const { return layers_; }
    CanvasWidget* canvas() const { return canvas_; }
    InfoBar* infoBar() const { return infoBar_; }
    RecoveryBar* recoveryBar() const { return recoveryBar_; }
    AutosaveManager* autosave() const;
    DocumentLoader* loader() const;
    DocumentController* documents() const { return documents_; }
    EncodeSession* encodeSession() const { return encodeSession_; }
    EncodePanel* encodePanel() const { return encodePanel_; }
    LiveRoundTrip* liveRoundTrip() const { return liveRoundTrip_; }
    KeptView* keptView() const { return keptView_; }
    PreviewPanel* previewPanel() const { return previewPanel_; }
    RegionPlanner* regionPlanner() const { return regionPlanner_; }
    StitchSession* stitchSession() const { return stitch_; }
    // The file operations below are DocumentController's (see there).
    bool importResults(const QStringList& paths);
    ToolOptionsPanel* toolOptions() const { return toolOptions_; }
    // The selection tools, in toolbar order: rectangle, ellipse, polygon lasso, freehand lasso,
    // flood fill, select by color.
    const QList<MaskTool*>& maskTools() const { return maskTools_; }
    QAction* action(const QString& name) const; // by objectName, for tests and the help

    // The program's start: opens the image (or the sample), loads the VAE asked for or the last
    // one (in the background), then offers what a crashed session left behind. Windows made
    // without it (tests) start with no VAE and offer nothing by themselves.
    // Tests: LATENTBRUSH_TEST_RECOVERY_DELAY_MS postpones the offer (see DocumentLoader's
    // LATENTBRUSH_TEST_LOAD_DELAY_MS for the other order).
    void start(const StartRequest& request);

public slots:
    void openImage(const QString& path, const QString& maskPath = {});
    void openSample();
    void loadMask(const QString& path);
    bool saveMaskTo(const QString& path);
    void setInputPrecision(lb::InputPrecision precision);
    void offerAutosaveRecovery();
    void showError(const QString& message);
    void showWarning(const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    // The action table and the menus and toolbars as lists of its names (MainWindowActions.cpp).
    QList<ActionSpec> actionSpecs();
    QList<ActionBarSpec> menuSpecs();
    QList<ActionBarSpec> toolBarSpecs();
    void createActions();
    void activateTool(MaskTool* tool); // the brush is one of the tools
    void createMenus();
    void createToolBars();
    void createDocks();
    void createStatusBar();
    void readSettings();
    void writeSettings();

    void maskFromAlpha();
    void updateTitle();
    void updateStatusImage();
    void updateActions();
    void showShortcuts();
    void showAbout();

    MaskDocument* doc_;
    BrushTool* brush_;
    GrowPreview* preview_;
    CanvasLayers* layers_;
    CanvasWidget* canvas_;
    InfoBar* infoBar_;
    RecoveryBar* recoveryBar_;
    DocumentController* documents_;
    BrushPanel* brushPanel_ = nullptr;
    ToolOptionsPanel* toolOptions_ = nullptr;
    QList<MaskTool*> maskTools_;
    PreviewPanel* previewPanel_ = nullptr;
    RegionPlanner* regionPlanner_ = nullptr;
    StitchSession* stitch_ = nullptr;
    EncodeSession* encodeSession_ = nullptr;
    EncodePanel* encodePanel_ = nullptr;
    LiveRoundTrip* liveRoundTrip_ = nullptr;
    KeptView* keptView_ = nullptr;
    QUndoView* historyView_ = nullptr;
    QMenu* viewMenu_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    ActionTable* actions_ = nullptr;
    QLabel* statusSize_ = nullptr;
    QLabel* statusCursor_ = nullptr;
    QLabel* statusZoom_ = nullptr;
    QLabel* statusCoverage_ = nullptr;
    QPointer<QWidget> shortcutsDialog_;
    bool closing_ = false;
};

} // namespace lbui
