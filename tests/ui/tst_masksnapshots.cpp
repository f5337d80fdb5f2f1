// The document's mask snapshots (MaskSnapshots): every consumer that reads the mask on a worker
// gets exactly the mask as it was when it asked, whatever edits follow while its job runs and in
// whatever order the workers build the snapshots: the snapshots themselves (built on several
// threads at once, kept past later edits and past the document), the autosave file written in
// the background (read back), the encode (its mask and its latent against the core's encode of
// a plain copy) and the live view (its noise mask against the core's, of the copy taken when its
// run started).
#include "UiTestSupport.h"

#include "BackgroundPool.h"
#include "DocumentLoader.h"
#include "GrowPreview.h"
#include "LiveRoundTrip.h"
#include "MaskEditCommand.h"
#include "MaskSnapshots.h"
#include "TestSupport.h"
#include "VaeChooser.h"

#include "latentbrush/InpaintPreprocess.h"

#include <QRandomGenerator>
#include <QScopeGuard>
#include <QtConcurrent>

#include <map>

using namespace lbui;

namespace {

std::shared_ptr<lb::ImageBuffer> syntheticImage(int width, int height) {
    auto img = std::make_shared<lb::ImageBuffer>();
    img->width = width;
    img->height = height;
    img->channels = 3;
    img->data.resize(std::size_t(width) * height * 3);
    for (std::size_t i = 0; i < img->data.size(); ++i)
        img->data[i] = float((i * 7919) % 1000) / 1000.0f;
    return img;
}

void openSynthetic(MaskDocument& doc, int width, int height) {
    auto img = syntheticImage(width, height);
    QImage display = toDisplayImage(*img);
    doc.setImage(std::move(img), std::move(display), QStringLiteral("synthetic.png"));
}

// Writes `value` into `rect` of the mask as the document's plain edit (no undo step).
void writeRect(MaskDocument& doc, const QRect& rect, float value) {
    const QRect r = rect & doc.bounds();
    const std::vector<float> pixels(std::size_t(r.width()) * std::size_t(r.height()), value);
    doc.writeMask(r, pixels.data());
}

// The same as an undoable edit (the document becomes modified: the autosave wants it).
void editRect(MaskDocument& doc, const QRect& rect, float value) {
    const QRect r = rect & doc.bounds();
    std::vector<float> after(std::size_t(r.width()) * std::size_t(r.height()), value);
    auto command =
        MaskEditCommand::fromRect(&doc, QStringLiteral("test edit"), r, doc.readMask(r), after);
    if (command) doc.undoStack()->push(command.release());
}

QRect randomRect(QRandomGenerator& rng, int width, int height) {
    const int w = 1 + int(rng.bounded(std::max(1, width / 3)));
    const int h = 1 + int(rng.bounded(std::max(1, height / 3)));
    return QRect(int(rng.bounded(width)) - w / 2, int(rng.bounded(height)) - h / 2, w, h);
}

} // namespace

class TestMaskSnapshots : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { lbuitest::initEnvironment(); }

    // Random edits (rectangles, whole-mask writes, rows written then reported, a new image of
    // another size) between snapshots; the snapshots are built later, on several threads at once
    // and in reverse order, some read at once and held while later ones reuse or copy their
    // buffers. Each equals the plain copy of the mask taken when it was asked for, and a buffer
    // handed out never changes.
    void eachSnapshotIsTheMaskWhenItWasTaken() {
        QRandomGenerator rng(1234);
        auto doc = std::make_unique<MaskDocument>();
        openSynthetic(*doc, 1000, 700); // not a multiple of the tile size
        std::vector<MaskSnapshot> tickets;
        std::vector<lb::MaskBuffer> expected;
        std::vector<std::pair<std::shared_ptr<const lb::MaskBuffer>, lb::MaskBuffer>> held;
        for (int step = 0; step < 120; ++step) {
            const int kind = int(rng.bounded(20));
            if (kind == 0) {
                std::vector<float> all(std::size_t(doc->width()) * doc->height(),
                                       float(rng.bounded(100)) / 100.0f);
                doc->writeMask(doc->bounds(), all.data()); // a whole-mask edit
            } else if (kind == 1 && step == 60) {
                openSynthetic(*doc, 613, 389); // a new document of another size
            } else if (kind == 2) {
                // A tool's way: rows written, then the rectangle reported.
                const QRect r = randomRect(rng, doc->width(), doc->height()) & doc->bounds();
                for (int y = r.top(); y <= r.bottom(); ++y)
                    for (int x = r.left(); x <= r.right(); ++x)
                        doc->maskRow(y)[x] = 0.25f;
                doc->notifyMaskChanged(r);
            } else {
                writeRect(*doc, randomRect(rng, doc->width(), doc->height()),
                          float(rng.bounded(1000)) / 1000.0f);
            }
            if (rng.bounded(3) == 0) continue; // several edits between two snapshots
            tickets.push_back(doc->maskSnapshot());
            expected.push_back(doc->mask());
            if (rng.bounded(4) == 0) {
                // Read now on a worker, and held while later snapshots are built.
                auto buffer = QtConcurrent::run(backgroundPool(), [t = tickets.back()] {
                                  return t.get();
                              }).result();
                QVERIFY(buffer->data == expected.back().data);
                held.emplace_back(std::move(buffer), expected.back());
            }
        }
        QVERIFY(tickets.size() > 40);
        // The document goes first: its snapshots still build.
        doc.reset();
        QList<QFuture<bool>> builds;
        for (std::size_t i = tickets.size(); i-- > 0;)
            builds.append(QtConcurrent::run(backgroundPool(), [t = tickets[i], e = &expected[i]] {
                const std::shared_ptr<const lb::MaskBuffer> m = t.get();
                return m && m->width == e->width && m->height == e->height && m->data == e->data;
            }));
        for (std::size_t i = 0; i < std::size_t(builds.size()); ++i)
            QVERIFY2(builds[qsizetype(i)].result(),
                     qPrintable(QStringLiteral("snapshot %1 differs").arg(tickets.size() - 1 - i)));
        for (const auto& [buffer, copy] : held)
            QVERIFY(buffer->data == copy.data); // never changed under its reader
    }

    // No edit between two snapshots: the same buffer, shared.
    void snapshotsWithoutAnEditShareTheBuffer() {
        MaskDocument doc;
        openSynthetic(doc, 300, 200);
        writeRect(doc, QRect(10, 10, 20, 20), 1.0f);
        const auto a = doc.maskSnapshot().get();
        const auto b = doc.maskSnapshot().get();
        QCOMPARE(a.get(), b.get());
        writeRect(doc, QRect(100, 100, 5, 5), 0.5f);
        const auto c = doc.maskSnapshot().get();
        QVERIFY(c.get() != a.get()); // `a` is still read: copied, not changed
        QVERIFY(c->data == doc.mask().data);
        QCOMPARE(a->data[std::size_t(102) * 300 + 102], 0.0f);
    }

    // The autosave written in the background holds the mask as it was when the write started,
    // edits made while it writes go in the next write, and the last file is the mask as it is.
    void autosaveWritesTheMaskOfItsStart() {
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        MaskDocument& doc = *w->document();
        openSynthetic(doc, 2400, 1800);
        AutosaveManager* a = w->autosave();
        a->setDelays(0, 0);
        std::vector<std::vector<float>> states; // the mask after each edit
        std::vector<std::vector<float>> written;
        const QMetaObject::Connection reading =
            connect(a, &AutosaveManager::saved, this, [&](const QString& file) {
                auto read = AutosaveManager::read(file);
                written.push_back(read ? read->mask : std::vector<float>{});
            });
        const auto disconnectAtExit = qScopeGuard([&] { disconnect(reading); });
        editRect(doc, QRect(100, 100, 300, 200), 1.0f);
        states.push_back(doc.mask().data);
        QTRY_VERIFY_WITH_TIMEOUT(a->isWriting() || !written.empty(), 30000);
        // Edits while the first write runs (or right after it).
        for (int i = 0; i < 5; ++i) {
            editRect(doc, QRect(500 + 150 * i, 900, 120, 600), 0.5f + 0.1f * float(i));
            states.push_back(doc.mask().data);
        }
        QTRY_VERIFY_WITH_TIMEOUT(
            !written.empty() && !a->isWriting() && written.back() == doc.mask().data, 60000);
        QCOMPARE(written.front(), states.front());
        for (const std::vector<float>& file : written)
            QVERIFY(std::find(states.begin(), states.end(), file) != states.end());
        doc.markSaved();
    }

    // The encode reads the mask of the moment Encode was pressed, edits right after it
    // notwithstanding: its result's mask and its latent are the core's encode of a plain copy.
    void encodeReadsTheMaskOfItsStart() {
        const QString vaePath = VaeChooser::builtinVaePath();
        if (vaePath.isEmpty()) LB_CANNOT_RUN("the built-in TAEF2 is not installed");
        auto w = lbuitest::makeWindow();
        QVERIFY(w);
        MaskDocument& doc = *w->document();
        openSynthetic(doc, 640, 480);
        EncodeSession* session = w->encodeSession();
        session->loadVae(vaePath);
        QTRY_VERIFY_WITH_TIMEOUT(!session->isLoadingVae() && session->vae(), 60000);
        writeRect(doc, QRect(200, 150, 120, 90), 1.0f);
        QTRY_VERIFY_WITH_TIMEOUT(session->canEncode(), 30000);
        const lb::MaskBuffer expected = doc.mask();
        QVERIFY(session->encode());
        writeRect(doc, QRect(20, 20, 100, 100), 1.0f); // while it runs
        writeRect(doc, QRect(210, 160, 50, 50), 0.0f);
        QTRY_VERIFY_WITH_TIMEOUT(!session->isRunning() && session->hasResult(), 300000);
        const EncodeResult* result = session->result();
        QVERIFY(result->source.mask);
        QVERIFY(result->source.mask->data == expected.data);
        auto plain =
            lb::inpaintEncode(*session->vae(), *doc.image(), expected, result->source.grow);
        QVERIFY2(plain, plain ? "" : plain.message().c_str());
        QVERIFY(result->output.samples.shape == plain->samples.shape);
        QVERIFY(result->output.samples.data == plain->samples.data);
        QVERIFY(result->output.noiseMask.data == plain->noiseMask.data);
    }

    // Each live view result is that of the mask as it was when its run started (a run that an
    // edit overtook included), and the last one is the current mask's.
    void liveViewReadsTheMaskOfItsStart() {
        if (VaeChooser::builtinVaePath().isEmpty())
            LB_CANNOT_RUN("the built-in TAEF2 is not installed");
        auto w = lbuitest::makeWindow(false, true);
        QVERIFY(w);
        MaskDocument& doc = *w->document();
        LiveRoundTrip* live = w->liveRoundTrip();
        QVERIFY(live->isEnabled());
        std::map<quint64, lb::MaskBuffer> byGeneration; // the mask at each generation
        std::vector<std::pair<quint64, lb::BinaryMask>> shown;
        const QMetaObject::Connection recording =
            connect(live, &LiveRoundTrip::resultChanged, this, [&] {
                shown.emplace_back(live->result()->generation, live->result()->trip.noiseMask);
            });
        const auto disconnectAtExit = qScopeGuard([&] { disconnect(recording); });
        writeRect(doc, QRect(100, 80, 60, 60), 1.0f);
        byGeneration[live->generation()] = doc.mask();
        QTRY_VERIFY_WITH_TIMEOUT(live->isRunning(), 30000);
        writeRect(doc, QRect(300, 200, 40, 40), 1.0f); // while the run goes on
        byGeneration[live->generation()] = doc.mask();
        QTRY_VERIFY_WITH_TIMEOUT(live->resultIsCurrent(), 120000);
        QVERIFY(!shown.empty());
        QCOMPARE(shown.back().first, live->generation());
        for (const auto& [generation, noiseMask] : shown) {
            QVERIFY(byGeneration.count(generation));
            // TAEF2's crop multiple is 16.
            auto inputs = lb::prepareInpaint(*doc.image(), byGeneration[generation],
                                             w->preview()->grow(), 16);
            QVERIFY2(inputs, inputs ? "" : inputs.message().c_str());
            QVERIFY(noiseMask.data == inputs->noiseMask.data);
        }
    }
};

QTEST_MAIN(TestMaskSnapshots)
#include "tst_masksnapshots.moc"
