// latentbrush: the editor's main(): parses `latentbrush [IMG] [--mask MASK] [--vae VAE]` and
// opens the main window; everything else lives in latentbrush_ui.
#include "Application.h"
#include "MainWindow.h"
#include "TestDriver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimer>

#include <cstdio>
#include <cstring>

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

    void addTo(QCommandLineParser& parser) {
        parser.setApplicationDescription(
            QObject::tr("Paint inpainting masks and export latents exactly as ComfyUI's "
                        "VAEEncodeForInpaint."));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addPositionalArgument(QStringLiteral("IMG"), QObject::tr("Image to open."),
                                     QStringLiteral("[IMG]"));
        quitAfter.setFlags(QCommandLineOption::HiddenFromHelp);
        parser.addOption(mask);
        parser.addOption(vae);
        parser.addOption(quitAfter);
    }
};

// True when argv asks for text only (help or version): answered without a QApplication, which
// would need a display, so that `latentbrush --help` works over SSH.
bool asksForTextOnly(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const char* a = argv[i];
        if (std::strcmp(a, "--") == 0) return false;
        for (const char* flag : {"-h", "--help", "-?", "--help-all", "-v", "--version"})
            if (std::strcmp(a, flag) == 0) return true;
    }
    return false;
}

} // namespace

int main(int argc, char** argv) {
    lbui::Application::setIdentity();
    if (asksForTextOnly(argc, argv)) {
        QCoreApplication textOnly(argc, argv);
        QCommandLineParser parser;
        EditorOptions options;
        options.addTo(parser);
        parser.process(textOnly); // prints the help or the version and exits
        return 0;
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
        QTimer::singleShot(int(seconds * 1000), &window, &QWidget::close);
    }
    return app.exec();
}
