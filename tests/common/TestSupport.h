// Helpers shared by the test suites: where ../shared is, temporary folders, comparisons.
#pragma once

#include "Tolerances.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>
#include <QtTest>

#include <cstdlib>

namespace lbtest {

// LATENTBRUSH_SHARED if set, else <source>/../shared; empty when neither exists.
inline QString sharedDir() {
    const char* env = std::getenv("LATENTBRUSH_SHARED");
    if (env && *env && QFileInfo(QString::fromLocal8Bit(env)).isDir())
        return QDir(QString::fromLocal8Bit(env)).absolutePath();
    QString fallback = QStringLiteral(LATENTBRUSH_SOURCE_DIR "/../shared");
    if (QFileInfo(fallback).isDir()) return QDir(fallback).absolutePath();
    return {};
}

// Whether every check must run here: in CI (CI=true) and with LATENTBRUSH_REQUIRE_SHARED=1. A
// check whose prerequisites (../shared, a Python module, a program) are missing then fails: a
// skipped check on a fresh machine would be a promise nobody verified.
inline bool everyCheckMustRun() {
    return qEnvironmentVariable("CI") == QStringLiteral("true") ||
           qEnvironmentVariable("LATENTBRUSH_REQUIRE_SHARED") == QStringLiteral("1");
}

inline std::string sharedPath(const QString& relative) {
    return (sharedDir() + QLatin1Char('/') + relative).toStdString();
}

// The bytes of the file at `path`, empty when it cannot be read.
inline QByteArray readFileBytes(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The SHA-1 of the file's bytes; empty when it cannot be read.
inline QByteArray fileSha1(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly)
               ? QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha1)
               : QByteArray();
}

} // namespace lbtest

// Fails the current test with the error's message when `result` (an lb::Result or lb::Status)
// holds an error. QVERIFY2 would build its message even when the check passes.
#define LB_VERIFY_OK(result)                                                                       \
    do {                                                                                           \
        const auto& lbVerifiedResult_ = (result);                                                  \
        QVERIFY2(lbVerifiedResult_.ok(),                                                           \
                 lbVerifiedResult_.ok() ? "" : lbVerifiedResult_.message().c_str());               \
    } while (0)

// Skips the current test for `reason` (a string literal), or fails it where every check must run.
#define LB_CANNOT_RUN(reason)                                                                      \
    do {                                                                                           \
        if (lbtest::everyCheckMustRun())                                                           \
            QFAIL("cannot run here, and every check must (CI=true): " reason);                     \
        QSKIP(reason);                                                                             \
    } while (0)

// Skips the current test when ../shared is not there (fails in CI).
#define LB_REQUIRE_SHARED()                                                                        \
    do {                                                                                           \
        if (lbtest::sharedDir().isEmpty())                                                         \
            LB_CANNOT_RUN("../shared not found (set LATENTBRUSH_SHARED): reference data "          \
                          "unavailable");                                                          \
    } while (0)
