// Atomic file writes: the content goes to a temporary file in the destination's folder (same
// extension, so writers that pick a format from it still work), is flushed and synced (every
// write, flush, close and fsync result checked), then renamed over the destination. On any
// failure the temporary file is removed and the destination untouched.
//
// Temporary files are named ".STEM.lbtmpPID-N.EXT" beside the destination. A process killed
// mid-write leaves its temporary file behind; the next successful write of the same destination
// removes such leftovers of processes that no longer exist (see removeStaleTemporaries).
#pragma once

#include "latentbrush/Result.h"

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace lb {

// writer(tempPath) must create and fully write tempPath.
Status writeFileAtomically(const std::string& path,
                           const std::function<Status(const std::string& tempPath)>& writer);

// Whether `path` (not empty) can be an output file: its folder exists and it is not a folder
// itself. writeFileAtomically checks this first; a command calls it before any work is done.
Status checkOutputLocation(const std::string& path);

// Writes bytes atomically.
Status writeBytesAtomically(const std::string& path, const void* data, std::size_t size);

// Several outputs as one: while a group is alive on a thread, writeFileAtomically (and every
// writer built on it: images, masks, .latent and safetensors files) on that thread writes and
// syncs its temporary file but does not rename it. commit() then renames them all, in the order
// they were written; if any rename fails, the destinations already replaced get their previous
// contents back (kept as hard links until the end). A group destroyed without a successful
// commit() removes its temporary files: no output appears and no previous file changes.
class AtomicWriteGroup {
public:
    AtomicWriteGroup();
    ~AtomicWriteGroup();
    AtomicWriteGroup(const AtomicWriteGroup&) = delete;
    AtomicWriteGroup& operator=(const AtomicWriteGroup&) = delete;

    Status commit();

    // Internal: called by writeFileAtomically for a complete, synced temporary file.
    void stage(std::string tempPath, std::string path);

private:
    std::vector<std::pair<std::string, std::string>> staged_; // (temporary, destination)
    AtomicWriteGroup* previous_ = nullptr;
    bool committed_ = false;
};

// Removes the temporary files of `path` (".STEM.lbtmpPID-N.EXT") left by processes that no longer
// exist: only regular files whose name matches exactly, whose PID is not this process and does
// not exist (kill(PID, 0) fails with ESRCH), and that were not modified for `minAgeSeconds`
// (a guard against writers in another PID namespace sharing the folder). Returns how many were
// removed. Called after each successful write of `path`.
int removeStaleTemporaries(const std::string& path, int minAgeSeconds = 60);

} // namespace lb
