// StitchSession: the sampled results of a region encode brought back into the photo in the
// editor (File > Import Result...): the result files checked against the region result (count,
// size), stitched with lb::regions::stitch exactly as `latentbrush-cli stitch` does, the feather
// adjustable live, Apply making it the image (one undo step), and the stitched photo written by File > Export Image... (atomically).
#pragma once

#include "latentbrush/Buffers.h"
#include "latentbrush/regions/RegionEncode.h"

#include <QImage>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace lbui {

class EncodeSession;
class MaskDocument;

class StitchSession : public QObject {
    Q_OBJECT
public:
    StitchSession(MaskDocument* doc, EncodeSession* session, QObject* parent = nullptr);

    // Reads the sampled results (one per region, in batch order) for the session's region
    // result and stitches them with its default feather (the latent's stitch.feather,
    // max(1, grow / 2)). One error line naming the file and the problem; nothing changes then.
    bool importResults(const QStringList& paths, QString* error);
    bool isActive() const { return active_; }
    void close(); // drops the import (a new image or encode does too)

    float feather() const { return feather_; }
    void setFeather(float feather); // restitches
    const lb::ImageBuffer& stitched() const { return stitched_; }
    const QImage& stitchedDisplay() const { return display_; }
    bool showsOriginal() const { return showOriginal_; }
    void setShowOriginal(bool original); // the before/after toggle

    // Makes the stitched photo the image (one undo step; the mask stays) and closes the import.
    bool apply();
    // Writes the stitched photo (8-bit for PNG/JPEG, float for TIFF/EXR), atomically.
    bool exportImage(const QString& path, QString* error) const;

signals:
    void changed(); // imported, closed, restitched or toggled
    void failed(const QString& why); // a restitch failed (the import is closed)

private:
    QString restitch(); // the error, empty on success

    MaskDocument* doc_;
    EncodeSession* session_;
    bool active_ = false;
    bool showOriginal_ = false;
    float feather_ = 1.0f;
    std::shared_ptr<const lb::regions::RegionEncodeResult> regions_;
    std::shared_ptr<const lb::ImageBuffer> original_; // the pixels the regions were encoded from
    std::vector<lb::ImageBuffer> results_;
    lb::ImageBuffer stitched_;
    QImage display_;
};

} // namespace lbui
