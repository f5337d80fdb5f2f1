// Runs a program (latentbrush-cli of this build, Python, a script) as a process and collects its
// exit code and output: the one process runner of the CLI, interop and editor suites.
#pragma once

#include <QProcess>
#include <QProcessEnvironment>
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

// Runs `program` with `args`, `extraEnv` ("NAME=value") added to this process's environment;
// a program still running after `timeoutMs` is killed (exit code -1, "timed out").
inline CliRun runProgram(const QString& program, const QStringList& args,
                         const QStringList& extraEnv = {}, int timeoutMs = 300000) {
    QProcess p;
    if (!extraEnv.isEmpty()) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString& kv : extraEnv) {
            const int eq = kv.indexOf('=');
            env.insert(kv.left(eq), kv.mid(eq + 1));
        }
        p.setProcessEnvironment(env);
    }
    p.start(program, args);
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

inline CliRun runCli(const QStringList& args, int timeoutMs = 300000) {
    return runProgram(cliPath(), args, {}, timeoutMs);
}

} // namespace lbtest
