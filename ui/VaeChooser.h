// VaeChooser: picks a VAE (file dialog, recent list, the VAEs of a ComfyUI models/vae folder
// chosen once), loads it off the GUI thread and shows its family, channels and device.
#pragma once

#include <QFutureWatcher>
#include <QWidget>

#include <atomic>
#include <memory>

class QComboBox;
class QLabel;
class QProgressBar;
class QSpinBox;
class QToolButton;

#include "latentbrush/Vae.h"

namespace lbui {

class RecentFiles;

struct LoadedVae {
    std::shared_ptr<lb::Vae> vae;
    QString path;
    QString error;
};

class VaeChooser : public QWidget {
    Q_OBJECT
public:
    explicit VaeChooser(QWidget* parent = nullptr);
    ~VaeChooser() override;

    std::shared_ptr<lb::Vae> vae() const { return vae_; }
    QString vaePath() const { return vaePath_; }
    bool isLoading() const { return watcher_.isRunning(); }
    // One line for other panels: "taesd · 4 ch · x8 · cpu fp32".
    QString summary() const;
    // The options a VAE is loaded with here: device, kernels, CPU threads (the live view loads
    // its own instances with them).
    lb::VaeLoadOptions loadOptions() const;

    // The .safetensors files in a folder and its direct sub-folders, sorted by name.
    static QStringList scanFolder(const QString& folder);

public slots:
    void loadFile(const QString& path);
    void chooseFile();
    void chooseFolder();
    void refreshList();
    // LibTorch's CPU threads for this VAE (0: every core), remembered; reloads the VAE.
    void setCpuThreads(int threads);

signals:
    void vaeChanged(std::shared_ptr<lb::Vae> vae);
    void loadFailed(const QString& message);
    void loadingChanged(bool loading);

private:
    void onLoaded();
    void showInfo();

    QComboBox* combo_;
    QComboBox* device_;
    QComboBox* kernels_; // fast, or exact (ComfyUI's own operations: referenceKernels)
    QSpinBox* threads_;  // LibTorch CPU threads (VaeLoadOptions::cpuThreads), 0 = all cores
    QToolButton* browse_;
    QToolButton* folder_;
    QLabel* info_;
    QProgressBar* busy_;
    RecentFiles* recent_;
    std::shared_ptr<lb::Vae> vae_;
    QString vaePath_;
    QFutureWatcher<LoadedVae> watcher_;
    bool updatingList_ = false;
};

} // namespace lbui
