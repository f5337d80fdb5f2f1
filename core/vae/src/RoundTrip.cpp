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

// Encode and decode share the progress range half and half: the progress of one half.
// Not copyable: `half.report` captures `this`.
struct HalfProgress {
    const Progress& whole;
    double offset = 0.0;
    Progress half;
    explicit HalfProgress(const Progress& p) : whole(p) {
        half.cancel = p.cancel;
        if (p.report)
            half.report = [this](double f, const std::string& stage) {
                whole(offset + 0.5 * f, stage);
            };
    }
    HalfProgress(const HalfProgress&) = delete;
    HalfProgress& operator=(const HalfProgress&) = delete;
};

// Decodes `samples` into `out` (timed) and compares the decode with `image`'s crop: the
// difference image and the PSNR over the pixels out.noiseMask keeps (0).
Status decodeAndCompare(Vae& vae, const ImageBuffer& image, const LatentBuffer& samples,
                        HalfProgress& progress, RoundTrip& out) {
    if (progress.whole.cancelled()) return makeError("cancelled");
    progress.offset = 0.5;
    const auto start = std::chrono::steady_clock::now();
    Result<ImageBuffer> decoded = vae.decode(samples, progress.half);
    if (!decoded) return decoded.error();
    out.decodeSeconds = secondsSince(start);
    out.decoded = std::move(decoded.value());
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
    progress.whole(1.0, "done");
    return {};
}

// The pixels of the crop a soft noise mask leaves to the latent (0 = kept): the mask at the
// image's size (resized bilinearly, as the node's step 2 would, when it has another size),
// cropped, any value above 0 counted as regenerated.
BinaryMask regeneratedPixels(const MaskBuffer& softMask, const ImageBuffer& image,
                             const CropRect& crop) {
    BinaryMask out;
    out.height = crop.height;
    out.width = crop.width;
    out.data.assign(std::size_t(crop.height) * std::size_t(crop.width), 0);
    if (softMask.empty()) return out;
    const MaskBuffer atImage = softMask.height == image.height && softMask.width == image.width
                                   ? softMask
                                   : resizeBilinear(softMask, image.height, image.width);
    for (int y = 0; y < crop.height; ++y) {
        const float* in = atImage.data.data() +
                          std::size_t(crop.top + y) * std::size_t(atImage.width) + crop.left;
        for (int x = 0; x < crop.width; ++x)
            out.data[std::size_t(y) * std::size_t(crop.width) + std::size_t(x)] = in[x] > 0.0f;
    }
    return out;
}

// The round trip of either encode mode: `encode(halfProgress)` encodes, `keptMask(encoded, crop)`
// gives RoundTrip::noiseMask (the pixels the sampler regenerates), then the decode is compared.
template <class Encode, class KeptMask>
Result<RoundTrip> roundTripOf(Vae& vae, const ImageBuffer& image, const Progress& progress,
                              Encode encode, KeptMask keptMask) {
    if (!vae.info().hasDecoder)
        return makeError(vae.info().file + ": has no decoder, so it cannot show what it keeps");
    HalfProgress half(progress);
    const auto start = std::chrono::steady_clock::now();
    auto encoded = encode(half.half);
    if (!encoded) return encoded.error();
    RoundTrip out;
    out.encodeSeconds = secondsSince(start);
    out.crop = encoded->crop;
    out.noiseMask = keptMask(*encoded, out.crop);
    if (Status st = decodeAndCompare(vae, image, encoded->samples, half, out); !st)
        return st.error();
    return out;
}

} // namespace

Result<RoundTrip> vaeRoundTrip(Vae& vae, const ImageBuffer& image, const MaskBuffer& mask, int grow,
                               const Progress& progress) {
    return roundTripOf(
        vae, image, progress,
        [&](const Progress& half) { return inpaintEncode(vae, image, mask, grow, half); },
        [](InpaintEncodeResult& encoded, const CropRect&) { return std::move(encoded.noiseMask); });
}

Result<RoundTrip> vaeRoundTripNoiseMask(Vae& vae, const ImageBuffer& image, const MaskBuffer& mask,
                                        const NoiseMaskOptions& options, const Progress& progress) {
    return roundTripOf(
        vae, image, progress,
        [&](const Progress& half) { return noiseMaskEncode(vae, image, mask, options, half); },
        [&](NoiseMaskEncodeResult& encoded, const CropRect& crop) {
            return regeneratedPixels(encoded.noiseMask, image, crop);
        });
}

} // namespace lb
