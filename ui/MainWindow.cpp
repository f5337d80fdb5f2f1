// MainWindow: actions, menus, toolbars, docks, status bar and file routing for the editor.
// Long work goes to DocumentLoader / EncodePanel; errors go to the non-modal InfoBar.
#include "MainWindow.h"

#include "AutosaveManager.h"
#include "BrushPanel.h"
#include "BrushTool.h"
#include "CanvasLayers.h"
#include "CanvasWidget.h"
#include "DecodeView.h"
#include "DocumentLoader.h"
#include "EncodePanel.h"
#include "EncodeSession.h"
#include "ExportImageStatus.h"
#include "FillTool.h"
#include "GrowPreview.h"
#include "InfoBar.h"
#include "KeptView.h"
#include "LiveRoundTrip.h"
#include "MaskAdjustments.h"
#include "MaskDocument.h"
#include "MaskEditCommand.h"
#include "NoiseMaskPanel.h"
#include "NoiseMaskPreview.h"
#include "PreviewPanel.h"
#include "RecentFiles.h"
#include "RecoveryBar.h"
#include "RegionPanel.h"
#include "RegionPlanner.h"
#include "Resources.h"
#include "ResultDrop.h"
#include "ShapeTool.h"
#include "ShortcutsDialog.h"
#include "SliderSpin.h"
#include "StitchBar.h"
#include "StitchSession.h"
#include "SvgIconRenderer.h"
#include "ToolOptionsPanel.h"
#include "VaeChooser.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/Vae.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QUndoView>
#include <QVBoxLayout>

#include <cmath>

namespace lbui {

namespace {

const char* kImageFilter = QT_TRANSLATE_NOOP(
    "MainWindow", "Images (*.png *.jpg *.jpeg *.tif *.tiff *.exr *.webp *.bmp *.tga *.psd);;"
                  "All files (*)");
const char* kMaskFilter = QT_TRANSLATE_NOOP(
    "MainWindow", "Masks (*.png *.tif *.tiff *.exr *.webp *.bmp *.jpg *.jpeg);;All files (*)");

// How long a status-bar note stays (a person glancing at the window should still catch it).
constexpr int kStatusNoteMs = 30000;

// Whether two image paths name the same image: the sample by its resource path, files by what
// they point at (a relative and an absolute path, or a link, name the same file).
bool sameImageFile(const QString& a, const QString& b) {
    if (a.isEmpty() || b.isEmpty()) return false;
    if (MaskDocument::isSamplePath(a) || MaskDocument::isSamplePath(b)) return a == b;
    return QFileInfo(a) == QFileInfo(b);
}

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    initResources();
    setObjectName(QStringLiteral("MainWindow"));
    setWindowIcon(appIcon());
    setAcceptDrops(true);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);

    doc_ = new MaskDocument(this);
    brush_ = new BrushTool(doc_, this);
    preview_ = new GrowPreview(doc_, this);
    layers_ = new CanvasLayers(doc_, preview_, this);
    loader_ = new DocumentLoader(this);
    autosave_ = new AutosaveManager(doc_, this);
    recentImages_ = new RecentFiles(QStringLiteral("recent/images"), 12, this);
    for (auto kind : {ShapeTool::Kind::Rectangle, ShapeTool::Kind::Ellipse,
                      ShapeTool::Kind::PolygonLasso, ShapeTool::Kind::FreehandLasso})
        maskTools_.append(new ShapeTool(kind, doc_, this));
    maskTools_.append(new FillTool(FillTool::Kind::FloodFill, doc_, this));
    maskTools_.append(new FillTool(FillTool::Kind::SelectColor, doc_, this));

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    recoveryBar_ = new RecoveryBar(central);
    infoBar_ = new InfoBar(central);
    canvas_ = new CanvasWidget(doc_, preview_, layers_, brush_, central);
    regionPlanner_ = new RegionPlanner(doc_, preview_, this);
    canvas_->setRegionPlanner(regionPlanner_);
    // The region settings are autosaved with the mask, and come back with it.
    autosave_->setRegionSource([this] { return regionPlanner_->settings().toMap(); });
    connect(regionPlanner_, &RegionPlanner::settingsChanged, autosave_,
            &AutosaveManager::regionsChanged);
    layout->addWidget(recoveryBar_);
    layout->addWidget(infoBar_);
    layout->addWidget(canvas_, 1);
    setCentralWidget(central);

    createActions();
    createMenus();
    createToolBars();
    createDocks();
    createStatusBar();

    connect(doc_, &MaskDocument::modifiedChanged, this, &MainWindow::updateTitle);
    connect(doc_, &MaskDocument::pathsChanged, this, &MainWindow::updateTitle);
    connect(doc_, &MaskDocument::imageChanged, this, &MainWindow::updateStatusImage);
    connect(doc_, &MaskDocument::imageChanged, this, &MainWindow::updateActions);
    connect(loader_, &DocumentLoader::imageLoaded, this, &MainWindow::applyLoadedDocument);
    connect(loader_, &DocumentLoader::maskLoaded, this, &MainWindow::applyLoadedMask);
    connect(loader_, &DocumentLoader::busyChanged, this, [this](bool busy) {
        if (busy)
            statusBar()->showMessage(tr("Loading…"));
        else if (statusBar()->currentMessage() == tr("Loading…"))
            statusBar()->clearMessage(); // a note shown meanwhile stays
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
    connect(recoveryBar_, &RecoveryBar::restoreRequested, this, &MainWindow::restoreAutosave);
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

    readSettings();
    updateTitle();
    updateActions();
}

MainWindow::~MainWindow() {
    loader_->waitForFinished();
    // The document outlives this destructor (QWidget deletes it with the other children): its
    // signals must not reach the slots of a window that is being destroyed.
    disconnect(doc_, nullptr, this, nullptr);
    disconnect(doc_->undoStack(), nullptr, this, nullptr);
}

QSize MainWindow::firstStartSize() {
    QSize size(1280, 800);
    if (const QScreen* screen = QGuiApplication::primaryScreen()) {
        const QSize avail = screen->availableGeometry().size();
        const QSize big(int(avail.width() * 0.85), int(avail.height() * 0.85));
        size = size.expandedTo(big.boundedTo(QSize(1800, 1200)));
    }
    return size;
}

QAction* MainWindow::makeAction(const QString& name, const QString& text, const QString& icon,
                                const QList<QKeySequence>& shortcuts, const QString& tip) {
    auto* a = new QAction(text, this);
    a->setObjectName(name);
    if (!icon.isEmpty()) a->setIcon(themeIcon(icon));
    if (!shortcuts.isEmpty()) a->setShortcuts(shortcuts);
    QString status =
        tip.isEmpty() ? QString(text).remove(QLatin1Char('&')).remove(QStringLiteral("…")) : tip;
    if (!shortcuts.isEmpty())
        a->setToolTip(QStringLiteral("%1 (%2)").arg(
            status, shortcuts.first().toString(QKeySequence::NativeText)));
    else
        a->setToolTip(status);
    a->setStatusTip(status);
    addAction(a); // shortcuts work even when the action is in no visible menu
    return a;
}

QAction* MainWindow::action(const QString& name) const {
    return findChild<QAction*>(name, Qt::FindDirectChildrenOnly);
}

void MainWindow::createActions() {
    connect(makeAction("open", tr("&Open Image…"), "open", {QKeySequence::Open},
                       tr("Open an image to paint its mask")),
            &QAction::triggered, this, &MainWindow::chooseImage);
    connect(makeAction("loadMask", tr("&Load Mask…"), "folder", {QKeySequence(tr("Ctrl+M"))},
                       tr("Load a mask file (gray: white regenerates; transparent pixels "
                          "regenerate)")),
            &QAction::triggered, this, &MainWindow::chooseMask);
    connect(makeAction("saveMask", tr("&Save Mask"), "save", {QKeySequence::Save}),
            &QAction::triggered, this, &MainWindow::saveMask);
    connect(makeAction("saveMaskAs", tr("Save Mask &As…"), {}, {QKeySequence::SaveAs}),
            &QAction::triggered, this, &MainWindow::saveMaskAs);
    connect(makeAction("exportGrownMask", tr("Export &Grown Mask…"), {},
                       {QKeySequence(tr("Ctrl+Shift+G"))},
                       tr("Save the grown noise_mask as a 0/255 PNG (for LoadImageMask)")),
            &QAction::triggered, this, &MainWindow::exportGrownMask);
    connect(makeAction("quit", tr("&Quit"), {}, {QKeySequence::Quit}), &QAction::triggered, this,
            &QWidget::close);

    QAction* undo = doc_->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setObjectName(QStringLiteral("undo"));
    undo->setIcon(themeIcon(QStringLiteral("undo")));
    undo->setShortcuts(QKeySequence::Undo);
    addAction(undo);
    QAction* redo = doc_->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setObjectName(QStringLiteral("redo"));
    redo->setIcon(themeIcon(QStringLiteral("redo")));
    redo->setShortcuts({QKeySequence::Redo, QKeySequence(tr("Ctrl+Y"))});
    addAction(redo);

    auto push = [this](std::unique_ptr<MaskEditCommand> cmd) {
        if (cmd) doc_->undoStack()->push(cmd.release());
    };
    connect(makeAction("fill", tr("&Fill Mask"), "fill", {QKeySequence(tr("Shift+Backspace"))},
                       tr("Mask the whole image")),
            &QAction::triggered, this, [this, push] { push(makeFillCommand(doc_)); });
    connect(makeAction("invert", tr("&Invert Mask"), "invert", {QKeySequence(tr("Ctrl+I"))}),
            &QAction::triggered, this, [this, push] { push(makeInvertCommand(doc_)); });
    connect(makeAction("clear", tr("&Clear Mask"), "clear",
                       {QKeySequence::Delete, QKeySequence(tr("Backspace"))}),
            &QAction::triggered, this, [this, push] { push(makeClearCommand(doc_)); });
    connect(makeAction("maskFromAlpha", tr("Mask from Image &Alpha"), {}, {},
                       tr("Replace the mask with 1 - alpha of the image, as ComfyUI's "
                          "LoadImage does")),
            &QAction::triggered, this, &MainWindow::maskFromAlpha);

    connect(makeAction("zoomIn", tr("Zoom &In"), "zoom-in",
                       {QKeySequence::ZoomIn, QKeySequence(tr("Ctrl+="))}),
            &QAction::triggered, canvas_, &CanvasWidget::zoomIn);
    connect(makeAction("zoomOut", tr("Zoom &Out"), "zoom-out", {QKeySequence::ZoomOut}),
            &QAction::triggered, canvas_, &CanvasWidget::zoomOut);
    connect(makeAction("zoomFit", tr("&Fit in Window"), "zoom-fit", {QKeySequence(tr("Ctrl+0"))}),
            &QAction::triggered, canvas_, &CanvasWidget::fitToWindow);
    connect(makeAction("zoomActual", tr("&Actual Pixels (1:1)"), "zoom-original",
                       {QKeySequence(tr("Ctrl+1"))}),
            &QAction::triggered, canvas_, &CanvasWidget::actualSize);

    viewModeGroup_ = new QActionGroup(this);
    struct Mode {
        const char* name;
        QString text;
        const char* icon;
        const char* key;
        CanvasWidget::ViewMode mode;
    };
    const Mode modes[] = {
        {"viewOverlay", tr("Image with Mask &Overlay"), "view-overlay", "1",
         CanvasWidget::ViewMode::Overlay},
        {"viewMaskOnly", tr("&Mask Only"), "view-mask", "2", CanvasWidget::ViewMode::MaskOnly},
        {"viewEncoder", tr("&Encoder Input (gray-filled, cropped)"), "view-encoder", "3",
         CanvasWidget::ViewMode::EncoderInput},
    };
    for (const Mode& m : modes) {
        QAction* a = makeAction(QString::fromLatin1(m.name), m.text, QString::fromLatin1(m.icon),
                                {QKeySequence(QString::fromLatin1(m.key))});
        a->setCheckable(true);
        a->setData(int(m.mode));
        viewModeGroup_->addAction(a);
        const CanvasWidget::ViewMode mode = m.mode;
        connect(a, &QAction::triggered, canvas_, [this, mode] { canvas_->setViewMode(mode); });
    }
    action("viewOverlay")->setChecked(true);

    inputPrecisionGroup_ = new QActionGroup(this);
    struct Precision {
        const char* name;
        QString text;
        QString tip;
        lb::InputPrecision precision;
    };
    const Precision precisions[] = {
        {"inputPrecisionReference", tr("&Reference (as ComfyUI and diffusers read it)"),
         tr("Read 16-bit images and masks as ComfyUI's LoadImage and diffusers get them from "
            "PIL: 8-bit values, the same latent as ComfyUI"),
         lb::InputPrecision::Reference},
        {"inputPrecisionFull", tr("&Full (all 16 bits)"),
         tr("Read every bit of 16-bit images and masks (v / 65535): a more exact latent than "
            "ComfyUI's own"),
         lb::InputPrecision::Full},
    };
    for (const Precision& p : precisions) {
        QAction* a = makeAction(QString::fromLatin1(p.name), p.text, {}, {}, p.tip);
        a->setCheckable(true);
        a->setData(int(p.precision));
        inputPrecisionGroup_->addAction(a);
        const lb::InputPrecision precision = p.precision;
        connect(a, &QAction::triggered, this, [this, precision] { setInputPrecision(precision); });
    }
    action("inputPrecisionReference")->setChecked(true);

    QAction* outline =
        makeAction("showGrown", tr("Show &Grown noise_mask"), "outline", {QKeySequence(tr("G"))},
                   tr("Outline the grown noise_mask and tint what the grow adds"));
    outline->setCheckable(true);
    outline->setChecked(true);
    connect(outline, &QAction::toggled, canvas_, &CanvasWidget::setShowGrownOutline);
    QAction* crop = makeAction("showCrop", tr("Show &Crop Loss"), "crop", {QKeySequence(tr("C"))},
                               tr("Hatch the border the crop to the VAE's multiple removes"));
    crop->setCheckable(true);
    crop->setChecked(true);
    connect(crop, &QAction::toggled, canvas_, &CanvasWidget::setShowCropLoss);

    toolGroup_ = new QActionGroup(this);
    QAction* brushTool = makeAction("toolBrush", tr("&Brush"), "brush", {QKeySequence(tr("B"))},
                                    tr("Paint the region to regenerate"));
    QAction* eraserTool = makeAction("toolEraser", tr("&Eraser"), "eraser", {QKeySequence(tr("E"))},
                                     tr("Erase the mask (the right button always erases)"));
    for (QAction* a : {brushTool, eraserTool}) {
        a->setCheckable(true);
        toolGroup_->addAction(a);
    }
    brushTool->setChecked(true);
    connect(brushTool, &QAction::triggered, brush_, [this] {
        brush_->setMode(BrushTool::Mode::Paint);
        activateTool(nullptr);
    });
    connect(eraserTool, &QAction::triggered, brush_, [this] {
        brush_->setMode(BrushTool::Mode::Erase);
        activateTool(nullptr);
    });
    createMaskToolActions();
    connect(brush_, &BrushTool::modeChanged, this, [this](BrushTool::Mode m) {
        action(m == BrushTool::Mode::Paint ? QStringLiteral("toolBrush")
                                           : QStringLiteral("toolEraser"))
            ->setChecked(true);
    });
    connect(makeAction("brushBigger", tr("&Bigger Brush"), {}, {QKeySequence(tr("]"))}),
            &QAction::triggered, brush_, &BrushTool::growSize);
    connect(makeAction("brushSmaller", tr("&Smaller Brush"), {}, {QKeySequence(tr("["))}),
            &QAction::triggered, brush_, &BrushTool::shrinkSize);

    makeAction("encode", tr("&Encode"), "encode", {QKeySequence(tr("Ctrl+Return"))},
               tr("Run VAEEncodeForInpaint on a worker thread"));
    makeAction("cancelEncode", tr("&Cancel Encoding"), "cancel", {QKeySequence(tr("Ctrl+."))});
    makeAction("exportLatent", tr("Export &Latent…"), "export", {QKeySequence(tr("Ctrl+E"))},
               tr("Save the encoded latent_tensor and noise_mask as a .latent file"));
    connect(makeAction("importResult", tr("&Import Result…"), "open", {},
                       tr("Stitch the sampled results of a region encode into the photo")),
            &QAction::triggered, this, &MainWindow::chooseResults);
    connect(makeAction("exportImage", tr("Export &Image…"), "export", {},
                       tr("Write the stitched photo")),
            &QAction::triggered, this, &MainWindow::chooseExportImage);
    makeAction("chooseVae", tr("Choose &VAE File…"), "vae", {QKeySequence(tr("Ctrl+Shift+V"))});
    makeAction("chooseVaeFolder", tr("Choose ComfyUI models/vae &Folder…"), "folder", {});

    connect(
        makeAction("shortcuts", tr("&Keyboard Shortcuts"), "help", {QKeySequence::HelpContents}),
        &QAction::triggered, this, &MainWindow::showShortcuts);
    connect(makeAction("about", tr("&About Latentbrush"), {}, {}), &QAction::triggered, this,
            &MainWindow::showAbout);
}

void MainWindow::createMaskToolActions() {
    struct ToolAction {
        const char* name;
        QString text;
        const char* icon;
        const char* key;
        QString tip;
    };
    const ToolAction tools[] = {
        {"toolRectangle", tr("&Rectangle"), "select-rectangle", "R",
         tr("Drag a rectangle (Ctrl: square) to add to the mask")},
        {"toolEllipse", tr("E&llipse"), "select-ellipse", "O",
         tr("Drag an ellipse (Ctrl: circle) to add to the mask")},
        {"toolPolygonLasso", tr("&Polygon Lasso"), "lasso-polygon", "P",
         tr("Click corners, double-click to close")},
        {"toolFreehandLasso", tr("&Freehand Lasso"), "lasso-freehand", "L",
         tr("Drag around a region")},
        {"toolFloodFill", tr("Flood Fi&ll"), "flood-fill", "F",
         tr("Mask the connected region of similar color under the click")},
        {"toolSelectColor", tr("Select by &Color"), "select-color", "W",
         tr("Mask every pixel of similar color to the clicked one")},
    };
    for (int i = 0; i < maskTools_.size(); ++i) {
        const ToolAction& t = tools[i];
        QAction* a = makeAction(QString::fromLatin1(t.name), t.text, QString::fromLatin1(t.icon),
                                {QKeySequence(QString::fromLatin1(t.key))},
                                t.tip + tr(" (Alt or right button: subtract; Shift: replace)"));
        a->setCheckable(true);
        toolGroup_->addAction(a);
        MaskTool* tool = maskTools_[i];
        connect(a, &QAction::triggered, this, [this, tool] { activateTool(tool); });
    }

    auto push = [this](std::unique_ptr<MaskEditCommand> cmd) {
        if (cmd) doc_->undoStack()->push(cmd.release());
    };
    connect(makeAction("maskExpand", tr("E&xpand Mask"), "mask-expand",
                       {QKeySequence(tr("Ctrl+Shift+E"))},
                       tr("Grow the painted mask by the Tool Options' distance")),
            &QAction::triggered, this, [this, push] {
                push(makeExpandCommand(doc_, toolOptions_->adjustRadius(),
                                       toolOptions_->adjustFootprint()));
            });
    connect(makeAction("maskContract", tr("C&ontract Mask"), "mask-contract",
                       {QKeySequence(tr("Ctrl+Shift+C"))},
                       tr("Shrink the painted mask by the Tool Options' distance")),
            &QAction::triggered, this, [this, push] {
                push(makeContractCommand(doc_, toolOptions_->adjustRadius(),
                                         toolOptions_->adjustFootprint()));
            });
    connect(makeAction("maskFillHoles", tr("Fill &Holes"), "mask-fill-holes",
                       {QKeySequence(tr("Ctrl+Shift+H"))},
                       tr("Mask enclosed holes smaller than the Tool Options' area")),
            &QAction::triggered, this,
            [this, push] { push(makeFillHolesCommand(doc_, toolOptions_->holeArea())); });
}

void MainWindow::activateTool(MaskTool* tool) {
    regionPlanner_->setEditingManual(false); // picking a painting tool ends a region edit
    canvas_->setTool(tool);
    if (toolOptions_) toolOptions_->showOptionsFor(tool);
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(action("open"));
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    recentImages_->attachMenu(recentMenu_);
    QMenu* precision = file->addMenu(tr("Input &Precision"));
    precision->addActions(inputPrecisionGroup_->actions());
    file->addSeparator();
    file->addAction(action("loadMask"));
    file->addAction(action("saveMask"));
    file->addAction(action("saveMaskAs"));
    file->addSeparator();
    file->addAction(action("exportLatent"));
    file->addAction(action("exportGrownMask"));
    file->addSeparator();
    file->addAction(action("importResult"));
    file->addAction(action("exportImage"));
    file->addSeparator();
    file->addAction(action("quit"));

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(action("undo"));
    edit->addAction(action("redo"));
    edit->addSeparator();
    edit->addAction(action("fill"));
    edit->addAction(action("invert"));
    edit->addAction(action("clear"));
    edit->addAction(action("maskFromAlpha"));
    edit->addSeparator();
    edit->addAction(action("maskExpand"));
    edit->addAction(action("maskContract"));
    edit->addAction(action("maskFillHoles"));

    viewMenu_ = menuBar()->addMenu(tr("&View"));
    viewMenu_->addAction(action("zoomIn"));
    viewMenu_->addAction(action("zoomOut"));
    viewMenu_->addAction(action("zoomFit"));
    viewMenu_->addAction(action("zoomActual"));
    viewMenu_->addSeparator();
    viewMenu_->addActions(viewModeGroup_->actions());
    viewMenu_->addSeparator();
    viewMenu_->addAction(action("showGrown"));
    viewMenu_->addAction(action("showCrop"));
    viewMenu_->addSeparator();

    QMenu* tools = menuBar()->addMenu(tr("&Tools"));
    tools->addActions(toolGroup_->actions());
    tools->addSeparator();
    tools->addAction(action("brushBigger"));
    tools->addAction(action("brushSmaller"));

    QMenu* vae = menuBar()->addMenu(tr("V&AE"));
    vae->addAction(action("chooseVae"));
    vae->addAction(action("chooseVaeFolder"));
    vae->addSeparator();
    vae->addAction(action("encode"));
    vae->addAction(action("cancelEncode"));
    vae->addAction(action("exportLatent"));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(action("shortcuts"));
    help->addAction(action("about"));
}

void MainWindow::createToolBars() {
    QToolBar* main = addToolBar(tr("Main"));
    main->setObjectName(QStringLiteral("mainToolBar"));
    main->setIconSize(QSize(20, 20));
    main->setMovable(false);
    main->addAction(action("open"));
    main->addAction(action("loadMask"));
    main->addAction(action("saveMask"));
    main->addSeparator();
    main->addAction(action("undo"));
    main->addAction(action("redo"));
    main->addSeparator();
    main->addAction(action("zoomFit"));
    main->addAction(action("zoomActual"));
    main->addAction(action("zoomIn"));
    main->addAction(action("zoomOut"));
    main->addSeparator();
    main->addActions(viewModeGroup_->actions());
    main->addAction(action("showGrown"));
    main->addAction(action("showCrop"));
    main->addSeparator();
    main->addAction(action("encode"));
    main->addAction(action("exportLatent"));

    QToolBar* tools = new QToolBar(tr("Tools"), this);
    tools->setObjectName(QStringLiteral("toolsToolBar"));
    tools->setIconSize(QSize(22, 22));
    tools->setMovable(false);
    addToolBar(Qt::LeftToolBarArea, tools);
    tools->addActions(toolGroup_->actions());
    tools->addSeparator();
    tools->addAction(action("fill"));
    tools->addAction(action("invert"));
    tools->addAction(action("clear"));
    tools->addSeparator();
    tools->addAction(action("maskExpand"));
    tools->addAction(action("maskContract"));
    tools->addAction(action("maskFillHoles"));
}

void MainWindow::createDocks() {
    auto addDock = [this](const QString& name, const QString& title, QWidget* widget,
                          bool scrolls = false) {
        auto* dock = new QDockWidget(title, this);
        dock->setObjectName(name);
        if (scrolls) {
            // A panel taller than its share of a small screen (1366x768) scrolls instead of
            // pushing the window past the screen or the panels below out of sight.
            auto* scroll = new QScrollArea(dock);
            scroll->setWidget(widget);
            scroll->setWidgetResizable(true);
            scroll->setFrameShape(QFrame::NoFrame);
            scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
            scroll->setMinimumWidth(widget->minimumSizeHint().width() +
                                    scroll->verticalScrollBar()->sizeHint().width());
            dock->setWidget(scroll);
        } else {
            dock->setWidget(widget);
        }
        dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable |
                          QDockWidget::DockWidgetFloatable);
        addDockWidget(Qt::RightDockWidgetArea, dock);
        viewMenu_->addAction(dock->toggleViewAction());
        return dock;
    };
    brushPanel_ = new BrushPanel(brush_, this);
    toolOptions_ = new ToolOptionsPanel(brushPanel_, maskTools_, this);
    toolOptions_->setAdjustActions(action("maskExpand"), action("maskContract"),
                                   action("maskFillHoles"));
    QDockWidget* toolDock =
        addDock(QStringLiteral("brushDock"), tr("Tool Options"), toolOptions_, true);

    previewPanel_ =
        new PreviewPanel(doc_, preview_, layers_,
                         {action("viewOverlay"), action("viewMaskOnly"), action("viewEncoder"),
                          nullptr, action("showGrown"), action("showCrop")},
                         this);
    // The encode mode (inpaint or noise mask) with the soft mask's live preview.
    auto* noiseMask = new NoiseMaskPreview(doc_, preview_, this);
    canvas_->setNoiseMaskPreview(noiseMask);
    previewPanel_->addSection(new NoiseMaskPanel(noiseMask, regionPlanner_, previewPanel_));
    auto growFollowsMode = [this, noiseMask] { // grow_mask_by is the inpaint mode's
        previewPanel_->growControl()->setEnabled(!noiseMask->noiseMaskMode());
    };
    connect(noiseMask, &NoiseMaskPreview::settingsChanged, this, growFollowsMode);
    growFollowsMode();
    previewPanel_->addSection(new RegionPanel(regionPlanner_, previewPanel_));
    QDockWidget* previewDock =
        addDock(QStringLiteral("previewDock"), tr("Inpaint Preview"), previewPanel_, true);

    // Encoding: one session; the panel, the actions, the decode and live views show it.
    encodeSession_ = new EncodeSession(doc_, preview_, this);
    encodeSession_->setRegionPlanner(regionPlanner_);
    encodeSession_->setNoiseMaskPreview(noiseMask);
    stitch_ = new StitchSession(doc_, encodeSession_, this);
    canvas_->setStitchSession(stitch_);
    if (auto* column = qobject_cast<QVBoxLayout*>(canvas_->parentWidget()->layout()))
        column->insertWidget(column->indexOf(canvas_), new StitchBar(stitch_, action("exportImage"),
                                                                     canvas_->parentWidget()));
    action("exportImage")->setEnabled(false);
    auto exportImageEnabled = [this] {
        action("exportImage")->setEnabled(stitch_->isActive() && !stitch_->isExporting());
    };
    connect(stitch_, &StitchSession::changed, this, exportImageEnabled);
    // Export Image writes on the thread pool; the status bar shows it and its outcome.
    connect(stitch_, &StitchSession::exportStarted, this, exportImageEnabled);
    connect(stitch_, &StitchSession::exportFinished, this, exportImageEnabled);
    connect(new ExportImageStatus(stitch_, statusBar()), &ExportImageStatus::failed, this,
            &MainWindow::showError);
    connect(stitch_, &StitchSession::failed, this,
            [this](const QString& why) { showError(tr("The stitch failed: %1").arg(why)); });
    // An imported result survives a crash like the mask (kept in the same autosave).
    connect(stitch_, &StitchSession::changed, this,
            [this] { autosave_->setStitch(stitch_->autosaveState()); });
    auto* decodeView = new DecodeView(this);
    encodePanel_ = new EncodePanel(encodeSession_, decodeView, this);
    QDockWidget* encodeDock =
        addDock(QStringLiteral("encodeDock"), tr("VAE and Encode"), encodePanel_, true);

    historyView_ = new QUndoView(doc_->undoStack(), this);
    historyView_->setEmptyLabel(tr("<opened image>"));
    historyView_->setMinimumHeight(60);
    QDockWidget* history = addDock(QStringLiteral("historyDock"), tr("History"), historyView_);
    QDockWidget* decoded = addDock(QStringLiteral("decodeDock"), tr("Decoded Latent"), decodeView);
    tabifyDockWidget(history, decoded);
    // What the VAE keeps, live: in front of the history and the last encode's decode.
    liveRoundTrip_ = new LiveRoundTrip(doc_, preview_, encodeSession_, this);
    liveRoundTrip_->setEnabled(QSettings().value(QStringLiteral("live/enabled"), true).toBool());
    connect(liveRoundTrip_, &LiveRoundTrip::stateChanged, this, [this] {
        QSettings().setValue(QStringLiteral("live/enabled"), liveRoundTrip_->isEnabled());
    });
    keptView_ = new KeptView(liveRoundTrip_, this);
    QDockWidget* kept = addDock(QStringLiteral("keptDock"), tr("What the VAE Keeps"), keptView_);
    tabifyDockWidget(history, kept);
    kept->raise();
    // First start: the panels share the column in proportion to what they hold (each scrolls
    // when the screen is smaller than that), the live view a third of it.
    const int column = toolOptions_->sizeHint().height() + previewPanel_->sizeHint().height() +
                       encodePanel_->sizeHint().height();
    resizeDocks({toolDock, previewDock, encodeDock, kept},
                {toolOptions_->sizeHint().height(), previewPanel_->sizeHint().height(),
                 encodePanel_->sizeHint().height(), column / 2},
                Qt::Vertical);

    VaeChooser* chooser = encodePanel_->vaeChooser();
    connect(action("encode"), &QAction::triggered, encodePanel_, &EncodePanel::encode);
    connect(action("cancelEncode"), &QAction::triggered, encodePanel_, &EncodePanel::cancel);
    connect(action("exportLatent"), &QAction::triggered, encodePanel_, &EncodePanel::exportLatent);
    connect(action("chooseVae"), &QAction::triggered, chooser, &VaeChooser::chooseFile);
    connect(action("chooseVaeFolder"), &QAction::triggered, chooser, &VaeChooser::chooseFolder);
    connect(encodePanel_, &EncodePanel::message, this, [this](const QString& text, bool error) {
        if (error)
            showError(text);
        else
            showWarning(text);
    });
    connect(encodePanel_, &EncodePanel::notice, this, [this](const QString& text) {
        infoBar_->showMessage(InfoBar::Kind::Information, text);
    });
    connect(chooser, &VaeChooser::statusNote, this,
            [this](const QString& text) { statusBar()->showMessage(text, kStatusNoteMs); });
    auto syncEncodeActions = [this] {
        action("encode")->setEnabled(encodeSession_->canEncode());
        action("cancelEncode")->setEnabled(encodeSession_->isRunning());
        action("exportLatent")->setEnabled(encodeSession_->resultIsCurrent());
    };
    connect(encodeSession_, &EncodeSession::stateChanged, this, syncEncodeActions);
    connect(encodeSession_, &EncodeSession::decoded, this, [decoded] {
        decoded->show();
        decoded->raise();
    });
    connect(encodeSession_, &EncodeSession::vaeChanged, this, [this](std::shared_ptr<lb::Vae> vae) {
        preview_->setMultiple(vae ? vae->info().downscale : 8);
        previewPanel_->setVaeDescription(
            vae ? tr("Crop to multiples of %1 (%2 VAE).")
                      .arg(vae->info().downscale)
                      .arg(QString::fromLatin1(lb::vaeFamilyName(vae->info().family)))
                : tr("Crop to multiples of 8 (no VAE chosen)."));
    });
    syncEncodeActions();
}

void MainWindow::createStatusBar() {
    statusSize_ = new QLabel(this);
    statusCursor_ = new QLabel(this);
    statusZoom_ = new QLabel(this);
    statusCoverage_ = new QLabel(this);
    for (QLabel* l : {statusCoverage_, statusCursor_, statusSize_, statusZoom_}) {
        l->setMinimumWidth(90);
        l->setAlignment(Qt::AlignCenter);
        statusBar()->addPermanentWidget(l);
    }
    statusCursor_->setMinimumWidth(110);
    statusCoverage_->setMinimumWidth(220);
    connect(canvas_, &CanvasWidget::zoomChanged, this, [this](double z) {
        statusZoom_->setText(tr("Zoom %1 %").arg(z * 100.0, 0, 'f', z < 0.1 ? 1 : 0));
    });
    connect(canvas_, &CanvasWidget::cursorMoved, this, [this](QPoint p, bool inside) {
        statusCursor_->setText(inside ? tr("x %1, y %2").arg(p.x()).arg(p.y()) : QString());
    });
    connect(canvas_, &CanvasWidget::cursorLeft, statusCursor_, &QLabel::clear);
    auto coverage = [this] {
        const QRect crop = preview_->cropRect();
        const double n = double(crop.width()) * crop.height();
        statusCoverage_->setText(n > 0 ? tr("Mask %1 %  ·  grown %2 %")
                                             .arg(100.0 * preview_->maskedCount() / n, 0, 'f', 1)
                                             .arg(100.0 * preview_->grownCount() / n, 0, 'f', 1)
                                       : QString());
    };
    connect(preview_, &GrowPreview::previewChanged, this, coverage);
    updateStatusImage();
}

void MainWindow::updateStatusImage() {
    statusSize_->setText(doc_->hasImage() ? tr("%1 x %2 px").arg(doc_->width()).arg(doc_->height())
                                          : QString());
}

void MainWindow::updateTitle() {
    setWindowTitle(QStringLiteral("%1[*] — Latentbrush").arg(doc_->displayName()));
    setWindowModified(doc_->isModified());
}

void MainWindow::updateActions() {
    const bool has = doc_->hasImage();
    for (const char* name : {"loadMask", "saveMask", "saveMaskAs", "exportGrownMask", "fill",
                             "invert", "clear", "zoomIn", "zoomOut", "zoomFit", "zoomActual",
                             "maskExpand", "maskContract", "maskFillHoles"})
        action(QString::fromLatin1(name))->setEnabled(has);
    action("maskFromAlpha")->setEnabled(has && !doc_->alphaMask().empty());
}

// --- settings ------------------------------------------------------------------------------

void MainWindow::readSettings() {
    QSettings s;
    lb::InputPrecision precision = lb::InputPrecision::Reference;
    lb::parseInputPrecision(s.value("image/inputPrecision", "reference").toString().toStdString(),
                            &precision);
    loader_->setInputPrecision(precision);
    for (QAction* a : inputPrecisionGroup_->actions())
        a->setChecked(a->data().toInt() == int(precision));
    BrushSettings b;
    b.size = s.value("brush/size", b.size).toDouble();
    b.hardness = s.value("brush/hardness", b.hardness).toDouble();
    b.opacity = s.value("brush/opacity", b.opacity).toDouble();
    brush_->setSettings(b);
    const QColor color(s.value("overlay/color").toString());
    if (color.isValid()) layers_->setMaskColor(color);
    layers_->setMaskOpacity(s.value("overlay/opacity", layers_->maskOpacity()).toDouble());
    previewPanel_->growControl()->setValue(
        s.value("preview/grow", GrowPreview::kDefaultGrow).toInt());
    action("showGrown")->setChecked(s.value("view/showGrown", true).toBool());
    action("showCrop")->setChecked(s.value("view/showCrop", true).toBool());

    const QByteArray geometry = s.value("window/geometry").toByteArray();
    if (geometry.isEmpty() || !restoreGeometry(geometry)) {
        resize(firstStartSize().expandedTo(minimumSizeHint()));
        if (const QScreen* screen = QGuiApplication::primaryScreen()) {
            const QRect avail = screen->availableGeometry();
            move(avail.topLeft() + QPoint(std::max(0, (avail.width() - width()) / 2),
                                          std::max(0, (avail.height() - height()) / 2)));
        }
    }
    restoreState(s.value("window/state").toByteArray());
    // At least 1280x800 (the editor's first-start promise), but never larger than a smaller screen:
    // on 1366x768 the window must fit for its panels to be reachable.
    QSize wanted = size().expandedTo(QSize(1280, 800));
    if (const QScreen* screen = QGuiApplication::primaryScreen())
        wanted = wanted.boundedTo(screen->availableGeometry().size());
    if (wanted != size()) resize(wanted);
}

void MainWindow::writeSettings() {
    QSettings s;
    s.setValue("brush/size", brush_->settings().size);
    s.setValue("brush/hardness", brush_->settings().hardness);
    s.setValue("brush/opacity", brush_->settings().opacity);
    s.setValue("overlay/color", layers_->maskColor().name());
    s.setValue("overlay/opacity", layers_->maskOpacity());
    s.setValue("preview/grow", preview_->grow());
    s.setValue("view/showGrown", action("showGrown")->isChecked());
    s.setValue("view/showCrop", action("showCrop")->isChecked());
    s.setValue("window/geometry", saveGeometry());
    s.setValue("window/state", saveState());
}

QString MainWindow::lastFolder(const QString& key) const {
    const QString dir = QSettings().value(QStringLiteral("folders/") + key).toString();
    if (!dir.isEmpty() && QFileInfo(dir).isDir()) return dir;
    return QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
}

void MainWindow::rememberFolder(const QString& key, const QString& file) {
    QSettings().setValue(QStringLiteral("folders/") + key, QFileInfo(file).absolutePath());
}

// --- files ---------------------------------------------------------------------------------

bool MainWindow::maybeSave() {
    if (!doc_->isModified()) return true;
    const auto answer = QMessageBox::question(
        this, tr("Unsaved mask"),
        tr("The mask of \"%1\" has changes that are not saved. Save them first?")
            .arg(doc_->displayName()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save) return saveMask();
    if (answer == QMessageBox::Discard) {
        autosave_->discard();
        return true;
    }
    return false;
}

void MainWindow::chooseImage() {
    if (!maybeSave()) return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Image"), lastFolder("images"),
                                                      tr(kImageFilter));
    if (path.isEmpty()) return;
    rememberFolder("images", path);
    openImage(path);
}

void MainWindow::start(const StartRequest& request) {
    if (request.imagePath.isEmpty())
        openSample();
    else // absolute: the autosave and the recent list must name it from any folder
        openImage(QFileInfo(request.imagePath).absoluteFilePath(), request.maskPath);
    encodePanel_->vaeChooser()->loadAtStart(request.vaePath);
    const int delayMs = qEnvironmentVariableIntValue("LATENTBRUSH_TEST_RECOVERY_DELAY_MS");
    QTimer::singleShot(std::max(0, delayMs), this, &MainWindow::offerAutosaveRecovery);
}

void MainWindow::openImage(const QString& path, const QString& maskPath) {
    loader_->loadImage(path, maskPath);
}

void MainWindow::openSample() {
    loader_->cancelImage(); // an image still loading would replace the sample
    LoadedDocument sample = loadSampleDocument(sampleImagePath());
    sample.precision = loader_->inputPrecision(); // an 8-bit image: the same either way
    applyLoadedDocument(sample);
}

void MainWindow::setInputPrecision(lb::InputPrecision precision) {
    QSettings().setValue(QStringLiteral("image/inputPrecision"),
                         QString::fromLatin1(lb::inputPrecisionName(precision)));
    for (QAction* a : inputPrecisionGroup_->actions())
        a->setChecked(a->data().toInt() == int(precision));
    loader_->setInputPrecision(precision);
    if (!doc_->hasImage() || doc_->inputPrecision() == precision) return;
    if (doc_->isSample()) { // 8 bits
        doc_->setInputPrecision(precision);
        return;
    }
    // Unsaved mask edits are offered for saving first; kept, the image stays as it was read.
    if (maybeSave()) openImage(doc_->imagePath(), doc_->maskPath());
}

void MainWindow::applyLoadedDocument(const LoadedDocument& loaded) {
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
    doc_->setImage(loaded.rgb, loaded.display, loaded.imagePath, loaded.mask, loaded.alphaMask);
    doc_->setInputPrecision(loaded.precision);
    if (!loaded.maskPath.isEmpty()) doc_->setMaskPath(loaded.maskPath);
    recentImages_->add(loaded.imagePath);
    infoBar_->hide();
    if (!loaded.warning.isEmpty())
        showWarning(loaded.warning);
    else if (!loaded.alphaMask.empty() && loaded.maskPath.isEmpty())
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
    canvas_->setFocus();
}

void MainWindow::chooseMask() {
    if (!doc_->hasImage()) return;
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Load Mask"), lastFolder("masks"), tr(kMaskFilter));
    if (path.isEmpty()) return;
    rememberFolder("masks", path);
    loadMask(path);
}

void MainWindow::loadMask(const QString& path) {
    if (!doc_->hasImage()) return;
    loader_->loadMask(path, doc_->height(), doc_->width());
}

void MainWindow::applyLoadedMask(const LoadedMask& loaded) {
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

void MainWindow::maskFromAlpha() {
    if (doc_->alphaMask().empty()) return;
    auto cmd = makeReplaceCommand(doc_, tr("Mask from image alpha"), doc_->alphaMask().data);
    if (cmd) doc_->undoStack()->push(cmd.release());
}

bool MainWindow::saveMask() {
    if (!doc_->hasImage()) return false;
    if (doc_->maskPath().isEmpty()) return saveMaskAs();
    return saveMaskTo(doc_->maskPath());
}

bool MainWindow::saveMaskAs() {
    if (!doc_->hasImage()) return false;
    QString suggestion = doc_->maskPath();
    if (suggestion.isEmpty()) {
        const QFileInfo image(doc_->imagePath());
        const QString base = doc_->outputStem();
        suggestion = QDir(lastFolder("masks")).filePath(base + QStringLiteral("_mask.png"));
    }
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save Mask"), suggestion,
        tr("8-bit PNG (*.png);;Float TIFF (*.tif *.tiff);;Float EXR (*.exr)"));
    if (path.isEmpty()) return false;
    rememberFolder("masks", path);
    return saveMaskTo(path);
}

bool MainWindow::saveMaskTo(const QString& path) {
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
    statusBar()->showMessage(tr("Mask saved to %1").arg(QDir::toNativeSeparators(path)), 5000);
    return true;
}

bool MainWindow::importResults(const QStringList& paths) {
    QString why;
    if (!stitch_->importResults(paths, &why)) {
        showError(tr("Could not import the result: %1").arg(why));
        return false;
    }
    statusBar()->showMessage(tr("Stitched %1 result(s) into the photo").arg(paths.size()), 5000);
    return true;
}

void MainWindow::chooseResults() {
    const QStringList paths =
        QFileDialog::getOpenFileNames(this, tr("Import Result (one image per region, in order)"),
                                      lastFolder("results"), tr(kImageFilter));
    if (paths.isEmpty()) return;
    rememberFolder("results", paths.first());
    importResults(paths);
}

void MainWindow::chooseExportImage() {
    if (!stitch_->isActive()) return;
    const QFileInfo image(doc_->imagePath());
    const QString base = doc_->outputStem();
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Image"),
        QDir(lastFolder("results")).filePath(base + QStringLiteral("-inpainted.png")),
        tr("PNG, the original's depth (*.png);;TIFF, the original's depth (*.tif *.tiff);;"
           "Float EXR (*.exr);;JPEG (*.jpg)"));
    if (path.isEmpty()) return;
    rememberFolder("results", path);
    QString why; // written on the thread pool: ExportImageStatus reports the outcome
    if (!stitch_->startExportImage(path, &why))
        showError(tr("Could not export the image to \"%1\": %2")
                      .arg(QDir::toNativeSeparators(path), why));
}

void MainWindow::exportGrownMask() {
    if (!doc_->hasImage() || preview_->noiseMask().empty()) return;
    const QFileInfo image(doc_->imagePath());
    const QString base = doc_->outputStem();
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Grown Mask"),
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
        statusBar()->showMessage(tr("Grown mask exported to %1").arg(path), 5000);
}

// --- autosave recovery ------------------------------------------------------------------

void MainWindow::offerAutosaveRecovery() {
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

bool MainWindow::documentHolds(const AutosavedMask& kept) const {
    return doc_->hasImage() && sameImageFile(doc_->imagePath(), kept.imagePath) &&
           doc_->width() == kept.width && doc_->height() == kept.height;
}

void MainWindow::restoreAutosave(const AutosavedMask& kept) {
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

void MainWindow::applyRecoveredMask(const AutosavedMask& recovered) {
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
    if (recovered.stitch) {
        QString why;
        if (!stitch_->restore(*recovered.stitch, &why))
            showWarning(tr("The imported result kept in %1 could not be shown again: %2")
                            .arg(QDir::toNativeSeparators(recovered.file), why));
    }
    AutosaveManager::removeOrphan(recovered.file);
    autosave_->saveNow(); // the restored mask is now this session's unsaved work
    statusBar()->showMessage(tr("Autosaved mask restored"), 5000);
}

// --- messages, help ------------------------------------------------------------------------

void MainWindow::showError(const QString& message) {
    infoBar_->showMessage(InfoBar::Kind::Error, message);
}

void MainWindow::showWarning(const QString& message) {
    infoBar_->showMessage(InfoBar::Kind::Warning, message);
}

void MainWindow::showShortcuts() {
    if (!shortcutsDialog_) {
        QList<QAction*> list;
        for (QAction* a : findChildren<QAction*>(QString(), Qt::FindDirectChildrenOnly))
            if (!a->shortcut().isEmpty()) list << a;
        shortcutsDialog_ = new ShortcutsDialog(list, this);
    }
    shortcutsDialog_->show();
    shortcutsDialog_->raise();
}

void MainWindow::showAbout() {
    QMessageBox::about(
        this, tr("About Latentbrush"),
        tr("<h3>Latentbrush %1</h3><p>Paint inpainting masks and export latents exactly as "
           "ComfyUI's VAEEncodeForInpaint prepares them.</p>"
           "<p>The built-in VAE is TAEF2 (github.com/madebyollin/taesd), copyright 2023 Ollin "
           "Boer Bohan, under the MIT licence (see /usr/share/doc/latentbrush/copyright).</p>")
            .arg(QString::fromLatin1(LATENTBRUSH_VERSION)));
}

// --- window events -------------------------------------------------------------------------

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    writeSettings();
    stitch_->waitForExport(); // an Export Image still writing: finished, never cut off
    autosave_->shutdown();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) {
        for (const QUrl& url : event->mimeData()->urls())
            if (url.isLocalFile()) {
                event->acceptProposedAction();
                return;
            }
    }
}

void MainWindow::dropEvent(QDropEvent* event) {
    QStringList paths;
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile()) paths << url.toLocalFile();
    if (paths.isEmpty()) return;
    event->acceptProposedAction();
    if (event->modifiers().testFlag(Qt::ShiftModifier) && doc_->hasImage()) {
        loadMask(paths.first());
        return;
    }
    // Sampled results of a region encode are stitched; anything else opens as the image.
    const DropDecision drop = decideDrop(paths, encodeSession_->result(), doc_);
    if (drop.action == DropDecision::Action::ImportResults) {
        if (importResults(drop.paths)) statusBar()->showMessage(drop.note, kStatusNoteMs);
    } else if (maybeSave()) {
        openImage(paths.first());
        statusBar()->showMessage(drop.note, kStatusNoteMs);
    }
}

} // namespace lbui
