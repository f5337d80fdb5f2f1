// MainWindow: the editor's widgets assembled (canvas, docks, status bar) and wired to the parts;
// the actions are in MainWindowActions.cpp, the file side in DocumentController.
#include "MainWindow.h"

#include "ActionTable.h"
#include "AutosaveManager.h"
#include "BrushPanel.h"
#include "BrushTool.h"
#include "CanvasLayers.h"
#include "CanvasWidget.h"
#include "DecodeView.h"
#include "DocumentController.h"
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
#include "RecoveryBar.h"
#include "RegionPanel.h"
#include "RegionPlanner.h"
#include "Resources.h"
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
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QUndoView>
#include <QVBoxLayout>

#include <cmath>

namespace lbui {

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
    documents_ = new DocumentController(this, doc_, preview_);
    AutosaveManager* autosave = documents_->autosave();
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
    autosave->setRegionSource([this] { return regionPlanner_->settings().toMap(); });
    connect(regionPlanner_, &RegionPlanner::settingsChanged, autosave,
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
    documents_->setBars(recoveryBar_, infoBar_);
    connect(documents_, &DocumentController::imageOpened, canvas_, [this] { canvas_->setFocus(); });
    connect(documents_, &DocumentController::inputPrecisionChanged, this,
            [this](lb::InputPrecision precision) {
                for (QAction* a : actions_->group(QStringLiteral("inputPrecision")))
                    a->setChecked(a->data().toInt() == int(precision));
            });

    readSettings();
    updateTitle();
    updateActions();
}

MainWindow::~MainWindow() {
    documents_->loader()->waitForFinished();
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

void MainWindow::activateTool(MaskTool* tool) {
    regionPlanner_->setEditingManual(false); // picking a painting tool ends a region edit
    canvas_->setTool(tool);
    if (toolOptions_) toolOptions_->showOptionsFor(tool);
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
    previewPanel_->setNoiseMaskPreview(noiseMask);
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
    documents_->setSessions(regionPlanner_, encodeSession_, stitch_);
    if (auto* column = qobject_cast<QVBoxLayout*>(canvas_->parentWidget()->layout()))
        column->insertWidget(column->indexOf(canvas_), new StitchBar(stitch_, action("exportImage"),
                                                                     canvas_->parentWidget()));
    // Export Image writes the result shown, or the image an Apply made (until it is undone); the
    // status bar shows an export on the thread pool and its outcome.
    auto exportable = [this] {
        action("exportImage")
            ->setEnabled((stitch_->isActive() || doc_->imageIsApplied()) &&
                         !stitch_->isExporting());
    };
    exportable();
    connect(stitch_, &StitchSession::changed, this, exportable);
    connect(doc_, &MaskDocument::appliedChanged, this, exportable);
    connect(stitch_, &StitchSession::exportStarted, this, exportable);
    connect(stitch_, &StitchSession::exportFinished, this, exportable);
    connect(new ExportImageStatus(stitch_, statusBar()), &ExportImageStatus::failed, this,
            &MainWindow::showError);
    connect(stitch_, &StitchSession::failed, this,
            [this](const QString& why) { showError(tr("The stitch failed: %1").arg(why)); });
    // An imported result survives a crash like the mask (kept in the same autosave).
    connect(stitch_, &StitchSession::changed, this,
            [this] { documents_->autosave()->setStitch(stitch_->autosaveState()); });
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
    connect(encodePanel_, &EncodePanel::message, this, [this](const QString& text, bool error) {
        if (error)
            showError(text);
        else
            showWarning(text);
    });
    connect(encodePanel_, &EncodePanel::notice, this, [this](const QString& text) {
        infoBar_->showMessage(InfoBar::Kind::Information, text);
    });
    connect(chooser, &VaeChooser::statusNote, this, [this](const QString& text) {
        statusBar()->showMessage(text, DocumentController::kStatusNoteMs);
    });
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

// --- settings ------------------------------------------------------------------------------

void MainWindow::readSettings() {
    QSettings s;
    lb::InputPrecision precision = lb::InputPrecision::Reference;
    lb::parseInputPrecision(s.value("image/inputPrecision", "reference").toString().toStdString(),
                            &precision);
    documents_->loader()->setInputPrecision(precision);
    for (QAction* a : actions_->group(QStringLiteral("inputPrecision")))
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

// --- start ---------------------------------------------------------------------------------

void MainWindow::start(const StartRequest& request) {
    if (request.imagePath.isEmpty())
        documents_->openSample();
    else // absolute: the autosave and the recent list must name it from any folder
        documents_->openImage(QFileInfo(request.imagePath).absoluteFilePath(), request.maskPath);
    encodePanel_->vaeChooser()->loadAtStart(request.vaePath);
    const int delayMs = qEnvironmentVariableIntValue("LATENTBRUSH_TEST_RECOVERY_DELAY_MS");
    QTimer::singleShot(std::max(0, delayMs), this, &MainWindow::offerAutosaveRecovery);
}

// --- files: the document controller's, for the start, tests and the test driver -----------

void MainWindow::openImage(const QString& path, const QString& maskPath) {
    documents_->openImage(path, maskPath);
}

void MainWindow::openSample() {
    documents_->openSample();
}

void MainWindow::loadMask(const QString& path) {
    documents_->loadMask(path);
}

bool MainWindow::saveMaskTo(const QString& path) {
    return documents_->saveMaskTo(path);
}

bool MainWindow::importResults(const QStringList& paths) {
    return documents_->importResults(paths);
}

void MainWindow::setInputPrecision(lb::InputPrecision precision) {
    documents_->setInputPrecision(precision);
}

void MainWindow::offerAutosaveRecovery() {
    documents_->offerAutosaveRecovery();
}

DocumentLoader* MainWindow::loader() const {
    return documents_->loader();
}

AutosaveManager* MainWindow::autosave() const {
    return documents_->autosave();
}

void MainWindow::maskFromAlpha() {
    if (doc_->alphaMask().empty()) return;
    auto cmd = makeReplaceCommand(doc_, tr("Mask from image alpha"), doc_->alphaMask().data);
    if (cmd) doc_->undoStack()->push(cmd.release());
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
        shortcutsDialog_ = new ShortcutsDialog(actions_->withShortcuts(), this);
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
    if (!documents_->maybeSave()) {
        event->ignore();
        return;
    }
    writeSettings();
    stitch_->waitForExport(); // an Export Image still writing: finished, never cut off
    documents_->autosave()->shutdown();
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
    documents_->openDropped(paths, event->modifiers().testFlag(Qt::ShiftModifier));
}

} // namespace lbui
