// ComfyWorkflow: the ComfyUI workflow that loads an exported .latent and its grown mask
// (LoadLatent + LoadImageMask + SetLatentNoiseMask), embedded from docs/workflows, and the
// noise-mask mode's workflow (VAEEncode + SetLatentNoiseMask, GrowMask and ImageBlur when used).
#pragma once

#include "latentbrush/NoiseMaskOps.h"

#include <QByteArray>
#include <QString>

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

} // namespace lbui
