// SafetensorsFile: a validated, memory-mapped reader of the safetensors format, and a writer.
// Torch-free; SafetensorsTorch.h turns entries into LibTorch tensors.
#pragma once

#include "latentbrush/Result.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace lb {

enum class DType {
    F64,
    F32,
    F16,
    BF16,
    I64,
    I32,
    I16,
    I8,
    U8,
    BOOL,
    U16,
    U32,
    U64,
    F8_E4M3,
    F8_E5M2
};

const char* dtypeName(DType t); // "F32", ...
std::size_t dtypeSize(DType t); // bytes per element
bool parseDType(const std::string& name, DType* out);

struct TensorView {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    const std::uint8_t* data = nullptr; // points into the mapping; little-endian
    std::size_t byteSize = 0;
    std::int64_t numel() const;
};

// Limits applied while parsing a header (a hostile file cannot make us allocate or loop much).
struct SafetensorsLimits {
    std::uint64_t maxHeaderBytes = 100ull * 1024 * 1024; // the format's own cap
    std::size_t maxTensors = 1u << 20;
    int maxRank = 8;
};

class SafetensorsFile {
public:
    // Maps the file and checks every rule of the format: header size within the file and the
    // cap, valid JSON object, known dtypes, shape x dtype size == byte span, offsets in bounds,
    // spans contiguous from 0 and non-overlapping, covering the data exactly, no duplicate keys,
    // `__metadata__` a map of strings. Pickled files (.ckpt/.pt/.pth or a pickle/zip signature)
    // are refused with a message saying that loading them can execute code.
    static Result<std::shared_ptr<SafetensorsFile>> open(const std::string& path,
                                                         const SafetensorsLimits& limits = {});
    // The same checks on a buffer in memory (fuzzing, tests); the buffer is copied.
    static Result<std::shared_ptr<SafetensorsFile>> fromBytes(std::vector<std::uint8_t> bytes,
                                                              const std::string& name,
                                                              const SafetensorsLimits& limits = {});
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::string& path() const { return path_; }
    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    const std::vector<TensorView>& tensors() const { return tensors_; } // in file order
    const TensorView* find(const std::string& name) const;
    bool contains(const std::string& name) const { return find(name) != nullptr; }

private:
    SafetensorsFile() = default;
    std::string path_;
    std::map<std::string, std::string> metadata_;
    std::vector<TensorView> tensors_;
    std::map<std::string, std::size_t> index_;
    // the mapping (or owned bytes)
    void* map_ = nullptr;
    std::size_t mapSize_ = 0;
    std::vector<std::uint8_t> owned_;
    friend struct SafetensorsParser;
};

// A tensor to write: raw little-endian bytes of the given dtype and shape.
struct TensorToWrite {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    const void* data = nullptr;
    std::size_t byteSize = 0;
};

// Writes a safetensors file atomically (temporary file in the same folder, fsync, rename).
// Tensors are laid out in the order given; the header is padded to 8 bytes with spaces.
Status writeSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                        const std::map<std::string, std::string>& metadata);

} // namespace lb
