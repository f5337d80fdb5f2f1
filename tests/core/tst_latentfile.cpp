// Tests of .latent files: round trips with metadata and noise_mask, ComfyUI's own SaveLatent
// layout, F16/BF16 latents converted exactly, and files or contents that must be refused.
// LibTorch comes before Qt: c10 has a member named slots(), which Qt's `slots` macro would eat.
#include <ATen/ATen.h>

#include "latentbrush/LatentFile.h"
#include "latentbrush/Safetensors.h"

#include "TestSupport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

using namespace lb;

namespace {

LatentBuffer makeBuffer(std::vector<std::int64_t> shape, float scale) {
    LatentBuffer buffer;
    std::size_t count = 1;
    for (std::int64_t d : shape)
        count *= static_cast<std::size_t>(d);
    buffer.shape = std::move(shape);
    buffer.data.resize(count);
    for (std::size_t i = 0; i < count; ++i)
        buffer.data[i] = scale * std::sin(0.37f * static_cast<float>(i)) - 0.1f;
    return buffer;
}

LatentBuffer makeMask(std::vector<std::int64_t> shape) {
    LatentBuffer mask = makeBuffer(std::move(shape), 1.0f);
    for (float& v : mask.data)
        v = v > 0.0f ? 1.0f : 0.0f;
    return mask;
}

QStringList filesIn(const QString& dir) {
    return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot);
}

bool sameBits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// What a latent file written for a read test holds (see readErrors_data).
enum class FileDefect {
    NoLatentTensor,
    LatentRank3,
    LatentI32,
    LatentNonFinite,
    MaskTwoChannels,
    MaskBatchMismatch,
    MaskRank3,
    NotSafetensors,
    Missing,
};

// Contents made invalid for a write test (see writeRefused_data).
enum class ContentDefect {
    NaNInSamples,
    InfinityInSamples,
    NegativeInfinityInMask,
    SamplesDataTooShort,
    SamplesRank3,
    SamplesZeroDimension,
    MaskTwoChannels,
    MaskBatchMismatch,
    MaskDataTooLong,
};

} // namespace

class TestLatentFile : public QObject {
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void comfyUiSaveLatentFile();
    void legacyFileWithoutVersionMarker();
    void halfPrecisionLatents_data();
    void halfPrecisionLatents();
    void readErrors_data();
    void readErrors();
    void writeRefused_data();
    void writeRefused();
    void writeIntoMissingFolder();
};

void TestLatentFile::roundTrip_data() {
    QTest::addColumn<QList<qint64>>("samplesShape");
    QTest::addColumn<QList<qint64>>("maskShape"); // empty: no noise_mask

    QTest::newRow("samples with noise_mask")
        << QList<qint64>{1, 4, 3, 5} << QList<qint64>{1, 1, 24, 40};
    QTest::newRow("samples only") << QList<qint64>{1, 16, 4, 4} << QList<qint64>{};
    QTest::newRow("batch of two, 128 channels")
        << QList<qint64>{2, 128, 2, 3} << QList<qint64>{2, 1, 32, 48};
}

// What is written reads back bit for bit, with the metadata and the layout ComfyUI expects.
void TestLatentFile::roundTrip() {
    QFETCH(QList<qint64>, samplesShape);
    QFETCH(QList<qint64>, maskShape);

    LatentFileContents contents;
    contents.samples = makeBuffer({samplesShape.begin(), samplesShape.end()}, 3.0f);
    contents.samples.data[0] = -0.0f;
    contents.samples.data[1] = std::numeric_limits<float>::denorm_min();
    contents.hasNoiseMask = !maskShape.isEmpty();
    if (contents.hasNoiseMask) contents.noiseMask = makeMask({maskShape.begin(), maskShape.end()});
    contents.metadata = {{"grow_mask_by", "6"},           {"vae.family", "autoencoderkl"},
                         {"vae.file", "kl4.safetensors"}, {"source.image", "photo ü.png"},
                         {"crop.offset", "2,2"},          {"crop.size", "72,48"}};

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(QStringLiteral("out.latent")).toStdString();
    Status written = writeLatentFile(path, contents);
    LB_VERIFY_OK(written);
    QCOMPARE(filesIn(dir.path()), QStringList{QStringLiteral("out.latent")});

    auto read = readLatentFile(path);
    LB_VERIFY_OK(read);
    QCOMPARE(read->samples.shape, contents.samples.shape);
    QVERIFY(sameBits(read->samples.data, contents.samples.data));
    QCOMPARE(read->hasNoiseMask, contents.hasNoiseMask);
    if (contents.hasNoiseMask) {
        QCOMPARE(read->noiseMask.shape, contents.noiseMask.shape);
        QVERIFY(sameBits(read->noiseMask.data, contents.noiseMask.data));
    }
    QVERIFY(read->hasFormatVersionMarker);
    for (const auto& [key, value] : contents.metadata)
        QCOMPARE(read->metadata.at(key), value);
    QCOMPARE(read->metadata.at("latentbrush.version"), std::string(LATENTBRUSH_VERSION));

    // The raw layout: what ComfyUI's LoadLatent and diffusers users read.
    auto file = SafetensorsFile::open(path);
    LB_VERIFY_OK(file);
    const TensorView* latent = (*file)->find("latent_tensor");
    QVERIFY(latent && latent->dtype == DType::F32);
    const TensorView* marker = (*file)->find("latent_format_version_0");
    QVERIFY(marker && marker->dtype == DType::F32);
    QCOMPARE(marker->shape, (std::vector<std::int64_t>{0}));
    const TensorView* mask = (*file)->find("noise_mask");
    QCOMPARE(mask != nullptr, contents.hasNoiseMask);
    if (mask) QVERIFY(mask->dtype == DType::F32);
}

// ComfyUI's SaveLatent: latent_tensor and latent_format_version_0 only, names sorted, and its
// prompt/workflow JSON as metadata.
void TestLatentFile::comfyUiSaveLatentFile() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("ComfyUI_00001_.latent")).toStdString();
    const LatentBuffer samples = makeBuffer({1, 4, 8, 8}, 2.0f);
    Status written = writeSafetensors(
        path,
        {{"latent_format_version_0", DType::F32, {0}, nullptr, 0},
         {"latent_tensor", DType::F32, samples.shape, samples.data.data(),
          samples.data.size() * sizeof(float)}},
        {{"prompt", "{\"3\": {\"class_type\": \"KSampler\"}}"}, {"workflow", "{}"}});
    LB_VERIFY_OK(written);

    auto read = readLatentFile(path);
    LB_VERIFY_OK(read);
    QVERIFY(!read->hasNoiseMask);
    QVERIFY(read->hasFormatVersionMarker);
    QCOMPARE(read->samples.shape, samples.shape);
    QVERIFY(sameBits(read->samples.data, samples.data));
    QCOMPARE(read->metadata.at("workflow"), std::string("{}"));
}

// Before latent_format_version_0 existed, ComfyUI stored scaled latents; the reader says so.
void TestLatentFile::legacyFileWithoutVersionMarker() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("old.latent")).toStdString();
    const LatentBuffer samples = makeBuffer({1, 4, 2, 2}, 1.0f);
    QVERIFY(writeSafetensors(path,
                             {{"latent_tensor", DType::F32, samples.shape, samples.data.data(),
                               samples.data.size() * sizeof(float)}},
                             {})
                .ok());
    auto read = readLatentFile(path);
    LB_VERIFY_OK(read);
    QVERIFY(!read->hasFormatVersionMarker);
    QVERIFY(sameBits(read->samples.data, samples.data)); // returned as stored
}

void TestLatentFile::halfPrecisionLatents_data() {
    QTest::addColumn<int>("dtype");
    QTest::newRow("F16, every finite bit pattern") << int(DType::F16);
    QTest::newRow("BF16, every finite bit pattern") << int(DType::BF16);
}

// F16/BF16 latent tensors become float32 exactly: each of the 65536 bit patterns (non-finite ones
// replaced by zero) converts as LibTorch converts it, bit for bit.
void TestLatentFile::halfPrecisionLatents() {
    QFETCH(int, dtype);
    const auto type = static_cast<DType>(dtype);
    const bool isHalf = type == DType::F16;
    std::vector<std::uint16_t> bits(65536);
    for (std::uint32_t i = 0; i < bits.size(); ++i) {
        const bool nonFinite = isHalf ? ((i >> 10) & 0x1f) == 0x1f : ((i >> 7) & 0xff) == 0xff;
        bits[i] = nonFinite ? 0 : static_cast<std::uint16_t>(i);
    }
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("half.latent")).toStdString();
    const std::vector<std::int64_t> shape{1, 4, 128, 128};
    Status written = writeSafetensors(path,
                                      {{"latent_tensor", type, shape, bits.data(), bits.size() * 2},
                                       {"latent_format_version_0", DType::F32, {0}, nullptr, 0}},
                                      {});
    LB_VERIFY_OK(written);

    auto read = readLatentFile(path);
    LB_VERIFY_OK(read);
    QCOMPARE(read->samples.shape, shape);
    const at::Tensor reference =
        at::from_blob(bits.data(), {65536}, isHalf ? at::kHalf : at::kBFloat16).to(at::kFloat);
    QVERIFY(std::memcmp(read->samples.data.data(), reference.data_ptr<float>(), 65536 * 4) == 0);
    // A few by hand: 1.0, -2.0, the smallest subnormal (F16 only) and the largest value.
    if (isHalf) {
        QCOMPARE(read->samples.data[0x3c00], 1.0f);
        QCOMPARE(read->samples.data[0xc000], -2.0f);
        QCOMPARE(read->samples.data[0x0001], std::ldexp(1.0f, -24));
        QCOMPARE(read->samples.data[0x7bff], 65504.0f);
    } else {
        QCOMPARE(read->samples.data[0x3f80], 1.0f);
        QCOMPARE(read->samples.data[0xc000], -2.0f);
        std::uint32_t largest = 0x7f7f0000u;
        float expectedLargest;
        std::memcpy(&expectedLargest, &largest, 4);
        QCOMPARE(read->samples.data[0x7f7f], expectedLargest);
    }
}

void TestLatentFile::readErrors_data() {
    QTest::addColumn<int>("defect");
    QTest::addColumn<QString>("expected"); // a part of the message after "<path>: "

    QTest::newRow("no latent_tensor")
        << int(FileDefect::NoLatentTensor) << "no latent_tensor in the file";
    QTest::newRow("latent_tensor of rank 3")
        << int(FileDefect::LatentRank3) << "latent_tensor must have 4 dimensions";
    QTest::newRow("latent_tensor of I32")
        << int(FileDefect::LatentI32) << "latent_tensor has dtype I32";
    QTest::newRow("non-finite latent_tensor")
        << int(FileDefect::LatentNonFinite) << "latent_tensor holds a non-finite value";
    QTest::newRow("noise_mask with 2 channels")
        << int(FileDefect::MaskTwoChannels) << "noise_mask has shape [1, 2, 16, 16]";
    QTest::newRow("noise_mask of another batch")
        << int(FileDefect::MaskBatchMismatch) << "expected [1, 1, X, Y]";
    QTest::newRow("noise_mask of rank 3")
        << int(FileDefect::MaskRank3) << "noise_mask has shape [1, 16, 16]";
    QTest::newRow("not a safetensors file")
        << int(FileDefect::NotSafetensors) << "exceeds the file size";
    QTest::newRow("missing file") << int(FileDefect::Missing) << "no such file";
}

void TestLatentFile::readErrors() {
    QFETCH(int, defect);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    const QString qpath = dir.filePath(QStringLiteral("bad.latent"));
    const std::string path = qpath.toStdString();

    LatentBuffer samples = makeBuffer({1, 4, 2, 2}, 1.0f);
    const LatentBuffer mask = makeMask({1, 1, 16, 16});
    const std::vector<float> twoMasks(512, 1.0f); // 2 x 16 x 16 values
    auto f32 = [](const char* name, const std::vector<std::int64_t>& shape,
                  const std::vector<float>& data) {
        return TensorToWrite{name, DType::F32, shape, data.data(), data.size() * sizeof(float)};
    };
    std::vector<TensorToWrite> tensors;
    switch (static_cast<FileDefect>(defect)) {
    case FileDefect::NoLatentTensor:
        tensors = {f32("samples", samples.shape, samples.data)};
        break;
    case FileDefect::LatentRank3:
        tensors = {f32("latent_tensor", {4, 2, 2}, samples.data)};
        break;
    case FileDefect::LatentI32:
        tensors = {{"latent_tensor", DType::I32, samples.shape, samples.data.data(), 64}};
        break;
    case FileDefect::LatentNonFinite:
        samples.data[5] = std::numeric_limits<float>::infinity();
        tensors = {f32("latent_tensor", samples.shape, samples.data)};
        break;
    case FileDefect::MaskTwoChannels:
        tensors = {f32("latent_tensor", samples.shape, samples.data),
                   f32("noise_mask", {1, 2, 16, 16}, twoMasks)};
        break;
    case FileDefect::MaskBatchMismatch:
        tensors = {f32("latent_tensor", samples.shape, samples.data),
                   f32("noise_mask", {2, 1, 16, 16}, twoMasks)};
        break;
    case FileDefect::MaskRank3:
        tensors = {f32("latent_tensor", samples.shape, samples.data),
                   f32("noise_mask", {1, 16, 16}, mask.data)};
        break;
    case FileDefect::NotSafetensors: {
        QFile file(qpath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("this is not a latent file");
        break;
    }
    case FileDefect::Missing:
        break;
    }
    if (!tensors.empty()) {
        Status written = writeSafetensors(path, tensors, {});
        LB_VERIFY_OK(written);
    }

    auto read = readLatentFile(path);
    QVERIFY(!read.ok());
    const QString message = QString::fromStdString(read.message());
    QVERIFY2(message.startsWith(qpath + QLatin1String(": ")), qPrintable(message));
    QVERIFY2(message.contains(expected), qPrintable(message));
    QVERIFY2(!message.contains(QLatin1Char('\n')), qPrintable(message));
}

void TestLatentFile::writeRefused_data() {
    QTest::addColumn<int>("defect");
    QTest::addColumn<QString>("expected");

    QTest::newRow("NaN in samples") << int(ContentDefect::NaNInSamples)
                                    << "latent_tensor holds a non-finite value (nan at index 3)";
    QTest::newRow("infinity in samples")
        << int(ContentDefect::InfinityInSamples) << "latent_tensor holds a non-finite value (inf";
    QTest::newRow("-infinity in noise_mask") << int(ContentDefect::NegativeInfinityInMask)
                                             << "noise_mask holds a non-finite value (-inf";
    QTest::newRow("samples shorter than their shape")
        << int(ContentDefect::SamplesDataTooShort)
        << "latent_tensor has shape [1, 4, 3, 5] (60 values) but holds 59 values";
    QTest::newRow("samples of rank 3")
        << int(ContentDefect::SamplesRank3) << "latent_tensor must have 4 dimensions";
    QTest::newRow("samples with a zero dimension")
        << int(ContentDefect::SamplesZeroDimension) << "latent_tensor has an invalid shape";
    QTest::newRow("noise_mask with 2 channels")
        << int(ContentDefect::MaskTwoChannels) << "noise_mask has shape [1, 2, 24, 40]";
    QTest::newRow("noise_mask of another batch")
        << int(ContentDefect::MaskBatchMismatch) << "noise_mask has shape [2, 1, 24, 40]";
    QTest::newRow("noise_mask longer than its shape")
        << int(ContentDefect::MaskDataTooLong) << "noise_mask has shape [1, 1, 24, 40]";
}

// Invalid contents are refused before anything is written: neither the file nor a temporary
// file is left in the folder.
void TestLatentFile::writeRefused() {
    QFETCH(int, defect);
    QFETCH(QString, expected);

    LatentFileContents contents;
    contents.samples = makeBuffer({1, 4, 3, 5}, 1.0f);
    contents.hasNoiseMask = true;
    contents.noiseMask = makeMask({1, 1, 24, 40});
    switch (static_cast<ContentDefect>(defect)) {
    case ContentDefect::NaNInSamples:
        contents.samples.data[3] = std::numeric_limits<float>::quiet_NaN();
        break;
    case ContentDefect::InfinityInSamples:
        contents.samples.data.back() = std::numeric_limits<float>::infinity();
        break;
    case ContentDefect::NegativeInfinityInMask:
        contents.noiseMask.data[7] = -std::numeric_limits<float>::infinity();
        break;
    case ContentDefect::SamplesDataTooShort:
        contents.samples.data.pop_back();
        break;
    case ContentDefect::SamplesRank3:
        contents.samples.shape = {4, 3, 5};
        break;
    case ContentDefect::SamplesZeroDimension:
        contents.samples = makeBuffer({1, 0, 3, 5}, 1.0f);
        break;
    case ContentDefect::MaskTwoChannels:
        contents.noiseMask = makeMask({1, 2, 24, 40});
        break;
    case ContentDefect::MaskBatchMismatch:
        contents.noiseMask = makeMask({2, 1, 24, 40});
        break;
    case ContentDefect::MaskDataTooLong:
        contents.noiseMask.data.push_back(1.0f);
        break;
    }

    QTemporaryDir dir;
    const QString qpath = dir.filePath(QStringLiteral("refused.latent"));
    Status written = writeLatentFile(qpath.toStdString(), contents);
    QVERIFY(!written.ok());
    const QString message = QString::fromStdString(written.message());
    QVERIFY2(message.startsWith(qpath + QLatin1String(": ")), qPrintable(message));
    QVERIFY2(message.contains(expected), qPrintable(message));
    QVERIFY2(filesIn(dir.path()).isEmpty(), qPrintable(filesIn(dir.path()).join(", ")));
}

void TestLatentFile::writeIntoMissingFolder() {
    QTemporaryDir dir;
    const std::string path =
        dir.filePath(QStringLiteral("no/such/folder/out.latent")).toStdString();
    LatentFileContents contents;
    contents.samples = makeBuffer({1, 4, 2, 2}, 1.0f);
    Status written = writeLatentFile(path, contents);
    QVERIFY(!written.ok());
    QVERIFY2(written.message().rfind(path + ": ", 0) == 0, written.message().c_str());
    QVERIFY(filesIn(dir.path()).isEmpty());
}

QTEST_GUILESS_MAIN(TestLatentFile)
#include "tst_latentfile.moc"
