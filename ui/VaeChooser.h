// VaeChooser: picks a VAE (file dialog, recent list, the VAEs of a ComfyUI models/vae folder
// chosen once), loads it off the GUI thread and shows its family, channels and device; at start
// it brings back the last VAE and the device, kernels, precision and threads it was used with.
#pragma once

#include "latentbrush/Vae.h"

#include <QFuture>
#include <QList>
#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QProgressBar;
class QSpinBox;
class QToolButton;

namespace lbui {

class RecentFiles;

// The panel's load choices as its widgets hold them; QSettings remembers each as it is made
// (vae/device, vae/kernels, vae/dtype, vae/cpuThreads).
struct VaeChoices {
    QString device = QStringLiteral("auto");  // auto | cpu | cuda
    QString kernels = QStringLiteral("fast"); // fast | reference (ComfyUI's own operations)
    QString dtype = QStringLiteral("auto");   // auto | fp32 | fp16 | bf16
    int cpuThreads = 0;                       // 0: every core this process may use
    bool operator==(const VaeChoices&) const = default;
};

// Which VAE the editor loads at start, and why (VaeChooser::chooseAtStart decides).
struct VaeStartChoice {
    enum class Source { None, CommandLine, Remembered, Builtin };
    Source source = Source::None;
    QString path; // empty: start without a VAE
    QString note; // for the status bar: why the remembered VAE was passed over
};

struct LoadedVae {
    std::shared_ptr<lb::Vae> vae;
    QString path;
    QString error;
    VaeChoices choices;      // what it was loaded with
    bool remembered = false; // the start's restore of the last VAE: a failure is only a note
};

class VaeChooser : public QWidget {
    Q_OBJECT
public:
    explicit VaeChooser(QWidget* parent = nullptr);
    ~VaeChooser() override;

    std::shared_ptr<lb::Vae> vae() const { return vae_; }
    QString vaePath() const { return vaePath_; }
    bool isLoading() const { return loading_; }
    // The file of the load in flight; empty when none.
    QString loadingPath() const { return loadingPath_; }
    VaeChoices choices() const;
    // One line for other panels: "taesd · 4 ch · x8 · cpu fp32".
    QString summary() const;
    // The options a VAE is loaded with here: device, kernels, CPU threads (the live view loads
    // its own instances with them).
    lb::VaeLoadOptions loadOptions() const;
    static lb::VaeLoadOptions loadOptionsFor(const VaeChoices& choices);
    // The built-in TAEF2's encoder file, installed with the program; empty when it is missing.
    static QString builtinVaePath();
    bool usesBuiltinVae() const { return vae_ && vaePath_ == builtinVaePath(); }

    // The .safetensors files in a folder and its direct sub-folders, sorted by name.
    static QStringList scanFolder(const QString& folder);

    // The one place that decides which VAE the editor loads at start: `requested` (--vae) when
    // given; else `remembered`, the last VAE that loaded (setting vae/last), while its file is
    // there; else none. A VAE shipped with the program becomes the fallback of that last case.
    static VaeStartChoice chooseAtStart(const QString& requested, const QString& remembered);
    // Loads chooseAtStart's pick in the background, with the remembered choices; the window
    // does not wait. A remembered VAE that is gone, or no longer loads, leaves a status note
    // and the panel says why; it is not an error (a --vae that fails to load is one).
    void loadAtStart(const QString& requested);

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
    void statusNote(const QString& text); // a passing remark for the status bar

private:
    void startLoad(const QString& path, bool remembered);
    void onLoaded(const LoadedVae& loaded);
    void choicesEdited();
    void showChoices(const VaeChoices& choices);
    static void rememberChoices(const VaeChoices& choices);
    void showInfo();

    QComboBox* combo_;
    QComboBox* device_;
    QComboBox* kernels_; // fast, or exact (ComfyUI's own operations: referenceKernels)
    QComboBox* dtype_;   // compute precision (VaeLoadOptions::dtype)
    QSpinBox* threads_;  // LibTorch CPU threads (VaeLoadOptions::cpuThreads), 0 = all cores
    QToolButton* browse_;
    QToolButton* folder_;
    QLabel* info_;
    QProgressBar* busy_;
    RecentFiles* recent_;
    std::shared_ptr<lb::Vae> vae_;
    QString vaePath_;
    VaeChoices loadedChoices_; // what vae_ was loaded with
    QString note_;             // why there is no VAE, when the panel has more to say than usual
    quint64 loadRequest_ = 0;  // the latest load; results of earlier ones are dropped
    bool loading_ = false;
    QString loadingPath_;
    QList<QFuture<LoadedVae>> loads_; // loads not finished yet (superseded ones included)
};

} // namespace lbui
