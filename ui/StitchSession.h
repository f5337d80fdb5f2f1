// StitchSession: the sampled results of a region encode brought back into the photo in the
// editor (File > Import Result...): the result files checked against the region result (count,
// size), stitched with lb::regions::stitch exactly as `latentbrush-cli stitch` does, the feather
// adjustable live, Apply making it the image (one undo step), and the stitched photo written by
// File > Export Image... (atomically). The stitch works on the original file's own samples (read
// again through core's image I/O, as the CLI reads them), so a 16-bit or RGBA original is
// exported at its depth with its alpha, byte for byte what `latentbrush-cli stitch` writes; the
// canvas and Apply use its RGB conversion. After Apply the document keeps the stitched samples
// (MaskDocument::appliedSamples): Export Image writes them, and a second pass stitches into them.
// The heavy steps run on the background pool (StitchJobs), the window staying responsive: Import
// Result's read, cut and first stitch (startImport: the newest request wins), a feather change's
// restitch of the box (one job in flight, the newest feather wins, the display follows when it
// ends), Apply's composition of the photo (startApply) and Export Image's write (startExportImage,
// startExportAppliedImage). The synchronous calls (importResults, apply, exportImage,
// exportAppliedImage) do the same work here, with the same result.
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/ImageIO.h"
#include "latentbrush/regions/RegionEncode.h"

#include "AutosaveManager.h"
#include "StitchJobs.h"

#include <QFuture>
#include <QImage>
#include <QObject>
#include <QRect>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace lbui {

class EncodeSession;
class MaskDocument;

class StitchSession : public QObject {
    Q_OBJECT
public:
    StitchSession(MaskDocument* doc, EncodeSession* session, QObject* parent = nullptr);
    ~StitchSession() override; // waits for a restitch or an export still running

    // Reads the sampled results (one per region, in batch order) for the session's region
    // result and stitches them with its default feather (the latent's stitch.feather,
    // max(1, grow / 2)). One error line naming the file and the problem; nothing changes then.
    bool importResults(const QStringList& paths, QString* error);
    // The same on the background pool: importFinished tells the outcome. Refused (false, `error`)
    // when there is no region encode or the count of files is wrong. A request while one runs
    // replaces it (the one running is dropped when it ends); an image change or a new encode
    // meanwhile drops it too (importFinished with an error).
    bool startImport(const QStringList& paths, QString* error);
    bool isImporting() const { return importRunning_; }
    void waitForImport(); // the import in flight (and any request after it) taken in
    bool isActive() const { return active_; }
    // What the autosave keeps of the import (nullopt when none is shown), and the way back after
    // a crash: the same files stitched into the open image with the kept regions, grown mask and
    // feather, no encode needed. One error line when the image or the files do not fit.
    std::optional<AutosavedStitch> autosaveState() const;
    bool restore(const AutosavedStitch& state, QString* error);
    // The applied image an autosave kept (AutosavedApplied), made the open image's again: one
    // undo step back to the file's pixels, not exported. One error line when it cannot be read.
    bool restoreApplied(const AutosavedMask& kept, QString* error);
    void close(); // drops the import (a new image or encode does too)

    float feather() const { return feather_; } // the newest, whether its restitch ended or not
    // Restitches on the thread pool; steps that arrive while one runs make one newer restitch.
    // The display follows (changed) when the newest ends; `failed` if it fails.
    void setFeather(float feather);
    bool isRestitching() const { return restitchInFlight_ || restitchPending_; }
    // The stitched photo: the original's channels (alpha kept) at the original's sample values,
    // of the newest feather (waits for its restitch). Composed when first asked after a change.
    const lb::ImageBuffer& stitched();
    // The depth Export Image writes: the original file's (U8, U16, F32), or Default when the
    // original's samples were not available (the built-in sample, a file changed on disk).
    lb::SampleDepth exportDepth() const { return depth_; }
    // The imported result files, in batch order (autosave records them).
    const QStringList& resultPaths() const { return resultPaths_; }
    const QImage& stitchedDisplay() const { return display_; }

    using OriginalSamples = lbui::OriginalSamples; // all channels, the file's values
    bool showsOriginal() const { return showOriginal_; }
    void setShowOriginal(bool original); // the before/after toggle

    // Makes the stitched photo the image (one undo step; the mask stays) and closes the import.
    bool apply();
    // The same with the photo composed on the background pool: applyFinished tells the outcome.
    // Refused (false) without an import or while an Apply runs; what is shown when it starts is
    // applied, unless the image changes or the import closes meanwhile (dropped, with an error).
    bool startApply();
    bool isApplying() const { return applyRunning_; }
    void waitForApply(); // the Apply in flight made (or dropped) and reported
    // Writes the stitched photo of the newest feather at exportDepth() (Default: 8-bit for
    // PNG/JPEG, float for TIFF/EXR), atomically, here.
    bool exportImage(const QString& path, QString* error);
    // The same write on the thread pool (File > Export Image...): exportFinished tells the
    // outcome. Refused (false, `error`) without an import or while another export runs. The
    // import may change or close meanwhile: the export writes what was shown when it started.
    bool startExportImage(const QString& path, QString* error);
    bool isExporting() const { return exportRunning_; }
    // The export in flight written (or failed) and reported; false (`error`) when it failed.
    bool waitForExport(QString* error = nullptr);
    // File > Export Image... with no result shown: writes the document's applied image (the
    // stitched samples an Apply made, MaskDocument::appliedSamples) at their depth, the same
    // bytes exportImage wrote while the result was shown, and marks it exported.
    bool exportAppliedImage(const QString& path, QString* error);
    // The same write on the background pool, reported as startExportImage's is; the image is
    // marked exported when the write ends well.
    bool startExportAppliedImage(const QString& path, QString* error);

signals:
    void changed();                  // imported, closed, restitched or toggled
    void failed(const QString& why); // a restitch failed (the import is closed)
    void exportStarted(const QString& path);
    void exportFinished(const QString& path, const QString& error); // error empty: written
    void importStarted(int files);
    void importFinished(int files, const QString& error); // error empty: shown
    void applyStarted();
    void applyFinished(const QString& error); // error empty: the image is the stitched photo

private:
    // Only box_ is stitched again (the regions and the grown mask's box with its one-pixel ring:
    // lb::regions::stitch on that crop gives the same samples as on the whole image), so a
    // feather change costs the regions, not the photo.
    StitchBoxInput restitchInput();
    QString restitchNow();  // here, after the job in flight (dropped); the error, empty if none
    void startRestitch();   // the pending feather on the thread pool unless a job is in flight
    void waitForRestitch(); // the newest feather's restitch taken in
    QString takeRestitch(StitchBoxOutput out); // shows it; the error, empty if none
    void finishExport(const QString& error);
    // What an import of `paths` into `regions` needs (the count checked); the original is the
    // document's image. Its samples for the stitch and the depth to export: the last Apply's
    // result when the encoded pixels are the ones it made, else the image file read again when
    // its pixels are the ones encoded (read since the encode ended when it can), else the
    // encoded (document) pixels themselves.
    std::optional<StitchImportInput>
    importInput(std::shared_ptr<const lb::regions::RegionEncodeResult> regions,
                const QStringList& paths, lb::InputPrecision precision, float feather,
                QString* error);
    std::optional<StitchImportInput> encodeImportInput(const QStringList& paths, QString* error);
    void runImportJob(StitchImportInput input); // on the background pool
    // The finished import job taken in: replaced by the pending request, if any, else shown.
    void takeImportJob();
    QString takeImport(StitchImportInput input, StitchImportOutput out); // shows it; the error
    bool importNow(StitchImportInput input, QString* error); // runs it here and shows it
    // Apply: the stitched photo shown now, composed then taken in (one undo step).
    struct ApplyInput {
        quint64 id = 0;
        std::shared_ptr<const lb::ImageBuffer> original, samples, box;
        QPoint at;
        QImage display;
        lb::SampleDepth depth = lb::SampleDepth::Default;
    };
    std::optional<ApplyInput> applyInput();
    QString takeApply(const ApplyInput& in, StitchApplyOutput out);
    bool startExportJob(const QString& path, QFuture<QString> job);

    // Starts reading the original's samples for the region result just encoded (a worker).
    void prefetch();

    MaskDocument* doc_;
    EncodeSession* session_;
    bool active_ = false;
    bool showOriginal_ = false;
    float feather_ = 1.0f;
    std::shared_ptr<const lb::regions::RegionEncodeResult> regions_;
    std::shared_ptr<const lb::ImageBuffer> original_; // the pixels the regions were encoded from
    std::shared_ptr<const lb::ImageBuffer> samples_;  // the original's own samples, all channels
    lb::SampleDepth depth_ = lb::SampleDepth::Default;
    lb::InputPrecision precision_ = lb::InputPrecision::Reference;
    QStringList resultPaths_;
    QRect box_;             // what restitch() recomputes, in image pixels
    QByteArray grownBytes_; // regions_'s grown mask as the autosave keeps it (shared, immutable)
    // Import Result on the background pool: the request running and the newest one after it.
    quint64 importId_ = 0;
    bool importRunning_ = false;
    QFuture<StitchImportOutput> importJob_;
    StitchImportInput importRunningInput_;
    std::optional<StitchImportInput> importPending_;
    // Apply on the background pool.
    quint64 applyId_ = 0;
    bool applyRunning_ = false;
    QFuture<StitchApplyOutput> applyJob_;
    ApplyInput applyRunningInput_;
    // The original's samples read on a worker for the image `prefetchImage_` from that path.
    QFuture<std::optional<OriginalSamples>> prefetch_;
    std::shared_ptr<const lb::ImageBuffer> prefetchImage_;
    QString prefetchPath_;
    lb::InputPrecision prefetchPrecision_ = lb::InputPrecision::Reference;
    std::shared_ptr<const std::vector<lb::ImageBuffer>> results_;
    StitchBoxInput boxInput_; // box_'s crops of the samples and grown mask, cut once per import
    std::shared_ptr<const lb::ImageBuffer> boxOut_; // the stitch of box_, the original's channels
    lb::ImageBuffer stitched_;                      // the whole photo, composed by stitched()
    bool stitchedValid_ = false;
    QImage display_;
    // The restitch in flight and the feather changes (revision) it may lag behind.
    quint64 restitchRevision_ = 0;
    quint64 restitchJobId_ = 0;
    bool restitchInFlight_ = false;
    bool restitchPending_ = false;
    QFuture<StitchBoxOutput> restitchJob_;
    // Export Image on the thread pool.
    QFuture<QString> export_;
    QString exportPath_;
    std::shared_ptr<const lb::ImageBuffer> exportApplied_; // marked exported when written
    bool exportRunning_ = false;
    quint64 exportId_ = 0;
};

} // namespace lbui
