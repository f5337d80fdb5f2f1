// VaeChooser: combo of recent and scanned VAEs plus browse/folder buttons; the EncodeSession loads
// the choice on the thread pool (a new choice supersedes a load in flight without waiting for it)
// and this panel turns its errors into messages that say what to do.
#include "VaeChooser.h"

#include "RecentFiles.h"
#include "SvgIconRenderer.h"

#include "latentbrush/BuiltinVae.h"
#include "latentbrush/Vae.h"

#include <QComboBox>
#include <QDir>
#include <QDirIterator>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QLabel>
#include <QProgressBar>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QToolButton>

namespace lbui {

namespace {

const char* kLastVaeKey = "vae/last";

} // namespace

VaeChooser::VaeChooser(EncodeSession* session, QWidget* parent)
    : QWidget(parent), session_(session) {
    recent_ = new RecentFiles(QStringLiteral("recent/vaes"), 10, this);
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setHorizontalSpacing(4);
    combo_ = new QComboBox(this);
    combo_->setObjectName(QStringLiteral("vaeFile"));
    combo_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    combo_->setMinimumContentsLength(12);
    combo_->setToolTip(tr("Recent VAEs and those found in the chosen models/vae folder"));
    browse_ = new QToolButton(this);
    browse_->setIcon(themeIcon(QStringLiteral("open")));
    browse_->setToolTip(tr("Choose a VAE file (.safetensors)"));
    folder_ = new QToolButton(this);
    folder_->setIcon(themeIcon(QStringLiteral("folder")));
    folder_->setToolTip(tr("Choose ComfyUI's models/vae folder to list its VAEs"));
    device_ = new QComboBox(this);
    device_->addItem(tr("Auto device"), QStringLiteral("auto"));
    device_->addItem(tr("CPU"), QStringLiteral("cpu"));
    if (lb::cudaAvailable()) device_->addItem(tr("CUDA"), QStringLiteral("cuda"));
    device_->setObjectName(QStringLiteral("vaeDevice"));
    device_->setToolTip(tr("Where the VAE runs (auto: the GPU when there is one)"));
    kernels_ = new QComboBox(this);
    kernels_->setObjectName(QStringLiteral("vaeKernels"));
    // The items' data: lb::kernelsName (the --kernels spelling).
    kernels_->addItem(tr("Fast kernels"), QString::fromLatin1(lb::kernelsName(lb::Kernels::Fast)));
    kernels_->addItem(tr("Exact kernels"),
                      QString::fromLatin1(lb::kernelsName(lb::Kernels::Reference)));
    kernels_->setToolTip(
        tr("Fast: fused kernels, within 1e-4 of ComfyUI in fp32. Exact: ComfyUI's own "
           "operations and layouts (on the CPU in fp32 the same latent bit for bit), slower."));
    dtype_ = new QComboBox(this);
    dtype_->setObjectName(QStringLiteral("vaeDType"));
    dtype_->addItem(tr("Auto precision"), QStringLiteral("auto"));
    dtype_->addItem(tr("fp32"), QStringLiteral("fp32"));
    dtype_->addItem(tr("fp16"), QStringLiteral("fp16"));
    dtype_->addItem(tr("bf16"), QStringLiteral("bf16"));
    dtype_->setToolTip(tr("The precision the VAE computes in. Auto: bf16 on CUDA where it is "
                          "supported, fp32 on the CPU. fp32 gives ComfyUI's fp32 numbers; fp16 "
                          "and bf16 are faster on a GPU."));
    threads_ = new QSpinBox(this);
    threads_->setObjectName(QStringLiteral("vaeCpuThreads"));
    threads_->setRange(0, 1024);
    threads_->setSpecialValueText(tr("All CPU cores"));
    threads_->setSuffix(tr(" CPU threads"));
    threads_->setToolTip(tr("Threads of the VAE on the CPU (All: every core this process may "
                            "use). A fixed count repeats a run's numbers bit for bit."));
    {
        // The choices of the last session (a device this machine lacks falls back to auto).
        const QSettings s;
        VaeChoices remembered;
        remembered.device = s.value("vae/device", remembered.device).toString();
        lb::parseKernels(s.value("vae/kernels").toString().toStdString(), &remembered.kernels);
        remembered.dtype = s.value("vae/dtype", remembered.dtype).toString();
        remembered.cpuThreads = s.value("vae/cpuThreads", remembered.cpuThreads).toInt();
        showChoices(remembered);
    }
    info_ = new QLabel(this);
    info_->setObjectName(QStringLiteral("vaeInfo"));
    info_->setWordWrap(true);
    info_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    info_->setMinimumHeight(2 * info_->fontMetrics().lineSpacing() + 4);
    busy_ = new QProgressBar(this);
    busy_->setRange(0, 0);
    busy_->setMaximumHeight(6);
    busy_->setTextVisible(false);
    busy_->hide();
    layout->addWidget(combo_, 0, 0);
    layout->addWidget(browse_, 0, 1);
    layout->addWidget(folder_, 0, 2);
    layout->addWidget(device_, 1, 0);
    layout->addWidget(kernels_, 1, 1, 1, 2);
    layout->addWidget(dtype_, 2, 0);
    layout->addWidget(threads_, 2, 1, 1, 2);
    layout->addWidget(busy_, 3, 0, 1, 3);
    layout->addWidget(info_, 4, 0, 1, 3);
    layout->setColumnStretch(0, 1);

    connect(browse_, &QToolButton::clicked, this, &VaeChooser::chooseFile);
    connect(folder_, &QToolButton::clicked, this, &VaeChooser::chooseFolder);
    connect(combo_, &QComboBox::activated, this, [this](int index) {
        const QString path = combo_->itemData(index).toString();
        if (!path.isEmpty() && path != vaePath()) loadFile(path);
    });
    for (QComboBox* choice : {device_, kernels_, dtype_})
        connect(choice, &QComboBox::activated, this, &VaeChooser::choicesEdited);
    connect(threads_, &QSpinBox::editingFinished, this,
            [this] { setCpuThreads(threads_->value()); });
    connect(recent_, &RecentFiles::changed, this, &VaeChooser::refreshList);
    connect(session_, &EncodeSession::vaeLoadingChanged, this, &VaeChooser::onLoadingChanged);
    connect(session_, &EncodeSession::vaeLoadFinished, this, &VaeChooser::onLoaded);
    refreshList();
    showInfo();
}

VaeChoices VaeChooser::choices() const {
    VaeChoices c;
    c.device = device_->currentData().toString();
    lb::parseKernels(kernels_->currentData().toString().toStdString(), &c.kernels);
    c.dtype = dtype_->currentData().toString();
    c.cpuThreads = threads_->value();
    return c;
}

void VaeChooser::showChoices(const VaeChoices& c) {
    const auto select = [](QComboBox* box, const QString& value) {
        const int at = box->findData(value);
        if (at >= 0) box->setCurrentIndex(at);
    };
    select(device_, c.device);
    select(kernels_, QString::fromLatin1(lb::kernelsName(c.kernels)));
    select(dtype_, c.dtype);
    threads_->setValue(c.cpuThreads);
    session_->setVaeChoices(choices());
}

void VaeChooser::rememberChoices(const VaeChoices& c) {
    QSettings s;
    s.setValue("vae/device", c.device);
    s.setValue("vae/kernels", QString::fromLatin1(lb::kernelsName(c.kernels)));
    s.setValue("vae/dtype", c.dtype);
    s.setValue("vae/cpuThreads", c.cpuThreads);
}

void VaeChooser::choicesEdited() {
    rememberChoices(choices());
    session_->setVaeChoices(choices());
    if (!vaePath().isEmpty()) loadFile(vaePath());
}

VaeStartChoice VaeChooser::chooseAtStart(const QString& requested, const QString& remembered) {
    VaeStartChoice choice;
    if (!requested.isEmpty()) {
        choice.source = VaeStartChoice::Source::CommandLine;
        choice.path = requested;
        return choice;
    }
    if (!remembered.isEmpty()) {
        if (QFileInfo(remembered).isFile()) {
            choice.source = VaeStartChoice::Source::Remembered;
            choice.path = remembered;
            return choice;
        }
        // Gone (moved, deleted, a drive not mounted): start without it, say so quietly, and
        // keep remembering it in case it comes back.
        choice.note = tr("The last VAE, \"%1\", is no longer in %2: choose a VAE to encode.")
                          .arg(QFileInfo(remembered).fileName(),
                               QDir::toNativeSeparators(QFileInfo(remembered).absolutePath()));
    }
    // Nothing asked for or remembered (a first start), or the remembered one is gone: the
    // built-in TAEF2, so that Encode works with nothing downloaded.
    choice.path = builtinVaePath();
    if (!choice.path.isEmpty()) choice.source = VaeStartChoice::Source::Builtin;
    return choice;
}

QString VaeChooser::builtinVaePath() {
    const auto path = lb::resolveVaePath(lb::builtinVaeSpec("taef2"));
    return path ? QFileInfo(QString::fromStdString(path.value())).absoluteFilePath() : QString();
}

void VaeChooser::loadAtStart(const QString& requested) {
    // Before vae/last existed, the first recent VAE was the last one that loaded.
    const QSettings s;
    const QString remembered =
        s.contains(kLastVaeKey) ? s.value(kLastVaeKey).toString() : recent_->paths().value(0);
    const VaeStartChoice choice = chooseAtStart(requested, remembered);
    if (!choice.note.isEmpty()) {
        note_ = choice.note;
        showInfo();
        emit statusNote(choice.note);
    }
    if (!choice.path.isEmpty())
        startLoad(choice.path, choice.source == VaeStartChoice::Source::Remembered);
    else if (choice.note.isEmpty())
        emit statusNote(tr("The built-in VAE is not installed (%1): choose a VAE to encode.")
                            .arg(QString::fromStdString(lb::builtinModelsDir())));
}

QStringList VaeChooser::scanFolder(const QString& folder) {
    QStringList out;
    if (folder.isEmpty()) return out;
    QDirIterator it(folder, {QStringLiteral("*.safetensors")}, QDir::Files,
                    QDirIterator::Subdirectories | QDirIterator::FollowSymlinks);
    const int depthLimit = QDir(folder).absolutePath().count(QLatin1Char('/')) + 2;
    while (it.hasNext()) {
        const QString path = it.next();
        if (path.count(QLatin1Char('/')) <= depthLimit) out << path;
    }
    out.sort(Qt::CaseInsensitive);
    return out;
}

void VaeChooser::refreshList() {
    const QSignalBlocker block(combo_);
    combo_->clear();
    combo_->addItem(tr("No VAE (choose one to encode)"), QString());
    QStringList seen;
    // The built-in TAEF2 is always offered, labelled for what it is.
    if (const QString builtin = builtinVaePath(); !builtin.isEmpty()) {
        combo_->addItem(tr("Built-in TAEF2 (FLUX.2 latents, preview quality)"), builtin);
        combo_->setItemData(combo_->count() - 1,
                            tr("%1\nTAEF2 by Ollin Boer Bohan, MIT licence; installed with "
                               "Latentbrush")
                                .arg(QDir::toNativeSeparators(builtin)),
                            Qt::ToolTipRole);
        seen << builtin;
    }
    for (const QString& path : recent_->paths()) {
        if (seen.contains(path)) continue;
        combo_->addItem(QFileInfo(path).fileName(), path);
        combo_->setItemData(combo_->count() - 1, QDir::toNativeSeparators(path), Qt::ToolTipRole);
        seen << path;
    }
    const QString folder = QSettings().value("vae/folder").toString();
    const QStringList scanned = scanFolder(folder);
    if (!scanned.isEmpty()) combo_->insertSeparator(combo_->count());
    for (const QString& path : scanned) {
        if (seen.contains(QFileInfo(path).absoluteFilePath())) continue;
        combo_->addItem(QDir(folder).relativeFilePath(path), path);
        combo_->setItemData(combo_->count() - 1, QDir::toNativeSeparators(path), Qt::ToolTipRole);
    }
    // The VAE being loaded shows as chosen at once (the start's restore included).
    const QString shown = isLoading() ? QFileInfo(loadingPath()).absoluteFilePath() : vaePath();
    int current = shown.isEmpty() ? 0 : combo_->findData(shown);
    if (current < 0 && isLoading()) {
        combo_->insertItem(1, QFileInfo(shown).fileName(), shown);
        combo_->setItemData(1, QDir::toNativeSeparators(shown), Qt::ToolTipRole);
        current = 1;
    }
    combo_->setCurrentIndex(current >= 0 ? current : 0);
}

void VaeChooser::chooseFile() {
    QSettings s;
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Choose a VAE"), s.value("folders/vae", s.value("vae/folder")).toString(),
        tr("VAE weights (*.safetensors);;All files (*)"));
    if (path.isEmpty()) return;
    s.setValue("folders/vae", QFileInfo(path).absolutePath());
    loadFile(path);
}

void VaeChooser::chooseFolder() {
    QSettings s;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("ComfyUI models/vae folder"),
                                                          s.value("vae/folder").toString());
    if (dir.isEmpty()) return;
    s.setValue("vae/folder", dir);
    refreshList();
    if (scanFolder(dir).isEmpty())
        emit loadFailed(tr("No .safetensors files were found in \"%1\". Choose ComfyUI's "
                           "models/vae folder (or any folder holding VAE .safetensors files).")
                            .arg(QDir::toNativeSeparators(dir)));
    else
        combo_->showPopup();
}

void VaeChooser::setCpuThreads(int threads) {
    threads_->setValue(threads);
    session_->setVaeChoices(choices());
    const int wanted = threads_->value();
    if (QSettings().value("vae/cpuThreads", 0).toInt() == wanted) return;
    QSettings().setValue("vae/cpuThreads", wanted);
    if (!vaePath().isEmpty()) loadFile(vaePath());
}

void VaeChooser::loadFile(const QString& path) {
    startLoad(path, false);
}

void VaeChooser::startLoad(const QString& path, bool remembered) {
    session_->setVaeChoices(choices()); // the choices as shown now, as a load always used
    session_->loadVae(path, remembered);
}

void VaeChooser::onLoadingChanged(bool loading) {
    if (!loading) {
        busy_->hide();
        return;
    }
    busy_->show();
    info_->setText(tr("Loading %1…").arg(QFileInfo(loadingPath()).fileName()));
    refreshList();
}

// Reports the session's load: the session already holds the VAE when it loaded.
void VaeChooser::onLoaded(const LoadedVae& loaded) {
    if (!loaded.vae) {
        const QString why = loaded.error.isEmpty() ? tr("unknown error") : loaded.error;
        const QString name = QFileInfo(loaded.path).fileName();
        if (vae() && QFileInfo(loaded.path).absoluteFilePath() == vaePath()) {
            // The file loads (it is in use); the new choices do not: back to those in use.
            const VaeChoices inUse = session_->loadedVaeChoices();
            showChoices(inUse);
            rememberChoices(inUse);
            emit loadFailed(tr("Could not load the VAE \"%1\" with these settings: %2. It "
                               "stays loaded as before (%3).")
                                .arg(name, why, summary()));
        } else if (loaded.remembered) {
            // The start's restore: say why in the panel and the status bar, not as an error;
            // the next start does not try it (nor an older one) again.
            QSettings().setValue(kLastVaeKey, QString());
            recent_->remove(loaded.path);
            const QString builtin = builtinVaePath();
            note_ = builtin.isEmpty() || builtin == loaded.path
                        ? tr("The last VAE, \"%1\", could not be loaded (%2): choose a VAE "
                             "to encode.")
                              .arg(name, why)
                        : tr("The last VAE, \"%1\", could not be loaded (%2): the built-in "
                             "TAEF2 is used instead.")
                              .arg(name, why);
            emit statusNote(note_);
            if (!builtin.isEmpty() && builtin != loaded.path) startLoad(builtin, false);
        } else {
            emit loadFailed(tr("Could not load the VAE \"%1\": %2. Choose a VAE .safetensors "
                               "file (AutoencoderKL, FLUX.2, TAESD family or TAEF2).")
                                .arg(name, why));
            recent_->remove(loaded.path);
        }
        showInfo();
        refreshList();
        return;
    }
    note_.clear();
    QSettings().setValue(kLastVaeKey, vaePath()); // brought back at the next start
    recent_->add(vaePath());                      // refreshes the list
    refreshList();
    showInfo();
}

lb::VaeLoadOptions VaeChooser::loadOptions() const {
    return vaeLoadOptionsFor(choices());
}

QString VaeChooser::summary() const {
    const auto vae = session_->vae();
    if (!vae) return {};
    const lb::VaeInfo& i = vae->info();
    return tr("%1 · %2 ch · ×%3 · %4 %5%6")
        .arg(QString::fromLatin1(lb::vaeFamilyName(i.family)))
        .arg(i.latentChannels)
        .arg(i.downscale)
        .arg(QString::fromStdString(i.device), QString::fromStdString(i.computeDType),
             i.kernels == lb::Kernels::Reference ? tr(" · exact") : QString());
}

void VaeChooser::showInfo() {
    const auto vae = session_->vae();
    if (!vae) {
        info_->setText(note_.isEmpty()
                           ? tr("No VAE loaded: pick a .safetensors file or a models/vae folder.")
                           : note_);
        return;
    }
    const lb::VaeInfo& i = vae->info();
    info_->setText(tr("<b>%1</b> · %2 ch · ×%3 · %4<br>%5 %6 · %7 weights · %8 M parameters")
                       .arg(QString::fromLatin1(lb::vaeFamilyName(i.family)))
                       .arg(i.latentChannels)
                       .arg(i.downscale)
                       .arg(i.hasDecoder ? tr("with decoder") : tr("encoder only"),
                            QString::fromStdString(i.device),
                            QString::fromStdString(i.computeDType) +
                                (i.kernels == lb::Kernels::Reference ? tr(" exact") : QString()),
                            QString::fromStdString(i.fileDType))
                       .arg(double(i.parameterCount) / 1e6, 0, 'f', 1) +
                   (usesBuiltinVae()
                        ? tr("<br>Built-in: the FLUX.2 latent space at preview quality")
                        : QString()));
    QStringList details{QDir::toNativeSeparators(vaePath())};
    for (const std::string& line : i.inferred)
        details << QString::fromStdString(line);
    info_->setToolTip(details.join(QLatin1Char('\n')));
}

} // namespace lbui
