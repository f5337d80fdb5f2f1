// EncodePanel: the VAE chooser, Encode/Cancel with progress, and the exports (.latent with
// noise_mask and metadata, grown mask, mask); decodes the result when the VAE can.
#pragma once

#include "EncodeJob.h"
#include "latentbrush/ImageIO.h"

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
    DecodeView* decodeView() const { return decodeView_; }
    bool hasResult() const { return result_.has_value(); }
    bool resultIsCurrent() const { return result_.has_value() && !stale_; }
    const EncodeOutput* result() const { return result_ ? &*result_ : nullptr; }

    // Writes the latest encode as a .latent (latent_tensor, noise_mask, metadata) and its grown
    // noise_mask beside it as NAME.mask.png (0/255, for LoadImageMask); with `workflow`, also the
    // ComfyUI workflow as NAME.workflow.json. Every file is written atomically; `written` gets
    // those that were. The error, if any, comes back as a message.
    bool exportLatentTo(const QString& path, QString* error, bool workflow = false,
                        QStringList* written = nullptr);

public slots:
    void encode();
    void cancel();
    void exportLatent();

signals:
    void message(const QString& text, bool isError);
    void notice(const QString& text); // information (after an export)
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
    struct Result {
        EncodeOutput output;
        QString imagePath, maskPath, vaePath;
        lb::InputPrecision precision;
    };
    std::optional<EncodeOutput> result_;
    QString resultImagePath_;
    QString resultMaskPath_;
    QString resultVaePath_;
    lb::InputPrecision resultPrecision_ = lb::InputPrecision::Reference;
    std::optional<Result> previous_; // a current result kept while a new encode runs
    bool stale_ = false;
    bool decoding_ = false;
};

} // namespace lbui
