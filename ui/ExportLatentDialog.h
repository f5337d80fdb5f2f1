// ExportLatentDialog: where to write the .latent; the grown mask always goes beside it as
// NAME.mask.png, and the ComfyUI workflow is offered as NAME.workflow.json, with a short note on
// how to use the three files together.
#pragma once

#include <QDialog>

class QCheckBox;
class QLabel;
class QLineEdit;

namespace lbui {

class ExportLatentDialog : public QDialog {
    Q_OBJECT
public:
    explicit ExportLatentDialog(const QString& suggestedPath, QWidget* parent = nullptr);

    QString latentPath() const;
    void setLatentPath(const QString& path);
    bool saveWorkflow() const;
    void setSaveWorkflow(bool on);
    // A noise-mask result: the mask beside it is the soft noise_mask, and the workflow comes
    // with the mask as painted (paintedMaskPathFor); the file list says so.
    void setNoiseMaskMode(bool on);
    // A region result of `count` regions (0: not a region result): the masks beside it are one
    // grown noise_mask per region (NAME.mask_I.png), and the workflow comes with the mask as
    // encoded (paintedMaskPathFor); the file list says so.
    void setRegionCount(int count);

    // NAME.latent -> NAME.mask.png (as `latentbrush-cli batch` names it), NAME.workflow.json.
    static QString maskPathFor(const QString& latentPath);
    static QString workflowPathFor(const QString& latentPath);
    static QString paintedMaskPathFor(const QString& latentPath); // NAME.painted.png
    // Region I's grown mask of a region export: NAME.mask_I.png (as `encode --save-mask`).
    static QString regionMaskPathFor(const QString& latentPath, int index);

public slots:
    void accept() override; // needs a path; remembers the workflow choice

private:
    void browse();
    void updateNames();
    bool noiseMask_ = false;
    int regionCount_ = 0;

    QLineEdit* path_;
    QCheckBox* workflow_;
    QLabel* files_;
    QLabel* note_;
};

} // namespace lbui
