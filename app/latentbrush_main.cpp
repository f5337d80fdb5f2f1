// latentbrush: the editor's main(): parses `latentbrush [IMG] [--mask MASK] [--vae VAE]` and
// opens the main window; everything else lives in latentbrush_ui.
#include "Application.h"
#include "MainWindow.h"

#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>

int main(int argc, char** argv) {
    lbui::Application app(argc, argv);

    QCommandLineParser parser;
    parser.setApplicationDescription(QObject::tr(
        "Paint inpainting masks and export latents exactly as ComfyUI's VAEEncodeForInpaint."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("IMG"), QObject::tr("Image to open."),
                                 QStringLiteral("[IMG]"));
    const QCommandLineOption maskOption(QStringLiteral("mask"),
                                        QObject::tr("Mask file to load with the image."),
                                        QStringLiteral("MASK"));
    const QCommandLineOption vaeOption(
        QStringLiteral("vae"), QObject::tr("VAE (.safetensors) to load."), QStringLiteral("VAE"));
    QCommandLineOption quitAfterOption(QStringLiteral("quit-after"),
                                       QObject::tr("Close the window after SECONDS (smoke tests)."),
                                       QStringLiteral("SECONDS"));
    quitAfterOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(maskOption);
    parser.addOption(vaeOption);
    parser.addOption(quitAfterOption);
    parser.process(app);

    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1) {
        std::fprintf(stderr, "latentbrush: give at most one image (got %lld)\n",
                     static_cast<long long>(positional.size()));
        return 2;
    }
    if (parser.isSet(maskOption) && positional.isEmpty()) {
        std::fprintf(stderr, "latentbrush: --mask needs an image to go with it\n");
        return 2;
    }

    lbui::MainWindow window;
    if (positional.isEmpty())
        window.openSample();
    else
        window.openImage(positional.first(), parser.value(maskOption));
    if (parser.isSet(vaeOption)) window.setVaeFile(parser.value(vaeOption));
    window.show();
    QTimer::singleShot(0, &window, &lbui::MainWindow::offerAutosaveRecovery);
    if (parser.isSet(quitAfterOption)) {
        bool ok = false;
        const double seconds = parser.value(quitAfterOption).toDouble(&ok);
        if (!ok || seconds < 0) {
            std::fprintf(stderr, "latentbrush: --quit-after needs a number of seconds\n");
            return 2;
        }
        QTimer::singleShot(int(seconds * 1000), &window, &QWidget::close);
    }
    return app.exec();
}
