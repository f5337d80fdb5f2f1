// Helpers for the editor's Qt Test suites: an isolated settings/data environment, a shown main
// window at zoom 1, and independent geometry for checking brush strokes.
#pragma once

#include "Application.h"
#include "AutosaveManager.h"
#include "BrushTool.h"
#include "CanvasWidget.h"
#include "EncodeSession.h"
#include "MainWindow.h"
#include "MaskDocument.h"
#include "RegionPlanner.h"
#include "RegionSettings.h"
#include "Resources.h"

#include "latentbrush/LatentFile.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <memory>
#include <vector>

namespace lbuitest {

// Test-mode standard paths (~/.qttest) under a home folder of this test process (suites run in
// parallel must not see each other's settings or autosaves; child processes inherit it), the
// editor's identity, empty settings and autosaves.
inline void initEnvironment() {
    static QTemporaryDir home(QDir::tempPath() + QStringLiteral("/latentbrush-uitest-XXXXXX"));
    if (home.isValid() && qgetenv("HOME") != QFile::encodeName(home.path()))
        qputenv("HOME", QFile::encodeName(home.path()));
    QStandardPaths::setTestModeEnabled(true);
    lbui::Application::setIdentity();
    QSettings().clear();
    QDir(lbui::AutosaveManager::folder()).removeRecursively();
}

// A shown main window with the sample image, the view at zoom 1 with a whole-pixel offset so
// that widget pixel (x, y) is image point (x - ox, y - oy). The live "what the VAE keeps" view is
// off unless `live`: the suites of other features then run no VAE behind their backs (the live
// view's own suite and the smoke test of the real program run it).
// Checks that the .latent at `editor` holds the tensors of the one at `cli` bit for bit and the
// same metadata (each of the CLI's keys with its value, and no other key); the two files are
// handed back for further checks. Fails the current test through QVERIFY: callers return when
// QTest::currentTestFailed().
inline void verifyLatentEqualsCli(const QString& editor, const QString& cli,
                                  lb::LatentFileContents* fromEditor,
                                  lb::LatentFileContents* fromCli = nullptr) {
    auto ours = lb::readLatentFile(QFile::encodeName(editor).toStdString());
    auto theirs = lb::readLatentFile(QFile::encodeName(cli).toStdString());
    QVERIFY2(ours, ours ? "" : ours.message().c_str());
    QVERIFY2(theirs, theirs ? "" : theirs.message().c_str());
    QVERIFY(ours->samples.shape == theirs->samples.shape);
    QVERIFY(ours->samples.data == theirs->samples.data);
    QVERIFY(ours->hasNoiseMask && theirs->hasNoiseMask);
    QVERIFY(ours->noiseMask.shape == theirs->noiseMask.shape);
    QVERIFY(ours->noiseMask.data == theirs->noiseMask.data);
    for (const auto& [key, value] : theirs->metadata)
        QVERIFY2(ours->metadata.count(key) && ours->metadata.at(key) == value,
                 qPrintable(QStringLiteral("%1: editor '%2', CLI '%3'")
                                .arg(QString::fromStdString(key))
                                .arg(QString::fromStdString(ours->metadata.count(key)
                                                                ? ours->metadata.at(key)
                                                                : std::string("(missing)")))
                                .arg(QString::fromStdString(value))));
    QCOMPARE(ours->metadata.size(), theirs->metadata.size());
    *fromEditor = std::move(ours.value());
    if (fromCli) *fromCli = std::move(theirs.value());
}

// A real photo file (the sample image copied to `photo`) and a real 8-bit gray mask file of its
// size with white rectangles `marks` (to be regenerated); false when either cannot be written.
inline bool writePhotoWithMarks(const QString& photo, const QString& maskFile,
                                std::initializer_list<QRect> marks) {
    if (!QFile::copy(lbui::sampleImagePath(), photo)) return false;
    const QImage image(photo);
    if (image.isNull()) return false;
    QImage mask(image.size(), QImage::Format_Grayscale8);
    mask.fill(0);
    {
        QPainter p(&mask);
        for (const QRect& r : marks)
            p.fillRect(r, Qt::white);
    }
    return mask.save(maskFile);
}

inline std::unique_ptr<lbui::MainWindow> makeWindow(bool unitZoom = true, bool live = false) {
    QSettings().setValue(QStringLiteral("live/enabled"), live);
    auto w = std::make_unique<lbui::MainWindow>();
    // The suites' clicks were placed for the first start's 1280x800 window; the offscreen
    // platform's screen is 800x600, to which a first start now keeps the window.
    w->resize(w->size().expandedTo(QSize(1280, 800)));
    w->openSample();
    w->show();
    if (!QTest::qWaitForWindowExposed(w.get())) return nullptr;
    if (unitZoom) {
        w->canvas()->setZoom(1.0, QPointF(0, 0));
        w->canvas()->panBy(QPointF(20, 20) - w->canvas()->offset());
    }
    return w;
}

// Opens `photo` with `maskFile` in `w`, plans regions as `settings` says and loads the VAE at
// `vaePath`, as the region suites all begin; empty when Encode can then run, else which step did
// not finish in time.
inline QString openForRegionEncode(lbui::MainWindow* w, const QString& photo,
                                   const QString& maskFile, const lbui::RegionSettings& settings,
                                   const QString& vaePath) {
    w->openImage(photo, maskFile);
    const lbui::MaskDocument* doc = w->document();
    if (!QTest::qWaitFor([&] { return doc->imagePath() == photo && doc->maskPath() == maskFile; },
                         30000))
        return QStringLiteral("the photo and its mask did not open");
    w->regionPlanner()->setSettings(settings);
    lbui::EncodeSession* session = w->encodeSession();
    session->loadVae(vaePath);
    if (!QTest::qWaitFor([&] { return !session->isLoadingVae() && session->vae(); }, 60000))
        return QStringLiteral("the VAE did not load");
    if (!QTest::qWaitFor([&] { return session->canEncode(); }, 30000))
        return QStringLiteral("Encode did not become possible");
    return {};
}

// Squared distance from point p to segment ab.
inline double segmentDistance2(QPointF p, QPointF a, QPointF b) {
    const double dx = b.x() - a.x(), dy = b.y() - a.y();
    const double len2 = dx * dx + dy * dy;
    double t = 0.0;
    if (len2 > 0) t = std::clamp(((p.x() - a.x()) * dx + (p.y() - a.y()) * dy) / len2, 0.0, 1.0);
    const double ex = a.x() + t * dx - p.x(), ey = a.y() + t * dy - p.y();
    return ex * ex + ey * ey;
}

// The hard round brush's footprint along a polyline of image points, as 0/1 per pixel.
inline std::vector<float> expectedStroke(int width, int height, const std::vector<QPointF>& pts,
                                         double radius, float inside,
                                         const std::vector<float>& base) {
    std::vector<float> out = base;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const QPointF c(x + 0.5, y + 0.5);
            double best = 1e300;
            if (pts.size() == 1) best = segmentDistance2(c, pts[0], pts[0]);
            for (std::size_t i = 1; i < pts.size(); ++i)
                best = std::min(best, segmentDistance2(c, pts[i - 1], pts[i]));
            if (best <= radius * radius) out[std::size_t(y) * width + x] = inside;
        }
    return out;
}

// Pixels that differ, ignoring those whose centre lies within `tolerance` of the brush edge.
inline int countMismatches(const std::vector<float>& actual, const std::vector<float>& expected) {
    int n = 0;
    for (std::size_t i = 0; i < actual.size(); ++i)
        if (actual[i] != expected[i]) ++n;
    return n;
}

} // namespace lbuitest
