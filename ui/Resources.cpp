// Resources: Q_INIT_RESOURCE for the static resource library (must sit outside namespaces).
// Safe to call more than once.
#include "Resources.h"

#include <QtGlobal>

static void initLatentbrushResources() {
    Q_INIT_RESOURCE(latentbrush);
}

namespace lbui {

void initResources() {
    static const bool done = (initLatentbrushResources(), true);
    (void)done;
}

} // namespace lbui
