// ComfyWorkflow: the ComfyUI workflow that loads an exported .latent and its grown mask
// (LoadLatent + LoadImageMask + SetLatentNoiseMask), embedded from docs/workflows.
#pragma once

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

} // namespace lbui
