// The main window as a person meets it: first start (size, no modal dialog, sample fitted,
// brush active, a drag paints), opening images (corrupt ones keep the document), drag and
// drop, image alpha as mask, mask save/load round trip, shortcuts help.
#include "UiTestSupport.h"

#include "DocumentLoader.h"
#include "GrowPreview.h"
#include "InfoBar.h"

#include "latentbrush/ImageIO.h"
#include "latentbrush/InpaintPreprocess.h"

#include <QAction>
#include <QDialog>
#include <QFile>
#include <QGuiApplication>
#include <QImage>
#include <QMimeData>
#include <QScreen>
#include <QTemporaryDir>
#include <QUrl>

using namespace lbui;

class TestMainWindow : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;

    QString writeTestImage(const QString& name, bool alpha) {
        QImage img(96, 72, alpha ? QImage::Format_ARGB32 : QImage::Format_RGB32);
        for (int y = 0; y < img.height(); ++y)
            for (int x = 0; x < img.width(); ++x)
                img.setPixel(x, y, qRgba(x * 2, y * 3, 128, alpha ? (x < 48 ? 0 : 255 - y) : 255));
        const QString path = dir_.filePath(name);
        return img.save(path) ? path : QString();
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        lbuitest::initEnvironment();
    }

    void firstStart() {
        MainWindow w;
        w.openSample();
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        // At least 1280x800, but never past a smaller screen (1366x768: the panels must fit).
        const QSize avail = QGuiApplication::primaryScreen()->availableGeometry().size();
        qInfo("screen %dx%d, window %dx%d", avail.width(), avail.height(), w.width(), w.height());
        QVERIFY(w.width() >= std::min(1280, avail.width()));
        QVERIFY(w.height() >= std::min(800, avail.height()));
        QVERIFY(w.width() <= avail.width() && w.height() <= avail.height());
        QCOMPARE(QApplication::activeModalWidget(), nullptr);
        QVERIFY(!w.infoBar()->isVisible());
        QVERIFY(w.document()->hasImage());
        QCOMPARE(w.brush()->mode(), BrushTool::Mode::Paint);
        QVERIFY(w.action(QStringLiteral("toolBrush"))->isChecked());
        CanvasWidget* c = w.canvas();
        const QRectF shown(
            c->imageToWidget(QPointF(0, 0)),
            c->imageToWidget(QPointF(w.document()->width(), w.document()->height())));
        QVERIFY(QRectF(c->rect()).contains(shown));
        // A drag over the image paints at once.
        const QPoint centre = shown.center().toPoint();
        QTest::mousePress(c, Qt::LeftButton, Qt::NoModifier, centre);
        QTest::mouseMove(c, centre + QPoint(40, 10));
        QTest::mouseRelease(c, Qt::LeftButton, Qt::NoModifier, centre + QPoint(40, 10));
        const QPointF p = c->widgetToImage(centre);
        QCOMPARE(w.document()->mask().row(int(p.y()))[int(p.x())], 1.0f);
        QVERIFY(w.isWindowModified());
        w.document()->markSaved();
    }

    void corruptImageKeepsDocument() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(100, 100));
        const auto image = w->document()->image();
        const std::vector<float> mask = w->document()->mask().data;
        const QString broken = dir_.filePath(QStringLiteral("broken.png"));
        {
            QFile f(broken);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("\x89PNG\r\n\x1a\nthis is not really a png file at all");
        }
        w->openImage(broken);
        QTRY_VERIFY(w->infoBar()->isVisible());
        QCOMPARE(w->infoBar()->kind(), InfoBar::Kind::Error);
        QVERIFY(w->infoBar()->text().contains(QStringLiteral("broken.png")));
        QVERIFY(w->infoBar()->text().contains(QStringLiteral("Choose")));
        QCOMPARE(w->document()->image(), image);
        QVERIFY(w->document()->mask().data == mask);
        QCOMPARE(w->document()->undoStack()->count(), 1);
        // A missing file too.
        w->openImage(dir_.filePath(QStringLiteral("missing.png")));
        QTRY_VERIFY(w->infoBar()->text().contains(QStringLiteral("missing.png")));
        QCOMPARE(w->document()->image(), image);
        w->document()->markSaved();
    }

    void openImageWithAlphaGivesMask() {
        const QString path = writeTestImage(QStringLiteral("alpha.png"), true);
        QVERIFY(!path.isEmpty());
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        w->openImage(path);
        QTRY_COMPARE(w->document()->imagePath(), path);
        MaskDocument* doc = w->document();
        QCOMPARE(doc->width(), 96);
        QCOMPARE(doc->height(), 72);
        auto loaded = lb::readImage(path.toStdString());
        QVERIFY(loaded.ok());
        const lb::MaskBuffer expected = lb::maskFromAlpha(*loaded);
        QVERIFY(doc->mask().data == expected.data);
        QCOMPARE(doc->mask().row(0)[0], 1.0f); // transparent = regenerate
        // The document took the loaded masks over: the note still says where the mask came from.
        QVERIFY2(w->infoBar()->text().contains(QStringLiteral("transparency")),
                 qPrintable(w->infoBar()->text()));
        QVERIFY(w->action(QStringLiteral("maskFromAlpha"))->isEnabled());
        w->action(QStringLiteral("clear"))->trigger();
        w->action(QStringLiteral("maskFromAlpha"))->trigger();
        QVERIFY(doc->mask().data == expected.data);
        // Pixels are the file's own values (unassociated alpha).
        QVERIFY(doc->image()->data == lb::toRgb(loaded->image).data);
        doc->markSaved();

        // An image without alpha starts with an empty mask of its size (made by the loader).
        const QString opaque = writeTestImage(QStringLiteral("opaque.png"), false);
        w->openImage(opaque);
        QTRY_COMPARE(doc->imagePath(), opaque);
        QCOMPARE(doc->mask().height, 72);
        QCOMPARE(doc->mask().width, 96);
        QVERIFY(doc->mask().data == std::vector<float>(std::size_t(96) * 72, 0.0f));
        QVERIFY(doc->alphaMask().empty());
        QCOMPARE(w->preview()->maskedCount(), 0);
        QCOMPARE(w->preview()->grownCount(), 0);
        doc->markSaved();
    }

    void dropOpensImageAndShiftDropLoadsMask() {
        const QString image = writeTestImage(QStringLiteral("drop.png"), false);
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        auto drop = [&](const QString& path, Qt::KeyboardModifiers mods) {
            QMimeData mime;
            mime.setUrls({QUrl::fromLocalFile(path)});
            QDragEnterEvent enter(QPoint(200, 200), Qt::CopyAction, &mime, Qt::LeftButton, mods);
            QApplication::sendEvent(w.get(), &enter);
            QVERIFY(enter.isAccepted());
            QDropEvent dropEvent(QPointF(200, 200), Qt::CopyAction, &mime, Qt::LeftButton, mods);
            QApplication::sendEvent(w.get(), &dropEvent);
        };
        drop(image, Qt::NoModifier);
        QTRY_COMPARE(w->document()->imagePath(), image);
        // A gray mask of another size, dropped with Shift, is resized as the node does.
        QImage m(48, 36, QImage::Format_Grayscale8);
        m.fill(0);
        for (int y = 0; y < 18; ++y)
            for (int x = 0; x < 24; ++x)
                m.setPixel(x, y, qRgb(255, 255, 255));
        const QString maskPath = dir_.filePath(QStringLiteral("small_mask.png"));
        QVERIFY(m.save(maskPath));
        drop(maskPath, Qt::ShiftModifier);
        QTRY_COMPARE(w->document()->maskPath(), maskPath);
        auto raw = lb::readMask(maskPath.toStdString());
        QVERIFY(raw.ok());
        QVERIFY(w->document()->mask().data == lb::resizeBilinear(*raw, 72, 96).data);
        QCOMPARE(w->document()->undoStack()->text(0), QStringLiteral("Load mask small_mask.png"));
        w->document()->markSaved();
    }

    void saveAndLoadMaskRoundTrip() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        w->brush()->setSize(30);
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(150, 150));
        QVERIFY(w->document()->isModified());
        const QString path = dir_.filePath(QStringLiteral("saved_mask.png"));
        QVERIFY(w->saveMaskTo(path));
        QVERIFY(!w->document()->isModified());
        QCOMPARE(w->document()->maskPath(), path);
        const std::vector<float> painted = w->document()->mask().data;
        w->action(QStringLiteral("clear"))->trigger();
        w->loadMask(path);
        QTRY_COMPARE(w->document()->undoStack()->count(), 3);
        QVERIFY(w->document()->mask().data == painted); // a hard brush's 0/1 survive 8 bits
        // Float TIFF keeps soft values exactly.
        w->brush()->setSettings({40, 0.3, 0.7});
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(300, 150));
        const QString tif = dir_.filePath(QStringLiteral("soft_mask.tif"));
        QVERIFY(w->saveMaskTo(tif));
        const std::vector<float> soft = w->document()->mask().data;
        w->action(QStringLiteral("clear"))->trigger();
        w->loadMask(tif);
        QTRY_VERIFY(w->document()->mask().data == soft);
        w->document()->markSaved();
    }

    void shortcutsHelpIsNonModal() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        w->action(QStringLiteral("shortcuts"))->trigger();
        auto* dialog = w->findChild<QDialog*>();
        QVERIFY(dialog);
        QVERIFY(dialog->isVisible());
        QVERIFY(!dialog->isModal());
        QCOMPARE(QApplication::activeModalWidget(), nullptr);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
