// Writes the seed corpus of the fuzz targets: small generated files of every kind each target
// reads (all dtypes, layouts, formats, bit depths, channel counts, orientations) plus the real
// files of ../shared when it is there (golden images, masks, expected outputs, VAE headers).
// Usage: latentbrush-fuzz-corpus OUTPUT_DIR [SHARED_DIR]
#include "latentbrush/LatentFile.h"
#include "latentbrush/Safetensors.h"

#ifdef LATENTBRUSH_FUZZ_IMAGES
#include "latentbrush/ImageIO.h"

#include <OpenImageIO/imageio.h>
#endif

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

int gWritten = 0;

std::vector<std::uint8_t> readAll(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeSeed(const fs::path& dir, const std::string& name,
               const std::vector<std::uint8_t>& bytes) {
    fs::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    ++gWritten;
}

void must(const lb::Status& st) {
    if (!st) {
        std::fprintf(stderr, "latentbrush-fuzz-corpus: %s\n", st.message().c_str());
        std::exit(1);
    }
}

// --- safetensors ------------------------------------------------------------------------------

std::vector<std::uint8_t> rawSafetensors(const std::string& header, std::size_t dataBytes) {
    std::vector<std::uint8_t> out(8);
    std::uint64_t n = header.size();
    for (int i = 0; i < 8; ++i)
        out[i] = std::uint8_t(n >> (8 * i));
    out.insert(out.end(), header.begin(), header.end());
    for (std::size_t i = 0; i < dataBytes; ++i)
        out.push_back(std::uint8_t(i * 37 + 11));
    return out;
}

void safetensorsSeeds(const fs::path& dir, const fs::path& tmp) {
    // Written through the project's writer: one per dtype, several tensors, metadata, empty ones.
    const char* dtypes[] = {"F64", "F32",  "F16", "BF16", "I64", "I32",     "I16",    "I8",
                            "U8",  "BOOL", "U16", "U32",  "U64", "F8_E4M3", "F8_E5M2"};
    std::vector<std::uint8_t> payload(256);
    for (std::size_t i = 0; i < payload.size(); ++i)
        payload[i] = std::uint8_t(i * 13 + 1);
    for (const char* name : dtypes) {
        lb::DType t;
        lb::parseDType(name, &t);
        const std::int64_t n = std::int64_t(8 / lb::dtypeSize(t)) * 2; // 16 bytes
        must(lb::writeSafetensors((tmp / "t.safetensors").string(),
                                  {{"w", t, {2, n / 2}, payload.data(), std::size_t(16)}}, {}));
        writeSeed(dir, std::string("dtype-") + name, readAll(tmp / "t.safetensors"));
    }
    must(lb::writeSafetensors(
        (tmp / "t.safetensors").string(),
        {{"encoder.conv_in.weight", lb::DType::F32, {2, 1, 3, 3}, payload.data(), 72},
         {"encoder.conv_in.bias", lb::DType::F32, {2}, payload.data(), 8},
         {"empty", lb::DType::F16, {0, 4}, nullptr, 0},
         {"scalar", lb::DType::F32, {}, payload.data(), 4}},
        {{"format", "pt"}, {"modelspec.architecture", "taesd"}}));
    writeSeed(dir, "several-with-metadata", readAll(tmp / "t.safetensors"));
    must(lb::writeSafetensors((tmp / "t.safetensors").string(), {}, {}));
    writeSeed(dir, "no-tensors", readAll(tmp / "t.safetensors"));

    // Hand-made headers: unpadded, unusual whitespace, escapes, out-of-order offsets.
    writeSeed(dir, "raw-unpadded",
              rawSafetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 4));
    writeSeed(dir, "raw-reversed-order",
              rawSafetensors(R"({"b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]},)"
                             R"("a":{"data_offsets":[0,4],"shape":[2,2],"dtype":"I8"}})",
                             6));
    writeSeed(
        dir, "raw-escapes",
        rawSafetensors(R"({"__metadata__":{"k\u00e9y":"v\"a\\l\n"},)"
                       R"("\u0074ensor":{"dtype":"BF16","shape":[1,1],"data_offsets":[0,2]}}  )",
                       2));
    writeSeed(
        dir, "raw-big-dims",
        rawSafetensors(
            R"({"a":{"dtype":"F32","shape":[4611686018427387904,0],"data_offsets":[0,0]}})", 0));
    writeSeed(dir, "pickle", std::vector<std::uint8_t>{0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e});
    writeSeed(dir, "zip", std::vector<std::uint8_t>{'P', 'K', 3, 4, 20, 0, 0, 0});
}

// --- .latent ---------------------------------------------------------------------------------

void latentSeeds(const fs::path& dir, const fs::path& tmp) {
    const fs::path file = tmp / "t.latent";
    lb::LatentFileContents c;
    c.samples.shape = {1, 4, 2, 3};
    for (int i = 0; i < 24; ++i)
        c.samples.data.push_back(float(i) * 0.25f - 2.0f);
    must(lb::writeLatentFile(file.string(), c));
    writeSeed(dir, "samples-only", readAll(file));
    c.hasNoiseMask = true;
    c.noiseMask.shape = {1, 1, 16, 24};
    c.noiseMask.data.assign(16 * 24, 0.0f);
    for (int i = 0; i < 16 * 24; i += 3)
        c.noiseMask.data[i] = 1.0f;
    c.metadata = {{"grow_mask_by", "6"}, {"vae.family", "taesd"}, {"crop.offset", "0,1"}};
    must(lb::writeLatentFile(file.string(), c));
    writeSeed(dir, "with-noise-mask", readAll(file));

    // ComfyUI's own files: F16/BF16 latents, without the version marker, batch of 2.
    std::vector<std::uint8_t> halves(2 * 2 * 4 * 2 * 2);
    for (std::size_t i = 0; i < halves.size(); ++i)
        halves[i] = std::uint8_t(i % 2 ? 0x3c : i);
    must(lb::writeSafetensors(
        file.string(), {{"latent_tensor", lb::DType::F16, {2, 4, 2, 2}, halves.data(), 64}}, {}));
    writeSeed(dir, "comfy-f16-no-marker", readAll(file));
    must(lb::writeSafetensors(file.string(),
                              {{"latent_tensor", lb::DType::BF16, {1, 4, 2, 4}, halves.data(), 64},
                               {"latent_format_version_0", lb::DType::F32, {0}, nullptr, 0}},
                              {}));
    writeSeed(dir, "comfy-bf16", readAll(file));
}

// --- mask operations: byte strings for FuzzedDataProvider -------------------------------------

void maskopsSeeds(const fs::path& dir) {
    std::mt19937 rng(20240607);
    for (int i = 0; i < 24; ++i) {
        std::vector<std::uint8_t> bytes(64 + 96 * i);
        for (auto& b : bytes)
            b = std::uint8_t(rng());
        writeSeed(dir, "random-" + std::to_string(i), bytes);
    }
}

#ifdef LATENTBRUSH_FUZZ_IMAGES
// --- images ------------------------------------------------------------------------------------

// The image target's selector byte: extension index (see fuzz_image.cpp), reader mode, limit.
std::uint8_t selector(int extension, int mode, bool smallLimit = false) {
    return std::uint8_t(extension | (mode << 3) | (smallLimit ? 0x80 : 0));
}

void imageSeed(const fs::path& dir, const std::string& name, int extension,
               const std::vector<std::uint8_t>& file) {
    for (int mode : {0, 2, 3}) { // readImage, readMask auto, readMask alpha
        std::vector<std::uint8_t> bytes{selector(extension, mode)};
        bytes.insert(bytes.end(), file.begin(), file.end());
        writeSeed(dir, name + "-mode" + std::to_string(mode), bytes);
    }
}

template <class T>
bool writeOiio(const std::string& path, int w, int h, int nch, OIIO::TypeDesc fileType,
               OIIO::TypeDesc memType, const std::vector<T>& data, int orientation = 1) {
    OIIO::ImageSpec spec(w, h, nch, fileType);
    if (nch == 1) spec.channelnames = {"Y"};
    if (nch == 2) spec.channelnames = {"Y", "A"};
    spec.alpha_channel = (nch == 2 || nch == 4) ? nch - 1 : -1;
    spec.attribute("oiio:UnassociatedAlpha", 1);
    if (orientation != 1) spec.attribute("Orientation", orientation);
    auto out = OIIO::ImageOutput::create(path);
    if (!out || !out->open(path, spec)) return false;
    const bool ok = out->write_image(memType, data.data());
    return out->close() && ok;
}

// Netpbm files as the project's parser reads them (fuzz_image.cpp's selector bit 6 picks
// .pgm/.ppm/.pbm/.pnm by its low two bits): binary and plain, maxval 255, 1000 and 65535.
void netpbmSeeds(const fs::path& dir) {
    auto seed = [&](const std::string& name, int extension, const std::string& file) {
        for (int mode : {0, 2}) {
            std::vector<std::uint8_t> bytes{std::uint8_t(selector(extension, mode) | 0x40)};
            bytes.insert(bytes.end(), file.begin(), file.end());
            writeSeed(dir, name + "-mode" + std::to_string(mode), bytes);
        }
    };
    std::string p5 = "P5\n3 2\n1000\n";
    for (int i = 0; i < 6; ++i) {
        const int v = i * 190;
        p5 += char(v >> 8);
        p5 += char(v & 0xff);
    }
    seed("pgm-binary-maxval1000", 0, p5);
    std::string p6 = "P6 2 2 65535 ";
    for (int i = 0; i < 12; ++i) {
        const int v = i * 5461;
        p6 += char(v >> 8);
        p6 += char(v & 0xff);
    }
    seed("ppm-binary-16bit", 1, p6);
    seed("pgm-plain-maxval300", 0, "P2\n# a comment\n3 2\n300\n0 150 300\n7 8 299\n");
    seed("ppm-plain-maxval100", 1, "P3 2 1 100\n0 50 100 100 50 0\n");
    seed("pbm-plain", 2, "P1\n4 2\n0 1 1 0\n1 0 0 1\n");
    seed("pnm-binary-8bit", 3, std::string("P5 2 2 255\n") + "\x10\x80\xff\x00");
}

void imageSeeds(const fs::path& dir, const fs::path& tmp) {
    // extension indexes of fuzz_image.cpp: 0 png, 1 jpg, 2 exr, 3 tif, 4 webp, 5 bmp
    const char* exts[] = {".png", ".jpg", ".exr", ".tif", ".webp", ".bmp"};
    for (int e = 0; e < 6; ++e) {
        for (int nch = 1; nch <= 4; ++nch) {
            lb::ImageBuffer im;
            im.height = 5 + nch;
            im.width = 7;
            im.channels = nch;
            for (int i = 0; i < im.height * im.width * nch; ++i)
                im.data.push_back(float((i * 29) % 256) / 255.0f);
            const fs::path file = tmp / (std::string("i") + exts[e]);
            if (!lb::writeImage(file.string(), im)) continue; // a layout the format cannot hold
            imageSeed(dir, std::string("gen") + (exts[e] + 1) + "-c" + std::to_string(nch), e,
                      readAll(file));
        }
    }
    // 16-bit PNG/TIFF, half EXR, EXIF orientation, through OpenImageIO directly.
    std::vector<std::uint16_t> words(6 * 4 * 4);
    for (std::size_t i = 0; i < words.size(); ++i)
        words[i] = std::uint16_t(i * 2741);
    if (writeOiio((tmp / "w.png").string(), 6, 4, 4, OIIO::TypeDesc::UINT16, OIIO::TypeDesc::UINT16,
                  words))
        imageSeed(dir, "png16-rgba", 0, readAll(tmp / "w.png"));
    if (writeOiio((tmp / "w.tif").string(), 6, 4, 2, OIIO::TypeDesc::UINT16, OIIO::TypeDesc::UINT16,
                  words, 6))
        imageSeed(dir, "tif16-ga-orient6", 3, readAll(tmp / "w.tif"));
    std::vector<float> floats(5 * 3 * 3);
    for (std::size_t i = 0; i < floats.size(); ++i)
        floats[i] = float(i) / 40.0f - 0.1f;
    if (writeOiio((tmp / "h.exr").string(), 5, 3, 3, OIIO::TypeDesc::HALF, OIIO::TypeDesc::FLOAT,
                  floats))
        imageSeed(dir, "exr-half-rgb", 2, readAll(tmp / "h.exr"));
    std::vector<std::uint8_t> bytes(9 * 4 * 3);
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = std::uint8_t(i * 7);
    if (writeOiio((tmp / "o.jpg").string(), 9, 4, 3, OIIO::TypeDesc::UINT8, OIIO::TypeDesc::UINT8,
                  bytes, 8))
        imageSeed(dir, "jpg-orient8", 1, readAll(tmp / "o.jpg"));
    netpbmSeeds(dir);
}

#endif // LATENTBRUSH_FUZZ_IMAGES

// --- VAE recipes (fuzz_vae.cpp): model kind, flags, naming, then 4-byte edits -----------------

void vaeSeeds(const fs::path& dir) {
    // flags: bits 0-2 family hint (0 none, else family + 1), bit 3 decoder wanted, bit 4 run
    // encode/decode, bits 5-6 file dtype. naming: bits 0-2 file name, bit 3 sibling half,
    // bit 4 prefix (bit 5: first_stage_model. instead of vae.).
    const std::uint8_t families[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    for (std::uint8_t kind = 0; kind < 8; ++kind) {
        const bool decoderOnly = kind == 4 || kind == 6;
        const std::uint8_t want = std::uint8_t(0x10 | (decoderOnly ? 0x08 : 0));
        writeSeed(dir, "kind" + std::to_string(kind), {kind, want, 0});
        writeSeed(dir, "kind" + std::to_string(kind) + "-f16",
                  {kind, std::uint8_t(want | 0x20), 1});
        writeSeed(dir, "kind" + std::to_string(kind) + "-bf16-sibling",
                  {kind, std::uint8_t(want | 0x40), std::uint8_t(0x08 | 1)});
        for (std::uint8_t f : families)
            if (f)
                writeSeed(dir, "kind" + std::to_string(kind) + "-family" + std::to_string(f),
                          {kind, std::uint8_t(want | f), 0});
        // One edit each: drop, reshape, re-type, poison, stray tensor, metadata.
        writeSeed(dir, "kind" + std::to_string(kind) + "-drop", {kind, want, 0, 0, 3, 0, 0});
        writeSeed(dir, "kind" + std::to_string(kind) + "-reshape", {kind, want, 0, 1, 5, 0, 7});
        writeSeed(dir, "kind" + std::to_string(kind) + "-int32", {kind, want, 0, 4, 2, 5, 0});
        writeSeed(dir, "kind" + std::to_string(kind) + "-nan", {kind, want, 0, 6, 1, 0, 0});
        writeSeed(dir, "kind" + std::to_string(kind) + "-stray", {kind, want, 0, 7, 0, 0, 2});
        writeSeed(dir, "kind" + std::to_string(kind) + "-metadata", {kind, want, 0, 8, 0, 0, 1});
    }
    writeSeed(dir, "kl-prefixed", {0, 0x10, 0x10});
    writeSeed(dir, "kl-first-stage", {0, 0x18, 0x30});
}

// --- the real files of ../shared ------------------------------------------------------------

void sharedSeeds(const fs::path& out, const fs::path& shared) {
    const fs::path golden = shared / "golden";
    if (!fs::is_directory(golden)) return;
    for (const auto& entry : fs::directory_iterator(golden)) {
        if (!entry.is_directory() || entry.path().filename() == "vae") continue;
        const std::string name = entry.path().filename().string();
#ifdef LATENTBRUSH_FUZZ_IMAGES
        for (const char* png : {"image.png", "mask.png"}) {
            const fs::path file = entry.path() / png;
            if (!fs::exists(file)) continue;
            imageSeed(out / "image", name + "-" + fs::path(png).stem().string(), 0, readAll(file));
        }
#endif
        const fs::path expected = entry.path() / "expected.safetensors";
        if (fs::exists(expected) && fs::file_size(expected) <= 128 * 1024)
            writeSeed(out / "safetensors", "golden-" + name, readAll(expected));
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: latentbrush-fuzz-corpus OUTPUT_DIR [SHARED_DIR]\n");
        return 2;
    }
    const fs::path out = argv[1];
    const fs::path tmp = out / ".tmp";
    fs::create_directories(tmp);
    safetensorsSeeds(out / "safetensors", tmp);
    latentSeeds(out / "latent", tmp);
    maskopsSeeds(out / "maskops");
    vaeSeeds(out / "vae");
#ifdef LATENTBRUSH_FUZZ_IMAGES
    imageSeeds(out / "image", tmp);
#endif
    if (argc > 2 && fs::is_directory(argv[2])) sharedSeeds(out, argv[2]);
    fs::remove_all(tmp);
    std::printf("latentbrush-fuzz-corpus: %d seed files in %s\n", gWritten, out.c_str());
    return 0;
}
