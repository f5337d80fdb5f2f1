// RoundTrip: inpaintEncode, decode, and the comparison with the original crop.
#include "latentbrush/RoundTrip.h"

#include "latentbrush/Pipeline.h"
#include "latentbrush/Vae.h"

#include <chrono>
#include <cmath>
#include <limits>

namespace lb {

namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The RGB of `image` inside `crop` (alpha and extra channels dropped, as the node does).
ImageBuffer cropRgb(const ImageBuffer& image, const CropRect& crop) {
    ImageBuffer out;
    out.height = crop.height;
    out.width = crop.width;
    out.channels = 3;
    out.data.resize(out.pixelCount() * 3);
    const int c = image.channels;
    for (int y = 0; y < crop.height; ++y) {
        const float* in = image.row(crop.top + y) + std::size_t(crop.left) * c;
        float* o = out.row(y);
        for (int x = 0; x < crop.width; ++x)
            for (int k = 0; k < 3; ++k)
                o[x * 3 + k] = in[x * c + (c >= 3 ? k : 0)];
    }
    return out;
}

} // namespace

Result<RoundTrip> vaeRoundTrip(Vae& vae, const ImageBuffer& image, const MaskBuffer& mask, int grow,
                               const Progress& progress) {
    if (!vae.info().hasDecoder)
        return makeError(vae.info().file + ": has no decoder, so it cannot show what it keeps");
    // Encode and decode share the progress range half and half.
    Progress half;
    half.cancel = progress.cancel;
    double offset = 0.0;
    if (progress.report)
        half.report = [&progress, &offset](double f, const std::string& stage) {
            progress(offset + 0.5 * f, stage);
        };

    auto start = std::chrono::steady_clock::now();
    Result<InpaintEncodeResult> encoded = inpaintEncode(vae, image, mask, grow, half);
    if (!encoded) return encoded.error();
    RoundTrip out;
    out.encodeSeconds = secondsSince(start);
    if (progress.cancelled()) return makeError("cancelled");

    offset = 0.5;
    start = std::chrono::steady_clock::now();
    Result<ImageBuffer> decoded = vae.decode(encoded->samples, half);
    if (!decoded) return decoded.error();
    out.decodeSeconds = secondsSince(start);
    out.decoded = std::move(decoded.value());
    out.crop = encoded->crop;
    out.noiseMask = std::move(encoded->noiseMask);
    out.original = cropRgb(image, out.crop);
    if (out.decoded.height != out.crop.height || out.decoded.width != out.crop.width ||
        out.decoded.channels < 3)
        return makeError(vae.info().file + ": the decode is " + std::to_string(out.decoded.width) +
                         " x " + std::to_string(out.decoded.height) + ", not the crop's size");

    out.difference.height = out.crop.height;
    out.difference.width = out.crop.width;
    out.difference.data.resize(out.original.pixelCount());
    double squaredError = 0.0;
    std::size_t kept = 0;
    const int dc = out.decoded.channels;
    for (std::size_t i = 0; i < out.original.pixelCount(); ++i) {
        double sum = 0.0, squares = 0.0;
        for (int k = 0; k < 3; ++k) {
            const double d = double(out.decoded.data[i * dc + k]) - out.original.data[i * 3 + k];
            sum += std::abs(d);
            squares += d * d;
        }
        out.difference.data[i] = float(sum / 3.0);
        if (out.noiseMask.data[i] == 0) {
            squaredError += squares;
            kept += 3;
        }
    }
    if (kept == 0)
        out.psnrKept = std::numeric_limits<double>::quiet_NaN();
    else if (squaredError == 0.0)
        out.psnrKept = std::numeric_limits<double>::infinity();
    else
        out.psnrKept = 10.0 * std::log10(double(kept) / squaredError);
    progress(1.0, "done");
    return out;
}

} // namespace lb
