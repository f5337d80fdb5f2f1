// latentbrush: the editor's main(): parses `latentbrush [IMG] [--mask MASK] [--vae VAE]` and
// opens the main window; everything else lives in latentbrush_ui.
#include "Application.h"
#include "MainWindow.h"
#include "TestDriver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

namespace {

// The editor's command line. Declared once, for the help-only parse and for the real one.
struct EditorOptions {
    QCommandLineOption mask{QStringLiteral("mask"),
                            QObject::tr("Mask file to load with the image."),
                            QStringLiteral("MASK")};
    QCommandLineOption vae{QStringLiteral("vae"), QObject::tr("VAE (.safetensors) to load."),
                           QStringLiteral("VAE")};
    QCommandLineOption quitAfter{QStringLiteral("quit-after"),
                                 QObject::tr("Close the window after SECONDS (smoke tests)."),
                                 QStringLiteral("SECONDS")};
    QCommandLineOption screenshot{
        QStringLiteral("screenshot"),
        QObject::tr("With --quit-after: save the window as FILE (PNG) just before it closes "
                    "(the documentation's screenshots)."),
        QStringLiteral("FILE")};

    void addTo(QCommandLineParser& parser) {
        parser.setApplicationDescription(
            QObject::tr("Paint inpainting masks and export latents exactly as ComfyUI's "
                        "VAEEncodeForInpaint."));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addPositionalArgument(QStringLiteral("IMG"), QObject::tr("Image to open."),
                                     QStringLiteral("[IMG]"));
        quitAfter.setFlags(QCommandLineOption::HiddenFromHelp);
        screenshot.setFlags(QCommandLineOption::HiddenFromHelp);
        parser.addOption(mask);
        parser.addOption(vae);
        parser.addOption(quitAfter);
        parser.addOption(screenshot);
    }
};

} // namespace

int main(int argc, char** argv) {
    lbui::Application::setIdentity();
    {
        // Help, version and command-line errors are answered by a QCoreApplication, before the
        // QApplication that needs a display exists: `latentbrush --help` works over SSH.
        QStringList arguments;
        for (int i = 0; i < argc; ++i)
            arguments << QString::fromLocal8Bit(argv[i]);
        QCommandLineParser probe;
        EditorOptions options;
        options.addTo(probe);
        if (!probe.parse(arguments) || probe.isSet(QStringLiteral("help")) ||
            probe.isSet(QStringLiteral("help-all")) || probe.isSet(QStringLiteral("version"))) {
            QCoreApplication textOnly(argc, argv);
            probe.process(textOnly); // prints the help, the version or the error, and exits
            return 2;
        }
    }
    lbui::Application app(argc, argv);
    QCommandLineParser parser;
    EditorOptions options;
    options.addTo(parser);
    parser.process(app);

    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1) {
        std::fprintf(stderr, "latentbrush: give at most one image (got %lld)\n",
                     static_cast<long long>(positional.size()));
        return 2;
    }
    if (parser.isSet(options.mask) && positional.isEmpty()) {
        std::fprintf(stderr, "latentbrush: --mask needs an image to go with it\n");
        return 2;
    }

    lbui::MainWindow window;
    lbui::TestDriver::attachIfAsked(&window); // tests only (LATENTBRUSH_TEST_DRIVER=1)
    window.start({positional.value(0), parser.value(options.mask), parser.value(options.vae)});
    window.show();
    if (parser.isSet(options.quitAfter)) {
        bool ok = false;
        const double seconds = parser.value(options.quitAfter).toDouble(&ok);
        if (!ok || seconds < 0) {
            std::fprintf(stderr, "latentbrush: --quit-after needs a number of seconds\n");
            return 2;
        }
        const QString screenshotFile = parser.value(options.screenshot);
        QTimer::singleShot(int(seconds * 1000), &window, [&window, screenshotFile] {
            if (!screenshotFile.isEmpty() && !window.grab().save(screenshotFile, "PNG"))
                std::fprintf(stderr, "latentbrush: could not write %s\n",
                             qPrintable(screenshotFile));
            window.close();
        });
    }
    return app.exec();
}
