// Runs latentbrush-cli of this build as a process and collects its exit code and output; shared
// by the CLI test suites.
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>

namespace lbtest {

struct CliRun {
    int exitCode = -1; // -2: crashed; -1: timed out
    QString out;
    QString err;
};

inline QString cliPath() {
    return QStringLiteral(LATENTBRUSH_BINARY_DIR "/app/latentbrush-cli");
}

inline CliRun runCli(const QStringList& args, int timeoutMs = 300000) {
    QProcess p;
    p.start(cliPath(), args);
    CliRun r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "timed out";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

} // namespace lbtest
