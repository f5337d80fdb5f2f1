// LibWebp.h: libwebp's simple API found with dlsym, its decoder and lossless encoder.
#include "LibWebp.h"

#include "latentbrush/AtomicFile.h"

#include <dlfcn.h>

#include <cstddef>
#include <fstream>
#include <iterator>

namespace lb::imageio {
namespace {

// OpenImageIO 2.4's WebP plugin premultiplies alpha on read whatever the configuration asks,
// un-premultiplies (through a 2.2 gamma) on write and encodes lossy only. WebP files with alpha
// are therefore decoded, and WebP files encoded, by libwebp's simple API, which OpenImageIO links
// and which is looked up in the process (Debian ships no libwebp headers with OIIO).
struct WebpApi {
    using DecodeRgba = std::uint8_t* (*)(const std::uint8_t*, std::size_t, int*, int*);
    using EncodeLossless = std::size_t (*)(const std::uint8_t*, int, int, int, std::uint8_t**);
    using Free = void (*)(void*);
    DecodeRgba decodeRgba = nullptr;
    EncodeLossless encodeLosslessRgb = nullptr;
    EncodeLossless encodeLosslessRgba = nullptr;
    Free release = nullptr;

    bool canDecode() const { return decodeRgba && release; }
    bool canEncode() const { return encodeLosslessRgb && encodeLosslessRgba && release; }
};

const WebpApi& webpApi() {
    static const WebpApi api = [] {
        auto find = [](const char* name) { return ::dlsym(RTLD_DEFAULT, name); };
        WebpApi a;
        a.decodeRgba = reinterpret_cast<WebpApi::DecodeRgba>(find("WebPDecodeRGBA"));
        a.encodeLosslessRgb =
            reinterpret_cast<WebpApi::EncodeLossless>(find("WebPEncodeLosslessRGB"));
        a.encodeLosslessRgba =
            reinterpret_cast<WebpApi::EncodeLossless>(find("WebPEncodeLosslessRGBA"));
        a.release = reinterpret_cast<WebpApi::Free>(find("WebPFree"));
        return a;
    }();
    return api;
}

} // namespace

std::vector<std::uint8_t> decodeWebpRgba(const std::string& path, int width, int height) {
    const WebpApi& api = webpApi();
    if (!api.canDecode()) return {};
    std::ifstream file(path, std::ios::binary);
    const std::vector<std::uint8_t> encoded{std::istreambuf_iterator<char>(file),
                                            std::istreambuf_iterator<char>()};
    int w = 0;
    int h = 0;
    std::uint8_t* decoded = api.decodeRgba(encoded.data(), encoded.size(), &w, &h);
    if (!decoded) return {};
    std::vector<std::uint8_t> rgba;
    if (w == width && h == height)
        rgba.assign(decoded, decoded + std::size_t(w) * std::size_t(h) * 4);
    api.release(decoded);
    return rgba;
}

bool canWriteWebpLossless() {
    return webpApi().canEncode();
}

Status writeWebpLossless(const std::string& path, int width, int height, int channels,
                         const std::vector<std::uint8_t>& bytes) {
    const WebpApi& api = webpApi();
    std::uint8_t* encoded = nullptr;
    const int stride = width * channels;
    const std::size_t size =
        channels == 4 ? api.encodeLosslessRgba(bytes.data(), width, height, stride, &encoded)
                      : api.encodeLosslessRgb(bytes.data(), width, height, stride, &encoded);
    if (size == 0 || !encoded) {
        if (encoded) api.release(encoded);
        return makeError(path + ": cannot encode the image as WebP");
    }
    Status written = writeBytesAtomically(path, encoded, size);
    api.release(encoded);
    return written;
}

} // namespace lb::imageio
