// FillTool: flood fill on the image (the connected region within a color tolerance of the
// clicked pixel, scanline fill) and select by color (every pixel within the tolerance). While
// an application is the newest undo command, changing an option re-applies it as an adjustment
// that merges into it (one undo step): the mask and the grow preview follow the tolerance
// slider live.
#pragma once

#include "MaskTool.h"

#include <QPoint>

#include <cstdint>
#include <memory>
#include <vector>

namespace lbui {

class FillTool : public MaskTool {
    Q_OBJECT
public:
    enum class Kind { FloodFill, SelectColor };
    struct Options {
        int tolerance = 32; // 0..255
        lb::ColorMetric metric = lb::ColorMetric::Rgb;
        int connectivity = 4;    // 4 or 8 (flood fill)
        bool stopAtMask = false; // flood fill: never enter pixels the encoder counts as masked
                                 // (when subtracting: never leave them)
    };

    FillTool(Kind kind, MaskDocument* doc, QObject* parent = nullptr);

    Kind kind() const { return kind_; }
    QString name() const;
    const Options& options() const { return options_; }
    void setOptions(const Options& options); // persisted; re-applies a live application
    void setTolerance(int tolerance);

    // Applies the tool at image pixel `pixel` (what a click does).
    void applyAt(QPoint pixel, MaskCombine mode);
    // Whether the newest undo command is this tool's last application (options adjust it).
    bool hasLiveApplication() const;

    void press(QPointF pos, Qt::MouseButton button, Qt::KeyboardModifiers mods,
               double pressure) override;
    void deactivate() override { endLive(); }

private:
    void apply(bool adjustLive);
    void endLive();
    lb::Region computeRegion();

    Kind kind_;
    Options options_;
    // The live application.
    struct Live {
        MaskEditCommand* command = nullptr;
        int index = -1; // the undo stack's index right after it
        QPoint seed;
        MaskCombine mode = MaskCombine::Add;
        lb::BinaryMask blocked;               // stop-at-mask barrier from the mask before it
        std::vector<std::uint16_t> distances; // select by color: distances to the seed
        lb::ColorMetric distanceMetric = lb::ColorMetric::Rgb;
        // The region the command holds (shared with it), and an earlier one whose memory the
        // next re-application reuses once no command holds it.
        std::shared_ptr<MaskRegion> shown;
        std::shared_ptr<MaskRegion> spare;
    } live_;
    bool active_ = false; // live_ holds an application
    bool applying_ = false;
};

} // namespace lbui
