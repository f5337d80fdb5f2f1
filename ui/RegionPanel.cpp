// RegionPanel: widgets <-> RegionSettings, and the plan's summary (RegionPanel.h).
#include "RegionPanel.h"

#include "RegionPlanner.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QToolButton>

namespace lbui {

namespace {

QComboBox* combo(QWidget* parent, const char* name, const QStringList& items) {
    auto* c = new QComboBox(parent);
    c->setObjectName(QLatin1String(name));
    c->addItems(items);
    return c;
}

QSpinBox* spin(QWidget* parent, const char* name, int lo, int hi, int step, const QString& suffix) {
    auto* s = new QSpinBox(parent);
    s->setObjectName(QLatin1String(name));
    s->setRange(lo, hi);
    s->setSingleStep(step);
    s->setSuffix(suffix);
    s->setKeyboardTracking(false);
    return s;
}

const lb::regions::ResizeMethod kMethods[] = {
    lb::regions::ResizeMethod::Bicubic, lb::regions::ResizeMethod::Area,
    lb::regions::ResizeMethod::Bilinear, lb::regions::ResizeMethod::NearestExact};

} // namespace

RegionPanel::RegionPanel(RegionPlanner* planner, QWidget* parent)
    : QWidget(parent), planner_(planner) {
    setObjectName(QStringLiteral("regionPanel"));
    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->setSpacing(4);

    // In RegionSettings::Mode order.
    mode_ = combo(this, "regionMode",
                  {tr("Off (whole image)"), tr("Auto around the mask"),
                   tr("Auto, separate regions"), tr("Manual rectangle")});
    mode_->setToolTip(tr("Encode the neighbourhood of the mask at the model's size instead of the "
                         "whole image (latentbrush-cli encode --region auto [--regions separate], "
                         "or --region X,Y,W,H for a manual rectangle)."));
    form->addRow(tr("Regions"), mode_);

    manualRow_ = new QWidget(this);
    auto* manualRow = new QHBoxLayout(manualRow_);
    manualRow->setContentsMargins(0, 0, 0, 0);
    manualX_ = spin(manualRow_, "regionManualX", 0, 16383, 1, QString());
    manualY_ = spin(manualRow_, "regionManualY", 0, 16383, 1, QString());
    manualW_ = spin(manualRow_, "regionManualW", 1, 16384, 8, QString());
    manualH_ = spin(manualRow_, "regionManualH", 1, 16384, 8, QString());
    manualX_->setPrefix(QStringLiteral("X "));
    manualY_->setPrefix(QStringLiteral("Y "));
    manualW_->setPrefix(QStringLiteral("W "));
    manualH_->setPrefix(QStringLiteral("H "));
    for (QSpinBox* b : {manualX_, manualY_, manualW_, manualH_})
        manualRow->addWidget(b);
    editManual_ = new QToolButton(manualRow_);
    editManual_->setObjectName(QStringLiteral("regionEditManual"));
    editManual_->setText(tr("Edit"));
    editManual_->setCheckable(true);
    editManual_->setToolTip(tr("Move (drag inside) and resize (drag a handle) the rectangle on "
                               "the canvas; off: the brush and tools paint the mask again"));
    manualRow->addWidget(editManual_);
    form->addRow(tr("Rectangle"), manualRow_);

    contextUnit_ = combo(this, "regionContextUnit",
                         {tr("Default (25 %, at least 32 px)"), tr("Pixels"), tr("Percent")});
    context_ = spin(this, "regionContext", 0, 16384, 8, QString());
    auto* contextRow = new QHBoxLayout;
    contextRow->addWidget(contextUnit_, 1);
    contextRow->addWidget(context_);
    form->addRow(tr("Context"), contextRow);

    target_ = combo(this, "regionTarget", {tr("No scaling"), tr("Size"), tr("Area")});
    targetWidth_ = spin(this, "regionTargetWidth", 8, 16384, 8, tr(" px"));
    targetHeight_ = spin(this, "regionTargetHeight", 8, 16384, 8, tr(" px"));
    targetArea_ = spin(this, "regionTargetArea", 64, 16384 * 16384 / 4, 65536, tr(" px²"));
    auto* targetRow = new QHBoxLayout;
    targetRow->addWidget(target_, 1);
    targetRow->addWidget(targetWidth_);
    targetRow->addWidget(targetHeight_);
    targetRow->addWidget(targetArea_);
    form->addRow(tr("Target"), targetRow);

    method_ = combo(this, "regionMethod", {});
    for (lb::regions::ResizeMethod m : kMethods)
        method_->addItem(QString::fromLatin1(lb::regions::resizeMethodName(m)));
    form->addRow(tr("Resize"), method_);

    info_ = new QLabel(this);
    info_->setObjectName(QStringLiteral("regionInfo"));
    info_->setWordWrap(true);
    form->addRow(info_);

    showSettings(planner_->settings());
    for (QComboBox* c : {mode_, contextUnit_, target_, method_})
        connect(c, &QComboBox::currentIndexChanged, this, &RegionPanel::apply);
    for (QSpinBox* s : {context_, targetWidth_, targetHeight_, targetArea_, manualX_, manualY_,
                        manualW_, manualH_})
        connect(s, &QSpinBox::valueChanged, this, &RegionPanel::apply);
    connect(planner_, &RegionPlanner::planChanged, this, &RegionPanel::updateInfo);
    // Changes made elsewhere (a drag on the canvas, a restored autosave) show here.
    connect(planner_, &RegionPlanner::settingsChanged, this, [this] {
        showSettings(planner_->settings());
        updateEnabled();
    });
    connect(editManual_, &QToolButton::toggled, planner_, &RegionPlanner::setEditingManual);
    connect(planner_, &RegionPlanner::editingChanged, editManual_, &QToolButton::setChecked);
    updateEnabled();
    updateInfo();
}

void RegionPanel::showSettings(const RegionSettings& s) {
    updating_ = true;
    mode_->setCurrentIndex(int(s.mode));
    contextUnit_->setCurrentIndex(int(s.contextUnit));
    context_->setValue(s.context);
    context_->setSuffix(s.contextUnit == RegionSettings::ContextUnit::Percent ? tr(" %")
                                                                              : tr(" px"));
    manualX_->setValue(s.manual.x());
    manualY_->setValue(s.manual.y());
    manualW_->setValue(std::max(1, s.manual.width()));
    manualH_->setValue(std::max(1, s.manual.height()));
    target_->setCurrentIndex(int(s.target));
    targetWidth_->setValue(s.targetWidth);
    targetHeight_->setValue(s.targetHeight);
    targetArea_->setValue(int(std::min<qint64>(s.targetArea, targetArea_->maximum())));
    for (int i = 0; i < int(std::size(kMethods)); ++i)
        if (kMethods[i] == s.method) method_->setCurrentIndex(i);
    updating_ = false;
}

void RegionPanel::apply() {
    if (updating_) return;
    RegionSettings s = planner_->settings();
    const RegionSettings::Mode before = s.mode;
    s.mode = RegionSettings::Mode(mode_->currentIndex());
    const QRect manualBefore = s.manual;
    if (s.mode == RegionSettings::Mode::Manual && before == s.mode) // typed X, Y, W or H
        s.manual = planner_->clampedManualRect(
            QRect(manualX_->value(), manualY_->value(), manualW_->value(), manualH_->value()));
    s.contextUnit = RegionSettings::ContextUnit(contextUnit_->currentIndex());
    s.context = context_->value();
    s.target = RegionSettings::Target(target_->currentIndex());
    s.targetWidth = targetWidth_->value();
    s.targetHeight = targetHeight_->value();
    s.targetArea = targetArea_->value();
    s.method = kMethods[std::max(0, method_->currentIndex())];
    context_->setSuffix(s.contextUnit == RegionSettings::ContextUnit::Percent ? tr(" %")
                                                                              : tr(" px"));
    planner_->setSettings(s);
    if (s.mode == RegionSettings::Mode::Manual && before == s.mode)
        planner_->recordManualEdit(manualBefore); // an undo step where the rectangle changed
    // Picking Manual puts the rectangle's handles on the canvas.
    if (s.mode == RegionSettings::Mode::Manual && before != s.mode)
        planner_->setEditingManual(true);
    updateEnabled();
}

void RegionPanel::updateEnabled() {
    const RegionSettings& s = planner_->settings();
    const bool on = s.enabled();
    const bool manual = s.mode == RegionSettings::Mode::Manual;
    manualRow_->setVisible(manual);
    contextUnit_->setEnabled(on && !manual); // a manual rectangle is its own context
    context_->setEnabled(on && !manual && s.contextUnit != RegionSettings::ContextUnit::Default);
    target_->setEnabled(on);
    targetWidth_->setVisible(s.target == RegionSettings::Target::Size);
    targetHeight_->setVisible(s.target == RegionSettings::Target::Size);
    targetArea_->setVisible(s.target == RegionSettings::Target::Area);
    targetWidth_->setEnabled(on);
    targetHeight_->setEnabled(on);
    targetArea_->setEnabled(on);
    method_->setEnabled(on);
}

void RegionPanel::updateInfo() {
    if (!planner_->enabled()) {
        info_->setText(tr("The whole image is encoded."));
        return;
    }
    const auto& plan = planner_->plan();
    if (!plan) {
        info_->setText(planner_->error().isEmpty() ? QString()
                                                   : tr("No region: %1").arg(planner_->error()));
        return;
    }
    const int n = int(plan->rects.size());
    QString text = n == 1 ? tr("1 region") : tr("%1 regions").arg(n);
    text += tr(", encoded at %1 x %2").arg(plan->scaledWidth).arg(plan->scaledHeight);
    for (int i = 0; i < n && i < 4; ++i) {
        const lb::regions::RegionRect& r = plan->rects[std::size_t(i)];
        text += QStringLiteral("\n#%1: %2,%3 %4 x %5").arg(i).arg(r.x).arg(r.y).arg(r.w).arg(r.h);
    }
    if (n > 4) text += QStringLiteral("\n...");
    info_->setText(text);
}

} // namespace lbui
