// What a folder holds, as a map from each entry's path below it to its size and the hash of its
// bytes, and the difference of two such maps in words: the bad-input suites check with it that a
// refused input wrote, changed and removed nothing.
#pragma once

#include <QByteArray>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QString>
#include <QStringList>

#include <map>

#include <sys/stat.h>

namespace lbtest {

// How a sub-folder is recorded: by name only, or like any other non-regular entry, by its size
// and modification time (which change when an entry is added or removed in it).
enum class SnapshotFolders { ByName, BySizeAndTime };

// Every entry under `dir` (hidden ones too): a regular file of at most 4 MiB as "SIZE:SHA1HEX",
// anything else (a larger file such as the sparse "oversized header" one, a FIFO, which must
// never be opened: it would block) as "SIZE:MTIME"; sub-folders as `folders` says.
inline std::map<QString, QByteArray> folderSnapshot(const QString& dir, SnapshotFolders folders) {
    std::map<QString, QByteArray> files;
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QFileInfo info(path);
        if (folders == SnapshotFolders::ByName && info.isDir()) {
            files[path.mid(dir.size())] = "folder";
            continue;
        }
        struct stat st {};
        const bool regular =
            ::lstat(path.toLocal8Bit().constData(), &st) == 0 && S_ISREG(st.st_mode);
        QByteArray digest = QByteArray::number(info.size()) + ":";
        if (regular && info.size() <= (4 << 20)) {
            QFile f(path);
            if (f.open(QIODevice::ReadOnly))
                digest += QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha1).toHex();
        } else {
            digest += QByteArray::number(info.lastModified().toMSecsSinceEpoch());
        }
        files[path.mid(dir.size())] = digest;
    }
    return files;
}

// "new A, changed B, removed C"; empty when the two snapshots are the same.
inline QString describeChanges(const std::map<QString, QByteArray>& before,
                               const std::map<QString, QByteArray>& after) {
    QStringList changes;
    for (const auto& [name, digest] : after) {
        auto it = before.find(name);
        if (it == before.end())
            changes << "new " + name;
        else if (it->second != digest)
            changes << "changed " + name;
    }
    for (const auto& [name, digest] : before)
        if (!after.count(name)) changes << "removed " + name;
    return changes.join(", ");
}

} // namespace lbtest
