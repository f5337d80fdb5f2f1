// The editor's regions: the region controls of the Inpaint Preview panel drive the
// planner, which plans exactly as lb::regions does on the grown mask of the whole image and
// follows the mask and grow live; the canvas outlines the regions; the encoder-input view's
// pixels are regionEncode's own (the built-in TAEF2); the settings are remembered.
#include "UiTestSupport.h"

#include "GrowPreview.h"
#include "RegionPlanner.h"
#include "TestSupport.h"
#include "VaeChooser.h"

#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/Vae.h"
#include "latentbrush/regions/RegionEncode.h"
#include "latentbrush/regions/RegionPixels.h"

#include <QComboBox>
#include <QLabel>
#include <QSpinBox>

using namespace lbui;

namespace {

void paintRect(MaskDocument& doc, const QRect& rect) {
    const std::vector<float> ones(std::size_t(rect.width()) * rect.height(), 1.0f);
    doc.writeMask(rect, ones.data());
}

// The plan lb::regions makes of the window's mask, grow and settings, computed here from the
// document alone.
lb::Result<lb::regions::RegionPlan> expectedPlan(MainWindow& w) {
    const lb::BinaryMask grown =
        lb::growBinary(lb::roundMask(w.document()->mask()), w.findChild<GrowPreview*>()->grow());
    return lb::regions::planRegions(w.regionPlanner()->settings().request(), grown,
                                    w.findChild<GrowPreview*>()->multiple());
}

QList<QRect> toRects(const lb::regions::RegionPlan& plan) {
    QList<QRect> out;
    for (const auto& r : plan.rects)
        out.append(QRect(r.x, r.y, r.w, r.h));
    return out;
}

} // namespace

class TestRegions : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    void offByDefault() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        QVERIFY(!w->regionPlanner()->enabled());
        paintRect(*w->document(), QRect(100, 80, 40, 30));
        w->regionPlanner()->flush();
        QVERIFY(!w->regionPlanner()->plan());
        QVERIFY(w->regionPlanner()->rects().isEmpty());
    }

    void autoRegionFollowsTheMaskAndGrow() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        MaskDocument& doc = *w->document();
        RegionPlanner* planner = w->regionPlanner();
        auto* mode = w->findChild<QComboBox*>(QStringLiteral("regionMode"));
        QVERIFY(mode);
        mode->setCurrentIndex(1); // auto
        QCOMPARE(planner->settings().mode, RegionSettings::Mode::Auto);

        // Nothing masked: no region, and the panel says why.
        planner->flush();
        QVERIFY(!planner->plan());
        QVERIFY(!planner->error().isEmpty());
        QVERIFY(w->findChild<QLabel*>(QStringLiteral("regionInfo"))
                    ->text()
                    .contains(QStringLiteral("No region")));

        paintRect(doc, QRect(100, 80, 40, 30));
        QSignalSpy changed(planner, &RegionPlanner::planChanged);
        QVERIFY(changed.wait(2000)); // follows the mask by itself, once per event-loop turn
        auto expected = expectedPlan(*w);
        QVERIFY2(expected, expected ? "" : expected.message().c_str());
        QVERIFY(planner->plan());
        QCOMPARE(planner->rects(), toRects(*expected));
        const QRect first = planner->rects().value(0);
        QVERIFY(first.contains(QRect(100, 80, 40, 30)));

        // A second mark far away: the one region grows to frame both.
        paintRect(doc, QRect(300, 200, 20, 20));
        QVERIFY(changed.wait(2000));
        expected = expectedPlan(*w);
        QCOMPARE(planner->rects(), toRects(*expected));
        QCOMPARE(planner->rects().size(), 1);
        QVERIFY(planner->rects()[0].contains(QRect(300, 200, 20, 20)));

        // Separate regions: one per mark.
        mode->setCurrentIndex(2);
        planner->flush();
        expected = expectedPlan(*w);
        QCOMPARE(planner->rects(), toRects(*expected));
        QCOMPARE(planner->rects().size(), 2);

        // Grow changes the plan too.
        mode->setCurrentIndex(1);
        w->findChild<GrowPreview*>()->setGrow(40);
        planner->flush();
        expected = expectedPlan(*w);
        QCOMPARE(planner->rects(), toRects(*expected));

        // Context in pixels and a target size.
        w->findChild<QComboBox*>(QStringLiteral("regionContextUnit"))->setCurrentIndex(1);
        w->findChild<QSpinBox*>(QStringLiteral("regionContext"))->setValue(16);
        w->findChild<QComboBox*>(QStringLiteral("regionTarget"))->setCurrentIndex(1);
        w->findChild<QSpinBox*>(QStringLiteral("regionTargetWidth"))->setValue(256);
        w->findChild<QSpinBox*>(QStringLiteral("regionTargetHeight"))->setValue(192);
        w->findChild<QComboBox*>(QStringLiteral("regionMethod"))->setCurrentIndex(1); // area
        planner->flush();
        QCOMPARE(planner->settings().contextUnit, RegionSettings::ContextUnit::Pixels);
        QCOMPARE(planner->settings().context, 16);
        QCOMPARE(planner->settings().method, lb::regions::ResizeMethod::Area);
        expected = expectedPlan(*w);
        QVERIFY2(expected, expected ? "" : expected.message().c_str());
        QCOMPARE(planner->rects(), toRects(*expected));
        QCOMPARE(planner->plan()->scaledWidth, 256);
        QCOMPARE(planner->plan()->scaledHeight, 192);

        // The canvas outlines the region (zoom 1, image (0,0) at widget (20,20)).
        const QRect r = planner->rects()[0];
        const QImage shot = w->canvas()->grab().toImage();
        const QColor edge = shot.pixelColor(20 + r.x(), 20 + r.y() + r.height() / 2);
        QVERIFY2(edge.red() < 100 && edge.green() > 150 && edge.blue() > 150,
                 qPrintable(edge.name()));

        // Remembered: a new window starts with the same settings and plan.
        const RegionSettings kept = planner->settings();
        w.reset();
        auto w2 = lbuitest::makeWindow();
        QVERIFY(w2);
        QCOMPARE(w2->regionPlanner()->settings(), kept);
        QCOMPARE(w2->findChild<QComboBox*>(QStringLiteral("regionMode"))->currentIndex(), 1);
        QCOMPARE(w2->findChild<QSpinBox*>(QStringLiteral("regionTargetWidth"))->value(), 256);
        QSettings().clear();
    }

    // The encoder-input view shows what regionEncode gives the VAE, value for value.
    void encoderInputsAreTheEncodesOwn() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        MaskDocument& doc = *w->document();
        RegionSettings s;
        s.mode = RegionSettings::Mode::Separate;
        s.target = RegionSettings::Target::Area;
        s.targetArea = 160 * 128;
        s.method = lb::regions::ResizeMethod::Bicubic;
        w->regionPlanner()->setSettings(s);
        paintRect(doc, QRect(60, 50, 30, 50));
        paintRect(doc, QRect(330, 260, 45, 25));

        const QString path = VaeChooser::builtinVaePath();
        if (path.isEmpty()) LB_CANNOT_RUN("the built-in TAEF2 is not installed");
        auto vae = lb::Vae::load(path.toStdString(), {});
        QVERIFY2(vae, vae ? "" : vae.message().c_str());
        w->findChild<GrowPreview*>()->setMultiple((*vae)->info().downscale);
        w->regionPlanner()->flush();
        QVERIFY2(w->regionPlanner()->plan(), qPrintable(w->regionPlanner()->error()));

        lb::regions::RegionEncodeOptions options;
        options.request = s.request();
        options.method = s.method;
        options.grow = w->findChild<GrowPreview*>()->grow();
        auto encoded = lb::regions::regionEncode(**vae, *doc.image(), doc.mask(), options);
        QVERIFY2(encoded, encoded ? "" : encoded.message().c_str());
        QCOMPARE(w->regionPlanner()->rects(), toRects(encoded->plan));
        const auto& inputs = w->regionPlanner()->encoderInputs();
        QCOMPARE(inputs.size(), encoded->pixels.size());
        QVERIFY(inputs.size() >= 1);
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            QCOMPARE(inputs[i].width, encoded->pixels[i].width);
            QCOMPARE(inputs[i].height, encoded->pixels[i].height);
            QCOMPARE(inputs[i].channels, encoded->pixels[i].channels);
            QVERIFY(inputs[i].data == encoded->pixels[i].data); // bit for bit
        }

        // The view shows them: the encoder-input view's pixel at a region's centre is the
        // region's input there, not the image.
        w->canvas()->setViewMode(CanvasWidget::ViewMode::EncoderInput);
        const QImage shot = w->canvas()->grab().toImage();
        const QList<QImage>& images = w->regionPlanner()->encoderInputImages();
        QCOMPARE(images.size(), qsizetype(inputs.size()));
        // Gray (0.5) inside the mark: the gray fill is shown.
        const QColor c = shot.pixelColor(20 + 60 + 15, 20 + 50 + 25);
        QVERIFY2(std::abs(c.red() - 128) <= 3 && std::abs(c.green() - 128) <= 3,
                 qPrintable(c.name()));
        QSettings().clear();
    }
};

QTEST_MAIN(TestRegions)
#include "tst_regions.moc"
