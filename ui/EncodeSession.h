// EncodeSession: the editor's encoding state in one object, with no widget. It holds the VAE (the
// settings a load uses, the load in flight, the loaded model), the encode job, the last result
// together with what produced it, whether that result is stale, whether an encode can start now,
// and the .latent export. EncodePanel, VaeChooser, the window's Encode/Cancel/Export actions, the
// decode view and the live view are views of it, so that each of these facts has one home.
#pragma once

#include "EncodeJob.h"
#include "NoiseMaskSettings.h"
#include "RegionSettings.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/Vae.h"

#include <QFuture>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <string>

namespace lbui {

class GrowPreview;
class MaskDocument;
class NoiseMaskPreview;
class RegionPlanner;

// The VAE settings as the panel offers them; QSettings remembers each as it is made
// (vae/device, vae/kernels, vae/dtype, vae/cpuThreads).
struct VaeChoices {
    QString device = QStringLiteral("auto"); // auto | cpu | cuda
    lb::Kernels kernels = lb::Kernels::Fast; // remembered as lb::kernelsName
    QString dtype = QStringLiteral("auto");  // auto | fp32 | fp16 | bf16
    int cpuThreads = 0;                      // 0: every core this process may use
    bool operator==(const VaeChoices&) const = default;
};

// The options a VAE is loaded with for these choices: device, kernels, dtype, CPU threads.
lb::VaeLoadOptions vaeLoadOptionsFor(const VaeChoices& choices);

// The outcome of one VAE load (a failure has no vae and says why in `error`).
struct LoadedVae {
    std::shared_ptr<lb::Vae> vae;
    QString path;
    QString error;
    VaeChoices choices;      // what it was loaded with
    bool remembered = false; // the start's restore of the last VAE: a failure is only a note
};

// What produced a result: enough to describe it, and to write its .latent, whatever is loaded
// by the time it is exported.
struct EncodeSource {
    std::shared_ptr<lb::Vae> vae; // the model that encoded (family, kernels, device, dtype: info())
    QString vaePath;
    VaeChoices vaeChoices; // what that model was loaded with
    int grow = 0;
    quint64 maskRevision = 0; // EncodeSession::maskRevision() when the encode started
    QString imagePath;        // ":..." for the built-in sample
    QString maskPath;         // empty: painted in the editor
    lb::InputPrecision precision = lb::InputPrecision::Reference;
    // The region settings of a region encode (output.regions set); nullopt: the whole image.
    std::optional<RegionSettings> regions;
    std::shared_ptr<const lb::MaskBuffer> mask;   // the mask encoded (the metadata's fingerprint)
    std::shared_ptr<const lb::ImageBuffer> image; // the pixels encoded (Apply may replace them)
    // The encode mode and the noise-mask mode's GrowMask / ImageBlur options.
    NoiseMaskSettings noiseMask;
};

struct EncodeResult {
    EncodeOutput output;
    EncodeSource source;
};

class EncodeSession : public QObject {
    Q_OBJECT
public:
    EncodeSession(MaskDocument* doc, GrowPreview* preview, QObject* parent = nullptr);
    ~EncodeSession() override; // waits for the VAE loads still running

    MaskDocument* document() const { return doc_; }
    GrowPreview* growPreview() const { return preview_; }

    // --- The VAE ---
    // The settings the next load uses (the panel keeps them in step with its widgets).
    VaeChoices vaeChoices() const { return choices_; }
    void setVaeChoices(const VaeChoices& choices) { choices_ = choices; }
    lb::VaeLoadOptions vaeLoadOptions() const { return vaeLoadOptionsFor(choices_); }
    // Loads a VAE off the GUI thread with vaeChoices(); a newer load supersedes one in flight
    // (its result is dropped). vaeLoadFinished reports every outcome, vaeChanged a success.
    void loadVae(const QString& path, bool remembered = false);
    std::shared_ptr<lb::Vae> vae() const { return vae_; }
    QString vaePath() const { return vaePath_; } // absolute; empty when none is loaded
    VaeChoices loadedVaeChoices() const { return loadedChoices_; }
    bool isLoadingVae() const { return loading_; }
    QString loadingVaePath() const { return loadingPath_; } // empty when no load is in flight

    // --- Encoding ---
    // With a planner whose regions are on, Encode runs the region encode of its settings.
    void setRegionPlanner(RegionPlanner* planner);
    RegionPlanner* regionPlanner() const { return regions_; }
    // With a preview in the noise-mask mode, Encode runs lb::noiseMaskEncode with its options.
    void setNoiseMaskPreview(NoiseMaskPreview* preview);
    NoiseMaskPreview* noiseMaskPreview() const { return noiseMask_; }
    // The mode and options the next encode uses (the inpaint mode without a preview).
    NoiseMaskSettings noiseMaskSettings() const;
    // Regions on with the noise-mask mode: the CLI refuses --region with --mode noise-mask, and
    // so does the editor (canEncode() is false; encode() says why).
    bool modeConflict() const;
    EncodeJob* job() const { return job_; }
    bool isRunning() const;
    // The one answer to "may Encode start now": a VAE loaded and not being replaced, an image
    // open, no encode or decode running, no modeConflict(). The button and Ctrl+Return both
    // follow it.
    bool canEncode() const;

    // The last result and what produced it; a result stays (stale) after its inputs change, and
    // a current one is kept while a new encode runs should that one be cancelled.
    const EncodeResult* result() const { return result_ ? &*result_ : nullptr; }
    bool hasResult() const { return result_.has_value(); }
    bool isStale() const { return stale_; }
    bool resultIsCurrent() const { return result_.has_value() && !stale_; }
    // Counts the document's mask changes (and new images); results record it.
    quint64 maskRevision() const { return maskRevision_; }
    // How the document's 16-bit samples were read (File > Input Precision); recorded with each
    // result (source.precision).
    lb::InputPrecision inputPrecision() const;

    // A region result is written as `latentbrush-cli encode --region` writes it
    // (lb::regions::regionLatentContents) with one grown mask per region at the region's size,
    // NAME.mask_I.png; with `workflow`, also the mask as encoded (NAME.painted.png, 8-bit, at
    // the image's size) and the stock-node workflow that recomputes the batch
    // (comfyRegionWorkflowFor) as NAME.workflow.json. A noise-mask result is written as
    // `latentbrush-cli encode --mode noise-mask` writes it (lb::makeNoiseMaskLatentFileContents),
    // with its soft noise_mask beside it as NAME.mask.png (8-bit); its workflow
    // (comfyNoiseMaskWorkflowFor) recomputes it from the mask as painted, NAME.painted.png.
    // Writes the result, stale or not, as a .latent (latent_tensor, noise_mask, and the metadata
    // of lb::makeLatentFileContents describing the VAE that encoded it) and its grown noise_mask
    // beside it as NAME.mask.png (0/255, for LoadImageMask); with `workflow`, also the ComfyUI
    // workflow as NAME.workflow.json. Every file is written atomically; `written` gets those
    // that were. The error, if any, comes back as a message.
    bool exportLatent(const QString& path, QString* error, bool workflow = false,
                      QStringList* written = nullptr) const;
    // The per-region grown mask files of a region export to `latentPath`.
    static QString regionMaskPath(const QString& latentPath, int index);
    // The painted (unprocessed) mask a noise-mask export writes for its workflow.
    static QString paintedMaskPath(const QString& latentPath);

public slots:
    // Starts an encode of the document's image and a snapshot of its mask when canEncode().
    bool encode();
    void cancel();

signals:
    void vaeLoadingChanged(bool loading);
    void vaeLoadFinished(const lbui::LoadedVae& loaded); // every outcome, before vaeChanged
    void vaeChanged(std::shared_ptr<lb::Vae> vae);
    // Anything canEncode(), isRunning(), result() or isStale() answer may have changed.
    void stateChanged();
    void encodeStarted();
    // An encode ended (success, failure or cancel); result() already tells what is kept.
    void encodeFinished(const lbui::EncodeOutput& output);
    void decodeStarted(); // the preview decode of a new result
    // The decode preview: the encoder's input of the result's crop and the VAE's decode of it.
    void decoded(const lb::ImageBuffer& input, const lb::ImageBuffer& output);
    void decodedCleared(); // what a decode view shows no longer belongs to a kept result
    void message(const QString& text, bool isError);

private:
    void onVaeLoaded(const LoadedVae& loaded);
    void onEncoded(const EncodeOutput& out);
    void onDecoded(const DecodeOutput& out);
    void markStale();
    bool exportRegionLatent(const QString& path, QString* error, bool workflow,
                            QStringList* written) const;
    // The region workflow (comfyRegionWorkflowFor) and the mask as encoded it loads,
    // NAME.painted.png.
    bool exportRegionWorkflow(const QString& path, QString* error, QStringList* written) const;
    bool exportNoiseMaskLatent(const QString& path, QString* error, bool workflow,
                               QStringList* written) const;
    static std::string sourceImageName(const EncodeSource& source);
    static std::string sourceMaskName(const EncodeSource& source);

    MaskDocument* doc_;
    GrowPreview* preview_;
    EncodeJob* job_;
    RegionPlanner* regions_ = nullptr;
    NoiseMaskPreview* noiseMask_ = nullptr;

    VaeChoices choices_;
    std::shared_ptr<lb::Vae> vae_;
    QString vaePath_;
    VaeChoices loadedChoices_; // what vae_ was loaded with
    quint64 loadRequest_ = 0;  // the latest load; results of earlier ones are dropped
    bool loading_ = false;
    QString loadingPath_;
    QList<QFuture<LoadedVae>> loads_; // loads not finished yet (superseded ones included)

    std::optional<EncodeResult> result_;
    std::optional<EncodeResult> previous_; // a current result kept while a new encode runs
    EncodeSource pending_;                 // what the running encode was started with
    bool stale_ = false;
    quint64 maskRevision_ = 0;
};

} // namespace lbui
