// Tests of the safetensors reader and writer: round trips of every dtype, the shared reference
// files, a table of hostile files that must be refused by name, and zero-copy LibTorch views.
// LibTorch comes before Qt: c10 has a member named slots(), which Qt's `slots` macro would eat.
#include "latentbrush/SafetensorsTorch.h"

#include "latentbrush/Safetensors.h"

#include "TestSupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace lb;

namespace {

// A safetensors file from its parts: 8-byte little-endian length, header text, data bytes.
QByteArray rawFile(const QByteArray& header, const QByteArray& data = {}) {
    QByteArray out;
    std::uint64_t length = static_cast<std::uint64_t>(header.size());
    for (int i = 0; i < 8; ++i)
        out.append(static_cast<char>((length >> (8 * i)) & 0xff));
    return out + header + data;
}

QByteArray lengthPrefix(std::uint64_t length) {
    QByteArray out;
    for (int i = 0; i < 8; ++i)
        out.append(static_cast<char>((length >> (8 * i)) & 0xff));
    return out;
}

// {"name": {"dtype": dtype, "shape": shape, "data_offsets": offsets}}
QByteArray entry(const char* name, const char* dtype, const char* shape, const char* offsets) {
    return QByteArray("\"") + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape +
           ",\"data_offsets\":" + offsets + "}";
}

const QByteArray kOneFloat = entry("a", "F32", "[1]", "[0,4]");

bool writeFile(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

std::vector<std::uint8_t> toVector(const QByteArray& bytes) {
    return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
}

QStringList filesIn(const QString& dir) {
    return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot);
}

std::vector<std::uint8_t> patternBytes(std::size_t count, unsigned seed) {
    std::vector<std::uint8_t> bytes(count);
    for (std::size_t i = 0; i < count; ++i)
        bytes[i] = static_cast<std::uint8_t>(i * 31 + seed);
    return bytes;
}

float floatFromBits(std::uint32_t bits) {
    float value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

QString relativeToShared(const QString& path) {
    return QDir(lbtest::sharedDir()).relativeFilePath(path);
}

const DType kAllDTypes[] = {DType::F64, DType::F32, DType::F16, DType::BF16,    DType::I64,
                            DType::I32, DType::I16, DType::I8,  DType::U8,      DType::BOOL,
                            DType::U16, DType::U32, DType::U64, DType::F8_E4M3, DType::F8_E5M2};

bool torchCanHold(DType t) {
    return t != DType::U16 && t != DType::U32 && t != DType::U64 && t != DType::F8_E4M3 &&
           t != DType::F8_E5M2;
}

} // namespace

class TestSafetensors : public QObject {
    Q_OBJECT

private slots:
    void dtypeNames();
    void roundTripEveryDType_data();
    void roundTripEveryDType();
    void writtenLayout();
    void validEdgeCases_data();
    void validEdgeCases();
    void hostileFiles_data();
    void hostileFiles();
    void limitsAreApplied();
    void writerRefuses_data();
    void writerRefuses();
    void sharedFiles_data();
    void sharedFiles();
    void zeroCopyTensor();
    void unalignedDataIsCopied();
    void torchRefusesUnsupportedDType();
    void writeTensorsRoundTrip();
    void writeTensorsRefusesComplex();
};

void TestSafetensors::dtypeNames() {
    for (DType t : kAllDTypes) {
        DType parsed{};
        QVERIFY(parseDType(dtypeName(t), &parsed));
        QCOMPARE(int(parsed), int(t));
        QVERIFY(dtypeSize(t) >= 1 && dtypeSize(t) <= 8);
    }
    QVERIFY(!parseDType("F17", nullptr));
    QVERIFY(!parseDType("f32", nullptr));
    QCOMPARE(dtypeSize(DType::BF16), std::size_t(2));
    QCOMPARE(dtypeSize(DType::F8_E5M2), std::size_t(1));
}

void TestSafetensors::roundTripEveryDType_data() {
    QTest::addColumn<int>("dtype");
    for (DType t : kAllDTypes)
        QTest::newRow(dtypeName(t)) << int(t);
}

// A matrix, a scalar and an empty tensor of each dtype survive writing and reading unchanged.
void TestSafetensors::roundTripEveryDType() {
    QFETCH(int, dtype);
    const auto type = static_cast<DType>(dtype);
    const std::size_t size = dtypeSize(type);
    const auto matrix = patternBytes(2 * 3 * size, 7);
    const auto scalar = patternBytes(size, 99);
    const std::map<std::string, std::string> metadata{{"format", "pt"}, {"note", "ü ✓ \"q\""}};

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath(QStringLiteral("round.safetensors")).toStdString();
    Status written = writeSafetensors(path,
                                      {{"matrix", type, {2, 3}, matrix.data(), matrix.size()},
                                       {"scalar", type, {}, scalar.data(), scalar.size()},
                                       {"empty", type, {0, 5}, nullptr, 0}},
                                      metadata);
    LB_VERIFY_OK(written);

    auto file = SafetensorsFile::open(path);
    LB_VERIFY_OK(file);
    QCOMPARE((*file)->metadata(), metadata);
    QCOMPARE((*file)->tensors().size(), std::size_t(3));
    QCOMPARE((*file)->tensors()[0].name, std::string("matrix")); // data order = order given
    const TensorView* m = (*file)->find("matrix");
    QVERIFY(m);
    QCOMPARE(int(m->dtype), dtype);
    QCOMPARE(m->shape, (std::vector<std::int64_t>{2, 3}));
    QCOMPARE(m->numel(), std::int64_t(6));
    QCOMPARE(m->byteSize, matrix.size());
    QVERIFY(std::memcmp(m->data, matrix.data(), matrix.size()) == 0);
    const TensorView* s = (*file)->find("scalar");
    QVERIFY(s && s->shape.empty() && s->numel() == 1);
    QVERIFY(std::memcmp(s->data, scalar.data(), scalar.size()) == 0);
    const TensorView* e = (*file)->find("empty");
    QVERIFY(e && e->numel() == 0 && e->byteSize == 0);
    QVERIFY(!(*file)->contains("missing"));

    if (torchCanHold(type)) {
        auto tensor = toTensor(*file, *m);
        LB_VERIFY_OK(tensor);
        QCOMPARE(tensor->sizes().vec(), m->shape);
        QCOMPARE(std::size_t(tensor->element_size()), size);
        QVERIFY(std::memcmp(tensor->data_ptr(), matrix.data(), matrix.size()) == 0);
        auto empty = toTensor(*file, *e);
        LB_VERIFY_OK(empty);
        QCOMPARE(empty->numel(), std::int64_t(0));
    }
}

// The header is padded with spaces to 8 bytes, `__metadata__` comes first, data in order.
void TestSafetensors::writtenLayout() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("layout.safetensors"));
    const std::uint8_t first[3] = {1, 2, 3};
    const float second[2] = {1.5f, -2.0f};
    Status written = writeSafetensors(
        path.toStdString(),
        {{"z_first", DType::U8, {3}, first, 3}, {"a_second", DType::F32, {2}, second, 8}},
        {{"key", "value"}});
    LB_VERIFY_OK(written);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    std::uint64_t headerLength = 0;
    for (int i = 7; i >= 0; --i)
        headerLength = (headerLength << 8) | std::uint8_t(bytes[i]);
    QCOMPARE(headerLength % 8, std::uint64_t(0));
    QCOMPARE(std::uint64_t(bytes.size()), 8 + headerLength + 3 + 8);
    const QByteArray header = bytes.mid(8, int(headerLength));
    QVERIFY(header.startsWith("{\"__metadata__\":{\"key\":\"value\"}"));
    QVERIFY(header.trimmed().endsWith('}'));
    QVERIFY(header.indexOf("z_first") < header.indexOf("a_second"));
    const QByteArray data = bytes.mid(int(8 + headerLength));
    QCOMPARE(data.left(3), QByteArray("\x01\x02\x03", 3));
    QVERIFY(std::memcmp(data.constData() + 3, second, 8) == 0);
    QVERIFY(QJsonDocument::fromJson(header).isObject());
    QCOMPARE(filesIn(dir.path()), QStringList{QStringLiteral("layout.safetensors")});
}

void TestSafetensors::validEdgeCases_data() {
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("tensorCount");

    QTest::newRow("no tensors") << "empty.safetensors" << rawFile("{}") << 0;
    QTest::newRow("metadata only")
        << "meta.safetensors" << rawFile("{\"__metadata__\":{\"a\":\"b\"}}") << 0;
    QTest::newRow("header padded with spaces")
        << "padded.safetensors" << rawFile("{" + kOneFloat + "}      ", "abcd") << 1;
    QTest::newRow("__metadata__ last")
        << "metalast.safetensors" << rawFile("{" + kOneFloat + ",\"__metadata__\":{}}", "abcd")
        << 1;
    QTest::newRow("entries out of data order")
        << "order.safetensors"
        << rawFile("{" + entry("b", "U8", "[2]", "[2,4]") + "," + entry("a", "U8", "[2]", "[0,2]") +
                       "}",
                   "abcd")
        << 2;
    QTest::newRow("empty tensors sharing an offset")
        << "zeros.safetensors"
        << rawFile("{" + entry("e1", "F32", "[0]", "[0,0]") + "," +
                       entry("e2", "I64", "[3,0]", "[0,0]") + "," + kOneFloat + "," +
                       entry("e3", "F16", "[0]", "[4,4]") + "}",
                   "abcd")
        << 4;
    QTest::newRow("scalar") << "scalar.safetensors"
                            << rawFile("{" + entry("s", "I16", "[]", "[0,2]") + "}", "xy") << 1;
    QTest::newRow(".bin holding safetensors")
        << "model.bin" << rawFile("{" + kOneFloat + "}", "abcd") << 1;
}

void TestSafetensors::validEdgeCases() {
    QFETCH(QString, fileName);
    QFETCH(QByteArray, bytes);
    QFETCH(int, tensorCount);
    QTemporaryDir dir;
    const QString path = dir.filePath(fileName);
    QVERIFY(writeFile(path, bytes));
    auto file = SafetensorsFile::open(path.toStdString());
    LB_VERIFY_OK(file);
    QCOMPARE(int((*file)->tensors().size()), tensorCount);
    auto fromMemory = SafetensorsFile::fromBytes(toVector(bytes), fileName.toStdString());
    LB_VERIFY_OK(fromMemory);
    QCOMPARE(int((*fromMemory)->tensors().size()), tensorCount);
    // tensors() is in data order
    const auto& tensors = (*file)->tensors();
    for (std::size_t i = 1; i < tensors.size(); ++i)
        QVERIFY(tensors[i - 1].data <= tensors[i].data);
}

void TestSafetensors::hostileFiles_data() {
    QTest::addColumn<QString>("kind"); // file, missing, folder
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected"); // a part of the message after "<path>: "

    auto file = [](const char* row, const char* name, const QByteArray& bytes,
                   const char* expected) {
        QTest::newRow(row) << "file" << name << bytes << expected;
    };
    const QByteArray fourBytes("abcd");
    const char* pickled = "pickled PyTorch checkpoint refused: loading it can execute code; "
                          "convert it to .safetensors";

    file("empty file", "empty.safetensors", {}, "the file is empty");
    file("shorter than 8 bytes", "short.safetensors", QByteArray("\x10\0\0", 3), "too short");
    file("truncated header", "truncated.safetensors", rawFile("{" + kOneFloat + "}").left(30),
         "exceeds the file size (30 bytes)");
    file("header length beyond the file", "beyond.safetensors", lengthPrefix(9999999999) + "{}",
         "header length 9999999999 exceeds the file size (10 bytes)");
    file("header length 2^63", "huge.safetensors", lengthPrefix(1ull << 63) + "{}",
         "header length 9223372036854775808 exceeds the file size");
    file("header length 0", "zero.safetensors", lengthPrefix(0) + "{}", "the header is empty");
    file("not JSON", "text.safetensors", rawFile("{not json}"), "not valid JSON");
    file("JSON array", "array.safetensors", rawFile("[1,2]"), "JSON array, not an object");
    file("JSON string", "string.safetensors", rawFile("\"text\""), "not a JSON object");
    file("leading whitespace", "space.safetensors", rawFile(" {}"), "must start with '{'");
    file("text after the object", "after.safetensors", rawFile("{} x"), "not valid JSON");
    file("NUL byte after the object", "nul.safetensors", rawFile(QByteArray("{}\0{{{", 6)),
         "a NUL byte at byte 2");
    file("truncated JSON", "cut.safetensors", rawFile("{\"a\":{\"dtype\""), "not valid JSON");
    file("invalid UTF-8 in a name", "utf8.safetensors",
         rawFile("{" + entry("\xff\xfe", "F32", "[1]", "[0,4]") + "}", fourBytes),
         "not valid JSON");
    file("entry not an object", "number.safetensors", rawFile("{\"a\":5}"),
         "entry 'a' is a number, not an object");
    file("unknown dtype", "dtype.safetensors",
         rawFile("{" + entry("a", "F17", "[1]", "[0,4]") + "}", fourBytes),
         "tensor 'a': unknown dtype 'F17'");
    file("lower-case dtype", "lower.safetensors",
         rawFile("{" + entry("a", "f32", "[1]", "[0,4]") + "}", fourBytes), "unknown dtype");
    file("dtype not a string", "dtypenum.safetensors",
         rawFile("{\"a\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", fourBytes),
         "dtype is a number");
    file("negative shape", "negative.safetensors",
         rawFile("{" + entry("a", "F32", "[-1]", "[0,4]") + "}", fourBytes),
         "negative dimension -1");
    file("fractional shape", "fraction.safetensors",
         rawFile("{" + entry("a", "F32", "[1.5]", "[0,4]") + "}", fourBytes),
         "dimensions must be non-negative integers");
    file("shape not an array", "shapeobj.safetensors",
         rawFile("{" + entry("a", "F32", "4", "[0,4]") + "}", fourBytes), "shape is a number");
    file("rank above the limit", "rank.safetensors",
         rawFile("{" + entry("a", "F32", "[1,1,1,1,1,1,1,1,1]", "[0,4]") + "}", fourBytes),
         "more than 8 dimensions");
    file("shape product overflows", "overflow.safetensors",
         rawFile("{" + entry("a", "F32", "[4294967296,4294967296,4]", "[0,4]") + "}", fourBytes),
         "is too large");
    file("missing data_offsets", "missing.safetensors",
         rawFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", fourBytes),
         "missing field data_offsets");
    file("extra field", "extra.safetensors",
         rawFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"strides\":[1]}}",
                 fourBytes),
         "unexpected field 'strides'");
    file("shape x size != span", "span.safetensors",
         rawFile("{" + entry("a", "F32", "[2]", "[0,4]") + "}", fourBytes),
         "F32 [2] needs 8 bytes but its data_offsets [0, 4] span 4");
    file("offsets out of bounds", "bounds.safetensors",
         rawFile("{" + entry("a", "F32", "[1]", "[4,8]") + "}", fourBytes),
         "lie outside the data section (4 bytes)");
    file("offsets reversed", "reversed.safetensors",
         rawFile("{" + entry("a", "F32", "[1]", "[4,0]") + "}", fourBytes), "end before");
    file("three offsets", "threeoffsets.safetensors",
         rawFile("{" + entry("a", "F32", "[1]", "[0,4,4]") + "}", fourBytes),
         "two non-negative integers");
    file("negative offset", "negoffset.safetensors",
         rawFile("{" + entry("a", "F32", "[1]", "[-4,0]") + "}", fourBytes),
         "negative data offset");
    file("overlapping spans", "overlap.safetensors",
         rawFile("{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("b", "F32", "[1]", "[4,8]") +
                     "}",
                 "abcdefgh"),
         "tensors 'a' and 'b' overlap");
    file("gap between spans", "gap.safetensors",
         rawFile("{" + entry("a", "F32", "[1]", "[0,4]") + "," +
                     entry("b", "F32", "[1]", "[8,12]") + "}",
                 "abcdefghijkl"),
         "bytes 4..8 of the data section, before tensor 'b', belong to no tensor");
    file("data not starting at 0", "start.safetensors",
         rawFile("{" + entry("a", "F32", "[1]", "[4,8]") + "}", "abcdefgh"), "bytes 0..4");
    file("trailing bytes not covered", "trailing.safetensors",
         rawFile("{" + kOneFloat + "}", "abcdefgh"),
         "the last 4 of 8 data bytes belong to no tensor");
    file("duplicate tensor names", "dupname.safetensors",
         rawFile("{" + entry("a", "F32", "[1]", "[0,4]") + "," + entry("a", "F32", "[1]", "[4,8]") +
                     "}",
                 "abcdefgh"),
         "duplicate tensor name 'a'");
    file("duplicate field in an entry", "dupfield.safetensors",
         rawFile(
             "{\"a\":{\"dtype\":\"F32\",\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
             fourBytes),
         "tensor 'a': duplicate key 'dtype'");
    file("duplicate __metadata__ key", "dupmeta.safetensors",
         rawFile("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}," + kOneFloat + "}", fourBytes),
         "__metadata__: duplicate key 'k'");
    file("__metadata__ twice", "twometa.safetensors",
         rawFile("{\"__metadata__\":{},\"__metadata__\":{}}"), "__metadata__ appears twice");
    file("__metadata__ with a number", "metanum.safetensors",
         rawFile("{\"__metadata__\":{\"steps\":20}," + kOneFloat + "}", fourBytes),
         "__metadata__ value of 'steps' is a number, not a string");
    file("__metadata__ nested object", "metaobj.safetensors",
         rawFile("{\"__metadata__\":{\"a\":{}}}"), "is an object, not a string");
    file("__metadata__ an array", "metaarray.safetensors", rawFile("{\"__metadata__\":[]}"),
         "__metadata__ is an array, not an object of strings");
    file("pickle protocol 2", "model.safetensors", QByteArray("\x80\x02}q\0(X\x05\0\0\0", 12),
         pickled);
    file("pickle protocol 4 as .ckpt", "model.ckpt", QByteArray("\x80\x04\x95\x10\0\0\0\0\0", 9),
         pickled);
    file("zip from torch.save", "model.pt", QByteArray("PK\x03\x04\x14\0\0\0\0\0", 10), pickled);
    file("zip named .safetensors", "zip.safetensors", QByteArray("PK\x03\x04\0\0\0\0\0\0", 10),
         pickled);
    file("legacy .pth without a signature", "legacy.pth", QByteArray("not a safetensors header"),
         pickled);
    file("tiny pickle", "tiny.bin", QByteArray("\x80\x03", 2), pickled);
    QTest::newRow("missing file") << "missing"
                                  << "does-not-exist.safetensors" << QByteArray() << "no such file";
    QTest::newRow("directory") << "folder"
                               << "folder.safetensors" << QByteArray() << "is a folder";
}

// Every hostile file is refused, with one line that starts with the file's path; fromBytes
// gives the same answer on the same bytes.
void TestSafetensors::hostileFiles() {
    QFETCH(QString, kind);
    QFETCH(QString, fileName);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(fileName);
    if (kind == QLatin1String("file")) QVERIFY(writeFile(path, bytes));
    if (kind == QLatin1String("folder")) QVERIFY(QDir(dir.path()).mkdir(fileName));

    auto file = SafetensorsFile::open(path.toStdString());
    QVERIFY(!file.ok());
    const QString message = QString::fromStdString(file.message());
    QVERIFY2(message.startsWith(path + QLatin1String(": ")), qPrintable(message));
    QVERIFY2(message.contains(expected), qPrintable(message));
    QVERIFY2(!message.contains(QLatin1Char('\n')), qPrintable(message));

    if (kind == QLatin1String("file")) {
        auto fromMemory = SafetensorsFile::fromBytes(toVector(bytes), fileName.toStdString());
        QVERIFY(!fromMemory.ok());
        QCOMPARE(QString::fromStdString(fromMemory.message()), fileName + message.mid(path.size()));
    }
}

void TestSafetensors::limitsAreApplied() {
    const QByteArray twoTensors = rawFile("{" + entry("a", "U8", "[1]", "[0,1]") + "," +
                                              entry("b", "U8", "[1]", "[1,2]") + "}",
                                          "xy");
    SafetensorsLimits oneTensor;
    oneTensor.maxTensors = 1;
    auto tooMany = SafetensorsFile::fromBytes(toVector(twoTensors), "many.safetensors", oneTensor);
    QVERIFY(!tooMany.ok());
    QVERIFY2(tooMany.message() == "many.safetensors: more than 1 tensors",
             tooMany.message().c_str());

    SafetensorsLimits smallHeader;
    smallHeader.maxHeaderBytes = 16;
    auto bigHeader =
        SafetensorsFile::fromBytes(toVector(twoTensors), "header.safetensors", smallHeader);
    QVERIFY(!bigHeader.ok());
    QVERIFY2(QString::fromStdString(bigHeader.message()).contains("exceeds the limit of 16 bytes"),
             bigHeader.message().c_str());

    SafetensorsLimits rankTwo;
    rankTwo.maxRank = 2;
    const QByteArray rank3 = rawFile("{" + entry("a", "U8", "[1,1,1]", "[0,1]") + "}", "x");
    auto deep = SafetensorsFile::fromBytes(toVector(rank3), "rank.safetensors", rankTwo);
    QVERIFY(!deep.ok());
    QVERIFY2(QString::fromStdString(deep.message()).contains("more than 2 dimensions"),
             deep.message().c_str());
    QVERIFY(SafetensorsFile::fromBytes(toVector(rank3), "rank.safetensors").ok());
}

void TestSafetensors::writerRefuses_data() {
    QTest::addColumn<int>("dtype");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QList<qint64>>("shape");
    QTest::addColumn<int>("byteSize");
    QTest::addColumn<bool>("withData");
    QTest::addColumn<QString>("expected");

    QTest::newRow("byte size too small")
        << int(DType::F32) << "t" << QList<qint64>{2, 2} << 12 << true << "12 bytes given";
    QTest::newRow("byte size too large")
        << int(DType::F16) << "t" << QList<qint64>{3} << 8 << true << "(6 expected)";
    QTest::newRow("negative dimension")
        << int(DType::U8) << "t" << QList<qint64>{-1} << 0 << true << "invalid shape";
    QTest::newRow("no data") << int(DType::U8) << "t" << QList<qint64>{4} << 4 << false
                             << "no data given";
    QTest::newRow("empty name") << int(DType::U8) << "" << QList<qint64>{1} << 1 << true
                                << "empty name";
    QTest::newRow("named __metadata__")
        << int(DType::U8) << "__metadata__" << QList<qint64>{1} << 1 << true << "__metadata__";
    QTest::newRow("name given twice")
        << int(DType::U8) << "dup" << QList<qint64>{1} << 1 << true << "given twice";
    QTest::newRow("name not UTF-8") << int(DType::U8) << QString::fromLatin1("\xff")
                                    << QList<qint64>{1} << 1 << true << "not valid UTF-8";
}

// Invalid input is refused before anything is written: no file, no temporary left behind.
void TestSafetensors::writerRefuses() {
    QFETCH(int, dtype);
    QFETCH(QString, name);
    QFETCH(QList<qint64>, shape);
    QFETCH(int, byteSize);
    QFETCH(bool, withData);
    QFETCH(QString, expected);

    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("out.safetensors")).toStdString();
    std::vector<std::uint8_t> data(64, 0);
    std::string tensorName = name.toStdString();
    if (name == QString::fromLatin1("\xff")) tensorName = "\xff"; // raw invalid UTF-8
    std::vector<TensorToWrite> tensors;
    if (name == QLatin1String("dup")) tensors.push_back({"dup", DType::U8, {1}, data.data(), 1});
    tensors.push_back({tensorName, static_cast<DType>(dtype),
                       std::vector<std::int64_t>(shape.begin(), shape.end()),
                       withData ? data.data() : nullptr, std::size_t(byteSize)});
    Status written = writeSafetensors(path, tensors, {});
    QVERIFY(!written.ok());
    QVERIFY2(written.message().rfind(path + ": ", 0) == 0, written.message().c_str());
    QVERIFY2(QString::fromStdString(written.message()).contains(expected),
             written.message().c_str());
    QVERIFY(filesIn(dir.path()).isEmpty());
}

void TestSafetensors::sharedFiles_data() {
    QTest::addColumn<QString>("path");
    const QString shared = lbtest::sharedDir();
    if (shared.isEmpty()) {
        QTest::newRow("shared folder absent") << QString();
        return;
    }
    QStringList paths;
    const QDir golden(shared + QLatin1String("/golden"));
    for (const QString& caseName : golden.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QString expected = golden.filePath(caseName + QLatin1String("/expected.safetensors"));
        if (QFileInfo::exists(expected)) paths << expected;
    }
    const QStringList filter{QStringLiteral("*.safetensors")};
    for (const QString& folder : {QStringLiteral("/golden/vae"), QStringLiteral("/models")}) {
        const QDir dir(shared + folder);
        for (const QString& name : dir.entryList(filter, QDir::Files))
            paths << dir.filePath(name);
    }
    for (const QString& path : paths)
        QTest::newRow(qPrintable(relativeToShared(path))) << path;
}

// The reference files read, their shapes match case.json, noise masks hold only 0/1, and a few
// values are as stored (bit patterns read with Python).
void TestSafetensors::sharedFiles() {
    QFETCH(QString, path);
    LB_REQUIRE_SHARED();
    auto file = SafetensorsFile::open(path.toStdString());
    LB_VERIFY_OK(file);
    QVERIFY(!(*file)->tensors().empty());
    const QString relative = relativeToShared(path);

    // Every tensor LibTorch can hold converts, and float weights are finite.
    for (const TensorView& view : (*file)->tensors()) {
        auto tensor = toTensor(*file, view);
        LB_VERIFY_OK(tensor);
        QCOMPARE(tensor->sizes().vec(), view.shape);
        if (tensor->is_floating_point())
            QVERIFY2(tensor->isfinite().all().item<bool>(), view.name.c_str());
    }

    if (relative.endsWith(QLatin1String("expected.safetensors"))) {
        QFile caseFile(QFileInfo(path).dir().filePath(QStringLiteral("case.json")));
        QVERIFY(caseFile.open(QIODevice::ReadOnly));
        const QJsonObject shapes =
            QJsonDocument::fromJson(caseFile.readAll()).object().value("shapes").toObject();
        QVERIFY(shapes.contains(QLatin1String("noise_mask")));
        for (auto it = shapes.begin(); it != shapes.end(); ++it) {
            const TensorView* view = (*file)->find(it.key().toStdString());
            QVERIFY2(view, qPrintable(it.key()));
            std::vector<std::int64_t> expected;
            for (const QJsonValue& d : it.value().toArray())
                expected.push_back(d.toInteger());
            QCOMPARE(view->shape, expected);
        }
        const TensorView* mask = (*file)->find("noise_mask");
        QCOMPARE(int(mask->dtype), int(DType::U8));
        QCOMPARE(mask->byteSize, std::size_t(mask->numel()));
        std::size_t ones = 0;
        for (std::size_t i = 0; i < mask->byteSize; ++i) {
            QVERIFY2(mask->data[i] <= 1, "noise_mask holds a value other than 0/1");
            ones += mask->data[i];
        }
        QVERIFY(ones > 0 && ones < mask->byteSize);
        if (const TensorView* pixels = (*file)->find("pixels")) {
            QCOMPARE(int(pixels->dtype), int(DType::F32));
            auto tensor = toTensor(*file, *pixels);
            QVERIFY(tensor.ok());
            QVERIFY(tensor->min().item<float>() >= 0.0f && tensor->max().item<float>() <= 1.0f);
        }
        if (relative.startsWith(QLatin1String("golden/mask-only-grow64")))
            QCOMPARE(ones, std::size_t(83576));
        if (relative.startsWith(QLatin1String("golden/kl4-odd-size-grow6"))) {
            auto samples = toTensor(*file, *(*file)->find("samples"));
            QVERIFY(samples.ok());
            const float* s = samples->data_ptr<float>();
            QCOMPARE(s[0], floatFromBits(0x3e198d95)); // 0.149954155
            QCOMPARE(s[1], floatFromBits(0x3d58ea2c)); // 0.052957699
            auto pixels = toTensor(*file, *(*file)->find("pixels"));
            QCOMPARE(pixels->data_ptr<float>()[0], floatFromBits(0x3da8a8a8));
        }
    } else if (relative == QLatin1String("golden/vae/kl4.safetensors")) {
        const TensorView* conv = (*file)->find("encoder.conv_in.weight");
        QVERIFY(conv);
        QCOMPARE(conv->shape, (std::vector<std::int64_t>{32, 3, 3, 3}));
        auto tensor = toTensor(*file, *conv);
        QCOMPARE(tensor->data_ptr<float>()[0], floatFromBits(0xbe0a5370)); // -0.135083914
        QVERIFY((*file)->contains("quant_conv.weight"));
    } else if (relative == QLatin1String("golden/vae/flux2-style-bn.safetensors")) {
        QCOMPARE((*file)->find("bn.running_mean")->shape, (std::vector<std::int64_t>{128}));
        QCOMPARE(int((*file)->find("bn.num_batches_tracked")->dtype), int(DType::I64));
    } else if (relative.startsWith(QLatin1String("models/taef2_"))) {
        QCOMPARE((*file)->metadata().at("latent_channels"), std::string("32"));
        for (const TensorView& view : (*file)->tensors())
            QCOMPARE(int(view.dtype), int(DType::F16));
        if (relative == QLatin1String("models/taef2_encoder.safetensors")) {
            auto bias = toTensor(*file, *(*file)->find("0.bias"));
            QVERIFY(bias.ok());
            QCOMPARE(bias->sizes().vec(), (std::vector<std::int64_t>{64}));
            QCOMPARE(bias->to(at::kFloat)[0].item<float>(), -0.023162841796875f);
        }
    }
}

// An aligned entry becomes a tensor over the mapping itself, which keeps the file alive.
void TestSafetensors::zeroCopyTensor() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("zero.safetensors")).toStdString();
    std::vector<float> values{1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f};
    QVERIFY(writeSafetensors(path, {{"w", DType::F32, {2, 3}, values.data(), 24}}, {}).ok());

    auto opened = SafetensorsFile::open(path);
    LB_VERIFY_OK(opened);
    std::shared_ptr<SafetensorsFile> file = *opened;
    const TensorView view = *file->find("w");
    auto tensor = toTensor(file, view);
    LB_VERIFY_OK(tensor);
    QCOMPARE(static_cast<const void*>(tensor->data_ptr()), static_cast<const void*>(view.data));
    QCOMPARE(tensor->scalar_type(), at::kFloat);
    QCOMPARE(tensor->sum().item<float>(), 21.0f);

    std::weak_ptr<SafetensorsFile> weak = file;
    file.reset();
    opened = Error{};         // drop the last reference held by this test
    QVERIFY(!weak.expired()); // the tensor's deleter holds the mapping
    QCOMPARE((*tensor)[1][2].item<float>(), 6.0f);
    at::Tensor view2 = tensor->view({6});
    *tensor = at::Tensor();
    QVERIFY(!weak.expired()); // a view of the tensor shares its storage
    view2 = at::Tensor();
    QVERIFY(weak.expired());
}

// Data that is not aligned for its dtype is copied into an aligned tensor with the same values.
void TestSafetensors::unalignedDataIsCopied() {
    // A 3-byte U8 tensor first puts the F32 tensor at an odd address.
    const float values[2] = {0.25f, -8.5f};
    QByteArray data("xyz");
    data.append(reinterpret_cast<const char*>(values), 8);
    QByteArray header =
        "{" + entry("pad", "U8", "[3]", "[0,3]") + "," + entry("f", "F32", "[2]", "[3,11]") + "}";
    while (header.size() % 8)
        header += ' '; // the data section starts 8-aligned
    const QByteArray bytes = rawFile(header, data);
    auto file = SafetensorsFile::fromBytes(toVector(bytes), "unaligned.safetensors");
    LB_VERIFY_OK(file);
    const TensorView* view = (*file)->find("f");
    QVERIFY(reinterpret_cast<std::uintptr_t>(view->data) % 4 != 0);
    auto tensor = toTensor(*file, *view);
    LB_VERIFY_OK(tensor);
    QVERIFY(tensor->data_ptr() != static_cast<const void*>(view->data));
    QCOMPARE(reinterpret_cast<std::uintptr_t>(tensor->data_ptr()) % 4, std::uintptr_t(0));
    QCOMPARE(tensor->data_ptr<float>()[0], 0.25f);
    QCOMPARE(tensor->data_ptr<float>()[1], -8.5f);
    auto pad = toTensor(*file, *(*file)->find("pad")); // bytes are always aligned
    QVERIFY(pad.ok());
    QCOMPARE(static_cast<const void*>(pad->data_ptr()),
             static_cast<const void*>((*file)->find("pad")->data));
}

void TestSafetensors::torchRefusesUnsupportedDType() {
    const QByteArray bytes = rawFile("{" + entry("counts", "U16", "[2]", "[0,4]") + "}", "abcd");
    auto file = SafetensorsFile::fromBytes(toVector(bytes), "u16.safetensors");
    LB_VERIFY_OK(file);
    auto tensor = toTensor(*file, *(*file)->find("counts"));
    QVERIFY(!tensor.ok());
    QVERIFY2(tensor.message().rfind("u16.safetensors: tensor 'counts' has dtype U16", 0) == 0,
             tensor.message().c_str());
}

// writeTensors makes tensors contiguous on the CPU and writes them with their metadata.
void TestSafetensors::writeTensorsRoundTrip() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("torch.safetensors")).toStdString();
    const at::Tensor base = at::arange(12, at::kFloat).reshape({3, 4});
    const at::Tensor transposed = base.t(); // not contiguous
    const at::Tensor half = at::linspace(-2, 2, 5).to(at::kHalf);
    const at::Tensor flags = at::arange(5) % 2 == 0;
    const at::Tensor longs = at::tensor({std::int64_t(1) << 40, std::int64_t(-3)});
    Status written = writeTensors(
        path, {{"t", transposed}, {"h", half}, {"b", flags}, {"l", longs}}, {{"who", "test"}});
    LB_VERIFY_OK(written);

    auto file = SafetensorsFile::open(path);
    LB_VERIFY_OK(file);
    QCOMPARE((*file)->metadata().at("who"), std::string("test"));
    const std::pair<const char*, at::Tensor> expected[] = {
        {"t", transposed}, {"h", half}, {"b", flags}, {"l", longs}};
    for (const auto& [name, original] : expected) {
        auto tensor = toTensor(*file, *(*file)->find(name));
        LB_VERIFY_OK(tensor);
        QCOMPARE(tensor->scalar_type(), original.scalar_type());
        QVERIFY2(at::equal(*tensor, original), name);
    }
}

void TestSafetensors::writeTensorsRefusesComplex() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("complex.safetensors")).toStdString();
    Status written = writeTensors(path, {{"c", at::zeros({2}, at::kComplexFloat)}});
    QVERIFY(!written.ok());
    QVERIFY2(written.message().rfind(path + ": tensor 'c' has type", 0) == 0,
             written.message().c_str());
    QVERIFY(filesIn(dir.path()).isEmpty());
}

QTEST_GUILESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
