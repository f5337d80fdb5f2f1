// Atomic file writes through a temporary file and rename (see AtomicFile.h).
#include "latentbrush/AtomicFile.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

namespace lb {
namespace {

const char* const kTempMarker = ".lbtmp";

thread_local AtomicWriteGroup* currentGroup = nullptr;

std::string tempPathFor(const std::string& path) {
    static std::atomic<unsigned> counter{0};
    std::filesystem::path p(path);
    std::string stem = p.stem().string();
    std::string ext = p.extension().string();
    std::string name = "." + stem + kTempMarker + std::to_string(::getpid()) + "-" +
                       std::to_string(counter.fetch_add(1)) + ext;
    return (p.parent_path() / name).string();
}

std::string errorText(int err) {
    return std::strerror(err ? err : EIO);
}

// fsync's error, 0 when the data reached the disk (or the file system cannot sync files).
int syncFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    int err = 0;
    if (::fsync(fd) != 0 && errno != EINVAL && errno != EROFS) err = errno;
    if (::close(fd) != 0 && !err && errno != EINTR) err = errno;
    return err;
}

void syncDirectoryOf(const std::string& path) {
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (dir.empty()) dir = ".";
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd); // the rename is done; a failure here cannot be undone
        ::close(fd);
    }
}

void removeQuietly(const std::string& path) {
    if (!path.empty()) ::unlink(path.c_str());
}

// Digits only, parsed as a pid; false when empty, too long or not digits.
bool parsePid(std::string_view text, pid_t* pid) {
    if (text.empty() || text.size() > 9) return false;
    long value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
    }
    if (value <= 0) return false;
    *pid = pid_t(value);
    return true;
}

} // namespace

int removeStaleTemporaries(const std::string& path, int minAgeSeconds) {
    const std::filesystem::path p(path);
    std::string prefix = ".";
    prefix += p.stem().string();
    prefix += kTempMarker;
    const std::string ext = p.extension().string();
    std::filesystem::path dir = p.parent_path();
    if (dir.empty()) dir = ".";
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) return 0;
    const pid_t self = ::getpid();
    const std::time_t now = std::time(nullptr);
    int removed = 0;
    for (const std::filesystem::directory_entry& entry : it) {
        const std::string name = entry.path().filename().string();
        if (name.size() <= prefix.size() + ext.size() ||
            name.compare(0, prefix.size(), prefix) != 0 ||
            name.compare(name.size() - ext.size(), ext.size(), ext) != 0)
            continue;
        // What lies between the prefix and the extension must be exactly "PID-N".
        const std::string_view middle =
            std::string_view(name).substr(prefix.size(), name.size() - prefix.size() - ext.size());
        const std::size_t dash = middle.find('-');
        pid_t pid = 0;
        pid_t counter = 0;
        if (dash == std::string_view::npos || !parsePid(middle.substr(0, dash), &pid) ||
            (middle.substr(dash + 1) != "0" && !parsePid(middle.substr(dash + 1), &counter)))
            continue;
        if (pid == self) continue;
        if (::kill(pid, 0) == 0 || errno != ESRCH) continue; // alive (or not ours to know)
        struct stat info {};
        if (::lstat(entry.path().c_str(), &info) != 0 || !S_ISREG(info.st_mode)) continue;
        if (now - info.st_mtime < minAgeSeconds) continue;
        if (::unlink(entry.path().c_str()) == 0) ++removed;
    }
    return removed;
}

AtomicWriteGroup::AtomicWriteGroup() : previous_(currentGroup) {
    currentGroup = this;
}

AtomicWriteGroup::~AtomicWriteGroup() {
    if (currentGroup == this) currentGroup = previous_;
    if (!committed_)
        for (const auto& [temp, path] : staged_)
            removeQuietly(temp);
}

void AtomicWriteGroup::stage(std::string tempPath, std::string path) {
    staged_.emplace_back(std::move(tempPath), std::move(path));
}

Status AtomicWriteGroup::commit() {
    if (currentGroup == this) currentGroup = previous_; // later writes are not part of it
    struct Done {
        std::string path;
        std::string backup; // a hard link to the previous file, "" when there was none
        bool hadPrevious = false;
    };
    std::vector<Done> done;
    for (std::size_t i = 0; i < staged_.size(); ++i) {
        const auto& [temp, path] = staged_[i];
        Done d;
        d.path = path;
        struct stat info {};
        if (::lstat(path.c_str(), &info) == 0) {
            d.hadPrevious = true;
            d.backup = tempPathFor(path);
            if (::link(path.c_str(), d.backup.c_str()) != 0) d.backup.clear();
        }
        if (std::rename(temp.c_str(), path.c_str()) != 0) {
            const int err = errno;
            // Undo: the files already replaced get their previous version back.
            removeQuietly(d.backup);
            for (auto it = done.rbegin(); it != done.rend(); ++it) {
                if (!it->backup.empty())
                    std::rename(it->backup.c_str(), it->path.c_str());
                else if (!it->hadPrevious)
                    removeQuietly(it->path);
            }
            for (std::size_t j = i; j < staged_.size(); ++j)
                removeQuietly(staged_[j].first);
            committed_ = true; // nothing left to remove
            return makeError(path + ": cannot replace the file (" + errorText(err) + ")");
        }
        done.push_back(std::move(d));
    }
    committed_ = true;
    for (const Done& d : done) {
        removeQuietly(d.backup);
        syncDirectoryOf(d.path);
        removeStaleTemporaries(d.path);
    }
    return {};
}

Status checkOutputLocation(const std::string& path) {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec))
        return makeError(path + ": the folder " + dir.string() + " does not exist");
    if (std::filesystem::is_directory(path, ec))
        return makeError(path + ": is a folder, not a file");
    return {};
}

Status writeFileAtomically(const std::string& path,
                           const std::function<Status(const std::string&)>& writer) {
    if (path.empty()) return makeError("no output file name given");
    if (Status st = checkOutputLocation(path); !st) return st;
    const std::string temp = tempPathFor(path);
    Status st = writer(temp);
    if (!st) {
        removeQuietly(temp);
        return st;
    }
    struct stat info {};
    if (::lstat(temp.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
        removeQuietly(temp);
        return makeError(path + ": nothing was written");
    }
    if (const int err = syncFile(temp); err != 0) {
        removeQuietly(temp);
        return makeError(path + ": write failed (" + errorText(err) + ")");
    }
    if (currentGroup) {
        currentGroup->stage(temp, path);
        return {};
    }
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
        int err = errno;
        removeQuietly(temp);
        return makeError(path + ": cannot replace the file (" + errorText(err) + ")");
    }
    syncDirectoryOf(path);
    removeStaleTemporaries(path);
    return {};
}

Status writeBytesAtomically(const std::string& path, const void* data, std::size_t size) {
    return writeFileAtomically(path, [&](const std::string& temp) -> Status {
        std::FILE* f = std::fopen(temp.c_str(), "wb");
        if (!f) return makeError(path + ": cannot create the file (" + errorText(errno) + ")");
        int failure = 0;
        errno = 0;
        const std::size_t written = size ? std::fwrite(data, 1, size, f) : 0;
        if (written != size) failure = errno ? errno : EIO;
        if (std::fflush(f) != 0 && !failure) failure = errno ? errno : EIO;
        // What reached the file must be all of it (a full disk can cut a write short).
        struct stat info {};
        if (!failure && (::fstat(::fileno(f), &info) != 0 || std::size_t(info.st_size) != size))
            failure = EIO;
        if (std::fclose(f) != 0 && !failure) failure = errno ? errno : EIO;
        if (failure) return makeError(path + ": write failed (" + errorText(failure) + ")");
        return {};
    });
}

} // namespace lb
