// RegionPlanner: the planned region(s) of the current mask, kept up to date as the mask, grow or
// region settings change (lb::regions planning on the grown mask of the whole image, the same
// steps regionEncode takes; no VAE needed). The planning runs off the GUI thread (RegionPlanJob)
// on the document's mask snapshot (MaskSnapshots: built on the worker, only the edited tiles
// copied on the GUI thread): at most one job in flight, the changes that arrive meanwhile make one
// newer job, and a result older than the latest change is dropped (planChanged comes with the
// newest). On request it also gives each region's encoder input
// (ImageCrop -> ImageScale -> the node's gray fill), computed with the functions the encode uses,
// for the encoder-input view. In Manual mode it keeps the rectangle inside the image (placed around
// the mask, or centred, when there is none yet) and says whether the canvas edits it (the region
// panel's toggle).
#pragma once

#include "RegionPlanJob.h"
#include "RegionSettings.h"

#include "latentbrush/Buffers.h"

#include <QFuture>
#include <QImage>
#include <QList>
#include <QObject>
#include <QRect>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace lbui {

class GrowPreview;
class MaskDocument;

class RegionPlanner : public QObject {
    Q_OBJECT
public:
    RegionPlanner(MaskDocument* doc, GrowPreview* preview, QObject* parent = nullptr);
    ~RegionPlanner() override; // waits for the job in flight

    const RegionSettings& settings() const { return settings_; }
    void setSettings(const RegionSettings& settings); // saves them to QSettings

    bool enabled() const { return settings_.enabled(); }
    bool manual() const { return settings_.mode == RegionSettings::Mode::Manual; }

    // The Manual rectangle changed by the canvas or the panel: clamped to the image, saved.
    void setManualRect(const QRect& rect);
    // The rectangle shifted inside the image, and shrunk to it where larger.
    QRect clampedManualRect(const QRect& rect) const;
    // A starting rectangle for Manual mode: the auto region of the mask (default context), or
    // the centre of the image, min(512, size) snapped to the VAE's multiple, when nothing is
    // masked.
    QRect defaultManualRect() const;
    // Whether the VAE's multiple constrains the manual rectangle's size (no target: the planning
    // widens it to multiples of d, so the canvas snaps to them); 1 when it does not.
    int manualSnap() const;
    // Whether the canvas's left button moves and resizes the Manual rectangle (instead of the
    // brush or tool painting); only meaningful in Manual mode.
    bool editingManual() const { return editing_ && manual(); }
    void setEditingManual(bool editing);

    // The manual rectangle's own history (drags on the canvas, typed values), apart from the
    // mask's undo stack: Ctrl+Z / Ctrl+Shift+Z on the canvas while the rectangle is edited.
    void recordManualEdit(const QRect& before); // the rectangle before an edit that changed it
    bool canUndoManual() const { return !manualUndo_.isEmpty(); }
    bool canRedoManual() const { return !manualRedo_.isEmpty(); }
    void undoManual();
    void redoManual();
    // The plan of the current mask; nullopt when regions are off, no image is open or the
    // planning failed (error() says why, e.g. nothing masked).
    const std::optional<lb::regions::RegionPlan>& plan() const;
    QString error() const;
    QList<QRect> rects() const; // the plan's rectangles (image coordinates); empty without one

    // Each region's encoder input (W' x H' x 3, gray-filled) exactly as regionEncode gives it
    // to the VAE; computed when first asked after a change.
    const std::vector<lb::ImageBuffer>& encoderInputs();
    const QList<QImage>& encoderInputImages(); // the same, 8-bit for display

    // Recomputes now if a change is pending, waiting for the job in flight (tests call it; the
    // GUI need not).
    void flush();
    // Whether a planning job runs or waits to run (the plan may change when it ends).
    bool isPlanning() const { return inFlight_ || pending_; }
    // The document's mask as it is now (a full-size copy that nobody changes: share it freely),
    // built now (tests; jobs take MaskDocument::maskSnapshot() and build it on their worker).
    std::shared_ptr<const lb::MaskBuffer> maskSnapshot();

signals:
    void planChanged();
    void settingsChanged(); // before the plan follows them
    void editingChanged(bool editing);

private:
    void schedule();
    void maskEdited();
    void startJob();   // the pending job on the thread pool, unless one is in flight
    void waitForJob(); // the job in flight finished and taken in
    RegionPlanJobInput jobInput();
    void takeResult(RegionPlanJobOutput out);

    MaskDocument* doc_;
    GrowPreview* preview_;
    RegionSettings settings_;
    bool pending_ = false;   // a change the plan has not followed yet
    bool scheduled_ = false; // startJob queued for the next event-loop turn
    bool inFlight_ = false;
    quint64 revision_ = 0; // counts the changes; a result of an older one is dropped
    quint64 jobId_ = 0;
    QFuture<RegionPlanJobOutput> job_;
    bool editing_ = false;
    QList<QRect> manualUndo_, manualRedo_;
    std::optional<lb::regions::RegionPlan> plan_;
    QString error_;
    std::shared_ptr<const lb::BinaryMask> grown_; // kept while the mask, image and grow stay
    bool regrow_ = true;
    std::vector<lb::ImageBuffer> inputs_;
    QList<QImage> inputImages_;
    bool inputsValid_ = false;
    bool imagesValid_ = false;
};

} // namespace lbui
