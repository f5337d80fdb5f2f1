// NoiseMaskSettings: the QSettings keys (encode/mode, encode/maskExpand, encode/taperedCorners,
// encode/maskBlurRadius, encode/maskBlurSigma) and the description (NoiseMaskSettings.h).
#include "NoiseMaskSettings.h"

#include <QCoreApplication>
#include <QSettings>

#include <algorithm>
#include <cmath>

namespace lbui {

QString NoiseMaskSettings::describe() const {
    if (!noiseMask()) return QStringLiteral("inpaint (VAEEncodeForInpaint)");
    QString s = QStringLiteral("noise mask (VAEEncode + SetLatentNoiseMask)");
    if (options.expand != 0)
        s +=
            QStringLiteral(", expand %1 (%2)")
                .arg(options.expand)
                .arg(options.taperedCorners ? QStringLiteral("tapered") : QStringLiteral("square"));
    if (options.blurRadius > 0)
        s += QStringLiteral(", blur %1 sigma %2").arg(options.blurRadius).arg(options.blurSigma);
    return s;
}

NoiseMaskSettings NoiseMaskSettings::load() {
    QSettings s;
    NoiseMaskSettings n;
    lb::EncodeMode mode;
    if (lb::parseEncodeMode(s.value(QStringLiteral("encode/mode")).toString().toStdString(), &mode))
        n.mode = mode;
    n.options.expand = std::clamp(s.value(QStringLiteral("encode/maskExpand"), 0).toInt(),
                                  -lb::kMaxMaskExpand, lb::kMaxMaskExpand);
    n.options.taperedCorners = s.value(QStringLiteral("encode/taperedCorners"), true).toBool();
    n.options.blurRadius = std::clamp(s.value(QStringLiteral("encode/maskBlurRadius"), 0).toInt(),
                                      0, lb::kMaxMaskBlur);
    const double sigma = s.value(QStringLiteral("encode/maskBlurSigma"), 1.0).toDouble();
    n.options.blurSigma = std::isfinite(sigma) && sigma >= 0.1 && sigma <= 10.0 ? sigma : 1.0;
    if (!lb::checkNoiseMaskOptions(n.options)) n.options = lb::NoiseMaskOptions{};
    return n;
}

void NoiseMaskSettings::save() const {
    QSettings s;
    s.setValue(QStringLiteral("encode/mode"), QString::fromLatin1(lb::encodeModeName(mode)));
    s.setValue(QStringLiteral("encode/maskExpand"), options.expand);
    s.setValue(QStringLiteral("encode/taperedCorners"), options.taperedCorners);
    s.setValue(QStringLiteral("encode/maskBlurRadius"), options.blurRadius);
    s.setValue(QStringLiteral("encode/maskBlurSigma"), options.blurSigma);
}

QString regionsNeedInpaintMessage() {
    return QCoreApplication::translate(
        "lbui::NoiseMaskSettings",
        "Regions encode with the inpaint mode only (VAEEncodeForInpaint per region): turn regions "
        "off or choose the inpaint mode.");
}

} // namespace lbui
