// WorkerProgress: the core's progress reports, made on a worker thread, delivered on the GUI
// thread as a receiver's (double fraction, QString stage) signal, queued; nothing is delivered
// once the receiver is gone. EncodeJob and LiveRoundTrip report through it.
#pragma once

#include <QMetaObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <string>

namespace lbui {

template <class Receiver>
std::function<void(double, const std::string&)>
progressTo(Receiver* receiver, void (Receiver::*signal)(double, const QString&)) {
    QPointer<Receiver> self(receiver);
    return [self, signal](double fraction, const std::string& stage) {
        const QString text = QString::fromStdString(stage);
        QMetaObject::invokeMethod(
            self.data(),
            [self, signal, fraction, text] {
                if (self) emit(self.data()->*signal)(fraction, text);
            },
            Qt::QueuedConnection);
    };
}

} // namespace lbui
