// Resources: registers the editor's compiled-in resources (icons, sample image) and gives
// their paths; the resource library is static, so it must be initialised explicitly.
#pragma once

#include <QString>

namespace lbui {

void initResources();
inline QString sampleImagePath() {
    return QStringLiteral(":/images/sample.png");
}

} // namespace lbui
