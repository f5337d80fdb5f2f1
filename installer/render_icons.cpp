// latentbrush-render-icons: renders the application's SVG icon to the PNG sizes of the
// freedesktop hicolor theme (build time, offscreen platform). Usage: SVG OUTDIR.
#include <QDir>
#include <QGuiApplication>
#include <QIcon>
#include <QImage>
#include <QPainter>
#include <QTextStream>

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    if (argc != 3) {
        QTextStream(stderr) << "usage: latentbrush-render-icons ICON.svg OUTDIR\n";
        return 2;
    }
    const QIcon icon(QString::fromLocal8Bit(argv[1]));
    const QString out = QString::fromLocal8Bit(argv[2]);
    for (int size : {16, 22, 24, 32, 48, 64, 128, 256, 512}) {
        const QString dir = QString("%1/hicolor/%2x%2/apps").arg(out).arg(size);
        QDir().mkpath(dir);
        QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        QPainter painter(&image);
        icon.paint(&painter, QRect(0, 0, size, size));
        painter.end();
        if (image.isNull() || !image.save(dir + "/latentbrush.png")) {
            QTextStream(stderr) << "latentbrush-render-icons: cannot render " << argv[1] << " at "
                                << size << "px (is the Qt SVG plugin installed?)\n";
            return 1;
        }
    }
    return 0;
}
