// SafetensorsFile: maps a .safetensors file read-only and checks its header against every rule of
// the format before any tensor is handed out; writeSafetensors writes one atomically.
#include "latentbrush/Safetensors.h"

#include "latentbrush/AtomicFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <limits>
#include <set>
#include <string_view>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_set>

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; a big-endian host would need byte swapping");

namespace lb {
namespace {

struct DTypeInfo {
    DType type;
    const char* name;
    std::size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::F64, "F64", 8},   {DType::F32, "F32", 4},         {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2}, {DType::I64, "I64", 8},         {DType::I32, "I32", 4},
    {DType::I16, "I16", 2},   {DType::I8, "I8", 1},           {DType::U8, "U8", 1},
    {DType::BOOL, "BOOL", 1}, {DType::U16, "U16", 2},         {DType::U32, "U32", 4},
    {DType::U64, "U64", 8},   {DType::F8_E4M3, "F8_E4M3", 1}, {DType::F8_E5M2, "F8_E5M2", 1},
};

const DTypeInfo* dtypeInfo(DType t) {
    for (const DTypeInfo& info : kDTypes)
        if (info.type == t) return &info;
    return nullptr;
}

// A name or string from a file, made safe to put in a one-line message: quoted, control
// characters escaped, long ones shortened.
std::string quotedName(std::string_view text) {
    constexpr std::size_t kMaxShown = 80;
    std::string out = "'";
    for (std::size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
            out += escaped;
        } else {
            out += static_cast<char>(c);
        }
    }
    if (text.size() > kMaxShown) out += "...";
    return out + "'";
}

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string out = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + "]";
}

// Elements of a shape; false when a dimension is negative or the product overflows int64.
bool elementCount(const std::vector<std::int64_t>& shape, std::int64_t* count) {
    std::int64_t n = 1;
    for (std::int64_t d : shape) {
        if (d < 0 || __builtin_mul_overflow(n, d, &n)) return false;
    }
    *count = n;
    return true;
}

std::uint64_t readLittleEndian64(const std::uint8_t* bytes) {
    std::uint64_t value = 0;
    for (int i = 7; i >= 0; --i)
        value = (value << 8) | bytes[i];
    return value;
}

bool hasPickleSignature(const std::uint8_t* bytes, std::size_t size) {
    const bool pickle = size >= 2 && bytes[0] == 0x80 && bytes[1] >= 2 && bytes[1] <= 5;
    const bool zip = size >= 4 && std::memcmp(bytes, "PK\x03\x04", 4) == 0;
    return pickle || zip;
}

bool hasCheckpointExtension(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext == ".ckpt" || ext == ".pt" || ext == ".pth" || ext == ".bin";
}

// True when the first bytes could start a safetensors file of this size.
bool plausibleSafetensorsStart(const std::uint8_t* bytes, std::size_t size) {
    if (size < 9) return false;
    const std::uint64_t headerLength = readLittleEndian64(bytes);
    return headerLength > 0 && headerLength <= size - 8 && bytes[8] == '{';
}

const char* kPickleRefused = "pickled PyTorch checkpoint refused: loading it can execute code; "
                             "convert it to .safetensors";

// One header entry as read, before the offsets are checked against the data.
struct HeaderEntry {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::vector<std::uint64_t> offsets;
};

// Streams the header JSON and checks its structure as it goes, so a hostile header never builds
// a large document: an object whose values are tensor entries {dtype, shape, data_offsets} or
// `__metadata__` (an object of strings). Every object is checked for duplicate keys (a DOM
// parser would silently keep the last one).
class HeaderReader : public nlohmann::json_sax<nlohmann::json> {
public:
    explicit HeaderReader(const SafetensorsLimits& limits) : limits_(limits) {}

    std::vector<HeaderEntry> entries;
    std::map<std::string, std::string> metadata;
    std::string error;

    bool null() override { return unexpected("null"); }
    bool boolean(bool) override { return unexpected("a boolean"); }
    bool number_float(number_float_t, const string_t&) override {
        return unexpected("a fractional number");
    }
    bool binary(binary_t&) override { return unexpected("binary data"); }

    bool number_integer(number_integer_t value) override {
        if (value >= 0) return number_unsigned(static_cast<number_unsigned_t>(value));
        if (level_ == Level::Shape)
            return fail("tensor " + quotedName(entry_.name) + ": negative dimension " +
                        std::to_string(value) + " in its shape");
        if (level_ == Level::Offsets)
            return fail("tensor " + quotedName(entry_.name) + ": negative data offset " +
                        std::to_string(value));
        return unexpected("a number");
    }

    bool number_unsigned(number_unsigned_t value) override {
        if (level_ == Level::Shape) {
            if (entry_.shape.size() >= static_cast<std::size_t>(std::max(limits_.maxRank, 0)))
                return fail("tensor " + quotedName(entry_.name) + ": more than " +
                            std::to_string(limits_.maxRank) + " dimensions");
            if (value > static_cast<number_unsigned_t>(std::numeric_limits<std::int64_t>::max()))
                return fail("tensor " + quotedName(entry_.name) + ": dimension " +
                            std::to_string(value) + " is too large");
            entry_.shape.push_back(static_cast<std::int64_t>(value));
            return true;
        }
        if (level_ == Level::Offsets) {
            if (entry_.offsets.size() >= 2) return offsetsMalformed();
            entry_.offsets.push_back(value);
            return true;
        }
        return unexpected("a number");
    }

    bool string(string_t& value) override {
        if (level_ == Level::Metadata) {
            metadata[field_] = value;
            return true;
        }
        if (level_ == Level::Entry && field_ == "dtype") {
            if (!parseDType(value, &entry_.dtype))
                return fail("tensor " + quotedName(entry_.name) + ": unknown dtype " +
                            quotedName(value));
            return true;
        }
        return unexpected("a string");
    }

    bool start_object(std::size_t) override {
        if (level_ == Level::Start) {
            level_ = Level::Root;
            return true;
        }
        if (level_ == Level::Root) {
            seenKeys_.clear();
            if (key_ == "__metadata__") {
                level_ = Level::Metadata;
            } else {
                level_ = Level::Entry;
                entry_ = HeaderEntry{key_, DType::F32, {}, {}};
            }
            return true;
        }
        return unexpected("an object");
    }

    bool key(string_t& name) override {
        if (level_ == Level::Root) {
            if (!names_.insert(name).second)
                return fail(name == "__metadata__" ? std::string("__metadata__ appears twice")
                                                   : "duplicate tensor name " + quotedName(name));
            if (name != "__metadata__" && entries.size() >= limits_.maxTensors)
                return fail("more than " + std::to_string(limits_.maxTensors) + " tensors");
            key_ = name;
            return true;
        }
        if (!seenKeys_.insert(name).second)
            return fail((level_ == Level::Metadata ? std::string("__metadata__")
                                                   : "tensor " + quotedName(entry_.name)) +
                        ": duplicate key " + quotedName(name));
        if (level_ == Level::Entry && name != "dtype" && name != "shape" && name != "data_offsets")
            return fail("tensor " + quotedName(entry_.name) + ": unexpected field " +
                        quotedName(name) + " (expected dtype, shape, data_offsets)");
        field_ = name;
        return true;
    }

    bool end_object() override {
        if (level_ == Level::Root) {
            level_ = Level::Done;
        } else if (level_ == Level::Metadata) {
            level_ = Level::Root;
        } else if (level_ == Level::Entry) {
            for (const char* field : {"dtype", "shape", "data_offsets"})
                if (!seenKeys_.count(field))
                    return fail("tensor " + quotedName(entry_.name) + ": missing field " + field);
            entries.push_back(std::move(entry_));
            level_ = Level::Root;
        }
        return true;
    }

    bool start_array(std::size_t) override {
        if (level_ == Level::Start) return fail("the header is a JSON array, not an object");
        if (level_ == Level::Entry && field_ == "shape") {
            level_ = Level::Shape;
            return true;
        }
        if (level_ == Level::Entry && field_ == "data_offsets") {
            level_ = Level::Offsets;
            return true;
        }
        return unexpected("an array");
    }

    bool end_array() override {
        if (level_ == Level::Offsets && entry_.offsets.size() != 2) return offsetsMalformed();
        level_ = Level::Entry;
        return true;
    }

    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& ex) override {
        // nlohmann's text is "[json.exception.parse_error.101] parse error at ...: <detail>".
        std::string detail = ex.what();
        if (auto colon = detail.find(": "); colon != std::string::npos)
            detail = detail.substr(colon + 2);
        return fail("the header is not valid JSON (at byte " + std::to_string(position) + ": " +
                    printable(detail) + ")");
    }

    bool complete() const { return level_ == Level::Done; }

private:
    enum class Level { Start, Root, Metadata, Entry, Shape, Offsets, Done };

    bool fail(std::string message) {
        if (error.empty()) error = std::move(message);
        return false;
    }

    bool offsetsMalformed() {
        return fail("tensor " + quotedName(entry_.name) +
                    ": data_offsets must be two non-negative integers [begin, end]");
    }

    // A value of the wrong kind where something else belongs.
    bool unexpected(const char* what) {
        switch (level_) {
        case Level::Start:
            return fail(std::string("the header is ") + what + ", not a JSON object");
        case Level::Root:
            if (key_ == "__metadata__")
                return fail(std::string("__metadata__ is ") + what + ", not an object of strings");
            return fail("entry " + quotedName(key_) + " is " + what +
                        ", not an object {dtype, shape, data_offsets}");
        case Level::Metadata:
            return fail("__metadata__ value of " + quotedName(field_) + " is " + what +
                        ", not a string");
        case Level::Entry:
            if (field_ == "dtype")
                return fail("tensor " + quotedName(entry_.name) + ": dtype is " + what +
                            ", not a string");
            return fail("tensor " + quotedName(entry_.name) + ": " + field_ + " is " + what +
                        ", not an array");
        case Level::Shape:
            return fail("tensor " + quotedName(entry_.name) + ": shape holds " + what +
                        "; dimensions must be non-negative integers");
        case Level::Offsets:
            return offsetsMalformed();
        case Level::Done:
            break;
        }
        return fail(std::string("unexpected ") + what + " after the header object");
    }

    static std::string printable(const std::string& text) {
        std::string out;
        for (char c : text.substr(0, 160)) {
            const auto u = static_cast<unsigned char>(c);
            out += (u < 0x20 || u >= 0x7f) ? '?' : c;
        }
        return out;
    }

    const SafetensorsLimits& limits_;
    Level level_ = Level::Start;
    std::string key_;   // the current key of the root object
    std::string field_; // the current key inside an entry or __metadata__
    std::unordered_set<std::string> names_;
    std::set<std::string> seenKeys_; // keys of the current entry or of __metadata__
    HeaderEntry entry_;
};

} // namespace

const char* dtypeName(DType t) {
    const DTypeInfo* info = dtypeInfo(t);
    return info ? info->name : "?";
}

std::size_t dtypeSize(DType t) {
    const DTypeInfo* info = dtypeInfo(t);
    return info ? info->size : 0;
}

bool parseDType(const std::string& name, DType* out) {
    for (const DTypeInfo& info : kDTypes) {
        if (name == info.name) {
            if (out) *out = info.type;
            return true;
        }
    }
    return false;
}

std::int64_t TensorView::numel() const {
    std::int64_t n = 1;
    for (std::int64_t d : shape)
        n *= d;
    return n;
}

// Checks the bytes of a whole file and fills a SafetensorsFile with views into them.
struct SafetensorsParser {
    static Status parse(SafetensorsFile& file, const std::uint8_t* bytes, std::size_t size,
                        const SafetensorsLimits& limits) {
        auto error = [&](const std::string& problem) -> Status {
            return makeError(file.path_ + ": " + problem);
        };
        if (size == 0) return error("the file is empty (0 bytes)");
        if (hasPickleSignature(bytes, size)) return error(kPickleRefused);
        if (hasCheckpointExtension(file.path_) && !plausibleSafetensorsStart(bytes, size))
            return error(kPickleRefused);
        if (size < 8)
            return error("the file is " + std::to_string(size) +
                         " bytes long, too short for a safetensors header");

        const std::uint64_t headerLength = readLittleEndian64(bytes);
        if (headerLength > size - 8)
            return error("header length " + std::to_string(headerLength) +
                         " exceeds the file size (" + std::to_string(size) + " bytes)");
        if (headerLength > limits.maxHeaderBytes)
            return error("header length " + std::to_string(headerLength) +
                         " exceeds the limit of " + std::to_string(limits.maxHeaderBytes) +
                         " bytes");
        if (headerLength == 0) return error("the header is empty (header length 0)");
        const char* header = reinterpret_cast<const char*>(bytes + 8);
        // nlohmann's lexer stops at a NUL byte as if the input ended there; valid JSON never
        // holds one (inside strings it must be escaped), so refuse it rather than ignore the rest.
        if (const void* nul = std::memchr(header, 0, headerLength))
            return error("the header is not valid JSON (a NUL byte at byte " +
                         std::to_string(static_cast<const char*>(nul) - header) + ")");

        HeaderReader reader(limits);
        bool parsed = false;
        try {
            parsed = nlohmann::json::sax_parse(header, header + headerLength, &reader);
        } catch (const std::exception& ex) {
            return error(std::string("the header cannot be read (") + ex.what() + ")");
        }
        if (!parsed || !reader.complete())
            return error(reader.error.empty() ? "the header is not valid JSON" : reader.error);
        if (header[0] != '{') return error("the header must start with '{', not with whitespace");

        const std::uint8_t* data = bytes + 8 + headerLength;
        const std::uint64_t dataSize = size - 8 - headerLength;
        std::vector<TensorView> views;
        views.reserve(reader.entries.size());
        for (HeaderEntry& entry : reader.entries) {
            const std::string name = "tensor " + quotedName(entry.name);
            std::int64_t numel = 0;
            std::uint64_t needed = 0;
            if (!elementCount(entry.shape, &numel) ||
                __builtin_mul_overflow(static_cast<std::uint64_t>(numel),
                                       static_cast<std::uint64_t>(dtypeSize(entry.dtype)), &needed))
                return error(name + ": shape " + shapeText(entry.shape) + " is too large");
            const std::uint64_t begin = entry.offsets[0];
            const std::uint64_t end = entry.offsets[1];
            const std::string offsetsText =
                "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "]";
            if (end < begin) return error(name + ": " + offsetsText + " end before they begin");
            if (end > dataSize)
                return error(name + ": " + offsetsText + " lie outside the data section (" +
                             std::to_string(dataSize) + " bytes)");
            if (end - begin != needed)
                return error(name + ": " + dtypeName(entry.dtype) + " " + shapeText(entry.shape) +
                             " needs " + std::to_string(needed) + " bytes but its " + offsetsText +
                             " span " + std::to_string(end - begin));
            TensorView view;
            view.name = std::move(entry.name);
            view.dtype = entry.dtype;
            view.shape = std::move(entry.shape);
            view.data = data + begin;
            view.byteSize = static_cast<std::size_t>(needed);
            views.push_back(std::move(view));
        }

        // The spans, in data order, must tile the data section: start at 0, no overlap, no gap,
        // nothing left over at the end.
        std::stable_sort(views.begin(), views.end(), [](const TensorView& a, const TensorView& b) {
            return a.data != b.data ? a.data < b.data : a.byteSize < b.byteSize;
        });
        std::uint64_t covered = 0;
        const TensorView* previous = nullptr;
        for (const TensorView& view : views) {
            const auto begin = static_cast<std::uint64_t>(view.data - data);
            if (begin < covered)
                return error("the data of tensors " + quotedName(previous->name) + " and " +
                             quotedName(view.name) + " overlap");
            if (begin > covered)
                return error("bytes " + std::to_string(covered) + ".." + std::to_string(begin) +
                             " of the data section, before tensor " + quotedName(view.name) +
                             ", belong to no tensor");
            covered = begin + view.byteSize;
            previous = &view;
        }
        if (covered != dataSize)
            return error("the last " + std::to_string(dataSize - covered) + " of " +
                         std::to_string(dataSize) + " data bytes belong to no tensor");

        file.tensors_ = std::move(views);
        for (std::size_t i = 0; i < file.tensors_.size(); ++i)
            file.index_.emplace(file.tensors_[i].name, i);
        file.metadata_ = std::move(reader.metadata);
        return {};
    }
};

Result<std::shared_ptr<SafetensorsFile>> SafetensorsFile::open(const std::string& path,
                                                               const SafetensorsLimits& limits) {
    // O_NONBLOCK: opening a FIFO (or a device) without it blocks until a writer appears, before
    // fstat could refuse it. The flag is cleared again once the file is known to be regular.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        const int err = errno;
        if (err == ENOENT) return makeError(path + ": no such file");
        if (err == ENXIO) return makeError(path + ": is not a regular file");
        return makeError(path + ": cannot open the file (" + std::strerror(err) + ")");
    }
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        const int err = errno;
        ::close(fd);
        return makeError(path + ": cannot read the file's size (" + std::strerror(err) + ")");
    }
    if (S_ISDIR(info.st_mode)) {
        ::close(fd);
        return makeError(path + ": is a folder, not a safetensors file");
    }
    if (!S_ISREG(info.st_mode)) {
        ::close(fd);
        return makeError(path + ": is not a regular file");
    }
    if (const int flags = ::fcntl(fd, F_GETFL); flags >= 0)
        ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);

    std::shared_ptr<SafetensorsFile> file(new SafetensorsFile());
    file->path_ = path;
    const auto size = static_cast<std::size_t>(info.st_size);
    if (size > 0) {
        void* mapping = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (mapping == MAP_FAILED) {
            const int err = errno;
            ::close(fd);
            return makeError(path + ": cannot map the file (" + std::strerror(err) + ")");
        }
        file->map_ = mapping;
        file->mapSize_ = size;
    }
    ::close(fd);

    Status parsed =
        SafetensorsParser::parse(*file, static_cast<const std::uint8_t*>(file->map_), size, limits);
    if (!parsed) return parsed.error();
    return file;
}

Result<std::shared_ptr<SafetensorsFile>>
SafetensorsFile::fromBytes(std::vector<std::uint8_t> bytes, const std::string& name,
                           const SafetensorsLimits& limits) {
    std::shared_ptr<SafetensorsFile> file(new SafetensorsFile());
    file->path_ = name;
    file->owned_ = std::move(bytes);
    Status parsed =
        SafetensorsParser::parse(*file, file->owned_.data(), file->owned_.size(), limits);
    if (!parsed) return parsed.error();
    return file;
}

SafetensorsFile::~SafetensorsFile() {
    if (map_) ::munmap(map_, mapSize_);
}

const TensorView* SafetensorsFile::find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &tensors_[it->second];
}

namespace {

// The JSON text of a string; throws nlohmann::json::type_error on invalid UTF-8.
std::string jsonString(const std::string& text) {
    return nlohmann::json(text).dump();
}

// The header text: `__metadata__` first, then the entries in the order given, padded with
// spaces to a multiple of 8 so that the data section starts aligned.
Result<std::string> buildHeader(const std::string& path, const std::vector<TensorToWrite>& tensors,
                                const std::map<std::string, std::string>& metadata) {
    auto error = [&](const std::string& problem) { return makeError(path + ": " + problem); };
    std::string header = "{";
    std::unordered_set<std::string> names;
    std::uint64_t offset = 0;
    try {
        if (!metadata.empty()) header += "\"__metadata__\":" + nlohmann::json(metadata).dump();
        for (const TensorToWrite& tensor : tensors) {
            const std::string name = "tensor " + quotedName(tensor.name);
            if (tensor.name.empty()) return error("a tensor has an empty name");
            if (tensor.name == "__metadata__")
                return error("a tensor cannot be named __metadata__");
            if (!names.insert(tensor.name).second)
                return error("tensor name " + quotedName(tensor.name) + " given twice");
            if (!dtypeInfo(tensor.dtype)) return error(name + ": invalid dtype");
            std::int64_t numel = 0;
            std::uint64_t expected = 0;
            if (!elementCount(tensor.shape, &numel) ||
                __builtin_mul_overflow(static_cast<std::uint64_t>(numel),
                                       static_cast<std::uint64_t>(dtypeSize(tensor.dtype)),
                                       &expected))
                return error(name + ": invalid shape " + shapeText(tensor.shape));
            if (tensor.byteSize != expected)
                return error(name + ": " + std::to_string(tensor.byteSize) + " bytes given for " +
                             dtypeName(tensor.dtype) + " " + shapeText(tensor.shape) + " (" +
                             std::to_string(expected) + " expected)");
            if (tensor.byteSize > 0 && !tensor.data) return error(name + ": no data given");

            if (header.size() > 1) header += ',';
            header += jsonString(tensor.name) + ":{\"dtype\":\"" + dtypeName(tensor.dtype) +
                      "\",\"shape\":[";
            for (std::size_t i = 0; i < tensor.shape.size(); ++i) {
                if (i) header += ',';
                header += std::to_string(tensor.shape[i]);
            }
            header += "],\"data_offsets\":[";
            header += std::to_string(offset);
            header += ',';
            header += std::to_string(offset + expected);
            header += "]}";
            offset += expected;
        }
    } catch (const nlohmann::json::exception&) {
        return error("a tensor name or metadata string is not valid UTF-8");
    }
    header += '}';
    header.append((8 - header.size() % 8) % 8, ' ');
    return header;
}

} // namespace

Status writeSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                        const std::map<std::string, std::string>& metadata) {
    Result<std::string> header = buildHeader(path, tensors, metadata);
    if (!header) return header.error();

    return writeFileAtomically(path, [&](const std::string& tempPath) -> Status {
        std::FILE* out = std::fopen(tempPath.c_str(), "wb");
        if (!out)
            return makeError(path + ": cannot create the file (" + std::strerror(errno) + ")");
        std::uint8_t length[8];
        std::uint64_t headerLength = header->size();
        for (std::uint8_t& byte : length) {
            byte = static_cast<std::uint8_t>(headerLength & 0xff);
            headerLength >>= 8;
        }
        bool written = std::fwrite(length, 1, 8, out) == 8 &&
                       std::fwrite(header->data(), 1, header->size(), out) == header->size();
        for (std::size_t i = 0; written && i < tensors.size(); ++i)
            if (tensors[i].byteSize > 0)
                written = std::fwrite(tensors[i].data, 1, tensors[i].byteSize, out) ==
                          tensors[i].byteSize;
        int failure = written ? 0 : errno;
        if (std::fflush(out) != 0 && !failure) failure = errno;
        if (std::fclose(out) != 0 && !failure) failure = errno;
        if (!written || failure)
            return makeError(path + ": write failed (" + std::strerror(failure ? failure : EIO) +
                             ")");
        return {};
    });
}

} // namespace lb
