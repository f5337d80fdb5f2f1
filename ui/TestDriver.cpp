// TestDriver: a QSocketNotifier on standard input feeds whole lines to run(); commands act on
// the window's own widgets (mouse events on the canvas, button clicks, combo activations), so a
// test exercises the same code paths as a person. Only attached when the environment asks.
#include "TestDriver.h"

#include "AutosaveManager.h"
#include "BrushTool.h"
#include "CanvasWidget.h"
#include "DecodeView.h"
#include "DocumentLoader.h"
#include "EncodePanel.h"
#include "EncodeSession.h"
#include "InfoBar.h"
#include "MainWindow.h"
#include "MaskDocument.h"
#include "RecoveryBar.h"
#include "VaeChooser.h"

#include "latentbrush/Vae.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QEvent>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QMouseEvent>
#include <QPixmap>
#include <QSaveFile>
#include <QSocketNotifier>
#include <QSpinBox>
#include <QStatusBar>

#include <cstdio>

#if defined(Q_OS_UNIX)
#include <unistd.h>
#endif

namespace lbui {

namespace {

QString rest(const QString& line, int words) {
    // The line after its first `words` space-separated words (a path may hold spaces).
    int at = 0;
    for (int i = 0; i < words && at >= 0; ++i) {
        at = line.indexOf(QLatin1Char(' '), at);
        if (at >= 0) ++at;
    }
    return at < 0 ? QString() : line.mid(at);
}

void sendMouse(QWidget* widget, QEvent::Type type, QPointF pos, Qt::MouseButton button,
               Qt::MouseButtons buttons) {
    QMouseEvent event(type, pos, widget->mapToGlobal(pos), button, buttons, Qt::NoModifier);
    QApplication::sendEvent(widget, &event);
}

} // namespace

TestDriver* TestDriver::attachIfAsked(MainWindow* window) {
    if (qEnvironmentVariable("LATENTBRUSH_TEST_DRIVER") != QStringLiteral("1")) return nullptr;
    return new TestDriver(window);
}

TestDriver::TestDriver(MainWindow* window) : QObject(window), window_(window) {
#if defined(Q_OS_UNIX)
    input_ = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, this);
    connect(input_, &QSocketNotifier::activated, this, &TestDriver::readInput);
#endif
    window_->installEventFilter(this);
    connect(window_->document(), &MaskDocument::imageChanged, this,
            [this] { say(QStringLiteral("event image ") + window_->document()->imagePath()); });
    connect(window_->loader(), &DocumentLoader::imageLoaded, this, [](const LoadedDocument& d) {
        if (!d.ok()) say(QStringLiteral("event image-failed ") + d.imagePath);
    });
    connect(window_->recoveryBar(), &RecoveryBar::changed, this, [this] {
        const RecoveryBar* bar = window_->recoveryBar();
        const int count = bar->isVisibleTo(window_) ? int(bar->offers().size()) : -1;
        if (count == offered_) return;
        offered_ = count;
        say(count < 0 ? QStringLiteral("event recovery-hidden")
                      : QStringLiteral("event recovery %1").arg(count));
    });
    VaeChooser* chooser = window_->encodePanel()->vaeChooser();
    EncodeSession* session = window_->encodeSession();
    connect(session, &EncodeSession::vaeChanged, this,
            [session] { say(QStringLiteral("event vae-loaded ") + session->vaePath()); });
    connect(chooser, &VaeChooser::statusNote, this,
            [](const QString& text) { say(QStringLiteral("event vae-note ") + text); });
    connect(chooser, &VaeChooser::loadFailed, this,
            [](const QString& text) { say(QStringLiteral("event vae-failed ") + text); });
}

bool TestDriver::eventFilter(QObject* watched, QEvent* event) {
    if (watched == window_ && event->type() == QEvent::Show && !shown_) {
        shown_ = true;
        say(QStringLiteral("event shown"));
    }
    return QObject::eventFilter(watched, event);
}

void TestDriver::say(const QString& line) {
    const QByteArray bytes = line.toUtf8().replace('\n', ' ') + '\n';
    std::fwrite(bytes.constData(), 1, std::size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

void TestDriver::readInput() {
#if defined(Q_OS_UNIX)
    char buffer[4096];
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n <= 0) { // the test went away: nothing more will come
        input_->setEnabled(false);
        return;
    }
    pending_.append(buffer, qsizetype(n));
    for (qsizetype end = pending_.indexOf('\n'); end >= 0; end = pending_.indexOf('\n')) {
        const QString line = QString::fromUtf8(pending_.left(end)).trimmed();
        pending_.remove(0, end + 1);
        if (!line.isEmpty()) run(line);
    }
#endif
}

void TestDriver::run(const QString& line) {
    const QStringList words = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    const QString command = words.value(0);
    QJsonObject reply;
    QString error;
    if (command == QLatin1String("state")) {
        reply = state();
    } else if (command == QLatin1String("paint")) {
        error = paint(words.mid(1));
    } else if (command == QLatin1String("recovery")) {
        if (!window_->recoveryBar()->trigger(words.value(1), rest(line, 2)))
            error = QStringLiteral("no visible recovery button ") + words.value(1);
    } else if (command == QLatin1String("choose")) {
        auto* box = window_->findChild<QComboBox*>(words.value(1));
        const int at = box ? box->findData(words.value(2)) : -1;
        if (at < 0 || !box->isEnabled()) {
            error =
                QStringLiteral("no enabled choice %1 in %2").arg(words.value(2), words.value(1));
        } else {
            box->setCurrentIndex(at);
            emit box->activated(at); // what a pick in the popup emits
        }
    } else if (command == QLatin1String("spin")) {
        auto* spin = window_->findChild<QSpinBox*>(words.value(1));
        if (!spin) {
            error = QStringLiteral("no spin box ") + words.value(1);
        } else {
            spin->setValue(words.value(2).toInt());
            emit spin->editingFinished(); // what leaving the field emits
        }
    } else if (command == QLatin1String("open")) {
        window_->openImage(rest(line, 1)); // what File > Open does once the dialog is answered
    } else if (command == QLatin1String("vae")) {
        window_->encodePanel()->vaeChooser()->loadFile(rest(line, 1));
    } else if (command == QLatin1String("dump-mask")) {
        error = dumpMask(rest(line, 1), &reply);
    } else if (command == QLatin1String("save-mask")) {
        if (!window_->saveMaskTo(rest(line, 1))) error = window_->infoBar()->text();
    } else if (command == QLatin1String("grab")) {
        if (!window_->grab().save(rest(line, 1), "PNG"))
            error = QStringLiteral("could not write ") + rest(line, 1);
    } else if (command == QLatin1String("encode")) {
        QAction* encode = window_->action(QStringLiteral("encode"));
        if (encode->isEnabled())
            encode->trigger(); // as Ctrl+Return or the button does
        else
            error = QStringLiteral("Encode is disabled");
    } else if (command == QLatin1String("trigger")) {
        QAction* a = window_->action(words.value(1));
        if (!a || !a->isEnabled())
            error = QStringLiteral("no enabled action ") + words.value(1);
        else
            a->trigger(); // as its menu item, toolbar button or shortcut does
    } else if (command == QLatin1String("import")) {
        if (!window_->importResults(words.mid(1))) error = QStringLiteral("import failed");
    } else if (command == QLatin1String("quit")) {
        window_->close();
    } else {
        error = QStringLiteral("unknown command ") + command;
    }
    if (error.isEmpty())
        say(QStringLiteral("reply ok ") +
            QString::fromUtf8(QJsonDocument(reply).toJson(QJsonDocument::Compact)));
    else
        say(QStringLiteral("reply error ") + error);
}

QString TestDriver::paint(const QStringList& args) {
    // SIZE X1 Y1 X2 Y2 ...: one stroke of the brush through these image points.
    if (args.size() < 3 || args.size() % 2 == 0) return QStringLiteral("paint SIZE X1 Y1 ...");
    if (!window_->document()->hasImage()) return QStringLiteral("no image to paint on");
    window_->brush()->setSize(args[0].toDouble());
    CanvasWidget* canvas = window_->canvas();
    QList<QPointF> points;
    for (qsizetype i = 1; i + 1 < args.size(); i += 2)
        points << canvas->imageToWidget(QPointF(args[i].toDouble(), args[i + 1].toDouble()));
    sendMouse(canvas, QEvent::MouseButtonPress, points.first(), Qt::LeftButton, Qt::LeftButton);
    for (qsizetype i = 1; i < points.size(); ++i)
        sendMouse(canvas, QEvent::MouseMove, points[i], Qt::NoButton, Qt::LeftButton);
    sendMouse(canvas, QEvent::MouseButtonRelease, points.last(), Qt::LeftButton, Qt::NoButton);
    return {};
}

QString TestDriver::dumpMask(const QString& path, QJsonObject* reply) const {
    const lb::MaskBuffer& mask = window_->document()->mask();
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly)) return out.errorString();
    const qint64 bytes = qint64(mask.data.size() * sizeof(float));
    if (out.write(reinterpret_cast<const char*>(mask.data.data()), bytes) != bytes || !out.commit())
        return out.errorString();
    (*reply)[QStringLiteral("width")] = mask.width;
    (*reply)[QStringLiteral("height")] = mask.height;
    return {};
}

QJsonObject TestDriver::state() const {
    const MaskDocument* doc = window_->document();
    QJsonObject s;
    s[QStringLiteral("image")] = doc->imagePath();
    s[QStringLiteral("width")] = doc->width();
    s[QStringLiteral("height")] = doc->height();
    s[QStringLiteral("modified")] = doc->isModified();
    s[QStringLiteral("undoCount")] = window_->document()->undoStack()->count();
    s[QStringLiteral("loadingImage")] = window_->loader()->isLoadingImage();
    s[QStringLiteral("autosaveFile")] = window_->autosave()->filePath();
    s[QStringLiteral("status")] = window_->statusBar()->currentMessage();
    s[QStringLiteral("modal")] = QApplication::activeModalWidget() != nullptr;

    const RecoveryBar* bar = window_->recoveryBar();
    QJsonArray offers;
    for (const AutosavedMask& m : bar->offers())
        offers.append(QJsonObject{{QStringLiteral("file"), m.file},
                                  {QStringLiteral("image"), m.imagePath},
                                  {QStringLiteral("width"), m.width},
                                  {QStringLiteral("height"), m.height}});
    s[QStringLiteral("recovery")] = QJsonObject{{QStringLiteral("visible"), bar->isVisible()},
                                                {QStringLiteral("text"), bar->text()},
                                                {QStringLiteral("offers"), offers}};
    const InfoBar* info = window_->infoBar();
    s[QStringLiteral("info")] = QJsonObject{{QStringLiteral("visible"), info->isVisible()},
                                            {QStringLiteral("kind"), int(info->kind())},
                                            {QStringLiteral("text"), info->text()}};

    const VaeChooser* chooser = window_->encodePanel()->vaeChooser();
    auto comboData = [this](const char* name) {
        const auto* box = window_->findChild<QComboBox*>(QString::fromLatin1(name));
        return box ? box->currentData().toString() : QString();
    };
    const auto* file = window_->findChild<QComboBox*>(QStringLiteral("vaeFile"));
    const auto* threads = window_->findChild<QSpinBox*>(QStringLiteral("vaeCpuThreads"));
    const auto* infoLabel = window_->findChild<QLabel*>(QStringLiteral("vaeInfo"));
    QJsonObject vae{{QStringLiteral("path"), chooser->vaePath()},
                    {QStringLiteral("loading"), chooser->isLoading()},
                    {QStringLiteral("loadingPath"), chooser->loadingPath()},
                    {QStringLiteral("shown"), file ? file->currentData().toString() : QString()},
                    {QStringLiteral("device"), comboData("vaeDevice")},
                    {QStringLiteral("kernels"), comboData("vaeKernels")},
                    {QStringLiteral("dtype"), comboData("vaeDType")},
                    {QStringLiteral("threads"), threads ? threads->value() : -1},
                    {QStringLiteral("info"), infoLabel ? infoLabel->text() : QString()}};
    if (const auto& loaded = chooser->vae()) {
        const lb::VaeInfo& i = loaded->info();
        vae[QStringLiteral("inUse")] = QJsonObject{
            {QStringLiteral("device"), QString::fromStdString(i.device)},
            {QStringLiteral("kernels"), QString::fromLatin1(lb::kernelsName(i.kernels))},
            {QStringLiteral("dtype"), QString::fromStdString(i.computeDType)}};
    }
    s[QStringLiteral("vae")] = vae;
    s[QStringLiteral("encodeEnabled")] = window_->action(QStringLiteral("encode"))->isEnabled();
    s[QStringLiteral("encoded")] = window_->encodeSession()->resultIsCurrent();
    s[QStringLiteral("decodedShown")] = window_->encodePanel()->decodeView()->hasImages();
    return s;
}

} // namespace lbui
