// The ComfyUI node package (comfyui/latentbrush_nodes) on .latent files the CLI writes: inpaint and
// noise-mask latents, a batch of regions, an F16 file without the format marker (which LoadLatent
// rescales), and bad files. tests/interop/comfy_nodes_check.py runs the nodes under Debian's
// python3 (torch) with a stand-in for ComfyUI's folder_paths and compares them with stock
// LoadLatent and the files' raw tensors, bit for bit.
#include "InteropSupport.h"

#include "latentbrush/Safetensors.h"

#include <QTemporaryDir>

using namespace interop;

namespace {

// F32 -> F16 bits (round to nearest even; the values here are small normal numbers).
std::uint16_t toHalf(float f) {
    std::uint32_t x;
    std::memcpy(&x, &f, 4);
    const std::uint32_t sign = (x >> 16) & 0x8000u;
    const int exponent = int((x >> 23) & 0xffu) - 127 + 15;
    std::uint32_t mantissa = x & 0x7fffffu;
    if (exponent <= 0) return std::uint16_t(sign);
    std::uint32_t half = sign | (std::uint32_t(exponent) << 10) | (mantissa >> 13);
    const std::uint32_t rest = mantissa & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;
    return std::uint16_t(half);
}

} // namespace

class InteropComfyNodes : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;

private slots:
    void nodesReadWhatTheCliWrites() {
        LB_REQUIRE_QIMAGE();
        LB_REQUIRE_SHARED();
        if (!pythonHas("torch")) LB_CANNOT_RUN("/usr/bin/python3 cannot import torch");
        const QString input = tmp_.filePath("input");
        QVERIFY(QDir().mkpath(input));
        const QString image = tmp_.filePath("photo.png"), mask = tmp_.filePath("mask.png");
        QVERIFY(writeTestImage(image, 75, 53));
        QVERIFY(writeTestMask(mask, 75, 53));
        const QString taef2 = lbtest::sharedDir() + "/models/taef2_encoder.safetensors";
        Run r = runCli({"encode", "--image", image, "--mask", mask, "--vae", kl4Vae(), "--device",
                        "cpu", "--output", input + "/inpaint.latent"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runCli({"encode", "--image", image, "--mask", mask, "--vae", taef2, "--device", "cpu",
                    "--mode", "noise-mask", "--mask-expand", "4", "--tapered-corners",
                    "--mask-blur", "5,2", "--output", input + "/soft.latent"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        // A batch of two regions as the region work writes them, and an old ComfyUI file (F16,
        // no latent_format_version_0: LoadLatent divides it by 0.18215).
        std::vector<float> samples(2 * 4 * 3 * 5), masks(2 * 1 * 24 * 40);
        for (std::size_t i = 0; i < samples.size(); ++i)
            samples[i] = float(int(i * 37 % 101) - 50) / 17.0f;
        for (std::size_t i = 0; i < masks.size(); ++i)
            masks[i] = float(i * 13 % 256) / 255.0f;
        QVERIFY(lb::writeSafetensors(
            (input + "/regions.latent").toStdString(),
            {{"latent_tensor", lb::DType::F32, {2, 4, 3, 5}, samples.data(), samples.size() * 4},
             {"latent_format_version_0", lb::DType::F32, {0}, nullptr, 0},
             {"noise_mask", lb::DType::F32, {2, 1, 24, 40}, masks.data(), masks.size() * 4}},
            {{"encode.mode", "inpaint"}, {"region.count", "2"}, {"region.0.rect", "0,0,40,24"}}));
        std::vector<std::uint16_t> half(samples.size());
        for (std::size_t i = 0; i < samples.size(); ++i)
            half[i] = toHalf(samples[i]);
        QVERIFY(lb::writeSafetensors(
            (input + "/old_comfy.latent").toStdString(),
            {{"latent_tensor", lb::DType::F16, {2, 4, 3, 5}, half.data(), half.size() * 2}}, {}));

        // Bad files: truncated, and one without latent_tensor.
        QFile good(input + "/inpaint.latent");
        QVERIFY(good.open(QIODevice::ReadOnly));
        const QByteArray bytes = good.readAll();
        QFile truncated(input + "/bad_truncated.latent");
        QVERIFY(truncated.open(QIODevice::WriteOnly));
        truncated.write(bytes.left(bytes.size() - 10));
        truncated.close();
        QVERIFY(lb::writeSafetensors(
            (input + "/bad_no_latent.latent").toStdString(),
            {{"noise_mask", lb::DType::F32, {2, 1, 24, 40}, masks.data(), masks.size() * 4}}, {}));
        // Not listed: another extension, and a folder named like a latent.
        QFile other(input + "/notes.txt");
        QVERIFY(other.open(QIODevice::WriteOnly));
        other.close();
        QVERIFY(QDir().mkpath(input + "/folder.latent"));

        r = runProgram("/usr/bin/python3", {interopDir() + "/comfy_nodes_check.py",
                                            QStringLiteral(LATENTBRUSH_SOURCE_DIR), input});
        qInfo("%s", qPrintable(r.out));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        const QJsonObject summary = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(summary["files"].toArray().size(), 6);
        QVERIFY(summary["failures"].toArray().isEmpty());
        QVERIFY(r.out.contains("\"mode\": \"noise-mask\""));
        QVERIFY(r.out.contains("5.4899")); // 1 / 0.18215 for the old file
        QVERIFY(
            !QFileInfo::exists(LATENTBRUSH_SOURCE_DIR "/comfyui/latentbrush_nodes/__pycache__"));
    }
};

QTEST_GUILESS_MAIN(InteropComfyNodes)
#include "tst_interop_comfy_nodes.moc"
