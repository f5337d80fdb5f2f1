// NoiseMaskSettings: the editor's encode mode (VAEEncodeForInpaint or VAEEncode +
// SetLatentNoiseMask) and the noise-mask mode's GrowMask / ImageBlur options as one value,
// remembered in QSettings (encode/...), so that the panel, the preview, the encode and the export
// share one meaning, the CLI's (--mode, --mask-expand, --tapered-corners, --mask-blur).
#pragma once

#include "latentbrush/LatentContents.h"
#include "latentbrush/NoiseMaskOps.h"

#include <QString>

namespace lbui {

struct NoiseMaskSettings {
    lb::EncodeMode mode = lb::EncodeMode::Inpaint;
    lb::NoiseMaskOptions options;

    bool noiseMask() const { return mode == lb::EncodeMode::NoiseMask; }
    // "noise mask, expand 4 (tapered), blur 3 sigma 1.5" or "inpaint": for labels.
    QString describe() const;

    static NoiseMaskSettings load(); // from QSettings; defaults for what is missing or invalid
    void save() const;

    bool operator==(const NoiseMaskSettings& o) const {
        return mode == o.mode && options.expand == o.options.expand &&
               options.taperedCorners == o.options.taperedCorners &&
               options.blurRadius == o.options.blurRadius &&
               options.blurSigma == o.options.blurSigma;
    }
};

// The answer the editor gives, as the CLI does, when regions and the noise-mask mode meet.
QString regionsNeedInpaintMessage();

} // namespace lbui
