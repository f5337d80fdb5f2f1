// VaeChooser: the VAE part of the EncodeSession as a panel: picks a VAE (file dialog, recent
// list, the VAEs of a ComfyUI models/vae folder chosen once), has the session load it off the GUI
// thread and shows its family, channels and device; at start it brings back the last VAE and the
// device, kernels, precision and threads it was used with.
#pragma once

#include "EncodeSession.h"

#include "latentbrush/Vae.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QProgressBar;
class QSpinBox;
class QToolButton;

namespace lbui {

class RecentFiles;

// Which VAE the editor loads at start, and why (VaeChooser::chooseAtStart decides).
struct VaeStartChoice {
    enum class Source { None, CommandLine, Remembered, Builtin };
    Source source = Source::None;
    QString path; // empty: start without a VAE
    QString note; // for the status bar: why the remembered VAE was passed over
};

class VaeChooser : public QWidget {
    Q_OBJECT
public:
    explicit VaeChooser(EncodeSession* session, QWidget* parent = nullptr);

    // The session's VAE, as this panel shows it.
    std::shared_ptr<lb::Vae> vae() const { return session_->vae(); }
    QString vaePath() const { return session_->vaePath(); }
    bool isLoading() const { return session_->isLoadingVae(); }
    // The file of the load in flight; empty when none.
    QString loadingPath() const { return session_->loadingVaePath(); }
    // The choices as the widgets show them (the session gets them at each edit and load).
    VaeChoices choices() const;
    // One line for other panels: "taesd · 4 ch · x8 · cpu fp32".
    QString summary() const;
    // The options a VAE is loaded with here: device, kernels, CPU threads (the live view loads
    // its own instances with them).
    lb::VaeLoadOptions loadOptions() const;
    static lb::VaeLoadOptions loadOptionsFor(const VaeChoices& choices) {
        return vaeLoadOptionsFor(choices);
    }
    // The built-in TAEF2's encoder file, installed with the program; empty when it is missing.
    static QString builtinVaePath();
    bool usesBuiltinVae() const { return vae() && vaePath() == builtinVaePath(); }

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
    void loadFailed(const QString& message);
    void statusNote(const QString& text); // a passing remark for the status bar

private:
    void startLoad(const QString& path, bool remembered);
    void onLoadingChanged(bool loading);
    void onLoaded(const LoadedVae& loaded);
    void choicesEdited();
    void showChoices(const VaeChoices& choices); // and hands them to the session
    static void rememberChoices(const VaeChoices& choices);
    void showInfo();

    QComboBox* combo_;
    QComboBox* device_;
    QComboBox* kernels_; // fast, or exact (lb::Kernels::Reference: ComfyUI's own operations)
    QComboBox* dtype_;   // compute precision (VaeLoadOptions::dtype)
    QSpinBox* threads_;  // LibTorch CPU threads (VaeLoadOptions::cpuThreads), 0 = all cores
    QToolButton* browse_;
    QToolButton* folder_;
    QLabel* info_;
    QProgressBar* busy_;
    RecentFiles* recent_;
    EncodeSession* session_;
    QString note_; // why there is no VAE, when the panel has more to say than usual
};

} // namespace lbui
