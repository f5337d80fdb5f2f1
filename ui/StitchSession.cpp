// StitchSession: result files -> lb::regions::stitch -> display and export (StitchSession.h).
#include "StitchSession.h"

#include "DocumentLoader.h"
#include "EncodeSession.h"
#include "MaskDocument.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/regions/Stitch.h"

#include <QFile>

#include <algorithm>

namespace lbui {

StitchSession::StitchSession(MaskDocument* doc, EncodeSession* session, QObject* parent)
    : QObject(parent), doc_(doc), session_(session) {
    connect(doc_, &MaskDocument::imageChanged, this, &StitchSession::close);
    connect(doc_, &MaskDocument::pixelsChanged, this, &StitchSession::close);
    connect(session_, &EncodeSession::encodeStarted, this, &StitchSession::close);
}

bool StitchSession::importResults(const QStringList& paths, QString* error) {
    auto fail = [error](const QString& why) {
        if (error) *error = why;
        return false;
    };
    const EncodeResult* result = session_->result();
    if (!doc_->hasImage() || !result || !result->output.regions)
        return fail(tr("encode with regions first: the results are stitched into the regions of "
                       "the last region encode"));
    const auto& regions = result->output.regions;
    const lb::regions::RegionPlan& plan = regions->plan;
    if (paths.size() != qsizetype(plan.rects.size()))
        return fail(tr("%1 result file(s) chosen but the region encode holds %2 region(s)")
                        .arg(paths.size())
                        .arg(plan.rects.size()));
    std::vector<lb::ImageBuffer> results;
    for (const QString& path : paths) {
        auto r = lb::readImage(QFile::encodeName(path).toStdString());
        if (!r) return fail(QString::fromStdString(r.message()));
        if (r->image.width != plan.scaledWidth || r->image.height != plan.scaledHeight)
            return fail(tr("%1 is %2x%3 but the regions were encoded at %4x%5")
                            .arg(path)
                            .arg(r->image.width)
                            .arg(r->image.height)
                            .arg(plan.scaledWidth)
                            .arg(plan.scaledHeight));
        results.push_back(lb::toRgb(r->image));
    }
    if (!result->source.image || result->source.image != doc_->image())
        return fail(tr("the image changed since the region encode: encode again first"));
    regions_ = regions;
    original_ = result->source.image;
    results_ = std::move(results);
    feather_ = float(std::max(1, result->output.grow / 2));
    active_ = true;
    showOriginal_ = false;
    const QString why = restitch();
    if (!why.isEmpty()) return fail(why);
    return true;
}

void StitchSession::close() {
    if (!active_) return;
    active_ = false;
    regions_.reset();
    original_.reset();
    results_.clear();
    stitched_ = {};
    display_ = {};
    emit changed();
}

void StitchSession::setFeather(float feather) {
    feather = std::max(0.0f, feather);
    if (!active_ || feather == feather_) return;
    feather_ = feather;
    const QString why = restitch();
    if (!why.isEmpty()) emit failed(why);
}

void StitchSession::setShowOriginal(bool original) {
    if (original == showOriginal_) return;
    showOriginal_ = original;
    emit changed();
}

QString StitchSession::restitch() {
    auto out = lb::regions::stitch(*original_, results_, regions_->plan, regions_->grownFull,
                                   feather_);
    if (!out) {
        active_ = false;
        emit changed();
        return QString::fromStdString(out.message());
    }
    stitched_ = std::move(*out);
    display_ = toDisplayImage(lb::toRgb(stitched_));
    emit changed();
    return {};
}

bool StitchSession::apply() {
    if (!active_ || original_ != doc_->image()) return false;
    // The document closes this import when its pixels change.
    doc_->replaceImagePixels(std::make_shared<const lb::ImageBuffer>(stitched_), display_,
                             tr("Apply Stitched Result"));
    return true;
}

bool StitchSession::exportImage(const QString& path, QString* error) const {
    if (!active_) {
        if (error) *error = tr("no result has been imported");
        return false;
    }
    const lb::Status st = lb::writeImage(QFile::encodeName(path).toStdString(), stitched_);
    if (!st) {
        if (error) *error = QString::fromStdString(st.message());
        return false;
    }
    return true;
}

} // namespace lbui
