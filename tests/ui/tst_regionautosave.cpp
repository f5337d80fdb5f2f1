// The region settings survive a crash with the mask: the autosave of an unsaved mask
// also holds the region settings (mode, context, target, resize method, manual rectangle) and
// follows their changes within its usual delays; after a simulated crash (the session abandoned,
// its autosave left behind) a new window whose settings are different restores the mask and the
// regions come back: the planner, the region panel and the rectangle on the canvas. Autosaves
// written before the regions were kept (version 1) still restore, without touching the regions.
#include "UiTestSupport.h"

#include "RecoveryBar.h"
#include "RegionPlanner.h"
#include "Resources.h"

#include <QComboBox>
#include <QDataStream>
#include <QSpinBox>

using namespace lbui;

namespace {

RegionSettings crashedSettings() {
    RegionSettings s;
    s.mode = RegionSettings::Mode::Manual;
    s.manual = QRect(40, 32, 96, 64);
    s.contextUnit = RegionSettings::ContextUnit::Pixels;
    s.context = 40;
    s.target = RegionSettings::Target::Size;
    s.targetWidth = 128;
    s.targetHeight = 96;
    s.method = lb::regions::ResizeMethod::Area;
    return s;
}

} // namespace

class TestRegionAutosave : public QObject {
    Q_OBJECT
private slots:
    void init() { lbuitest::initEnvironment(); }

    void settingsMapRoundTrips() {
        const RegionSettings s = crashedSettings();
        QCOMPARE(RegionSettings::fromMap(s.toMap()), s);
        s.save();
        QCOMPARE(RegionSettings::load(), s);
        // The request is the CLI's `--region 40,32,96,64 --target 128x96`.
        const lb::regions::RegionRequest r = s.request();
        QVERIFY(!r.automatic);
        QVERIFY(r.rect == (lb::regions::RegionRect{40, 32, 96, 64}));
        QCOMPARE(r.target.kind, lb::regions::TargetSpec::Kind::Size);
        QVERIFY(RegionSettings::fromMap({}) == RegionSettings{});
    }

    void regionsComeBackAfterACrash() {
        std::vector<float> mask;
        QString file;
        {
            auto w = lbuitest::makeWindow();
            QVERIFY(w);
            w->autosave()->setDelays(50, 200);
            QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(100, 100));
            QVERIFY(w->document()->isModified());
            QVERIFY(w->autosave()->saveNow());
            file = w->autosave()->filePath();
            auto saved = AutosaveManager::read(file);
            QVERIFY(saved);
            QCOMPARE(RegionSettings::fromMap(saved->regions), w->regionPlanner()->settings());

            // A change of the regions alone reaches the autosave as an edit of the mask does.
            w->regionPlanner()->setSettings(crashedSettings());
            QTRY_VERIFY_WITH_TIMEOUT(
                AutosaveManager::read(file) &&
                    RegionSettings::fromMap(AutosaveManager::read(file)->regions) ==
                        crashedSettings(),
                10000);
            mask = w->document()->mask().data;
            w->autosave()->abandonForTest(); // the crash
        }
        // The next session starts with other region settings.
        RegionSettings other;
        other.mode = RegionSettings::Mode::Auto;
        other.save();

        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        RegionPlanner* planner = w->regionPlanner();
        QCOMPARE(planner->settings(), other);
        w->offerAutosaveRecovery();
        QVERIFY(w->recoveryBar()->isVisible());
        QVERIFY(w->recoveryBar()->trigger(QStringLiteral("Restore")));
        QVERIFY(w->document()->mask().data == mask);
        QCOMPARE(planner->settings(), crashedSettings());
        planner->flush();
        QCOMPARE(planner->settings(), crashedSettings()); // the rectangle fits: kept as it was
        QVERIFY(planner->plan());
        QCOMPARE(planner->plan()->scaledWidth, 128);
        QCOMPARE(planner->rects(), QList<QRect>{QRect(40, 32, 96, 64)});
        // The panel shows them.
        QCOMPARE(w->findChild<QComboBox*>(QStringLiteral("regionMode"))->currentIndex(),
                 int(RegionSettings::Mode::Manual));
        QCOMPARE(w->findChild<QSpinBox*>(QStringLiteral("regionManualX"))->value(), 40);
        QCOMPARE(w->findChild<QSpinBox*>(QStringLiteral("regionManualH"))->value(), 64);
        QCOMPARE(w->findChild<QSpinBox*>(QStringLiteral("regionTargetWidth"))->value(), 128);
        // The restored session autosaves them again in its own file.
        QVERIFY(w->autosave()->saveNow());
        auto again = AutosaveManager::read(w->autosave()->filePath());
        QVERIFY(again);
        QCOMPARE(RegionSettings::fromMap(again->regions), crashedSettings());
        w->document()->markSaved();
    }

    void autosaveWithoutRegionsKeepsTheSettings() {
        // A version 1 autosave (written before the regions were kept) of a 64 x 48 mask of the
        // sample image.
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        const int width = w->document()->width(), height = w->document()->height();
        std::vector<float> mask(std::size_t(width) * height, 0.0f);
        for (int y = 10; y < 30; ++y)
            for (int x = 20; x < 60; ++x)
                mask[std::size_t(y) * width + x] = 1.0f;
        QByteArray bytes;
        {
            QDataStream s(&bytes, QIODevice::WriteOnly);
            s.setVersion(QDataStream::Qt_6_0);
            const QByteArray raw(reinterpret_cast<const char*>(mask.data()),
                                 qsizetype(mask.size() * sizeof(float)));
            s << quint32(0x4c424d4b) << quint32(1) << sampleImagePath()
              << QDateTime::currentDateTimeUtc() << qint32(width) << qint32(height)
              << qCompress(raw, 1);
        }
        const QString orphan = QDir(AutosaveManager::folder())
                                   .filePath(QStringLiteral("autosave-999999-1-abcdef.lbmask"));
        {
            QFile f(orphan);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QCOMPARE(f.write(bytes), bytes.size());
        }
        w->regionPlanner()->setSettings(crashedSettings());
        w->offerAutosaveRecovery();
        QVERIFY(w->recoveryBar()->trigger(QStringLiteral("Restore")));
        QVERIFY(w->document()->mask().data == mask);
        QCOMPARE(w->regionPlanner()->settings(), crashedSettings());
        w->document()->markSaved();
    }
};

QTEST_MAIN(TestRegionAutosave)
#include "tst_regionautosave.moc"
