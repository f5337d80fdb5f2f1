// EncodePanel: a view of the EncodeSession: the VAE chooser, Encode/Cancel with progress and
// status, the export button (the dialog, then EncodeSession::exportLatent), and the decode view
// that the session's decode preview fills.
#pragma once

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace lbui {

class DecodeView;
class EncodeSession;
struct EncodeOutput;
class VaeChooser;

class EncodePanel : public QWidget {
    Q_OBJECT
public:
    EncodePanel(EncodeSession* session, DecodeView* decodeView, QWidget* parent = nullptr);

    EncodeSession* session() const { return session_; }
    VaeChooser* vaeChooser() const { return chooser_; }
    DecodeView* decodeView() const { return decodeView_; }

public slots:
    void encode();
    void cancel();
    // Asks where (ExportLatentDialog) and exports the current result there.
    void exportLatent();

signals:
    // The session's, the chooser's and the export's messages, for the window's info bar.
    void message(const QString& text, bool isError);
    void notice(const QString& text); // information (after an export)

private:
    void onEncodeFinished(const EncodeOutput& out);
    void updateState();

    EncodeSession* session_;
    DecodeView* decodeView_;
    VaeChooser* chooser_;
    QPushButton* encode_;
    QPushButton* cancel_;
    QPushButton* export_;
    QProgressBar* progress_;
    QLabel* status_;
};

} // namespace lbui
