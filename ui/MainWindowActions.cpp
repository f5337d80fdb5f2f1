// MainWindow's action table: every action of the editor (text, shortcuts, icon, tip, when it is
// enabled, what it does) and the menus and toolbars as lists of action names, in one place.
#include "MainWindow.h"

#include "ActionTable.h"
#include "BrushTool.h"
#include "CanvasWidget.h"
#include "DocumentController.h"
#include "EncodePanel.h"
#include "MaskAdjustments.h"
#include "MaskDocument.h"
#include "MaskEditCommand.h"
#include "RecentFiles.h"
#include "ShapeTool.h"
#include "ToolOptionsPanel.h"
#include "VaeChooser.h"

#include <QAction>
#include <QMenu>
#include <QMenuBar>
#include <QToolBar>
#include <QUndoStack>

namespace lbui {

QList<ActionSpec> MainWindow::actionSpecs() {
    auto push = [this](std::unique_ptr<MaskEditCommand> cmd) {
        if (cmd) doc_->undoStack()->push(cmd.release());
    };
    const auto W = ActionEnabled::WithImage;
    QList<ActionSpec> t = {
        // File
        {.name = "open",
         .text = tr("&Open Image…"),
         .icon = "open",
         .shortcuts = {QKeySequence::Open},
         .tip = tr("Open an image to paint its mask"),
         .triggered = [this] { documents_->chooseImage(); }},
        {.name = "loadMask",
         .text = tr("&Load Mask…"),
         .icon = "folder",
         .shortcuts = {QKeySequence(tr("Ctrl+M"))},
         .tip = tr("Load a mask file (gray: white regenerates; transparent pixels regenerate)"),
         .enabled = W,
         .triggered = [this] { documents_->chooseMask(); }},
        {.name = "saveMask",
         .text = tr("&Save Mask"),
         .icon = "save",
         .shortcuts = {QKeySequence::Save},
         .enabled = W,
         .triggered = [this] { documents_->saveMask(); }},
        {.name = "saveMaskAs",
         .text = tr("Save Mask &As…"),
         .shortcuts = {QKeySequence::SaveAs},
         .enabled = W,
         .triggered = [this] { documents_->saveMaskAs(); }},
        {.name = "exportGrownMask",
         .text = tr("Export &Grown Mask…"),
         .shortcuts = {QKeySequence(tr("Ctrl+Shift+G"))},
         .tip = tr("Save the grown noise_mask as a 0/255 PNG (for LoadImageMask)"),
         .enabled = W,
         .triggered = [this] { documents_->exportGrownMask(); }},
        {.name = "quit",
         .text = tr("&Quit"),
         .shortcuts = {QKeySequence::Quit},
         .triggered = [this] { close(); }},

        // Edit
        {.name = "undo",
         .icon = "undo",
         .shortcuts = QKeySequence::keyBindings(QKeySequence::Undo),
         .make =
             [this](QObject* parent) {
                 return doc_->undoStack()->createUndoAction(parent, tr("&Undo"));
             }},
        {.name = "redo",
         .icon = "redo",
         .shortcuts = {QKeySequence::Redo, QKeySequence(tr("Ctrl+Y"))},
         .make =
             [this](QObject* parent) {
                 return doc_->undoStack()->createRedoAction(parent, tr("&Redo"));
             }},
        {.name = "fill",
         .text = tr("&Fill Mask"),
         .icon = "fill",
         .shortcuts = {QKeySequence(tr("Shift+Backspace"))},
         .tip = tr("Mask the whole image"),
         .enabled = W,
         .triggered = [this, push] { push(makeFillCommand(doc_)); }},
        {.name = "invert",
         .text = tr("&Invert Mask"),
         .icon = "invert",
         .shortcuts = {QKeySequence(tr("Ctrl+I"))},
         .enabled = W,
         .triggered = [this, push] { push(makeInvertCommand(doc_)); }},
        {.name = "clear",
         .text = tr("&Clear Mask"),
         .icon = "clear",
         .shortcuts = {QKeySequence::Delete, QKeySequence(tr("Backspace"))},
         .enabled = W,
         .triggered = [this, push] { push(makeClearCommand(doc_)); }},
        {.name = "maskFromAlpha",
         .text = tr("Mask from Image &Alpha"),
         .tip = tr("Replace the mask with 1 - alpha of the image, as ComfyUI's LoadImage does"),
         .enabled = ActionEnabled::WithImageAlpha,
         .triggered = [this] { maskFromAlpha(); }},

        // View
        {.name = "zoomIn",
         .text = tr("Zoom &In"),
         .icon = "zoom-in",
         .shortcuts = {QKeySequence::ZoomIn, QKeySequence(tr("Ctrl+="))},
         .enabled = W,
         .triggered = [this] { canvas_->zoomIn(); }},
        {.name = "zoomOut",
         .text = tr("Zoom &Out"),
         .icon = "zoom-out",
         .shortcuts = {QKeySequence::ZoomOut},
         .enabled = W,
         .triggered = [this] { canvas_->zoomOut(); }},
        {.name = "zoomFit",
         .text = tr("&Fit in Window"),
         .icon = "zoom-fit",
         .shortcuts = {QKeySequence(tr("Ctrl+0"))},
         .enabled = W,
         .triggered = [this] { canvas_->fitToWindow(); }},
        {.name = "zoomActual",
         .text = tr("&Actual Pixels (1:1)"),
         .icon = "zoom-original",
         .shortcuts = {QKeySequence(tr("Ctrl+1"))},
         .enabled = W,
         .triggered = [this] { canvas_->actualSize(); }},
    };
    const struct {
        const char* name;
        QString text;
        const char* icon;
        const char* key;
        CanvasWidget::ViewMode mode;
    } modes[] = {
        {"viewOverlay", tr("Image with Mask &Overlay"), "view-overlay", "1",
         CanvasWidget::ViewMode::Overlay},
        {"viewMaskOnly", tr("&Mask Only"), "view-mask", "2", CanvasWidget::ViewMode::MaskOnly},
        {"viewEncoder", tr("&Encoder Input (gray-filled, cropped)"), "view-encoder", "3",
         CanvasWidget::ViewMode::EncoderInput},
    };
    for (const auto& m : modes) {
        const CanvasWidget::ViewMode mode = m.mode;
        t.append({.name = QString::fromLatin1(m.name),
                  .text = m.text,
                  .icon = QString::fromLatin1(m.icon),
                  .shortcuts = {QKeySequence(QString::fromLatin1(m.key))},
                  .group = "viewMode",
                  .checked = mode == CanvasWidget::ViewMode::Overlay,
                  .data = int(mode),
                  .triggered = [this, mode] { canvas_->setViewMode(mode); }});
    }
    const struct {
        const char* name;
        QString text;
        QString tip;
        lb::InputPrecision precision;
    } precisions[] = {
        {"inputPrecisionReference", tr("&Reference (as ComfyUI and diffusers read it)"),
         tr("Read 16-bit images and masks as ComfyUI's LoadImage and diffusers get them from "
            "PIL: 8-bit values, the same latent as ComfyUI"),
         lb::InputPrecision::Reference},
        {"inputPrecisionFull", tr("&Full (all 16 bits)"),
         tr("Read every bit of 16-bit images and masks (v / 65535): a more exact latent than "
            "ComfyUI's own"),
         lb::InputPrecision::Full},
    };
    for (const auto& p : precisions) {
        const lb::InputPrecision precision = p.precision;
        t.append({.name = QString::fromLatin1(p.name),
                  .text = p.text,
                  .tip = p.tip,
                  .group = "inputPrecision",
                  .checked = precision == lb::InputPrecision::Reference,
                  .data = int(precision),
                  .triggered = [this, precision] { documents_->setInputPrecision(precision); }});
    }
    t += QList<ActionSpec>{
        {.name = "showGrown",
         .text = tr("Show &Grown noise_mask"),
         .icon = "outline",
         .shortcuts = {QKeySequence(tr("G"))},
         .tip = tr("Outline the grown noise_mask and tint what the grow adds"),
         .checkable = true,
         .checked = true,
         .toggled = [this](bool on) { canvas_->setShowGrownOutline(on); }},
        {.name = "showCrop",
         .text = tr("Show &Crop Loss"),
         .icon = "crop",
         .shortcuts = {QKeySequence(tr("C"))},
         .tip = tr("Hatch the border the crop to the VAE's multiple removes"),
         .checkable = true,
         .checked = true,
         .toggled = [this](bool on) { canvas_->setShowCropLoss(on); }},

        // Tools: the brush and the eraser, then the selection tools.
        {.name = "toolBrush",
         .text = tr("&Brush"),
         .icon = "brush",
         .shortcuts = {QKeySequence(tr("B"))},
         .tip = tr("Paint the region to regenerate"),
         .group = "tools",
         .checked = true,
         .triggered =
             [this] {
                 brush_->setMode(BrushTool::Mode::Paint);
                 activateTool(brush_);
             }},
        {.name = "toolEraser",
         .text = tr("&Eraser"),
         .icon = "eraser",
         .shortcuts = {QKeySequence(tr("E"))},
         .tip = tr("Erase the mask (the right button always erases)"),
         .group = "tools",
         .triggered =
             [this] {
                 brush_->setMode(BrushTool::Mode::Erase);
                 activateTool(brush_);
             }},
    };
    const struct {
        const char* name;
        QString text;
        const char* icon;
        const char* key;
        QString tip;
    } tools[] = {
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
        MaskTool* tool = maskTools_[i];
        t.append({.name = QString::fromLatin1(tools[i].name),
                  .text = tools[i].text,
                  .icon = QString::fromLatin1(tools[i].icon),
                  .shortcuts = {QKeySequence(QString::fromLatin1(tools[i].key))},
                  .tip = tools[i].tip + tr(" (Alt or right button: subtract; Shift: replace)"),
                  .group = "tools",
                  .triggered = [this, tool] { activateTool(tool); }});
    }
    t += QList<ActionSpec>{
        {.name = "maskExpand",
         .text = tr("E&xpand Mask"),
         .icon = "mask-expand",
         .shortcuts = {QKeySequence(tr("Ctrl+Shift+E"))},
         .tip = tr("Grow the painted mask by the Tool Options' distance"),
         .enabled = W,
         .triggered =
             [this, push] {
                 push(makeExpandCommand(doc_, toolOptions_->adjustRadius(),
                                        toolOptions_->adjustFootprint()));
             }},
        {.name = "maskContract",
         .text = tr("C&ontract Mask"),
         .icon = "mask-contract",
         .shortcuts = {QKeySequence(tr("Ctrl+Shift+C"))},
         .tip = tr("Shrink the painted mask by the Tool Options' distance"),
         .enabled = W,
         .triggered =
             [this, push] {
                 push(makeContractCommand(doc_, toolOptions_->adjustRadius(),
                                          toolOptions_->adjustFootprint()));
             }},
        {.name = "maskFillHoles",
         .text = tr("Fill &Holes"),
         .icon = "mask-fill-holes",
         .shortcuts = {QKeySequence(tr("Ctrl+Shift+H"))},
         .tip = tr("Mask enclosed holes smaller than the Tool Options' area"),
         .enabled = W,
         .triggered = [this, push] { push(makeFillHolesCommand(doc_, toolOptions_->holeArea())); }},
        {.name = "brushBigger",
         .text = tr("&Bigger Brush"),
         .shortcuts = {QKeySequence(tr("]"))},
         .triggered = [this] { brush_->growSize(); }},
        {.name = "brushSmaller",
         .text = tr("&Smaller Brush"),
         .shortcuts = {QKeySequence(tr("["))},
         .triggered = [this] { brush_->shrinkSize(); }},

        // VAE, encode, results
        {.name = "encode",
         .text = tr("&Encode"),
         .icon = "encode",
         .shortcuts = {QKeySequence(tr("Ctrl+Return"))},
         .tip = tr("Run VAEEncodeForInpaint on a worker thread"),
         .enabled = ActionEnabled::ByOwner,
         .triggered = [this] { encodePanel_->encode(); }},
        {.name = "cancelEncode",
         .text = tr("&Cancel Encoding"),
         .icon = "cancel",
         .shortcuts = {QKeySequence(tr("Ctrl+."))},
         .enabled = ActionEnabled::ByOwner,
         .triggered = [this] { encodePanel_->cancel(); }},
        {.name = "exportLatent",
         .text = tr("Export &Latent…"),
         .icon = "export",
         .shortcuts = {QKeySequence(tr("Ctrl+E"))},
         .tip = tr("Save the encoded latent_tensor and noise_mask as a .latent file"),
         .enabled = ActionEnabled::ByOwner,
         .triggered = [this] { encodePanel_->exportLatent(); }},
        {.name = "importResult",
         .text = tr("&Import Result…"),
         .icon = "open",
         .tip = tr("Stitch the sampled results of a region encode into the photo"),
         .triggered = [this] { documents_->chooseResults(); }},
        {.name = "exportImage",
         .text = tr("Export &Image…"),
         .icon = "export",
         .tip = tr("Write the stitched photo, or the image an Apply made"),
         .enabled = ActionEnabled::ByOwner,
         .triggered = [this] { documents_->chooseExportImage(); }},
        {.name = "chooseVae",
         .text = tr("Choose &VAE File…"),
         .icon = "vae",
         .shortcuts = {QKeySequence(tr("Ctrl+Shift+V"))},
         .triggered = [this] { encodePanel_->vaeChooser()->chooseFile(); }},
        {.name = "chooseVaeFolder",
         .text = tr("Choose ComfyUI models/vae &Folder…"),
         .icon = "folder",
         .triggered = [this] { encodePanel_->vaeChooser()->chooseFolder(); }},

        // Help
        {.name = "shortcuts",
         .text = tr("&Keyboard Shortcuts"),
         .icon = "help",
         .shortcuts = {QKeySequence::HelpContents},
         .triggered = [this] { showShortcuts(); }},
        {.name = "about", .text = tr("&About Latentbrush"), .triggered = [this] { showAbout(); }},
    };
    return t;
}

QList<ActionBarSpec> MainWindow::menuSpecs() {
    return {
        {{},
         tr("&File"),
         {"open", "@recent", "@inputPrecision", "-", "loadMask", "saveMask", "saveMaskAs", "-",
          "exportLatent", "exportGrownMask", "-", "importResult", "exportImage", "-", "quit"}},
        {{},
         tr("&Edit"),
         {"undo", "redo", "-", "fill", "invert", "clear", "maskFromAlpha", "-", "maskExpand",
          "maskContract", "maskFillHoles"}},
        // The docks' toggles follow the last separator (createDocks).
        {"view",
         tr("&View"),
         {"zoomIn", "zoomOut", "zoomFit", "zoomActual", "-", "#viewMode", "-", "showGrown",
          "showCrop", "-"}},
        {{}, tr("&Tools"), {"#tools", "-", "brushBigger", "brushSmaller"}},
        {{},
         tr("V&AE"),
         {"chooseVae", "chooseVaeFolder", "-", "encode", "cancelEncode", "exportLatent"}},
        {{}, tr("&Help"), {"shortcuts", "about"}},
    };
}

QList<ActionBarSpec> MainWindow::toolBarSpecs() {
    return {
        {"mainToolBar",
         tr("Main"),
         {"open", "loadMask", "saveMask", "-", "undo", "redo", "-", "zoomFit", "zoomActual",
          "zoomIn", "zoomOut", "-", "#viewMode", "showGrown", "showCrop", "-", "encode",
          "exportLatent"}},
        {"toolsToolBar",
         tr("Tools"),
         {"#tools", "-", "fill", "invert", "clear", "-", "maskExpand", "maskContract",
          "maskFillHoles"}},
    };
}

void MainWindow::createActions() {
    actions_ = new ActionTable(this);
    actions_->addAll(actionSpecs());
    connect(brush_, &BrushTool::modeChanged, this, [this](BrushTool::Mode m) {
        action(m == BrushTool::Mode::Paint ? QStringLiteral("toolBrush")
                                           : QStringLiteral("toolEraser"))
            ->setChecked(true);
    });
}

void MainWindow::createMenus() {
    for (const ActionBarSpec& spec : menuSpecs()) {
        QMenu* menu = menuBar()->addMenu(spec.title);
        if (spec.name == QLatin1String("view")) viewMenu_ = menu;
        actions_->fill(menu, spec.items, [this](QMenu* parent, const QString& name) {
            if (name == QLatin1String("recent")) {
                recentMenu_ = parent->addMenu(tr("Open &Recent"));
                documents_->recentImages()->attachMenu(recentMenu_);
            } else if (name == QLatin1String("inputPrecision")) {
                parent->addMenu(tr("Input &Precision"))
                    ->addActions(actions_->group(QStringLiteral("inputPrecision")));
            }
        });
    }
}

void MainWindow::createToolBars() {
    const QList<ActionBarSpec> bars = toolBarSpecs();
    QToolBar* main = addToolBar(bars[0].title);
    main->setObjectName(bars[0].name);
    main->setIconSize(QSize(20, 20));
    main->setMovable(false);
    actions_->fill(main, bars[0].items);

    auto* tools = new QToolBar(bars[1].title, this);
    tools->setObjectName(bars[1].name);
    tools->setIconSize(QSize(22, 22));
    tools->setMovable(false);
    addToolBar(Qt::LeftToolBarArea, tools);
    actions_->fill(tools, bars[1].items);
}

void MainWindow::updateActions() {
    actions_->updateEnabled(doc_->hasImage(), !doc_->alphaMask().empty());
}

QAction* MainWindow::action(const QString& name) const {
    return actions_->action(name);
}

} // namespace lbui
