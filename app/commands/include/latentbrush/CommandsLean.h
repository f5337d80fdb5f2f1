// `latentbrush-cli grow` without OpenImageIO: the PNG fast path of runGrow (Commands.h) for the
// masks libpng alone can read exactly as readMask does (MaskPng.h). latentbrush-cli links only
// this and runs latentbrush-cli-io (runGrow through OpenImageIO) for everything it declines.
#pragma once

#include "latentbrush/Commands.h"

#include <string>

namespace lb {

enum class LeanOutcome {
    Done,     // the output is written and the warnings printed, as runGrow would have
    Declined, // nothing was written or printed: run runGrow, which also words any error
};

// runGrow(options, io) for a PNG mask when it succeeds; any error, and any file the PNG reader
// cannot vouch for, declines. `why` (optional) receives the reason of a decline.
LeanOutcome runGrowPng(const GrowOptions& options, const CommandOutput& io,
                       std::string* why = nullptr);

} // namespace lb
