// RegionSettings: the conversion to lb::regions' request and the QSettings keys (RegionSettings.h).
#include "RegionSettings.h"

#include <QSettings>

#include <algorithm>

namespace lbui {

lb::regions::RegionRequest RegionSettings::request() const {
    lb::regions::RegionRequest r;
    r.automatic = true;
    r.separate = mode == Mode::Separate;
    if (contextUnit == ContextUnit::Default) {
        r.context = lb::regions::ContextSpec{};
    } else {
        r.context.amount = context;
        r.context.percent = contextUnit == ContextUnit::Percent;
        r.context.isDefault = false;
    }
    switch (target) {
    case Target::None:
        break;
    case Target::Size:
        r.target.kind = lb::regions::TargetSpec::Kind::Size;
        r.target.width = targetWidth;
        r.target.height = targetHeight;
        break;
    case Target::Area:
        r.target.kind = lb::regions::TargetSpec::Kind::Area;
        r.target.area = targetArea;
        break;
    }
    return r;
}

QString RegionSettings::describe() const {
    if (mode == Mode::Off) return QStringLiteral("whole image");
    QString s = mode == Mode::Separate ? QStringLiteral("auto, separate") : QStringLiteral("auto");
    switch (contextUnit) {
    case ContextUnit::Default:
        s += QStringLiteral(", context 25 % (at least 32 px)");
        break;
    case ContextUnit::Pixels:
        s += QStringLiteral(", context %1 px").arg(context);
        break;
    case ContextUnit::Percent:
        s += QStringLiteral(", context %1 %").arg(context);
        break;
    }
    if (target == Target::Size)
        s += QStringLiteral(", target %1x%2").arg(targetWidth).arg(targetHeight);
    else if (target == Target::Area)
        s += QStringLiteral(", target area %1").arg(targetArea);
    s += QStringLiteral(", ") + QString::fromLatin1(lb::regions::resizeMethodName(method));
    return s;
}

RegionSettings RegionSettings::load() {
    QSettings s;
    RegionSettings r;
    const QString mode = s.value(QStringLiteral("regions/mode")).toString();
    if (mode == QLatin1String("auto")) r.mode = Mode::Auto;
    if (mode == QLatin1String("separate")) r.mode = Mode::Separate;
    const QString unit = s.value(QStringLiteral("regions/contextUnit")).toString();
    if (unit == QLatin1String("px")) r.contextUnit = ContextUnit::Pixels;
    if (unit == QLatin1String("percent")) r.contextUnit = ContextUnit::Percent;
    r.context = std::clamp(s.value(QStringLiteral("regions/context"), 25).toInt(), 0, 100000);
    const QString target = s.value(QStringLiteral("regions/target")).toString();
    if (target == QLatin1String("size")) r.target = Target::Size;
    if (target == QLatin1String("area")) r.target = Target::Area;
    r.targetWidth = std::clamp(s.value(QStringLiteral("regions/targetWidth"), 1024).toInt(), 8,
                               16384);
    r.targetHeight = std::clamp(s.value(QStringLiteral("regions/targetHeight"), 1024).toInt(), 8,
                                16384);
    r.targetArea = std::clamp<qint64>(
        s.value(QStringLiteral("regions/targetArea"), 1024 * 1024).toLongLong(), 64,
        qint64(16384) * 16384);
    if (auto m = lb::regions::parseResizeMethod(
            s.value(QStringLiteral("regions/method")).toString().toStdString()))
        r.method = *m;
    return r;
}

void RegionSettings::save() const {
    QSettings s;
    s.setValue(QStringLiteral("regions/mode"), mode == Mode::Off    ? QStringLiteral("off")
                                               : mode == Mode::Auto ? QStringLiteral("auto")
                                                                    : QStringLiteral("separate"));
    s.setValue(QStringLiteral("regions/contextUnit"),
               contextUnit == ContextUnit::Default  ? QStringLiteral("default")
               : contextUnit == ContextUnit::Pixels ? QStringLiteral("px")
                                                    : QStringLiteral("percent"));
    s.setValue(QStringLiteral("regions/context"), context);
    s.setValue(QStringLiteral("regions/target"), target == Target::None   ? QStringLiteral("none")
                                                 : target == Target::Size ? QStringLiteral("size")
                                                                          : QStringLiteral("area"));
    s.setValue(QStringLiteral("regions/targetWidth"), targetWidth);
    s.setValue(QStringLiteral("regions/targetHeight"), targetHeight);
    s.setValue(QStringLiteral("regions/targetArea"), targetArea);
    s.setValue(QStringLiteral("regions/method"),
               QString::fromLatin1(lb::regions::resizeMethodName(method)));
}

} // namespace lbui
