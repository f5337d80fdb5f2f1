// Undo and redo of strokes and whole-mask edits restore the mask bit for bit, one drag is one
// merged command, and each command keeps only its dirty rectangle's before/after pixels.
#include "UiTestSupport.h"

#include "MaskEditCommand.h"
#include "PaintStrokeCommand.h"

#include <QAction>
#include <QUndoView>

#include <random>

using namespace lbui;

namespace {

const PaintStrokeCommand* strokeCommand(MaskDocument* doc, int index) {
    return dynamic_cast<const PaintStrokeCommand*>(doc->undoStack()->command(index));
}

QRect changedRect(const std::vector<float>& a, const std::vector<float>& b, int w, int h) {
    QRect r;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            if (a[std::size_t(y) * w + x] != b[std::size_t(y) * w + x]) r |= QRect(x, y, 1, 1);
    return r;
}

} // namespace

class TestUndoStroke : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    void dragIsOneCommandWithDirtyRectOnly() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        MaskDocument* doc = w->document();
        CanvasWidget* canvas = w->canvas();
        w->brush()->setSize(16);
        const std::vector<float> before = doc->mask().data;
        QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(100, 100));
        for (int x = 110; x <= 300; x += 10)
            QTest::mouseMove(canvas, QPoint(x, 100 + x / 4));
        QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(300, 175));
        QCOMPARE(doc->undoStack()->count(), 1);
        const PaintStrokeCommand* cmd = strokeCommand(doc, 0);
        QVERIFY(cmd);
        QVERIFY(cmd->isFinished());
        const QRect expected = changedRect(before, doc->mask().data, doc->width(), doc->height());
        QCOMPARE(cmd->rect(), expected);
        QCOMPARE(cmd->storedPixelCount(), std::size_t(2) * expected.width() * expected.height());
        QVERIFY(cmd->storedPixelCount() < doc->mask().data.size() / 10);
        QCOMPARE(cmd->text(), QStringLiteral("Brush stroke"));
    }

    void undoRedoBitForBit() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        MaskDocument* doc = w->document();
        CanvasWidget* canvas = w->canvas();
        std::mt19937 rng(7);
        std::uniform_int_distribution<int> px(0, 700), py(0, 500), size(1, 60), hard(0, 100);
        QUndoStack* stack = doc->undoStack();
        std::vector<std::vector<float>> states{doc->mask().data}; // state after each command
        auto record = [&] {
            if (stack->count() + 1 > int(states.size())) states.push_back(doc->mask().data);
            QCOMPARE(stack->count() + 1, int(states.size()));
        };
        for (int s = 0; s < 12; ++s) {
            w->brush()->setSettings(
                {double(size(rng)), hard(rng) / 100.0, 0.3 + hard(rng) / 150.0});
            const bool erase = s % 4 == 3;
            const Qt::MouseButton button = erase ? Qt::RightButton : Qt::LeftButton;
            QPoint p(px(rng), py(rng));
            QTest::mousePress(canvas, button, Qt::NoModifier, p);
            for (int k = 0; k < 5; ++k) {
                p = QPoint(px(rng), py(rng));
                QTest::mouseMove(canvas, p);
            }
            QTest::mouseRelease(canvas, button, Qt::NoModifier, p);
            record();
            if (s == 5) w->action(QStringLiteral("invert"))->trigger();
            if (s == 9) w->action(QStringLiteral("fill"))->trigger();
            record();
        }
        QVERIFY(stack->count() >= 12);
        // Walk all the way back and forward twice, comparing every state exactly.
        for (int round = 0; round < 2; ++round) {
            while (stack->canUndo()) {
                w->action(QStringLiteral("undo"))->trigger();
                QVERIFY(doc->mask().data == states[std::size_t(stack->index())]);
            }
            QVERIFY(!doc->isModified());
            while (stack->canRedo()) {
                w->action(QStringLiteral("redo"))->trigger();
                QVERIFY(doc->mask().data == states[std::size_t(stack->index())]);
            }
            QVERIFY(doc->isModified());
        }
    }

    void wholeMaskEditsKeepChangedRect() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        MaskDocument* doc = w->document();
        w->brush()->setSize(10);
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(200, 150));
        const std::vector<float> painted = doc->mask().data;
        w->action(QStringLiteral("clear"))->trigger();
        const auto* clear = dynamic_cast<const MaskEditCommand*>(doc->undoStack()->command(1));
        QVERIFY(clear);
        QCOMPARE(clear->rect(),
                 changedRect(painted, doc->mask().data, doc->width(), doc->height()));
        QVERIFY(clear->rect().width() <= 11 && clear->rect().height() <= 11);
        // Clearing an empty mask changes nothing and adds no command.
        w->action(QStringLiteral("clear"))->trigger();
        QCOMPARE(doc->undoStack()->count(), 2);
        doc->undoStack()->undo();
        QVERIFY(doc->mask().data == painted);
    }

    void historyViewListsStrokes() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        QTest::mouseClick(w->canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(120, 120));
        QTest::mouseClick(w->canvas(), Qt::RightButton, Qt::NoModifier, QPoint(120, 120));
        auto* view = w->findChild<QUndoView*>();
        QVERIFY(view);
        QCOMPARE(view->model()->rowCount(), 3); // <opened image>, brush, eraser
        QCOMPARE(view->model()->index(1, 0).data().toString(), QStringLiteral("Brush stroke"));
        QCOMPARE(view->model()->index(2, 0).data().toString(), QStringLiteral("Eraser stroke"));
    }
};

QTEST_MAIN(TestUndoStroke)
#include "tst_undostroke.moc"
