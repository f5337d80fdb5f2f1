// Mask operations against a plain LibTorch path that mirrors the seed line by line
// (F.interpolate, conv2d with ones(g, g), round, the in-place gray fill), on random cases.
// LibTorch before Qt: Qt's `slots` macro would break LibTorch's headers.
#include <torch/torch.h>
#include <torch/version.h>

#include "TestSupport.h"

#include "latentbrush/InpaintPreprocess.h"
#include "latentbrush/Parallel.h"

#include <cmath>
#include <random>

namespace {

// The reference (the goldens, ComfyUI's node) is PyTorch 1.13's CPU kernel; LibTorch 2.x changed
// upsample_bilinear2d's arithmetic, so bit-exact resize comparisons only hold against 1.13.
bool libTorchIsReference() {
    return TORCH_VERSION_MAJOR == 1 && TORCH_VERSION_MINOR == 13;
}

torch::Tensor toTensor(const lb::MaskBuffer& m) {
    return torch::from_blob(const_cast<float*>(m.data.data()), {1, 1, m.height, m.width},
                            torch::kFloat32)
        .clone();
}

lb::MaskBuffer randomMask(std::mt19937& rng, int h, int w, int kind) {
    lb::MaskBuffer m;
    m.height = h;
    m.width = w;
    m.data.resize(std::size_t(h) * w);
    std::uniform_real_distribution<float> uni(0.0f, 1.0f);
    std::uniform_int_distribution<int> byte(0, 255);
    std::bernoulli_distribution sparse(0.02);
    for (float& v : m.data) {
        switch (kind) {
        case 0:
            v = byte(rng) > 127 ? 1.0f : 0.0f;
            break; // binary noise
        case 1:
            v = sparse(rng) ? 1.0f : 0.0f;
            break; // sparse dots
        case 2:
            v = uni(rng);
            break; // soft
        default:
            v = lb::byteToFloat(std::uint8_t(byte(rng)));
            break; // 8-bit soft
        }
    }
    if (kind == 4) { // blobs: a few filled rectangles, plus exact 0.5 ties
        std::fill(m.data.begin(), m.data.end(), 0.0f);
        std::uniform_int_distribution<int> ry(0, h - 1), rx(0, w - 1);
        for (int n = 0; n < 3; ++n) {
            int y0 = ry(rng), x0 = rx(rng), y1 = ry(rng), x1 = rx(rng);
            for (int y = std::min(y0, y1); y <= std::max(y0, y1); ++y)
                for (int x = std::min(x0, x1); x <= std::max(x0, x1); ++x)
                    m.data[std::size_t(y) * w + x] = (n == 2) ? 0.5f : 1.0f;
        }
    }
    return m;
}

// The seed's lines, in LibTorch.
torch::Tensor seedNoiseMask(const torch::Tensor& mask, int H, int W, int d, int g,
                            torch::Tensor* resizedCropped) {
    namespace F = torch::nn::functional;
    const int64_t x = (H / d) * d, y = (W / d) * d;
    torch::Tensor m = F::interpolate(mask.reshape({-1, 1, mask.size(-2), mask.size(-1)}),
                                     F::InterpolateFuncOptions()
                                         .size(std::vector<int64_t>{H, W})
                                         .mode(torch::kBilinear)
                                         .align_corners(false));
    if (H != x || W != y) {
        const int64_t xo = (H % d) / 2, yo = (W % d) / 2;
        m = m.index({torch::indexing::Slice(), torch::indexing::Slice(),
                     torch::indexing::Slice(xo, x + xo), torch::indexing::Slice(yo, y + yo)});
    }
    torch::Tensor erosion;
    if (g == 0) {
        erosion = m;
    } else {
        torch::Tensor kernel = torch::ones({1, 1, g, g});
        const int64_t padding = int64_t(std::ceil((g - 1) / 2.0));
        erosion = torch::clamp(
            F::conv2d(m.round(), kernel, F::Conv2dFuncOptions().padding(padding)), 0, 1);
    }
    if (resizedCropped) *resizedCropped = m.contiguous();
    return erosion
        .index({torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(0, x),
                torch::indexing::Slice(0, y)})
        .round();
}

int countDifferences(const lb::BinaryMask& ours, const torch::Tensor& ref) {
    torch::Tensor r = ref.reshape({ours.height, ours.width}).to(torch::kUInt8).contiguous();
    const std::uint8_t* p = r.data_ptr<std::uint8_t>();
    int diff = 0;
    for (std::size_t i = 0; i < ours.data.size(); ++i)
        diff += ours.data[i] != p[i];
    return diff;
}

} // namespace

class MaskOpsMirror : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        torch::set_num_threads(1);
        // More workers than cores, so that the row bands of the parallel loops are exercised.
        lb::setCpuThreadCount(5);
    }

    void roundIsHalfToEven() {
        const float values[] = {0.0f, 0.49999997f, 0.5f,  0.50000006f, 1.0f,
                                1.5f, 2.5f,        -0.5f, -1.5f,       3.5f};
        for (float v : values)
            QCOMPARE(lb::roundHalfEven(v), torch::round(torch::tensor(v)).item<float>());
    }

    void byteConversionMatchesDivision() {
        for (int v = 0; v < 256; ++v) {
            torch::Tensor t = torch::tensor(float(v)) / 255.0f;
            QCOMPARE(lb::byteToFloat(std::uint8_t(v)), t.item<float>());
        }
    }

    void resizeIsBitIdentical_data() {
        QTest::addColumn<int>("seed");
        for (int s = 0; s < 300; ++s)
            QTest::newRow(qPrintable(QString("case %1").arg(s))) << s;
    }
    void resizeIsBitIdentical() {
        QFETCH(int, seed);
        if (!libTorchIsReference())
            QSKIP("bit-exact resize is checked against LibTorch 1.13, the reference's library");
        std::mt19937 rng(std::uint32_t(seed) * 7919u + 1u);
        std::uniform_int_distribution<int> size(1, 97);
        const int mh = size(rng), mw = size(rng), oh = size(rng), ow = size(rng);
        lb::MaskBuffer m = randomMask(rng, mh, mw, seed % 4);
        lb::MaskBuffer ours = lb::resizeBilinear(m, oh, ow);
        namespace F = torch::nn::functional;
        torch::Tensor ref = F::interpolate(toTensor(m), F::InterpolateFuncOptions()
                                                            .size(std::vector<int64_t>{oh, ow})
                                                            .mode(torch::kBilinear)
                                                            .align_corners(false))
                                .contiguous();
        const float* r = ref.data_ptr<float>();
        int diff = 0;
        for (std::size_t i = 0; i < ours.data.size(); ++i)
            diff += ours.data[i] != r[i];
        QVERIFY2(diff == 0, qPrintable(QString("%1 of %2 values differ (%3x%4 -> %5x%6)")
                                           .arg(diff)
                                           .arg(ours.data.size())
                                           .arg(mh)
                                           .arg(mw)
                                           .arg(oh)
                                           .arg(ow)));
    }

    void noiseMaskMatchesSeed_data() {
        QTest::addColumn<int>("seed");
        QTest::addColumn<int>("grow");
        // Every g in 0..64 on several random cases each, then some larger ones.
        int row = 0;
        for (int g = 0; g <= 64; ++g)
            for (int k = 0; k < 16; ++k, ++row)
                QTest::newRow(qPrintable(QString("g=%1 case %2").arg(g).arg(k))) << row << g;
        for (int g : {65, 80, 99, 100, 127, 128, 200, 255, 256})
            for (int k = 0; k < 4; ++k, ++row)
                QTest::newRow(qPrintable(QString("g=%1 case %2").arg(g).arg(k))) << row << g;
    }
    void noiseMaskMatchesSeed() {
        QFETCH(int, seed);
        QFETCH(int, grow);
        std::mt19937 rng(std::uint32_t(seed) * 104729u + 17u);
        // Every fourth case is large enough (up to 420 rows) to split over several threads.
        const bool large = seed % 4 == 3 && grow <= 64;
        std::uniform_int_distribution<int> size(16, large ? 420 : 120), msize(1, 140);
        const int d = std::array<int, 3>{4, 8, 16}[seed % 3];
        const int H = size(rng), W = size(rng);
        const bool sameSize = seed % 5 != 0;
        const int mh = sameSize ? H : msize(rng), mw = sameSize ? W : msize(rng);
        if (!sameSize && !libTorchIsReference())
            QSKIP("resized masks are checked against LibTorch 1.13, the reference's library");
        lb::MaskBuffer m = randomMask(rng, mh, mw, seed % 5);
        lb::CropRect crop;
        auto ours = lb::noiseMaskForSize(m, H, W, grow, d, &crop);
        LB_VERIFY_OK(ours);
        torch::Tensor resized;
        torch::Tensor ref = seedNoiseMask(toTensor(m), H, W, d, grow, &resized);
        QCOMPARE(ours->height, int(ref.size(2)));
        QCOMPARE(ours->width, int(ref.size(3)));
        const int diff = countDifferences(*ours, ref);
        QVERIFY2(diff == 0, qPrintable(QString("%1 pixels differ (image %2x%3, mask %4x%5, d=%6)")
                                           .arg(diff)
                                           .arg(H)
                                           .arg(W)
                                           .arg(mh)
                                           .arg(mw)
                                           .arg(d)));
    }

    void grayFillMatchesSeed_data() {
        QTest::addColumn<int>("seed");
        for (int s = 0; s < 200; ++s)
            QTest::newRow(qPrintable(QString("case %1").arg(s))) << s;
    }
    void grayFillMatchesSeed() {
        QFETCH(int, seed);
        std::mt19937 rng(std::uint32_t(seed) * 31u + 5u);
        std::uniform_int_distribution<int> size(8, 90), msize(1, 120), byte(0, 255);
        const int d = std::array<int, 3>{4, 8, 16}[seed % 3];
        const int H = size(rng) + 16, W = size(rng) + 16;
        lb::ImageBuffer img;
        img.height = H;
        img.width = W;
        img.channels = (seed % 4 == 0) ? 4 : 3;
        img.data.resize(img.pixelCount() * img.channels);
        for (float& v : img.data)
            v = lb::byteToFloat(std::uint8_t(byte(rng)));
        lb::MaskBuffer m = randomMask(rng, msize(rng), msize(rng), seed % 5);
        if (!libTorchIsReference() && (m.height != H || m.width != W))
            QSKIP("resized masks are checked against LibTorch 1.13, the reference's library");
        auto ours = lb::prepareInpaint(img, m, 6, d);
        LB_VERIFY_OK(ours);

        // The seed: pixels [1,H,W,3], mask resized and cropped, then the per-channel loop.
        torch::Tensor pixels =
            torch::from_blob(img.data.data(), {1, H, W, img.channels}, torch::kFloat32)
                .index({torch::indexing::Slice(), torch::indexing::Slice(),
                        torch::indexing::Slice(), torch::indexing::Slice(0, 3)})
                .clone();
        torch::Tensor resized;
        seedNoiseMask(toTensor(m), H, W, d, 6, &resized);
        const int64_t x = (H / d) * d, y = (W / d) * d;
        if (H != x || W != y) {
            const int64_t xo = (H % d) / 2, yo = (W % d) / 2;
            pixels = pixels.index({torch::indexing::Slice(), torch::indexing::Slice(xo, x + xo),
                                   torch::indexing::Slice(yo, y + yo), torch::indexing::Slice()});
        }
        pixels = pixels.clone();
        torch::Tensor keep = (1.0 - resized.round()).squeeze(1);
        for (int i = 0; i < 3; ++i) {
            torch::Tensor c = pixels.index(
                {torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(), i});
            c -= 0.5;
            c *= keep;
            c += 0.5;
        }
        pixels = pixels.contiguous();
        QCOMPARE(ours->pixels.height, int(x));
        QCOMPARE(ours->pixels.width, int(y));
        QCOMPARE(ours->pixels.channels, 3);
        const float* r = pixels.data_ptr<float>();
        int diff = 0;
        for (std::size_t i = 0; i < ours->pixels.data.size(); ++i)
            diff += ours->pixels.data[i] != r[i];
        QCOMPARE(diff, 0);
    }

    void regionGrowEqualsFullGrow_data() {
        QTest::addColumn<int>("seed");
        for (int s = 0; s < 200; ++s)
            QTest::newRow(qPrintable(QString("case %1").arg(s))) << s;
    }
    void regionGrowEqualsFullGrow() {
        QFETCH(int, seed);
        std::mt19937 rng(std::uint32_t(seed) + 99u);
        std::uniform_int_distribution<int> size(20, 150), gdist(0, 40);
        const int h = size(rng), w = size(rng), g = gdist(rng);
        lb::BinaryMask before = lb::roundMask(randomMask(rng, h, w, 1 + 3 * (seed % 2)));
        lb::BinaryMask out = lb::growBinary(before, g);
        lb::BinaryMask after = before;
        std::uniform_int_distribution<int> ry(0, h - 1), rx(0, w - 1), len(1, 30);
        lb::CropRect changed{ry(rng), rx(rng), 0, 0};
        changed.height = std::min(len(rng), h - changed.top);
        changed.width = std::min(len(rng), w - changed.left);
        std::bernoulli_distribution coin(0.5);
        for (int y = changed.top; y < changed.top + changed.height; ++y)
            for (int x = changed.left; x < changed.left + changed.width; ++x)
                after.data[std::size_t(y) * w + x] = coin(rng);
        lb::growBinaryRegion(after, g, changed, out);
        QVERIFY(out.data == lb::growBinary(after, g).data);
    }

    void growIsDilationOnEdges() {
        // A single pixel grows into the off-centre g x g window for even g.
        lb::BinaryMask m;
        m.height = m.width = 9;
        m.data.assign(81, 0);
        m.data[4 * 9 + 4] = 1;
        lb::BinaryMask g2 = lb::growBinary(m, 2);
        // rows i-1..i: the pixel reaches outputs at rows 4..5, columns 4..5.
        for (int y = 0; y < 9; ++y)
            for (int x = 0; x < 9; ++x)
                QCOMPARE(int(g2.data[y * 9 + x]), int(y >= 4 && y <= 5 && x >= 4 && x <= 5));
    }

    void rejectsBadArguments() {
        lb::MaskBuffer m;
        m.height = m.width = 16;
        m.data.assign(256, 0.0f);
        QVERIFY(!lb::noiseMaskForSize(m, 16, 16, -1, 8).ok());
        QVERIFY(!lb::noiseMaskForSize(m, 16, 16, lb::kMaxGrow + 1, 8).ok());
        QVERIFY(!lb::noiseMaskForSize(m, 7, 16, 6, 8).ok());
        m.data[3] = std::nanf("");
        auto r = lb::noiseMaskForSize(m, 16, 16, 6, 8);
        QVERIFY(!r.ok());
        QVERIFY(r.message().find("finite") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(MaskOpsMirror)
#include "tst_maskops_mirror.moc"
