// libFuzzer target: readLatentFile on arbitrary bytes. An accepted file holds a rank-4 finite
// latent_tensor (and a [B, 1, X, Y] noise_mask) and writes back to an identical reading; a refused
// one gives one line naming the file; the writer never leaves a temporary file behind.
#include "FuzzSupport.h"

#include "latentbrush/LatentFile.h"

#include <cmath>

namespace {

void checkBuffer(const lb::LatentBuffer& b, const char* what) {
    FUZZ_CHECK(b.shape.size() == 4, "%s: rank %zu accepted", what, b.shape.size());
    std::int64_t n = 1;
    for (std::int64_t d : b.shape) {
        FUZZ_CHECK(d >= 1, "%s: dimension %lld accepted", what, (long long)d);
        n *= d;
    }
    FUZZ_CHECK(std::uint64_t(n) == b.data.size(), "%s: %zu values for its shape", what,
               b.data.size());
    for (float v : b.data)
        FUZZ_CHECK(std::isfinite(v), "%s: non-finite value accepted", what);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = lbfuzz::writeScratch("in.latent", data, size);
    auto read = lb::readLatentFile(path);
    if (!read) {
        lbfuzz::checkOneLine(read.error(), "readLatentFile");
        FUZZ_CHECK(read.message().rfind(path, 0) == 0, "the message does not name the file: %s",
                   read.message().c_str());
        return 0;
    }
    checkBuffer(read->samples, "latent_tensor");
    if (read->hasNoiseMask) {
        checkBuffer(read->noiseMask, "noise_mask");
        FUZZ_CHECK(read->noiseMask.shape[0] == read->samples.shape[0] &&
                       read->noiseMask.shape[1] == 1,
                   "noise_mask shape does not fit the latent");
    }

    const std::string out = lbfuzz::scratchDir() + "/out.latent";
    lb::Status written = lb::writeLatentFile(out, *read);
    FUZZ_CHECK(written.ok(), "an accepted latent cannot be written back: %s",
               written.message().c_str());
    auto again = lb::readLatentFile(out);
    FUZZ_CHECK(again.ok(), "a written latent cannot be read: %s", again.message().c_str());
    FUZZ_CHECK(again->samples.shape == read->samples.shape &&
                   again->samples.data == read->samples.data,
               "latent_tensor changed in a round trip");
    FUZZ_CHECK(again->hasNoiseMask == read->hasNoiseMask, "noise_mask appeared or vanished");
    if (read->hasNoiseMask)
        FUZZ_CHECK(again->noiseMask.shape == read->noiseMask.shape &&
                       again->noiseMask.data == read->noiseMask.data,
                   "noise_mask changed in a round trip");
    FUZZ_CHECK(again->hasFormatVersionMarker, "the writer did not add latent_format_version_0");
    for (const auto& [key, value] : read->metadata)
        FUZZ_CHECK(again->metadata.count(key) && again->metadata.at(key) == value,
                   "metadata %s changed in a round trip", key.c_str());
    FUZZ_CHECK(lbfuzz::scratchFileCount() == 2, "the writer left a temporary file behind");
    return 0;
}
