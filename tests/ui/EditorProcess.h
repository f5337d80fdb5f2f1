// EditorProcess: the real latentbrush program started by a test in a home folder of its own and
// driven through its TestDriver (LATENTBRUSH_TEST_DRIVER=1): commands in, replies and events out.
#pragma once

#include "TestSupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QThread>

#include <csignal>
#include <cstring>
#include <functional>
#include <vector>

#include <signal.h>

namespace lbuitest {

inline QString editorProgram() {
    return QStringLiteral(LATENTBRUSH_BINARY_DIR "/app/latentbrush");
}

// The suites that drive the program need it built (`cmake --build ... --target latentbrush`).
inline bool editorBuilt() {
    return QFileInfo::exists(editorProgram());
}

// Where the editor started with HOME=home keeps its settings (XDG_CONFIG_HOME below it).
inline QString editorSettingsFile(const QString& home) {
    return home + QStringLiteral("/.config/Latentbrush/Latentbrush.conf");
}

// A noisy RGB image (so that nothing about it is special) written as PNG.
inline bool writeNoiseImage(const QString& path, int width, int height, quint32 seed) {
    QImage image(width, height, QImage::Format_RGB32);
    QRandomGenerator rng(seed);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            image.setPixel(x, y, qRgb(int(rng.bounded(256)), int(rng.bounded(256)), 128));
    return image.save(path);
}

inline std::vector<float> readFloats(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QByteArray bytes = f.readAll();
    std::vector<float> out(std::size_t(bytes.size()) / sizeof(float));
    std::memcpy(out.data(), bytes.constData(), out.size() * sizeof(float));
    return out;
}

class EditorProcess {
public:
    // HOME, XDG_CONFIG_HOME and XDG_DATA_HOME of the editor lie under `home`; the platform is
    // offscreen (the real widgets, no display needed).
    explicit EditorProcess(const QString& home) {
        env_ = QProcessEnvironment::systemEnvironment();
        env_.insert(QStringLiteral("HOME"), home);
        env_.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/.config"));
        env_.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/.local/share"));
        env_.insert(QStringLiteral("XDG_CACHE_HOME"), home + QStringLiteral("/.cache"));
        env_.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env_.insert(QStringLiteral("LATENTBRUSH_TEST_DRIVER"), QStringLiteral("1"));
    }
    ~EditorProcess() { kill(); }
    EditorProcess(const EditorProcess&) = delete;
    EditorProcess& operator=(const EditorProcess&) = delete;

    void setEnv(const QString& name, const QString& value) { env_.insert(name, value); }

    bool start(const QStringList& args) {
        process_.setProcessEnvironment(env_);
        process_.start(editorProgram(), args);
        return process_.waitForStarted(30000);
    }

    // One command; its reply as {"ok": bool, "reply": {...}, "error": "..."}. Events that come
    // meanwhile are kept in events().
    QJsonObject command(const QString& line, int timeoutMs = 60000) {
        process_.write(line.toUtf8() + '\n');
        QString got;
        QElapsedTimer clock;
        clock.start();
        while (readLine(&got, int(std::max<qint64>(1, timeoutMs - clock.elapsed())))) {
            if (got.startsWith(QLatin1String("reply ok "))) {
                const QJsonObject reply = QJsonDocument::fromJson(got.mid(9).toUtf8()).object();
                return QJsonObject{{QStringLiteral("ok"), true}, {QStringLiteral("reply"), reply}};
            }
            if (got.startsWith(QLatin1String("reply error ")))
                return QJsonObject{{QStringLiteral("ok"), false},
                                   {QStringLiteral("error"), got.mid(12)}};
        }
        return QJsonObject{
            {QStringLiteral("ok"), false},
            {QStringLiteral("error"),
             QStringLiteral("no reply to ") + line + QStringLiteral("; stderr: ") + stderrText()}};
    }

    QJsonObject state() { return command(QStringLiteral("state")).value("reply").toObject(); }

    // Polls the state until `done` holds; the last state either way.
    QJsonObject waitForState(const std::function<bool(const QJsonObject&)>& done,
                             int timeoutMs = 60000) {
        QElapsedTimer clock;
        clock.start();
        QJsonObject s = state();
        while (!done(s) && clock.elapsed() < timeoutMs && running()) {
            QThread::msleep(50);
            s = state();
        }
        return s;
    }

    // The index in events() of the first event starting with `prefix`, waiting for it; -1 when
    // it did not come in time.
    int waitForEvent(const QString& prefix, int timeoutMs = 60000) {
        QElapsedTimer clock;
        clock.start();
        for (;;) {
            const int at = indexOfEvent(prefix);
            if (at >= 0) return at;
            QString line;
            if (clock.elapsed() >= timeoutMs || !readLine(&line, int(timeoutMs - clock.elapsed())))
                return -1;
        }
    }

    int indexOfEvent(const QString& prefix) const {
        for (int i = 0; i < events_.size(); ++i)
            if (events_[i].startsWith(prefix)) return i;
        return -1;
    }
    int countEvents(const QString& prefix) const {
        int n = 0;
        for (const QString& e : events_)
            n += e.startsWith(prefix) ? 1 : 0;
        return n;
    }
    const QStringList& events() const { return events_; }

    bool running() const { return process_.state() == QProcess::Running; }
    qint64 pid() const { return process_.processId(); }

    // Ends the editor as a crash would: SIGKILL, no clean-up of any kind.
    bool killHard() {
        if (!running()) return false;
        ::kill(pid_t(process_.processId()), SIGKILL);
        return process_.waitForFinished(30000) && process_.exitStatus() == QProcess::CrashExit;
    }

    // Closes the window as File > Quit does; true when the program ended with exit code 0.
    bool quit() {
        process_.write("quit\n");
        return process_.waitForFinished(60000) && process_.exitStatus() == QProcess::NormalExit &&
               process_.exitCode() == 0;
    }

    QString stderrText() {
        stderr_ += QString::fromLocal8Bit(process_.readAllStandardError());
        return stderr_;
    }

private:
    void kill() {
        if (running()) {
            process_.kill();
            process_.waitForFinished(30000);
        }
    }

    // The next line of standard output; events are recorded on the way.
    bool readLine(QString* line, int timeoutMs) {
        QElapsedTimer clock;
        clock.start();
        for (;;) {
            const qsizetype end = buffer_.indexOf('\n');
            if (end >= 0) {
                *line = QString::fromUtf8(buffer_.left(end));
                buffer_.remove(0, end + 1);
                if (line->startsWith(QLatin1String("event "))) events_ << line->mid(6);
                return true;
            }
            const qint64 left = timeoutMs - clock.elapsed();
            if (left <= 0) return false;
            if (!process_.waitForReadyRead(int(std::min<qint64>(left, 1000)))) {
                if (!running()) {
                    buffer_ += process_.readAllStandardOutput();
                    if (buffer_.indexOf('\n') < 0) return false;
                }
                continue;
            }
            buffer_ += process_.readAllStandardOutput();
        }
    }

    QProcessEnvironment env_;
    QProcess process_;
    QByteArray buffer_;
    QStringList events_;
    QString stderr_;
};

} // namespace lbuitest
