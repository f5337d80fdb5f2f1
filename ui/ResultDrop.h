// ResultDrop: what a drop of files onto the window means. After a region encode of the open
// image, sampled results (one image per region, or the whole batch as several files) go to
// File > Import Result...; an ordinary image is opened as before. The decision is made from what
// the drop holds (how many files, their sizes) and whether a region result is present, and comes
// with the line the status bar says about it.
#pragma once

#include <QString>
#include <QStringList>

namespace lbui {

struct EncodeResult;
class MaskDocument;

struct DropDecision {
    enum class Action { OpenImage, ImportResults } action = Action::OpenImage;
    QStringList paths; // the local files dropped, in the drop's order
    QString note;      // for the status bar: what is done with them and why
};

// `result` is the encode session's result (null without one); it counts only when it is a region
// encode of the image open in `doc`. Several files are results when a region result is present
// (their count and sizes are then checked by the import, which names a file that does not fit);
// a single file is a result when its size is the regions' size and the encode holds one region.
DropDecision decideDrop(const QStringList& paths, const EncodeResult* result,
                        const MaskDocument* doc);

} // namespace lbui
