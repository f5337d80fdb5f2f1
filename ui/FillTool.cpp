// FillTool: flood fill and select by color through the core's lb::floodFill and
// lb::colorDistanceMap; the newest application is kept "live" so that the tolerance slider
// pushes adjustments that merge into it (MaskEditCommand::adjustment) instead of stacking steps.
#include "FillTool.h"

#include "MaskDocument.h"
#include "MaskEditCommand.h"

#include <QSettings>
#include <QUndoStack>

#include <algorithm>
#include <utility>

namespace lbui {

FillTool::FillTool(Kind kind, MaskDocument* doc, QObject* parent)
    : MaskTool(doc,
               kind == Kind::FloodFill ? QStringLiteral("tools/floodFill")
                                       : QStringLiteral("tools/selectColor"),
               parent),
      kind_(kind) {
    QSettings s;
    s.beginGroup(settingsKey_);
    options_.tolerance = std::clamp(s.value("tolerance", options_.tolerance).toInt(), 0, 255);
    options_.metric = s.value("metric").toString() == QLatin1String("lab") ? lb::ColorMetric::Lab
                                                                           : lb::ColorMetric::Rgb;
    options_.connectivity = s.value("connectivity", 4).toInt() == 8 ? 8 : 4;
    options_.stopAtMask = s.value("stopAtMask", false).toBool();
    s.endGroup();
    connect(doc_->undoStack(), &QUndoStack::indexChanged, this, [this] {
        if (!applying_) endLive();
    });
    connect(doc_, &MaskDocument::imageChanged, this, &FillTool::endLive);
}

QString FillTool::name() const {
    return kind_ == Kind::FloodFill ? tr("Flood fill") : tr("Select by color");
}

void FillTool::setOptions(const Options& options) {
    Options o = options;
    o.tolerance = std::clamp(o.tolerance, 0, 255);
    o.connectivity = o.connectivity == 8 ? 8 : 4;
    const bool same = o.tolerance == options_.tolerance && o.metric == options_.metric &&
                      o.connectivity == options_.connectivity &&
                      o.stopAtMask == options_.stopAtMask;
    options_ = o;
    QSettings s;
    s.beginGroup(settingsKey_);
    s.setValue("tolerance", o.tolerance);
    s.setValue("metric", o.metric == lb::ColorMetric::Lab ? "lab" : "rgb");
    s.setValue("connectivity", o.connectivity);
    s.setValue("stopAtMask", o.stopAtMask);
    s.endGroup();
    emit optionsChanged();
    if (!same && hasLiveApplication()) apply(true);
}

void FillTool::setTolerance(int tolerance) {
    Options o = options_;
    o.tolerance = tolerance;
    setOptions(o);
}

bool FillTool::hasLiveApplication() const {
    const QUndoStack* stack = doc_->undoStack();
    return active_ && live_.command && stack->index() == live_.index && live_.index > 0 &&
           stack->command(live_.index - 1) == live_.command && stack->cleanIndex() != live_.index;
}

void FillTool::endLive() {
    active_ = false;
    live_ = Live{};
}

void FillTool::press(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods,
                     double /*pressure*/) {
    if (button != Qt::LeftButton && button != Qt::RightButton) return;
    applyAt(QPoint(int(std::floor(pos.x())), int(std::floor(pos.y()))), combineFor(button, mods));
}

void FillTool::applyAt(QPoint pixel, MaskCombine mode) {
    if (!doc_->hasImage() || !doc_->bounds().contains(pixel)) return;
    endLive();
    live_.seed = pixel;
    live_.mode = mode;
    if (kind_ == Kind::FloodFill && options_.stopAtMask) {
        // The barrier: pixels the encoder counts as masked (round(m) = 1, i.e. m > 0.5), or,
        // when subtracting, those it counts as unmasked.
        live_.blocked = lb::roundMask(doc_->mask());
        if (mode == MaskCombine::Subtract)
            for (std::uint8_t& v : live_.blocked.data)
                v = v ? 0 : 1;
    }
    active_ = true;
    apply(false);
}

lb::Region FillTool::computeRegion() {
    const lb::ImageBuffer& image = *doc_->image();
    const QPoint s = live_.seed;
    if (kind_ == Kind::FloodFill) {
        lb::BinaryMask blocked;
        if (options_.stopAtMask && live_.blocked.empty()) {
            // Turned on while live: the barrier from the mask before the application.
            live_.blocked = lb::roundMask(doc_->mask());
            if (live_.command && !live_.command->rect().isEmpty()) {
                const QRect r = live_.command->rect();
                const std::vector<float>& before = live_.command->beforePixels();
                for (int y = 0; y < r.height(); ++y)
                    for (int x = 0; x < r.width(); ++x)
                        live_.blocked.row(r.top() + y)[r.left() + x] =
                            before[std::size_t(y) * r.width() + x] > 0.5f;
            }
            if (live_.mode == MaskCombine::Subtract)
                for (std::uint8_t& v : live_.blocked.data)
                    v = v ? 0 : 1;
        }
        return lb::floodFill(image, s.x(), s.y(), options_.metric, options_.tolerance,
                             options_.connectivity, options_.stopAtMask ? &live_.blocked : nullptr);
    }
    if (live_.distances.empty() || live_.distanceMetric != options_.metric) {
        const float* p = image.row(s.y()) + std::size_t(s.x()) * image.channels;
        const float seed[3] = {p[0], p[std::min(1, image.channels - 1)],
                               p[std::min(2, image.channels - 1)]};
        live_.distances = lb::colorDistanceMap(image, seed, options_.metric);
        live_.distanceMetric = options_.metric;
    }
    return lb::selectByDistance(live_.distances, image.height, image.width, options_.tolerance);
}

void FillTool::apply(bool adjustLive) {
    const lb::Region region = computeRegion();
    const MaskEditCommand* live = adjustLive ? live_.command : nullptr;
    MaskRegion* buffers = live_.spare.use_count() == 1 ? live_.spare.get() : nullptr;
    auto edit = std::make_shared<MaskRegion>(makeToolEdit(doc_, region, live_.mode, live, buffers));
    live_.spare.reset();
    const QRect rect = edit->rect;
    applying_ = true;
    if (live) {
        if (auto adjustment = MaskEditCommand::adjustment(live, edit)) {
            doc_->undoStack()->push(adjustment.release()); // merges into live_.command
            live_.spare = std::exchange(live_.shown, std::move(edit));
        }
    } else {
        auto command = MaskEditCommand::fromRegion(
            doc_, tr("%1 (%2)").arg(name(), combineName(live_.mode)), edit);
        live_.command = command.get();
        if (command) {
            doc_->undoStack()->push(command.release());
            live_.shown = std::move(edit);
        }
        live_.index = doc_->undoStack()->index();
        if (!live_.command) endLive();
    }
    applying_ = false;
    if (!rect.isEmpty()) emit applied(rect);
}

} // namespace lbui
