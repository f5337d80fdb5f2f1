// Writing image and mask files through OpenImageIO (ImageIO.h), atomically: the formats by
// extension, the sample depth asked for, every write checked (a full disk fails the write),
// lossless WebP through libwebp.
#include "latentbrush/ImageIO.h"

#include "ErrorText.h"
#include "LibWebp.h"
#include "latentbrush/AtomicFile.h"
#include "latentbrush/SampleValues.h"

#include <OpenImageIO/filesystem.h>
#include <OpenImageIO/imageio.h>

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

namespace lb {
namespace {

namespace fs = std::filesystem;

using imageio::guarded;
using imageio::withDetails;

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
    if (from.empty()) return text;
    for (std::size_t pos = text.find(from); pos != std::string::npos;
         pos = text.find(from, pos + to.size()))
        text.replace(pos, from.size(), to);
    return text;
}

std::string lowerExtension(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    for (char& c : ext)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

// 8-bit sample of v: round(clamp(v, 0, 1) * 255), NaN as 0.
std::uint8_t toByte(float v) {
    if (!(v > 0.0f)) return 0;
    if (v >= 1.0f) return 255;
    return std::uint8_t(roundHalfEven(v * 255.0f));
}

// The image formats writeImage knows, by extension.
// maxSide: checked before writing (libjpeg exits the process on larger JPEGs; 0 = no check).
struct WriteFormat {
    const char* extension;
    const char* plugin;
    bool floatSamples;
    int maxSide;
};
constexpr WriteFormat kWriteFormats[] = {
    {".png", "png", false, 0},  {".jpg", "jpeg", false, 65500},  {".jpeg", "jpeg", false, 65500},
    {".bmp", "bmp", false, 0},  {".webp", "webp", false, 16383}, {".tif", "tiff", true, 0},
    {".tiff", "tiff", true, 0}, {".exr", "openexr", true, 0},
};

std::string supportedWriteExtensions() {
    std::string list;
    for (const WriteFormat& f : kWriteFormats)
        list += (list.empty() ? "" : ", ") + std::string(f.extension);
    return list;
}

Status checkBufferShape(const std::string& path, int height, int width, int channels,
                        std::size_t size) {
    if (height <= 0 || width <= 0)
        return makeError(path + ": nothing to write (" + std::to_string(std::max(width, 0)) + "x" +
                         std::to_string(std::max(height, 0)) + " image)");
    if (channels < 1 || channels > 4)
        return makeError(path + ": cannot write an image of " + std::to_string(channels) +
                         " channels (1 to 4)");
    if (size != std::size_t(height) * std::size_t(width) * std::size_t(channels))
        return makeError(path + ": the pixel buffer does not match its " + std::to_string(width) +
                         "x" + std::to_string(height) + " size");
    return {};
}

// An OpenImageIO output proxy onto a file that checks every write, flush and close and keeps the
// first error (errno), so that a full disk fails the write even where an encoder (PNG) ignores
// what the proxy returns.
class CheckedFileOutput final : public OIIO::Filesystem::IOProxy {
public:
    explicit CheckedFileOutput(const std::string& path) : IOProxy(path, Write) {
        file_ = std::fopen(path.c_str(), "wb");
        if (!file_) failure_ = errno ? errno : EIO;
    }
    ~CheckedFileOutput() override { close(); }

    const char* proxytype() const override { return "lbcheckedfile"; }
    void close() override {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!file_) return;
        if (std::fflush(file_) != 0) fail(errno);
        if (std::fclose(file_) != 0) fail(errno);
        file_ = nullptr;
        m_mode = Closed;
    }
    bool seek(std::int64_t offset) override {
        if (offset < 0) return false;
        m_pos = offset;
        return true;
    }
    std::size_t write(const void* buf, std::size_t size) override {
        const std::size_t n = pwrite(buf, size, m_pos);
        m_pos += std::int64_t(n);
        return n;
    }
    std::size_t pwrite(const void* buf, std::size_t size, std::int64_t offset) override {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!file_ || failure_) return 0;
        if (offset != filePos_ && ::fseeko(file_, off_t(offset), SEEK_SET) != 0) {
            fail(errno);
            return 0;
        }
        errno = 0;
        const std::size_t n = size ? std::fwrite(buf, 1, size, file_) : 0;
        filePos_ = offset + std::int64_t(n);
        end_ = std::max(end_, std::uint64_t(filePos_));
        if (n != size) fail(errno);
        return n;
    }
    std::size_t read(void*, std::size_t) override { return 0; }
    std::size_t pread(void*, std::size_t, std::int64_t) override { return 0; }
    std::size_t size() const override { return std::size_t(end_); }
    void flush() const override {
        std::lock_guard<std::mutex> lock(mutex_);
        if (file_ && std::fflush(file_) != 0) const_cast<CheckedFileOutput*>(this)->fail(errno);
    }

    int failure() const { return failure_; }
    std::uint64_t written() const { return end_; }

private:
    void fail(int err) {
        if (!failure_) failure_ = err ? err : EIO;
    }

    mutable std::mutex mutex_;
    std::FILE* file_ = nullptr;
    std::int64_t filePos_ = 0;
    std::uint64_t end_ = 0;
    int failure_ = 0;
};

// Writes tightly packed samples of `type` atomically with the plugin named; channels 1..4 are
// gray, gray+alpha, RGB, RGBA (alpha unassociated, except in OpenEXR files).
Status writePixels(const std::string& path, const char* plugin, int width, int height, int channels,
                   OIIO::TypeDesc type, const void* data) {
    OIIO::ImageSpec spec(width, height, channels, type);
    switch (channels) {
    case 1:
        spec.channelnames = {"Y"};
        break;
    case 2:
        spec.channelnames = {"Y", "A"};
        break;
    case 3:
        spec.channelnames = {"R", "G", "B"};
        break;
    default:
        spec.channelnames = {"R", "G", "B", "A"};
        break;
    }
    spec.alpha_channel = (channels == 2 || channels == 4) ? channels - 1 : -1;
    const std::string format = plugin;
    // OpenEXR has no unassociated alpha: writeImage premultiplies what goes there.
    if (spec.alpha_channel >= 0 && format != "openexr") spec.attribute("oiio:UnassociatedAlpha", 1);
    if (format == "jpeg") spec.attribute("Compression", "jpeg:95");
    if (format == "tiff" || format == "openexr") spec.attribute("compression", "zip");
    // zlib's fastest level: masks and previews compress well at any level, and level 6 (the
    // default) takes several times longer on large images.
    if (format == "png") spec.attribute("png:compressionLevel", 1);

    auto fail = [&](const std::string& what, const std::string& details,
                    const std::string& temp) -> Status {
        return makeError(withDetails(path + ": " + what,
                                     temp.empty() ? details : replaceAll(details, temp, path)));
    };
    std::unique_ptr<OIIO::ImageOutput> output = OIIO::ImageOutput::create(plugin);
    if (!output) return fail("cannot write " + format + " files", OIIO::geterror(), {});

    // OpenImageIO 2.4's PNG writer does not report a failed write (a full disk, EFBIG), so
    // writing through it directly could rename a truncated file over the previous one. The
    // encoders therefore write through CheckedFileOutput, which records the first failed write,
    // flush or close; the size that reached the file is checked too.
    return writeFileAtomically(path, [&](const std::string& temp) -> Status {
        if (!output->supports("ioproxy")) {
            // A plugin without IOProxy support writes the file itself; 0 bytes is a failure
            // whatever the plugin said.
            if (!output->open(temp, spec))
                return fail("cannot create the file", output->geterror(), temp);
            if (!output->write_image(type, data)) {
                std::string details = output->geterror();
                output->close();
                return fail("cannot write the image", details, temp);
            }
            if (!output->close()) return fail("cannot finish the file", output->geterror(), temp);
            std::error_code ec;
            const auto size = fs::file_size(temp, ec);
            if (ec || size == 0) return makeError(path + ": write failed (nothing was written)");
            return {};
        }
        CheckedFileOutput file(temp);
        if (file.failure())
            return makeError(path + ": cannot create the file (" + std::strerror(file.failure()) +
                             ")");
        bool ok = output->set_ioproxy(&file) && output->open(temp, spec);
        std::string details = ok ? std::string() : output->geterror();
        if (ok && !output->write_image(type, data)) {
            ok = false;
            details = output->geterror();
        }
        if (!output->close() && ok) {
            ok = false;
            details = output->geterror();
        }
        output.reset();
        file.close();
        // A failed write is reported as such, whatever the encoder made of it.
        if (file.failure())
            return makeError(path + ": write failed (" + std::strerror(file.failure()) + ")");
        if (!ok) return fail("cannot write the image", details, temp);
        struct stat info {};
        if (::stat(temp.c_str(), &info) != 0 || info.st_size <= 0 ||
            std::uint64_t(info.st_size) != file.written())
            return makeError(path + ": write failed (the file is shorter than what was written)");
        return {};
    });
}

} // namespace

Status writeBinaryMaskPng(const std::string& path, const BinaryMask& mask) {
    return guarded<Status>(path, [&]() -> Status {
        if (Status st = checkBufferShape(path, mask.height, mask.width, 1, mask.data.size()); !st)
            return st;
        std::vector<std::uint8_t> bytes(mask.data.size());
        for (std::size_t i = 0; i < bytes.size(); ++i)
            bytes[i] = mask.data[i] ? 255 : 0;
        return writePixels(path, "png", mask.width, mask.height, 1, OIIO::TypeDesc::UINT8,
                           bytes.data());
    });
}

Status writeMaskPng(const std::string& path, const MaskBuffer& mask) {
    return guarded<Status>(path, [&]() -> Status {
        if (Status st = checkBufferShape(path, mask.height, mask.width, 1, mask.data.size()); !st)
            return st;
        std::vector<std::uint8_t> bytes(mask.data.size());
        for (std::size_t i = 0; i < bytes.size(); ++i)
            bytes[i] = toByte(mask.data[i]);
        return writePixels(path, "png", mask.width, mask.height, 1, OIIO::TypeDesc::UINT8,
                           bytes.data());
    });
}

Status writeImage(const std::string& path, const ImageBuffer& image, SampleDepth depth) {
    return guarded<Status>(path, [&]() -> Status {
        const std::string ext = lowerExtension(path);
        const WriteFormat* format = nullptr;
        for (const WriteFormat& f : kWriteFormats)
            if (ext == f.extension) format = &f;
        if (!format)
            return makeError(path + ": unsupported image file extension" +
                             (ext.empty() ? std::string() : " \"" + ext + "\"") +
                             " (supported: " + supportedWriteExtensions() + ")");
        if (Status st = checkBufferShape(path, image.height, image.width, image.channels,
                                         image.data.size());
            !st)
            return st;
        if (format->maxSide && std::max(image.width, image.height) > format->maxSide)
            return makeError(path + ": " + std::to_string(image.width) + "x" +
                             std::to_string(image.height) + " is too large for " + format->plugin +
                             " (at most " + std::to_string(format->maxSide) + " pixels a side)");
        for (float v : image.data)
            if (!std::isfinite(v)) return makeError(path + ": non-finite pixel value, not written");

        // Channel layouts the format can hold: JPEG has no alpha (dropped), BMP no gray+alpha
        // and WebP no gray (both widened to RGB(A)).
        const std::string plugin = format->plugin;
        const int in = image.channels;
        const bool inAlpha = in == 2 || in == 4;
        int out = in;
        if (plugin == "jpeg") out = in >= 3 ? 3 : 1;
        if (plugin == "bmp" && in == 2) out = 4;
        if (plugin == "webp" && in < 3) out = inAlpha ? 4 : 3;
        const bool outAlpha = out == 2 || out == 4;
        const std::size_t pixels = image.pixelCount();
        std::vector<float> samples(pixels * std::size_t(out));
        for (std::size_t i = 0; i < pixels; ++i) {
            const float* src = image.data.data() + i * std::size_t(in);
            float* dst = samples.data() + i * std::size_t(out);
            const int colorsOut = outAlpha ? out - 1 : out;
            for (int c = 0; c < colorsOut; ++c)
                dst[c] = src[in >= 3 ? c : 0];
            if (outAlpha) dst[out - 1] = inAlpha ? src[in - 1] : 1.0f;
        }

        // OpenEXR colors are premultiplied by alpha (readers, ours included, divide them out).
        if (plugin == "openexr" && outAlpha)
            for (std::size_t i = 0; i < samples.size(); i += std::size_t(out))
                for (int c = 0; c < out - 1; ++c)
                    samples[i + std::size_t(c)] *= samples[i + std::size_t(out - 1)];
        const bool floatOut =
            format->floatSamples && (depth == SampleDepth::Default || depth == SampleDepth::F32);
        if (floatOut)
            return writePixels(path, format->plugin, image.width, image.height, out,
                               OIIO::TypeDesc::FLOAT, samples.data());
        const bool wordsOut = (plugin == "png" || plugin == "tiff") &&
                              (depth == SampleDepth::U16 || depth == SampleDepth::F32);
        if (wordsOut) {
            std::vector<std::uint16_t> words(samples.size());
            for (std::size_t i = 0; i < words.size(); ++i) {
                const float v = samples[i];
                words[i] = !(v > 0.0f) ? 0
                           : v >= 1.0f ? 65535
                                       : std::uint16_t(roundHalfEven(v * 65535.0f));
            }
            return writePixels(path, format->plugin, image.width, image.height, out,
                               OIIO::TypeDesc::UINT16, words.data());
        }
        std::vector<std::uint8_t> bytes(samples.size());
        for (std::size_t i = 0; i < bytes.size(); ++i)
            bytes[i] = toByte(samples[i]);
        if (plugin == "webp" && imageio::canWriteWebpLossless())
            return imageio::writeWebpLossless(path, image.width, image.height, out, bytes);
        if (plugin == "webp" && outAlpha)
            return makeError(path + ": cannot write WebP with alpha: libwebp's encoder is not "
                                    "available and OpenImageIO 2.4 would alter the colors");
        return writePixels(path, format->plugin, image.width, image.height, out,
                           OIIO::TypeDesc::UINT8, bytes.data());
    });
}

} // namespace lb
