// Helpers shared by the test suites: where ../shared is, temporary folders, comparisons.
#pragma once

#include <QDir>
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

inline std::string sharedPath(const QString& relative) {
    return (sharedDir() + QLatin1Char('/') + relative).toStdString();
}

} // namespace lbtest

// Skips the current test when ../shared is not there.
#define LB_REQUIRE_SHARED()                                                                        \
    do {                                                                                           \
        if (lbtest::sharedDir().isEmpty())                                                         \
            QSKIP("../shared not found (set LATENTBRUSH_SHARED): reference data unavailable");     \
    } while (0)
