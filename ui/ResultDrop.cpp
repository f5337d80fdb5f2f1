// ResultDrop: the decision between importing results and opening an image (ResultDrop.h).
#include "ResultDrop.h"

#include "EncodeSession.h"
#include "MaskDocument.h"

#include "latentbrush/regions/RegionEncode.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QImageReader>

namespace lbui {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("ResultDrop", text);
}

} // namespace

DropDecision decideDrop(const QStringList& paths, const EncodeResult* result,
                        const MaskDocument* doc) {
    DropDecision d;
    d.paths = paths;
    if (paths.isEmpty()) return d;
    const bool regions = result && result->output.regions && doc->hasImage() &&
                         result->source.image && result->source.image == doc->image();
    const QString first = QFileInfo(paths.first()).fileName();
    if (!regions) {
        d.note = paths.size() == 1
                     ? tr("Dropped %1: opened as the image (no region encode to stitch it into)")
                           .arg(first)
                     : tr("Dropped %1 files: opened the first, %2, as the image (results are "
                          "stitched only after a region encode of the open image)")
                           .arg(paths.size())
                           .arg(first);
        return d;
    }
    const lb::regions::RegionPlan& plan = result->output.regions->plan;
    const int count = int(plan.rects.size());
    const QSize scaled(plan.scaledWidth, plan.scaledHeight);
    if (paths.size() > 1) {
        d.action = DropDecision::Action::ImportResults;
        d.note = tr("Dropped %1 files: stitched as the results of the %2 region(s) (File > Import "
                    "Result)")
                     .arg(paths.size())
                     .arg(count);
        return d;
    }
    const QSize size = QImageReader(paths.first()).size();
    if (count == 1 && size == scaled) {
        d.action = DropDecision::Action::ImportResults;
        d.note = tr("Dropped %1 (%2x%3, the region's size): stitched as the result of the region "
                    "(File > Import Result)")
                     .arg(first)
                     .arg(size.width())
                     .arg(size.height());
        return d;
    }
    const QString why =
        size.isValid() && size != scaled
            ? tr("it is %1x%2, the regions are %3x%4")
                  .arg(size.width())
                  .arg(size.height())
                  .arg(scaled.width())
                  .arg(scaled.height())
            : tr("the region encode holds %1 regions: drop their %1 results together").arg(count);
    d.note = tr("Dropped %1: opened as the image, not stitched as a result (%2)").arg(first, why);
    return d;
}

} // namespace lbui
