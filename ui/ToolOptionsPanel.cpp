// ToolOptionsPanel: one page per tool (only the active one shown), each bound both ways to its
// tool's options (tools persist their own options); the adjustment settings persist under
// tools/adjust.
#include "ToolOptionsPanel.h"

#include "BrushPanel.h"
#include "FillTool.h"
#include "ShapeTool.h"
#include "SliderSpin.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSettings>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>

namespace lbui {

namespace {

QLabel* hint(const QString& text, QWidget* parent) {
    auto* l = new QLabel(text, parent);
    l->setWordWrap(true);
    QPalette pal = l->palette();
    pal.setColor(QPalette::WindowText, pal.color(QPalette::Disabled, QPalette::WindowText));
    l->setPalette(pal);
    return l;
}

QString combineHint() {
    return QObject::tr("Adds to the mask; Alt or the right button subtracts, Shift replaces.");
}

} // namespace

ToolOptionsPanel::ToolOptionsPanel(BrushPanel* brushPanel, const QList<MaskTool*>& tools,
                                   QWidget* parent)
    : QWidget(parent), brushPage_(brushPanel) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    auto* pages = new QWidget(this);
    auto* pagesLayout = new QVBoxLayout(pages);
    pagesLayout->setContentsMargins(0, 0, 0, 0);
    pagesLayout->addWidget(brushPanel);
    for (MaskTool* tool : tools) {
        QWidget* page = nullptr;
        if (auto* shape = qobject_cast<ShapeTool*>(tool)) page = makeShapePage(shape);
        if (auto* fill = qobject_cast<FillTool*>(tool)) page = makeFillPage(fill);
        if (!page) continue;
        pages_.insert(tool, page);
        pagesLayout->addWidget(page);
    }
    layout->addWidget(pages);
    layout->addWidget(makeAdjustGroup());
    showOptionsFor(nullptr);
    layout->addStretch(1);
}

void ToolOptionsPanel::showOptionsFor(MaskTool* tool) {
    // Pages live in one box layout, only the current one visible: hidden pages take no room
    // and word-wrapped hints get their height for the dock's real width.
    current_ = tool ? pages_.value(tool, brushPage_) : brushPage_;
    for (QWidget* page : pages_)
        page->setVisible(page == current_);
    brushPage_->setVisible(brushPage_ == current_);
}

QWidget* ToolOptionsPanel::currentPage() const {
    return current_;
}

QWidget* ToolOptionsPanel::makeShapePage(ShapeTool* tool) {
    auto* page = new QWidget(this);
    auto* l = new QVBoxLayout(page);
    l->setContentsMargins(10, 6, 10, 6);
    auto* title = new QLabel(QStringLiteral("<b>%1</b>").arg(tool->name()), page);
    auto* aa = new QCheckBox(tr("Anti-aliased edges"), page);
    aa->setObjectName(QStringLiteral("antialias"));
    aa->setToolTip(tr("Soft coverage along the edge; the encoder rounds it (the grow preview "
                      "shows the result)"));
    aa->setChecked(tool->options().antialias);
    connect(aa, &QCheckBox::toggled, tool, [tool](bool on) {
        ShapeTool::Options o = tool->options();
        o.antialias = on;
        tool->setOptions(o);
    });
    connect(tool, &MaskTool::optionsChanged, aa, [aa, tool] {
        const QSignalBlocker b(aa);
        aa->setChecked(tool->options().antialias);
    });
    l->addWidget(title);
    l->addWidget(aa);
    QString how;
    switch (tool->kind()) {
    case ShapeTool::Kind::Rectangle:
    case ShapeTool::Kind::Ellipse:
        how = tr("Drag to draw; Ctrl keeps the aspect (square, circle).");
        break;
    case ShapeTool::Kind::PolygonLasso:
        how = tr("Click the corners; double-click or Return closes, Backspace removes the last "
                 "point, Escape cancels.");
        break;
    case ShapeTool::Kind::FreehandLasso:
        how = tr("Drag around the region; releasing closes it.");
        break;
    }
    l->addWidget(hint(how + QLatin1Char(' ') + combineHint(), page));
    return page;
}

QWidget* ToolOptionsPanel::makeFillPage(FillTool* tool) {
    auto* page = new QWidget(this);
    auto* l = new QVBoxLayout(page);
    l->setContentsMargins(10, 6, 10, 6);
    l->addWidget(new QLabel(QStringLiteral("<b>%1</b>").arg(tool->name()), page));
    auto* tolerance = new SliderSpin(tr("Tolerance"), 0, 255, 255, {}, page);
    tolerance->setObjectName(QStringLiteral("tolerance"));
    tolerance->setToolTip(tr("How far a color may be from the clicked one (0: the same color)"));
    tolerance->setValue(tool->options().tolerance);
    tolerance_.insert(tool, tolerance);
    l->addWidget(tolerance);
    auto* metric = new QComboBox(page);
    metric->setObjectName(QStringLiteral("metric"));
    metric->addItem(tr("RGB (largest channel difference)"));
    metric->addItem(tr("Perceptual (CIE Lab ΔE)"));
    metric->setCurrentIndex(tool->options().metric == lb::ColorMetric::Lab ? 1 : 0);
    l->addWidget(metric);
    QComboBox* connectivity = nullptr;
    QCheckBox* stop = nullptr;
    if (tool->kind() == FillTool::Kind::FloodFill) {
        connectivity = new QComboBox(page);
        connectivity->setObjectName(QStringLiteral("connectivity"));
        connectivity->addItem(tr("4-connected (edges)"));
        connectivity->addItem(tr("8-connected (edges and corners)"));
        connectivity->setCurrentIndex(tool->options().connectivity == 8 ? 1 : 0);
        l->addWidget(connectivity);
        stop = new QCheckBox(tr("Stop at existing mask"), page);
        stop->setObjectName(QStringLiteral("stopAtMask"));
        stop->setToolTip(tr("The fill does not enter masked pixels (when subtracting: does not "
                            "leave them)"));
        stop->setChecked(tool->options().stopAtMask);
        l->addWidget(stop);
    }
    l->addWidget(hint(tr("Click the image. Moving the tolerance adjusts the last click live. ") +
                          combineHint(),
                      page));

    auto push = [tool, tolerance, metric, connectivity, stop] {
        FillTool::Options o = tool->options();
        o.tolerance = tolerance->value();
        o.metric = metric->currentIndex() == 1 ? lb::ColorMetric::Lab : lb::ColorMetric::Rgb;
        if (connectivity) o.connectivity = connectivity->currentIndex() == 1 ? 8 : 4;
        if (stop) o.stopAtMask = stop->isChecked();
        tool->setOptions(o);
    };
    connect(tolerance, &SliderSpin::valueChanged, tool, push);
    connect(metric, &QComboBox::currentIndexChanged, tool, push);
    if (connectivity) connect(connectivity, &QComboBox::currentIndexChanged, tool, push);
    if (stop) connect(stop, &QCheckBox::toggled, tool, push);
    connect(tool, &MaskTool::optionsChanged, page, [tool, tolerance, metric, connectivity, stop] {
        const QSignalBlocker a(tolerance), b(metric);
        tolerance->setValue(tool->options().tolerance);
        metric->setCurrentIndex(tool->options().metric == lb::ColorMetric::Lab ? 1 : 0);
        if (connectivity) {
            const QSignalBlocker c(connectivity);
            connectivity->setCurrentIndex(tool->options().connectivity == 8 ? 1 : 0);
        }
        if (stop) {
            const QSignalBlocker d(stop);
            stop->setChecked(tool->options().stopAtMask);
        }
    });
    return page;
}

QWidget* ToolOptionsPanel::makeAdjustGroup() {
    auto* box = new QGroupBox(tr("Adjust Mask"), this);
    auto* l = new QVBoxLayout(box);
    l->setContentsMargins(10, 6, 10, 6);
    QSettings s;
    radius_ = new SliderSpin(tr("Expand / contract by"), 1, 64, 1024, tr(" px"), box);
    radius_->setValue(s.value("tools/adjust/radius", 4).toInt());
    footprint_ = new QComboBox(box);
    footprint_->addItem(tr("Round footprint"));
    footprint_->addItem(tr("Square footprint"));
    footprint_->setCurrentIndex(
        s.value("tools/adjust/footprint").toString() == QLatin1String("square") ? 1 : 0);
    expandButton_ = new QToolButton(box);
    contractButton_ = new QToolButton(box);
    auto* row = new QHBoxLayout;
    row->addWidget(footprint_, 1);
    row->addWidget(expandButton_);
    row->addWidget(contractButton_);
    holeArea_ = new SliderSpin(tr("Fill holes smaller than"), 2, 10000, 100000000, tr(" px"), box);
    holeArea_->setValue(s.value("tools/adjust/holeArea", 1000).toInt());
    holesButton_ = new QToolButton(box);
    auto* row2 = new QHBoxLayout;
    row2->addStretch(1);
    row2->addWidget(holesButton_);
    l->addWidget(radius_);
    l->addLayout(row);
    l->addWidget(holeArea_);
    l->addLayout(row2);
    l->addWidget(hint(tr("These change what you painted (round(mask)); grow_mask_by stays the "
                         "encoder's own operation."),
                      box));
    connect(radius_, &SliderSpin::valueChanged, this,
            [](int v) { QSettings().setValue("tools/adjust/radius", v); });
    connect(footprint_, &QComboBox::currentIndexChanged, this, [](int i) {
        QSettings().setValue("tools/adjust/footprint", i == 1 ? "square" : "round");
    });
    connect(holeArea_, &SliderSpin::valueChanged, this,
            [](int v) { QSettings().setValue("tools/adjust/holeArea", v); });
    return box;
}

void ToolOptionsPanel::setAdjustActions(QAction* expand, QAction* contract, QAction* fillHoles) {
    for (auto [button, action] :
         {std::pair{expandButton_, expand}, std::pair{contractButton_, contract},
          std::pair{holesButton_, fillHoles}}) {
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    }
}

int ToolOptionsPanel::adjustRadius() const {
    return radius_->value();
}

lb::Footprint ToolOptionsPanel::adjustFootprint() const {
    return footprint_->currentIndex() == 1 ? lb::Footprint::Square : lb::Footprint::Round;
}

qint64 ToolOptionsPanel::holeArea() const {
    return holeArea_->value();
}

} // namespace lbui
