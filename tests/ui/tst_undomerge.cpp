// Live adjustments merge into the command they adjust: two adjustments in a row leave one undo
// step, an edit in between keeps the steps apart; the merged step undoes and redoes bit for bit
// to pixels computed here independently, the push writes and reports only the pixels that
// change, and the clean state and unrelated commands of the same id are never merged into.
#include "UiTestSupport.h"

#include "FillTool.h"
#include "MaskEditCommand.h"
#include "SliderSpin.h"
#include "ToolOptionsPanel.h"

#include <QSignalSpy>
#include <QSlider>

using namespace lbui;

namespace {

constexpr int kW = 64, kH = 48;

// A document with a synthetic image and a mask holding a soft gradient in its left half.
std::unique_ptr<MaskDocument> makeDocument() {
    auto img = std::make_shared<lb::ImageBuffer>();
    img->height = kH;
    img->width = kW;
    img->channels = 3;
    img->data.assign(std::size_t(kW) * kH * 3, 0.5f);
    lb::MaskBuffer mask;
    mask.height = kH;
    mask.width = kW;
    mask.data.assign(std::size_t(kW) * kH, 0.0f);
    for (int y = 0; y < kH; ++y)
        for (int x = 0; x < kW / 2; ++x)
            mask.row(y)[x] = float(x) / float(kW);
    auto doc = std::make_unique<MaskDocument>();
    doc->setImage(img, QImage(kW, kH, QImage::Format_RGB32), QStringLiteral("merge.png"),
                  std::move(mask));
    return doc;
}

// `base` with the pixels of `fill` set to 1.
std::vector<float> filled(const std::vector<float>& base, const QRect& fill) {
    std::vector<float> out = base;
    for (int y = fill.top(); y <= fill.bottom(); ++y)
        for (int x = fill.left(); x <= fill.right(); ++x)
            out[std::size_t(y) * kW + x] = 1.0f;
    return out;
}

// The edit "set `fill` to 1" over `rect` of the mask `base` (the pixels before the command
// being adjusted), as a tool computes it.
std::shared_ptr<MaskRegion> editOf(const std::vector<float>& base, const QRect& rect,
                                   const QRect& fill) {
    auto e = std::make_shared<MaskRegion>();
    e->rect = rect;
    const std::vector<float> after = filled(base, fill & rect);
    for (int y = rect.top(); y <= rect.bottom(); ++y)
        for (int x = rect.left(); x <= rect.right(); ++x) {
            e->before.push_back(base[std::size_t(y) * kW + x]);
            e->after.push_back(after[std::size_t(y) * kW + x]);
        }
    return e;
}

// The bounding box of the pixels where a and b differ.
QRect diffBounds(const std::vector<float>& a, const std::vector<float>& b) {
    QRect r;
    for (int y = 0; y < kH; ++y)
        for (int x = 0; x < kW; ++x)
            if (a[std::size_t(y) * kW + x] != b[std::size_t(y) * kW + x]) r |= QRect(x, y, 1, 1);
    return r;
}

} // namespace

class TestUndoMerge : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    void adjustmentsInARowAreOneStep() {
        auto doc = makeDocument();
        QUndoStack* stack = doc->undoStack();
        const std::vector<float> original = doc->mask().data;
        const QRect r1(10, 5, 20, 10), r2(30, 20, 25, 20), r3(4, 30, 8, 8);

        auto first = MaskEditCommand::fromRegion(doc.get(), QStringLiteral("Fill (add)"),
                                                 editOf(original, r1, r1));
        QVERIFY(first);
        const MaskEditCommand* target = first.get();
        stack->push(first.release());
        QCOMPARE(stack->count(), 1);
        QVERIFY(doc->mask().data == filled(original, r1));

        std::vector<float> shown = doc->mask().data;
        QSignalSpy changed(doc.get(), &MaskDocument::maskChanged);
        for (const QRect& r : {r2, r3}) {
            // The adjustment's rect covers the target's, its before pixels are the original.
            auto adjustment =
                MaskEditCommand::adjustment(target, editOf(original, target->rect() | r, r));
            QVERIFY(adjustment);
            changed.clear();
            stack->push(adjustment.release());
            QCOMPARE(stack->count(), 1);
            QCOMPARE(stack->index(), 1);
            QCOMPARE(stack->command(0), target);
            QCOMPARE(stack->text(0), QStringLiteral("Fill (add)"));
            const std::vector<float> expected = filled(original, r);
            QVERIFY(doc->mask().data == expected);
            // Only what changes is written and reported.
            QCOMPARE(changed.count(), 1);
            QCOMPARE(changed.first().first().toRect(), diffBounds(shown, expected));
            QCOMPARE(target->rect(), diffBounds(original, expected));
            QCOMPARE(target->storedPixelCount(),
                     std::size_t(2) * target->rect().width() * target->rect().height());
            shown = expected;
        }
        QVERIFY(doc->isModified());
        stack->undo();
        QVERIFY(doc->mask().data == original);
        QVERIFY(!doc->isModified());
        stack->redo();
        QVERIFY(doc->mask().data == filled(original, r3));
        QVERIFY(doc->isModified());
    }

    void anEditInBetweenKeepsTwoSteps() {
        auto doc = makeDocument();
        QUndoStack* stack = doc->undoStack();
        const std::vector<float> original = doc->mask().data;
        const QRect r1(10, 5, 20, 10), r2(2, 2, 6, 6);
        auto first = MaskEditCommand::fromRegion(doc.get(), QStringLiteral("Fill (add)"),
                                                 editOf(original, r1, r1));
        const MaskEditCommand* target = first.get();
        stack->push(first.release());
        // Another command of the same id (not an adjustment) is a step of its own.
        stack->push(makeInvertCommand(doc.get()).release());
        stack->push(makeInvertCommand(doc.get()).release());
        QCOMPARE(stack->count(), 3);
        // The target is no longer the newest step: no adjustment of it exists.
        QVERIFY(!MaskEditCommand::adjustment(target, editOf(original, r1 | r2, r2)));
        QVERIFY(doc->mask().data == filled(original, r1));
        stack->undo();
        stack->undo();
        stack->undo();
        QVERIFY(doc->mask().data == original);
    }

    void cleanStateIsNeverMergedInto() {
        auto doc = makeDocument();
        const std::vector<float> original = doc->mask().data;
        const QRect r1(10, 5, 20, 10);
        auto first = MaskEditCommand::fromRegion(doc.get(), QStringLiteral("Fill (add)"),
                                                 editOf(original, r1, r1));
        const MaskEditCommand* target = first.get();
        doc->undoStack()->push(first.release());
        doc->markSaved();
        QVERIFY(!MaskEditCommand::adjustment(target, editOf(original, r1, QRect(0, 0, 4, 4))));
        QVERIFY(!doc->isModified());
    }

    void adjustmentToNothingKeepsTheStep() {
        auto doc = makeDocument();
        QUndoStack* stack = doc->undoStack();
        const std::vector<float> original = doc->mask().data;
        const QRect r1(40, 10, 10, 10);
        auto first = MaskEditCommand::fromRegion(doc.get(), QStringLiteral("Fill (add)"),
                                                 editOf(original, r1, r1));
        const MaskEditCommand* target = first.get();
        stack->push(first.release());
        // An edit that changes nothing: the step stays (as the slider left it), empty.
        auto none = MaskEditCommand::adjustment(target, editOf(original, r1, QRect()));
        QVERIFY(none);
        stack->push(none.release());
        QCOMPARE(stack->count(), 1);
        QVERIFY(target->rect().isEmpty());
        QCOMPARE(target->storedPixelCount(), std::size_t(0));
        QVERIFY(doc->mask().data == original);
        stack->undo();
        QVERIFY(doc->mask().data == original);
        stack->redo();
        QVERIFY(doc->mask().data == original);
    }

    // Through the editor: the tolerance slider after a click merges; a second click in between
    // starts a second step that the slider then adjusts.
    void toleranceSliderMergesPerApplication() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        MaskDocument* doc = w->document();
        QUndoStack* stack = doc->undoStack();
        w->action(QStringLiteral("toolSelectColor"))->trigger();
        FillTool* tool = qobject_cast<FillTool*>(w->canvas()->tool());
        QVERIFY(tool);
        tool->setOptions({10, lb::ColorMetric::Rgb, 4, false});
        QSlider* slider = w->toolOptions()->toleranceControl(tool)->slider();
        const std::vector<float> original = doc->mask().data;
        const int base = stack->count();

        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(300, 200));
        QCOMPARE(stack->count(), base + 1);
        slider->setValue(20);
        slider->setValue(30);
        QCOMPARE(stack->count(), base + 1); // two adjustments in a row: one step
        const std::vector<float> afterFirst = doc->mask().data;

        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(120, 420));
        QCOMPARE(stack->count(), base + 2); // an edit in between: two steps
        slider->setValue(12);
        QCOMPARE(stack->count(), base + 2);

        stack->undo();
        QVERIFY(doc->mask().data == afterFirst);
        stack->undo();
        QVERIFY(doc->mask().data == original);
        stack->redo();
        QVERIFY(doc->mask().data == afterFirst);
        // After an undo the slider no longer edits history.
        slider->setValue(5);
        QVERIFY(doc->mask().data == afterFirst);
        QCOMPARE(stack->count(), base + 2);
    }
};

QTEST_MAIN(TestUndoMerge)
#include "tst_undomerge.moc"
