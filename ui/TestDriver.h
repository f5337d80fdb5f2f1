// TestDriver: lets a test process drive the real editor binary. With LATENTBRUSH_TEST_DRIVER=1
// the editor reads commands on standard input, one a line, carries them out through its widgets
// as a person would, answers on standard output, and reports start-up events as they happen.
#pragma once

#include <QJsonObject>
#include <QObject>
#include <QStringList>

class QSocketNotifier;

namespace lbui {

class MainWindow;

// Protocol, one line each way (paths run to the end of the line):
//   state                         -> reply ok {document, recovery bar, info bar, VAE panel...}
//   paint SIZE X1 Y1 X2 Y2 ...    -> mouse press, moves, release on the canvas at image points
//   recovery LABEL [AUTOSAVE]     -> clicks a recovery row's button (first row: no AUTOSAVE)
//   choose OBJECT VALUE           -> picks the item whose data is VALUE in a combo box
//   spin OBJECT VALUE             -> types VALUE into a spin box and leaves it
//   open PATH                     -> opens the image PATH, as File > Open does
//   vae PATH                      -> loads PATH, as choosing it in the file dialog does
//   dump-mask PATH                -> the mask as raw float32, row-major; reply ok {width, height}
//   save-mask PATH                -> File > Save Mask As PATH
//   trigger NAME                  -> triggers the enabled action NAME of the window's action table
//   grab PATH                     -> the window as a PNG (what a person would see)
//   encode                        -> Encode, as Ctrl+Return or the button does
//   import PATH [PATH...]         -> File > Import Result with these files (no spaces in paths)
//   quit                          -> closes the window
// Replies are "reply ok JSON" or "reply error WHY"; events are "event NAME [DETAIL]": shown,
// image PATH, image-failed PATH, recovery COUNT, recovery-hidden, vae-loaded PATH, vae-note TEXT,
// vae-failed TEXT.
class TestDriver : public QObject {
    Q_OBJECT
public:
    // A driver for `window` when LATENTBRUSH_TEST_DRIVER=1 (before MainWindow::start, so that
    // it sees the start's events); nullptr otherwise.
    static TestDriver* attachIfAsked(MainWindow* window);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    explicit TestDriver(MainWindow* window);
    void readInput();
    void run(const QString& line);
    QJsonObject state() const;
    QString paint(const QStringList& args);
    QString dumpMask(const QString& path, QJsonObject* reply) const;
    static void say(const QString& line);

    MainWindow* window_;
    QSocketNotifier* input_ = nullptr;
    QByteArray pending_; // input not yet ended by a newline
    bool shown_ = false;
    int offered_ = -1; // the recovery offers last reported (-1: the bar is hidden)
};

} // namespace lbui
