// EncodeJob: runs lb::inpaintEncode, lb::noiseMaskEncode or the region encode (and optionally a
// decode of the result) on a worker thread with progress reports and a Cancel that the core checks
// through lb::Progress.
#pragma once

#include "MaskSnapshots.h"

#include "latentbrush/Buffers.h"
#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/NoiseMaskOps.h"
#include "latentbrush/regions/RegionEncode.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

namespace lb {
class Vae;
}

namespace lbui {

struct EncodeOutput {
    lb::LatentBuffer samples;
    lb::BinaryMask noiseMask;
    lb::CropRect crop;
    int grow = 0;
    bool aspectDiffers = false;
    QString error;                              // empty on success; "cancelled" when cancelled
    std::shared_ptr<const lb::MaskBuffer> mask; // the mask encoded (the snapshot the job read)
    bool cancelled = false;
    // A region encode's batch (plan, samples, noise masks, encoder inputs); null for a
    // whole-image encode. `samples` then holds the batch, `noiseMask` the first region's.
    std::shared_ptr<const lb::regions::RegionEncodeResult> regions;
    // A noise-mask encode (VAEEncode + SetLatentNoiseMask): `softMask` is its noise_mask (the
    // mask's own size, soft values), `pixels` the encoder's input (cropped, not gray-filled);
    // `noiseMask` then stays empty.
    bool noiseMaskMode = false;
    lb::NoiseMaskOptions noiseMaskOptions;
    lb::MaskBuffer softMask;
    lb::ImageBuffer pixels;
};

struct DecodeOutput {
    lb::ImageBuffer image;
    QString error;
    bool cancelled = false;
};

class EncodeJob : public QObject {
    Q_OBJECT
public:
    explicit EncodeJob(QObject* parent = nullptr);
    ~EncodeJob() override; // cancels and waits

    // Starts an encode; the image and the mask snapshot are shared (never copied, never changed;
    // the snapshot is built on the worker when nobody built it yet, and is the output's `mask`).
    bool start(std::shared_ptr<lb::Vae> vae, std::shared_ptr<const lb::ImageBuffer> image,
               MaskSnapshot mask, int grow);
    // Starts a noise-mask encode (lb::noiseMaskEncode: VAEEncode + SetLatentNoiseMask after the
    // options' GrowMask and ImageBlur).
    bool startNoiseMask(std::shared_ptr<lb::Vae> vae, std::shared_ptr<const lb::ImageBuffer> image,
                        MaskSnapshot mask, lb::NoiseMaskOptions options);
    // Starts a region encode (lb::regions::regionEncode: the batch of the planned regions).
    bool startRegions(std::shared_ptr<lb::Vae> vae, std::shared_ptr<const lb::ImageBuffer> image,
                      MaskSnapshot mask, lb::regions::RegionEncodeOptions options);
    // Starts a decode of `latent` (for the preview of what the VAE kept).
    bool startDecode(std::shared_ptr<lb::Vae> vae, lb::LatentBuffer latent);
    void cancel();
    bool isRunning() const;
    void waitForFinished();

signals:
    void progress(double fraction, const QString& stage);
    void encoded(const lbui::EncodeOutput& output);
    void decoded(const lbui::DecodeOutput& output);
    void runningChanged(bool running);

private:
    void reportFromWorker(double fraction, const std::string& stage);

    std::shared_ptr<std::atomic<bool>> cancel_;
    QFutureWatcher<EncodeOutput> encodeWatcher_;
    QFutureWatcher<DecodeOutput> decodeWatcher_;
};

} // namespace lbui
