// KeptView: turns LiveRoundTrip's results into three images and a caption, and paints them side
// by side or stacked, whichever fits the panel.
#include "KeptView.h"

#include "LiveRoundTrip.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace lbui {

// The painting surface: three images with titles, in a row or a column.
class KeptView::Images : public QWidget {
public:
    explicit Images(KeptView* view) : QWidget(view), view_(view) { setMinimumSize(200, 120); }
    bool stale = false;

protected:
    void paintEvent(QPaintEvent*) override {
        QPainter p(this);
        p.fillRect(rect(), QColor(32, 32, 35));
        const QImage& decoded = view_->decoded_;
        if (decoded.isNull()) {
            p.setPen(palette().color(QPalette::PlaceholderText));
            p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap,
                       tr("Paint a mask: the region comes back here as the VAE returns it, with "
                          "where it differs from the original."));
            return;
        }
        const int title = fontMetrics().height() + 4;
        const QSize img = decoded.size();
        // Row or column: whichever shows the images larger.
        const double rowScale =
            std::min((width() / 3.0) / img.width(), double(height() - title) / img.height());
        const double columnScale =
            std::min(double(width()) / img.width(), (height() / 3.0 - title) / img.height());
        const bool row = rowScale >= columnScale;
        const struct {
            const QImage* image;
            QString name;
        } panes[] = {{&view_->original_, tr("Original")},
                     {&view_->decoded_, tr("Decoded")},
                     {&view_->difference_, tr("Difference")}};
        p.setRenderHint(QPainter::SmoothPixmapTransform);
        for (int i = 0; i < 3; ++i) {
            const QRect area = row ? QRect(i * width() / 3, 0, width() / 3, height())
                                   : QRect(0, i * height() / 3, width(), height() / 3);
            const QRect inner = area.adjusted(3, title, -3, -3);
            const QSize s = panes[i].image->size().scaled(inner.size(), Qt::KeepAspectRatio);
            const QRect target(inner.center() - QPoint(s.width() / 2, s.height() / 2), s);
            p.setOpacity(stale ? 0.45 : 1.0);
            p.drawImage(target, *panes[i].image);
            p.setOpacity(1.0);
            p.setPen(palette().color(QPalette::WindowText));
            p.drawText(QRect(area.left(), area.top(), area.width(), title), Qt::AlignCenter,
                       panes[i].name);
        }
    }

private:
    KeptView* view_;
};

KeptView::KeptView(LiveRoundTrip* live, QWidget* parent) : QWidget(parent), live_(live) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->setSpacing(4);
    auto* top = new QHBoxLayout;
    enabled_ = new QCheckBox(tr("Live"), this);
    enabled_->setObjectName(QStringLiteral("liveKeptEnabled"));
    enabled_->setChecked(live_->isEnabled());
    enabled_->setToolTip(tr("Encode and decode the region after each change, on a worker, to "
                            "show what the VAE keeps and where the gray fill bleeds"));
    caption_ = new QLabel(this);
    caption_->setObjectName(QStringLiteral("liveKeptCaption"));
    caption_->setWordWrap(true);
    caption_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(enabled_);
    top->addWidget(caption_, 1);
    layout->addLayout(top);
    images_ = new Images(this);
    layout->addWidget(images_, 1);

    connect(enabled_, &QCheckBox::toggled, live_, &LiveRoundTrip::setEnabled);
    connect(live_, &LiveRoundTrip::resultChanged, this, &KeptView::showResult);
    connect(live_, &LiveRoundTrip::stateChanged, this, &KeptView::showState);
    showState();
}

QRgb KeptView::heatColour(float difference) {
    return keptHeatColour(difference);
}

QString KeptView::caption() const {
    return caption_->text();
}

void KeptView::showResult() {
    const LiveResult* r = live_->result();
    if (!r || !r->error.isEmpty()) {
        showState();
        return;
    }
    // Built by the live view's worker (KeptImages): nothing is converted here.
    original_ = r->images.original;
    decoded_ = r->images.decoded;
    difference_ = r->images.difference;
    showState();
}

void KeptView::showState() {
    const LiveResult* r = live_->result();
    QString text;
    if (!live_->isEnabled()) {
        text = tr("Off.");
    } else if (r && !r->error.isEmpty()) {
        text = tr("The live view failed: %1").arg(r->error);
    } else if (r) {
        const double psnr = r->trip.psnrKept;
        // In the noise-mask mode nothing is gray-filled: "outside the mask" is where the soft
        // mask (after GrowMask and ImageBlur) is 0.
        const QString where =
            r->noiseMaskMode ? tr("where the soft mask is 0") : tr("outside the mask");
        const QString quality = std::isnan(psnr) ? tr("everything is regenerated")
                                : std::isinf(psnr)
                                    ? tr("identical %1").arg(where)
                                    : tr("PSNR %1 dB %2").arg(psnr, 0, 'f', 1).arg(where);
        // A precision other than the session's is said, so the view is never taken for float32.
        const QString vae = r->fasterPrecision
                                ? tr("%1 in %2 (for speed)").arg(r->vaeName, r->precision)
                                : r->vaeName;
        text = tr("%1 · %2 · %3 s")
                   .arg(vae, quality)
                   .arg(r->trip.encodeSeconds + r->trip.decodeSeconds, 0, 'f', 2);
        if (r->chosenSkipped) text += tr(" (instead of the chosen VAE: %1)").arg(r->why);
        if (!live_->resultIsCurrent()) text += tr(" · updating…");
    } else {
        text = live_->isRunning() || live_->isPending() ? tr("Updating…") : QString();
    }
    caption_->setText(text);
    images_->stale = r && !live_->resultIsCurrent();
    images_->update();
    if (enabled_->isChecked() != live_->isEnabled()) enabled_->setChecked(live_->isEnabled());
}

} // namespace lbui
