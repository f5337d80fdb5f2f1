// MaskAdjustments: explicit mask edits on what the encoder sees (round(mask)): expand or
// contract by N pixels with a round or square footprint, and fill enclosed holes smaller than
// N pixels. Separate from grow_mask_by, which stays the node's exact operation.
#pragma once

#include "latentbrush/MaskTools.h"

#include <QtGlobal>

#include <memory>

namespace lbui {

class MaskDocument;
class MaskEditCommand;

// Pixels the expansion adds become 1, pixels the contraction removes become 0, hole pixels
// become 1; every other pixel keeps its (possibly soft) value, so round() of the result is
// exactly the binary operation on round() of the mask. Null when nothing changes.
std::unique_ptr<MaskEditCommand> makeExpandCommand(MaskDocument* doc, int radius,
                                                   lb::Footprint footprint);
std::unique_ptr<MaskEditCommand> makeContractCommand(MaskDocument* doc, int radius,
                                                     lb::Footprint footprint);
std::unique_ptr<MaskEditCommand> makeFillHolesCommand(MaskDocument* doc, qint64 maxArea);

} // namespace lbui
