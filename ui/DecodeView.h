// DecodeView: the encoder's input (cropped, gray-filled) and the VAE's decode of the latent,
// side by side and scaled to fit, to show what the VAE kept.
#pragma once

#include <QImage>
#include <QWidget>

namespace lbui {

class DecodeView : public QWidget {
    Q_OBJECT
public:
    explicit DecodeView(QWidget* parent = nullptr);
    void setImages(const QImage& original, const QImage& decoded);
    void clear();
    bool hasImages() const { return !decoded_.isNull(); }
    QSize sizeHint() const override { return {320, 200}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QImage original_;
    QImage decoded_;
};

} // namespace lbui
