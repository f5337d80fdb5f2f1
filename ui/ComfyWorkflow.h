// ComfyWorkflow: the ComfyUI workflow that loads an exported .latent and its grown mask
// (LoadLatent + LoadImageMask + SetLatentNoiseMask), embedded from docs/workflows, the
// noise-mask mode's workflow (VAEEncode + SetLatentNoiseMask, GrowMask and ImageBlur when used)
// and the region workflow (ImageCrop -> ImageScale -> VAEEncodeForInpaint per region, batched).
#pragma once

#include "latentbrush/NoiseMaskOps.h"
#include "latentbrush/regions/ExactResize.h"
#include "latentbrush/regions/RegionPlan.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace lbui {

// The workflow as shipped (docs/workflows/inpaint_from_latentbrush.json), for `photo.latent`
// and `photo.mask.png`.
QByteArray comfyWorkflowTemplate();

// The workflow with its file names replaced by `latentName` and `maskName` (names only: ComfyUI
// looks for them in its input/ folder). Empty when the embedded template cannot be read.
QByteArray comfyWorkflowFor(const QString& latentName, const QString& maskName);

// Writes comfyWorkflowFor(...) atomically to `path`.
bool saveComfyWorkflow(const QString& path, const QString& latentName, const QString& maskName,
                       QString* error);

// The noise-mask mode's workflow, built here (not a template: its GrowMask and ImageBlur nodes
// come and go with the options): LoadImage(imageName) -> VAEEncode, LoadImageMask(maskName, red)
// -> GrowMask(expand, tapered_corners) when expand != 0 -> MaskToImage -> ImageBlur(radius,
// sigma) -> ImageToMask(red) when radius > 0 -> SetLatentNoiseMask -> KSampler (denoise 0.6) ->
// VAEDecode -> SaveImage. `maskName` is the mask as painted (before GrowMask and ImageBlur).
QByteArray comfyNoiseMaskWorkflowFor(const QString& imageName, const QString& maskName,
                                     const lb::NoiseMaskOptions& options);
bool saveComfyNoiseMaskWorkflow(const QString& path, const QString& imageName,
                                const QString& maskName, const lb::NoiseMaskOptions& options,
                                QString* error);

// The region workflow in stock ComfyUI nodes, computing the region .latent of `plan` (DESIGN.md,
// "Regions"): LoadImage(imageName) and LoadImageMask(paintedMaskName, red) (the mask as
// encoded, at the image's size); per region I: ImageCrop(w, h, x, y) -> ImageScale(method, W',
// H', disabled) and CropMask(x, y, w, h) -> VAEEncodeForInpaint(grow). One region goes straight
// to KSampler. Several are joined in batch order by LatentBatch, which keeps only the first
// region's noise_mask, so SetLatentNoiseMask puts the batch's back: LoadImageMask of
// grownMaskNames[I] (NAME.mask_I.png, the region's grown noise_mask, 0/255) -> MaskToImage ->
// ImageBatch -> ImageToMask(red). Then KSampler (denoise 1.0) -> VAEDecode -> SaveImage; the
// stitch back is `latentbrush-cli stitch` or the editor's Import Result.
// grownMaskNames holds one name per region (unused for one region). `notes` (what keeps the
// graph from reproducing this latent, e.g. an image LoadImage cannot read as it was encoded) go
// into extra.latentbrush.notes, with one of its own for a grow above the node's maximum (64).
QByteArray comfyRegionWorkflowFor(const QString& imageName, const QString& paintedMaskName,
                                  const QStringList& grownMaskNames,
                                  const lb::regions::RegionPlan& plan,
                                  lb::regions::ResizeMethod method, int grow,
                                  const QStringList& notes = {});
bool saveComfyRegionWorkflow(const QString& path, const QString& imageName,
                             const QString& paintedMaskName, const QStringList& grownMaskNames,
                             const lb::regions::RegionPlan& plan, lb::regions::ResizeMethod method,
                             int grow, QString* error, const QStringList& notes = {});

} // namespace lbui
