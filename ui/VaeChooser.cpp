// VaeChooser: combo of recent and scanned VAEs plus browse/folder buttons; lb::Vae::load runs
// on the thread pool and its errors are turned into messages that say what to do.
#include "VaeChooser.h"

#include "RecentFiles.h"
#include "SvgIconRenderer.h"

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
#include <QtConcurrent>

#include <exception>

namespace lbui {

namespace {

LoadedVae loadVae(const QString& path, lb::VaeLoadOptions options) {
    LoadedVae out;
    out.path = path;
    try {
        options.needEncoder = true;
        options.needDecoder = false; // a decoder in the file is loaded too, and used for previews
        auto vae = lb::Vae::load(QFile::encodeName(path).toStdString(), options);
        if (!vae) {
            out.error = QString::fromStdString(vae.message());
            return out;
        }
        out.vae = *vae;
    } catch (const std::exception& e) {
        out.error = QString::fromLocal8Bit(e.what());
    }
    return out;
}

} // namespace

VaeChooser::VaeChooser(QWidget* parent) : QWidget(parent) {
    recent_ = new RecentFiles(QStringLiteral("recent/vaes"), 10, this);
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setHorizontalSpacing(4);
    combo_ = new QComboBox(this);
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
    device_->setToolTip(tr("Where the VAE runs (auto: the GPU when there is one)"));
    const int savedDevice = device_->findData(QSettings().value("vae/device", "auto"));
    if (savedDevice >= 0) device_->setCurrentIndex(savedDevice);
    kernels_ = new QComboBox(this);
    kernels_->setObjectName(QStringLiteral("vaeKernels"));
    kernels_->addItem(tr("Fast kernels"), QStringLiteral("fast"));
    kernels_->addItem(tr("Exact kernels"), QStringLiteral("reference"));
    kernels_->setToolTip(
        tr("Fast: fused kernels, within 1e-4 of ComfyUI in fp32. Exact: ComfyUI's own "
           "operations and layouts (on the CPU in fp32 the same latent bit for bit), slower."));
    const int savedKernels = kernels_->findData(QSettings().value("vae/kernels", "fast"));
    if (savedKernels >= 0) kernels_->setCurrentIndex(savedKernels);
    threads_ = new QSpinBox(this);
    threads_->setObjectName(QStringLiteral("vaeCpuThreads"));
    threads_->setRange(0, 1024);
    threads_->setSpecialValueText(tr("All CPU cores"));
    threads_->setSuffix(tr(" CPU threads"));
    threads_->setToolTip(tr("Threads of the VAE on the CPU (All: every core this process may "
                            "use). A fixed count repeats a run's numbers bit for bit."));
    threads_->setValue(QSettings().value("vae/cpuThreads", 0).toInt());
    info_ = new QLabel(this);
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
    layout->addWidget(threads_, 2, 0, 1, 3);
    layout->addWidget(busy_, 3, 0, 1, 3);
    layout->addWidget(info_, 4, 0, 1, 3);
    layout->setColumnStretch(0, 1);

    connect(browse_, &QToolButton::clicked, this, &VaeChooser::chooseFile);
    connect(folder_, &QToolButton::clicked, this, &VaeChooser::chooseFolder);
    connect(combo_, &QComboBox::activated, this, [this](int index) {
        const QString path = combo_->itemData(index).toString();
        if (!path.isEmpty() && path != vaePath_) loadFile(path);
    });
    connect(device_, &QComboBox::activated, this, [this] {
        QSettings().setValue("vae/device", device_->currentData());
        if (!vaePath_.isEmpty()) loadFile(vaePath_);
    });
    connect(kernels_, &QComboBox::activated, this, [this] {
        QSettings().setValue("vae/kernels", kernels_->currentData());
        if (!vaePath_.isEmpty()) loadFile(vaePath_);
    });
    connect(threads_, &QSpinBox::editingFinished, this,
            [this] { setCpuThreads(threads_->value()); });
    connect(&watcher_, &QFutureWatcher<LoadedVae>::finished, this, &VaeChooser::onLoaded);
    connect(recent_, &RecentFiles::changed, this, &VaeChooser::refreshList);
    refreshList();
    showInfo();
}

VaeChooser::~VaeChooser() {
    watcher_.waitForFinished();
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
    for (const QString& path : recent_->paths()) {
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
    const int current = vaePath_.isEmpty() ? 0 : combo_->findData(vaePath_);
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
    const int wanted = threads_->value();
    if (QSettings().value("vae/cpuThreads", 0).toInt() == wanted) return;
    QSettings().setValue("vae/cpuThreads", wanted);
    if (!vaePath_.isEmpty()) loadFile(vaePath_);
}

void VaeChooser::loadFile(const QString& path) {
    if (watcher_.isRunning()) watcher_.waitForFinished();
    busy_->show();
    info_->setText(tr("Loading %1…").arg(QFileInfo(path).fileName()));
    combo_->setEnabled(false);
    emit loadingChanged(true);
    watcher_.setFuture(QtConcurrent::run(loadVae, path, loadOptions()));
}

void VaeChooser::onLoaded() {
    busy_->hide();
    combo_->setEnabled(true);
    const LoadedVae loaded = watcher_.result();
    emit loadingChanged(false);
    if (!loaded.vae) {
        QString why = loaded.error;
        if (why.isEmpty()) why = tr("unknown error");
        emit loadFailed(tr("Could not load the VAE \"%1\": %2. Choose a VAE .safetensors file "
                           "(AutoencoderKL, FLUX.2, TAESD family or TAEF2).")
                            .arg(QFileInfo(loaded.path).fileName(), why));
        recent_->remove(loaded.path);
        showInfo();
        refreshList();
        return;
    }
    vae_ = loaded.vae;
    vaePath_ = QFileInfo(loaded.path).absoluteFilePath();
    recent_->add(vaePath_); // refreshes the list
    showInfo();
    emit vaeChanged(vae_);
}

lb::VaeLoadOptions VaeChooser::loadOptions() const {
    lb::VaeLoadOptions options;
    options.device = device_->currentData().toString().toStdString();
    options.referenceKernels = kernels_->currentData().toString() == QStringLiteral("reference");
    options.cpuThreads = threads_->value();
    return options;
}

QString VaeChooser::summary() const {
    if (!vae_) return {};
    const lb::VaeInfo& i = vae_->info();
    return tr("%1 · %2 ch · ×%3 · %4 %5%6")
        .arg(QString::fromLatin1(lb::vaeFamilyName(i.family)))
        .arg(i.latentChannels)
        .arg(i.downscale)
        .arg(QString::fromStdString(i.device), QString::fromStdString(i.computeDType),
             i.kernels == "reference" ? tr(" · exact") : QString());
}

void VaeChooser::showInfo() {
    if (!vae_) {
        info_->setText(tr("No VAE loaded: pick a .safetensors file or a models/vae folder."));
        return;
    }
    const lb::VaeInfo& i = vae_->info();
    info_->setText(tr("<b>%1</b> · %2 ch · ×%3 · %4<br>%5 %6 · %7 weights · %8 M parameters")
                       .arg(QString::fromLatin1(lb::vaeFamilyName(i.family)))
                       .arg(i.latentChannels)
                       .arg(i.downscale)
                       .arg(i.hasDecoder ? tr("with decoder") : tr("encoder only"),
                            QString::fromStdString(i.device),
                            QString::fromStdString(i.computeDType) +
                                (i.kernels == "reference" ? tr(" exact") : QString()),
                            QString::fromStdString(i.fileDType))
                       .arg(double(i.parameterCount) / 1e6, 0, 'f', 1));
    QStringList details{QDir::toNativeSeparators(vaePath_)};
    for (const std::string& line : i.inferred)
        details << QString::fromStdString(line);
    info_->setToolTip(details.join(QLatin1Char('\n')));
}

} // namespace lbui
