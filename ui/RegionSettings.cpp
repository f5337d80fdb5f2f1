// RegionSettings: the conversion to lb::regions' request and the QSettings keys (RegionSettings.h).
#include "RegionSettings.h"

#include <QSettings>

#include <algorithm>

namespace lbui {

lb::regions::RegionRequest RegionSettings::request() const {
    lb::regions::RegionRequest r;
    r.automatic = mode != Mode::Manual;
    r.separate = mode == Mode::Separate;
    if (mode == Mode::Manual)
        r.rect = lb::regions::RegionRect{manual.x(), manual.y(), manual.width(), manual.height()};
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
    if (mode == Mode::Manual)
        s = QStringLiteral("manual %1,%2,%3,%4")
                .arg(manual.x())
                .arg(manual.y())
                .arg(manual.width())
                .arg(manual.height());
    else
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

namespace {

const QString kPrefix = QStringLiteral("regions/");
const char* const kKeys[] = {"mode",         "contextUnit", "context", "target",    "targetWidth",
                             "targetHeight", "targetArea",  "method",  "manualRect"};

} // namespace

RegionSettings RegionSettings::fromMap(const QVariantMap& m) {
    RegionSettings r;
    const QString mode = m.value(QStringLiteral("mode")).toString();
    if (mode == QLatin1String("auto")) r.mode = Mode::Auto;
    if (mode == QLatin1String("separate")) r.mode = Mode::Separate;
    if (mode == QLatin1String("manual")) r.mode = Mode::Manual;
    const QString unit = m.value(QStringLiteral("contextUnit")).toString();
    if (unit == QLatin1String("px")) r.contextUnit = ContextUnit::Pixels;
    if (unit == QLatin1String("percent")) r.contextUnit = ContextUnit::Percent;
    r.context = std::clamp(m.value(QStringLiteral("context"), 25).toInt(), 0, 100000);
    const QString target = m.value(QStringLiteral("target")).toString();
    if (target == QLatin1String("size")) r.target = Target::Size;
    if (target == QLatin1String("area")) r.target = Target::Area;
    r.targetWidth = std::clamp(m.value(QStringLiteral("targetWidth"), 1024).toInt(), 8, 16384);
    r.targetHeight = std::clamp(m.value(QStringLiteral("targetHeight"), 1024).toInt(), 8, 16384);
    r.targetArea = std::clamp<qint64>(
        m.value(QStringLiteral("targetArea"), 1024 * 1024).toLongLong(), 64, qint64(16384) * 16384);
    if (auto method = lb::regions::parseResizeMethod(
            m.value(QStringLiteral("method")).toString().toStdString()))
        r.method = *method;
    // "x,y,w,h" as on the command line; anything else leaves no rectangle.
    if (auto rect = lb::regions::parseRegionRect(
            m.value(QStringLiteral("manualRect")).toString().toStdString()))
        r.manual = QRect(rect->x, rect->y, rect->w, rect->h);
    return r;
}

QVariantMap RegionSettings::toMap() const {
    QVariantMap m;
    m.insert(QStringLiteral("mode"), mode == Mode::Off        ? QStringLiteral("off")
                                     : mode == Mode::Auto     ? QStringLiteral("auto")
                                     : mode == Mode::Separate ? QStringLiteral("separate")
                                                              : QStringLiteral("manual"));
    m.insert(QStringLiteral("contextUnit"),
             contextUnit == ContextUnit::Default  ? QStringLiteral("default")
             : contextUnit == ContextUnit::Pixels ? QStringLiteral("px")
                                                  : QStringLiteral("percent"));
    m.insert(QStringLiteral("context"), context);
    m.insert(QStringLiteral("target"), target == Target::None   ? QStringLiteral("none")
                                       : target == Target::Size ? QStringLiteral("size")
                                                                : QStringLiteral("area"));
    m.insert(QStringLiteral("targetWidth"), targetWidth);
    m.insert(QStringLiteral("targetHeight"), targetHeight);
    m.insert(QStringLiteral("targetArea"), targetArea);
    m.insert(QStringLiteral("method"), QString::fromLatin1(lb::regions::resizeMethodName(method)));
    m.insert(QStringLiteral("manualRect"), manual.isEmpty() ? QString()
                                                            : QStringLiteral("%1,%2,%3,%4")
                                                                  .arg(manual.x())
                                                                  .arg(manual.y())
                                                                  .arg(manual.width())
                                                                  .arg(manual.height()));
    return m;
}

RegionSettings RegionSettings::load() {
    QSettings s;
    QVariantMap m;
    for (const char* key : kKeys) {
        const QString k = kPrefix + QLatin1String(key);
        if (s.contains(k)) m.insert(QLatin1String(key), s.value(k));
    }
    return fromMap(m);
}

void RegionSettings::save() const {
    QSettings s;
    const QVariantMap m = toMap();
    for (auto it = m.begin(); it != m.end(); ++it)
        s.setValue(kPrefix + it.key(), it.value());
}

} // namespace lbui
