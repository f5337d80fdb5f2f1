// Atomic file writes through a temporary file and rename (see AtomicFile.h).
#include "latentbrush/AtomicFile.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace lb {
namespace {

std::string tempPathFor(const std::string& path) {
    static std::atomic<unsigned> counter{0};
    std::filesystem::path p(path);
    std::string stem = p.stem().string();
    std::string ext = p.extension().string();
    std::string name = "." + stem + ".lbtmp" + std::to_string(::getpid()) + "-" +
                       std::to_string(counter.fetch_add(1)) + ext;
    return (p.parent_path() / name).string();
}

void syncFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

void syncDirectoryOf(const std::string& path) {
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (dir.empty()) dir = ".";
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

} // namespace

Status writeFileAtomically(const std::string& path,
                           const std::function<Status(const std::string&)>& writer) {
    if (path.empty()) return makeError("no output file name given");
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec))
        return makeError(path + ": the folder " + dir.string() + " does not exist");
    if (std::filesystem::is_directory(path, ec))
        return makeError(path + ": is a folder, not a file");
    const std::string temp = tempPathFor(path);
    Status st = writer(temp);
    if (!st) {
        std::filesystem::remove(temp, ec);
        return st;
    }
    if (!std::filesystem::exists(temp, ec)) return makeError(path + ": nothing was written");
    syncFile(temp);
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
        int err = errno;
        std::filesystem::remove(temp, ec);
        return makeError(path + ": cannot replace the file (" + std::strerror(err) + ")");
    }
    syncDirectoryOf(path);
    return {};
}

Status writeBytesAtomically(const std::string& path, const void* data, std::size_t size) {
    return writeFileAtomically(path, [&](const std::string& temp) -> Status {
        std::FILE* f = std::fopen(temp.c_str(), "wb");
        if (!f) return makeError(path + ": cannot create the file (" + std::strerror(errno) + ")");
        std::size_t written = size ? std::fwrite(data, 1, size, f) : 0;
        bool flushed = std::fflush(f) == 0;
        bool closed = std::fclose(f) == 0;
        if (written != size || !flushed || !closed)
            return makeError(path + ": write failed (" + std::strerror(errno) + ")");
        return {};
    });
}

} // namespace lb
