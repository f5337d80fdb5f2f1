// DecodeView: paints two images in equal halves (side by side or stacked, whichever is
// larger) with captions.
#include "DecodeView.h"

#include <QPainter>

namespace lbui {

DecodeView::DecodeView(QWidget* parent) : QWidget(parent) {
    setMinimumSize(200, 140);
}

void DecodeView::setImages(const QImage& original, const QImage& decoded) {
    original_ = original;
    decoded_ = decoded;
    update();
}

void DecodeView::clear() {
    original_ = decoded_ = QImage();
    update();
}

void DecodeView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), QColor(32, 32, 35));
    if (decoded_.isNull()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap,
                   tr("Encode with a VAE that has a decoder to compare its decode with the "
                      "encoder's input here."));
        return;
    }
    const int caption = fontMetrics().height() + 6;
    const QSize img = decoded_.size();
    const bool sideBySide = double(width()) / height() > double(img.width()) / img.height();
    QRect a, b;
    if (sideBySide) {
        a = QRect(0, 0, width() / 2, height());
        b = QRect(width() / 2, 0, width() - width() / 2, height());
    } else {
        a = QRect(0, 0, width(), height() / 2);
        b = QRect(0, height() / 2, width(), height() - height() / 2);
    }
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    auto draw = [&](const QRect& area, const QImage& image, const QString& title) {
        const QRect inner = area.adjusted(4, caption, -4, -4);
        const QSize s = image.size().scaled(inner.size(), Qt::KeepAspectRatio);
        const QRect target(inner.center() - QPoint(s.width() / 2, s.height() / 2), s);
        p.drawImage(target, image);
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(QRect(area.left(), area.top(), area.width(), caption), Qt::AlignCenter, title);
    };
    draw(a, original_, tr("Encoder input"));
    draw(b, decoded_, tr("Decoded latent"));
}

} // namespace lbui
