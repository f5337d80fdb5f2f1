// RegionSettings: the editor's region choices (off = the whole image; auto around the grown mask,
// one region or one per component; a manual rectangle; context; target size or area; resize
// method) as one value,
// turned into the lb::regions request the CLI's options give, and remembered in QSettings
// (regions/...). A value type so that the panel, the planner and an encode share one meaning.
#pragma once

#include "latentbrush/regions/ExactResize.h"
#include "latentbrush/regions/RegionEncode.h"
#include "latentbrush/regions/RegionPlan.h"

#include <QRect>
#include <QString>
#include <QVariantMap>
#include <QtGlobal>

namespace lbui {

struct RegionSettings {
    enum class Mode { Off, Auto, Separate, Manual };     // Manual: `--region X,Y,W,H`
    enum class ContextUnit { Default, Pixels, Percent }; // Default: 25 %, at least 32 px
    enum class Target { None, Size, Area };

    Mode mode = Mode::Off;
    ContextUnit contextUnit = ContextUnit::Default;
    int context = 25;
    Target target = Target::None;
    int targetWidth = 1024;
    int targetHeight = 1024;
    qint64 targetArea = 1024 * 1024;
    lb::regions::ResizeMethod method = lb::regions::kDefaultResizeMethod;
    QRect manual; // the Manual rectangle in image pixels (empty until one is placed)

    bool enabled() const { return mode != Mode::Off; }
    // The request `encode --region auto [--regions separate] [--context] [--target|--target-area]`
    // (or `--region X,Y,W,H [--target|--target-area]` in Manual mode) makes of the same choices.
    lb::regions::RegionRequest request() const;
    // "auto, context 40 px, target 1024x1024, bicubic": for labels and result descriptions.
    QString describe() const;

    static RegionSettings load(); // from QSettings, defaults for what is missing or invalid
    void save() const;
    // The same keys (without the "regions/" prefix) as a map, for the mask's autosave.
    QVariantMap toMap() const;
    static RegionSettings fromMap(const QVariantMap& map); // defaults for what is missing

    bool operator==(const RegionSettings&) const = default;
};

} // namespace lbui
