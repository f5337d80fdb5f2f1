// libFuzzer target: SafetensorsFile::fromBytes on arbitrary bytes. Accepted files must satisfy
// every documented rule (views inside the data, sizes matching shapes, spans tiling the data)
// and survive a write/read round trip unchanged; refused ones give one line naming the file.
#include "FuzzSupport.h"

#include "latentbrush/Safetensors.h"

#include <cstring>
#include <vector>

namespace {

void checkAccepted(const lb::SafetensorsFile& file, const std::uint8_t* begin, std::size_t size) {
    const std::uint8_t* end = begin + size;
    std::uint64_t covered = 0;
    for (const lb::TensorView& t : file.tensors()) {
        FUZZ_CHECK(file.find(t.name) == &t, "find(%s) is not the tensor itself", t.name.c_str());
        FUZZ_CHECK(t.shape.size() <= 8, "rank %zu accepted", t.shape.size());
        std::int64_t n = 1;
        for (std::int64_t d : t.shape) {
            FUZZ_CHECK(d >= 0, "negative dimension accepted");
            FUZZ_CHECK(!__builtin_mul_overflow(n, d, &n), "numel overflows");
        }
        FUZZ_CHECK(n == t.numel(), "numel() differs");
        FUZZ_CHECK(std::uint64_t(n) * lb::dtypeSize(t.dtype) == t.byteSize,
                   "byteSize != numel x size");
        if (t.byteSize) {
            FUZZ_CHECK(t.data >= begin && t.data + t.byteSize <= end, "view outside the buffer");
            volatile std::uint8_t touch = t.data[0] ^ t.data[t.byteSize - 1];
            (void)touch;
        }
        covered += t.byteSize;
    }
    FUZZ_CHECK(covered <= size, "tensors cover more bytes than the file has");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto file = lb::SafetensorsFile::fromBytes(std::vector<std::uint8_t>(data, data + size),
                                               "fuzz.safetensors");
    // The same bytes under a checkpoint's name: only ever stricter (pickles are refused).
    auto asCheckpoint =
        lb::SafetensorsFile::fromBytes(std::vector<std::uint8_t>(data, data + size), "fuzz.ckpt");
    if (asCheckpoint.ok()) FUZZ_CHECK(file.ok(), "accepted as .ckpt but not as .safetensors");
    if (!asCheckpoint.ok()) lbfuzz::checkOneLine(asCheckpoint.error(), "fromBytes(.ckpt)");
    if (!file) {
        lbfuzz::checkOneLine(file.error(), "fromBytes");
        FUZZ_CHECK(file.message().rfind("fuzz.safetensors: ", 0) == 0,
                   "the message does not start with the file name: %s", file.message().c_str());
        return 0;
    }
    // fromBytes copies: the views point into the file's own buffer, not into `data`.
    const lb::SafetensorsFile& f = **file;
    std::size_t payload = 0;
    for (const lb::TensorView& t : f.tensors())
        payload += t.byteSize;
    if (!f.tensors().empty() && payload) {
        const std::uint8_t* first = nullptr;
        for (const lb::TensorView& t : f.tensors())
            if (t.byteSize && (!first || t.data < first)) first = t.data;
        // The data section is the last `payload` bytes of the file.
        checkAccepted(f, first + payload - size, size);
    }

    // Round trip: what was accepted is written back and read from disk (the mmap path) the same.
    std::vector<lb::TensorToWrite> out;
    for (const lb::TensorView& t : f.tensors())
        out.push_back({t.name, t.dtype, t.shape, t.data, t.byteSize});
    const std::string path = lbfuzz::scratchDir() + "/roundtrip.safetensors";
    lb::Status written = lb::writeSafetensors(path, out, f.metadata());
    FUZZ_CHECK(written.ok(), "an accepted file cannot be written back: %s",
               written.message().c_str());
    auto again = lb::SafetensorsFile::open(path);
    FUZZ_CHECK(again.ok(), "a written file cannot be read: %s", again.message().c_str());
    FUZZ_CHECK((*again)->metadata() == f.metadata(), "metadata changed in a round trip");
    FUZZ_CHECK((*again)->tensors().size() == f.tensors().size(), "tensor count changed");
    for (const lb::TensorView& t : f.tensors()) {
        const lb::TensorView* u = (*again)->find(t.name);
        FUZZ_CHECK(u, "tensor %s lost in a round trip", t.name.c_str());
        FUZZ_CHECK(u->dtype == t.dtype && u->shape == t.shape && u->byteSize == t.byteSize,
                   "tensor %s changed in a round trip", t.name.c_str());
        FUZZ_CHECK(t.byteSize == 0 || std::memcmp(u->data, t.data, t.byteSize) == 0,
                   "tensor %s data changed in a round trip", t.name.c_str());
    }
    FUZZ_CHECK(lbfuzz::scratchFileCount() == 1, "the writer left a temporary file behind");
    return 0;
}
