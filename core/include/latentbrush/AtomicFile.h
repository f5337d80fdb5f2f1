// Atomic file writes: the content goes to a temporary file in the destination's folder (same
// extension, so writers that pick a format from it still work), is flushed, then renamed over
// the destination. On any failure the temporary file is removed and the destination untouched.
#pragma once

#include "latentbrush/Result.h"

#include <functional>
#include <string>

namespace lb {

// writer(tempPath) must create and fully write tempPath.
Status writeFileAtomically(const std::string& path,
                           const std::function<Status(const std::string& tempPath)>& writer);

// Writes bytes atomically.
Status writeBytesAtomically(const std::string& path, const void* data, std::size_t size);

} // namespace lb
