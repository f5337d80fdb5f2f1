// EncodePanel: the VAE chooser, Encode/Cancel with progress, and the exports (.latent with
// noise_mask and metadata, grown mask, mask); decodes the result when the VAE can.
#pragma once

#include "EncodeJob.h"

#include <QWidget>

#include <memory>
#include <optional>

class QLabel;
class QProgressBar;
class QPushButton;

namespace lbui {

class DecodeView;
class GrowPreview;
class MaskDocument;
class VaeChooser;

class EncodePanel : public QWidget {
    Q_OBJECT
public:
    EncodePanel(MaskDocument* doc, GrowPreview* preview, DecodeView* decodeView,
                QWidget* parent = nullptr);

    VaeChooser* vaeChooser() const { return chooser_; }
    EncodeJob* job() const { return job_; }
    bool hasResult() const { return result_.has_value(); }
    bool resultIsCurrent() const { return result_.has_value() && !stale_; }
    const EncodeOutput* result() const { return result_ ? &*result_ : nullptr; }

    // Writes the latest encode as a .latent (latent_tensor, noise_mask, metadata). The error,
    // if any, comes back as a message.
    bool exportLatentTo(const QString& path, QString* error);

public slots:
    void encode();
    void cancel();
    void exportLatent();

signals:
    void message(const QString& text, bool isError);
    void encodedChanged();

private:
    void onEncoded(const EncodeOutput& out);
    void onDecoded(const DecodeOutput& out);
    void markStale();
    void updateState();

    MaskDocument* doc_;
    GrowPreview* preview_;
    DecodeView* decodeView_;
    VaeChooser* chooser_;
    EncodeJob* job_;
    QPushButton* encode_;
    QPushButton* cancel_;
    QPushButton* export_;
    QProgressBar* progress_;
    QLabel* status_;
    std::optional<EncodeOutput> result_;
    QString resultImagePath_;
    QString resultMaskPath_;
    QString resultVaePath_;
    bool stale_ = false;
    bool decoding_ = false;
};

} // namespace lbui
