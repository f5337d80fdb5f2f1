// Region encode: plan, then per region crop + exact resize + the node (lb::inpaintEncode), and
// the batch and metadata (RegionEncode.h).
#include "latentbrush/regions/RegionEncode.h"

#include "latentbrush/Pipeline.h"
#include "latentbrush/regions/RegionPixels.h"
#include "latentbrush/regions/Sha256.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace lb::regions {

Result<RegionEncodeResult> regionEncode(Vae& vae, const ImageBuffer& image, const MaskBuffer& mask,
                                        const RegionEncodeOptions& options,
                                        const Progress& progress) {
    if (image.empty() || image.channels < 1 || image.channels > 4 ||
        image.data.size() != image.pixelCount() * std::size_t(image.channels))
        return makeError("the image is empty or its buffer does not match its size");
    if (options.grow < 0 || options.grow > 1024)
        return makeError("grow_mask_by must lie in 0..1024, not " + std::to_string(options.grow));
    for (float v : mask.data)
        if (!std::isfinite(v)) return makeError("the mask contains non-finite values");
    const int d = vae.info().downscale;
    const MaskBuffer full = maskAtImageSize(mask, image.height, image.width);
    RegionEncodeResult out;
    out.grownFull = grownMaskOfImage(full, options.grow);
    Result<RegionPlan> plan = planRegions(options.request, out.grownFull, d);
    if (!plan) return plan.error();
    out.plan = std::move(plan.value());

    const std::size_t count = out.plan.rects.size();
    for (std::size_t i = 0; i < count; ++i) {
        if (progress.cancelled()) return makeError("cancelled");
        const RegionRect& r = out.plan.rects[i];
        const ImageBuffer scaled =
            cropAndScale(image, r, out.plan.scaledWidth, out.plan.scaledHeight, options.method);
        Progress sub;
        sub.cancel = progress.cancel;
        if (progress.report)
            sub.report = [&progress, i, count](double f, const std::string& stage) {
                progress((double(i) + f) / double(count), "region " + std::to_string(i + 1) + "/" +
                                                              std::to_string(count) + ": " + stage);
            };
        Result<InpaintEncodeResult> enc =
            inpaintEncode(vae, scaled, cropMaskRect(full, r), options.grow, sub);
        if (!enc)
            return makeError("region " + std::to_string(i) + " (" + formatRect(r) +
                             "): " + enc.message());
        LatentBuffer& s = enc->samples;
        if (out.samples.shape.empty()) {
            out.samples.shape = s.shape;
            out.samples.shape[0] = std::int64_t(count);
            out.samples.data.reserve(s.data.size() * count);
        }
        out.samples.data.insert(out.samples.data.end(), s.data.begin(), s.data.end());
        out.noiseMasks.push_back(std::move(enc->noiseMask));
        out.pixels.push_back(std::move(enc->pixels));
    }
    return out;
}

Result<std::vector<ImageBuffer>> decodeBatch(Vae& vae, const LatentBuffer& latent,
                                             const Progress& progress) {
    const auto& s = latent.shape;
    std::size_t count = 1;
    for (std::int64_t v : s)
        count *= std::size_t(std::max<std::int64_t>(v, 0));
    if (s.size() != 4 || s[0] < 1 || latent.data.size() != count) {
        // Vae::decode words the error (the shape it expects)
        auto one = vae.decode(latent, progress);
        if (!one) return one.error();
        return std::vector<ImageBuffer>{std::move(*one)};
    }
    const std::int64_t batch = s[0];
    const std::size_t item = count / std::size_t(batch);
    std::vector<ImageBuffer> images;
    images.reserve(std::size_t(batch));
    for (std::int64_t i = 0; i < batch; ++i) {
        if (progress.cancelled()) return makeError("cancelled");
        LatentBuffer one;
        one.shape = {1, s[1], s[2], s[3]};
        one.data.assign(latent.data.begin() + std::ptrdiff_t(item * std::size_t(i)),
                        latent.data.begin() + std::ptrdiff_t(item * std::size_t(i + 1)));
        Progress sub;
        sub.cancel = progress.cancel;
        if (progress.report)
            sub.report = [&progress, i, batch](double f, const std::string& stage) {
                progress((double(i) + f) / double(batch), "item " + std::to_string(i + 1) + "/" +
                                                              std::to_string(batch) + ": " + stage);
            };
        auto image = vae.decode(one, sub);
        if (!image) {
            if (batch == 1) return image.error();
            return makeError("batch item " + std::to_string(i) + ": " + image.message());
        }
        images.push_back(std::move(*image));
    }
    return images;
}

LatentBuffer stackNoiseMasks(const std::vector<BinaryMask>& masks) {
    LatentBuffer out;
    if (masks.empty()) return out;
    out.shape = {std::int64_t(masks.size()), 1, masks[0].height, masks[0].width};
    for (const BinaryMask& m : masks)
        for (std::uint8_t v : m.data)
            out.data.push_back(v ? 1.0f : 0.0f);
    return out;
}

std::string imageFingerprint(const ImageBuffer& image) {
    return sha256Hex(image.data.data(), image.data.size() * sizeof(float));
}

std::string maskFingerprint(const MaskBuffer& mask) {
    return sha256Hex(mask.data.data(), mask.data.size() * sizeof(float));
}

std::string maskRuns(const BinaryMask& mask) {
    std::string out;
    std::uint8_t current = 0;
    std::size_t run = 0;
    for (std::uint8_t v : mask.data) {
        const std::uint8_t bit = v ? 1 : 0;
        if (bit != current) {
            out += std::to_string(run);
            out += ',';
            current = bit;
            run = 0;
        }
        ++run;
    }
    out += std::to_string(run);
    return out;
}

std::map<std::string, std::string> regionMetadata(const RegionEncodeResult& result,
                                                  const ImageBuffer& image, const MaskBuffer& mask,
                                                  ResizeMethod method, int grow) {
    std::map<std::string, std::string> m;
    m["source.size"] = std::to_string(image.width) + "," + std::to_string(image.height);
    m["source.sha256"] = imageFingerprint(image);
    m["mask.sha256"] = maskFingerprint(mask);
    m["region.count"] = std::to_string(result.plan.rects.size());
    m["region.scaled"] =
        std::to_string(result.plan.scaledWidth) + "," + std::to_string(result.plan.scaledHeight);
    m["region.method"] = resizeMethodName(method);
    for (std::size_t i = 0; i < result.plan.rects.size(); ++i)
        m["region." + std::to_string(i) + ".rect"] = formatRect(result.plan.rects[i]);
    m["stitch.feather"] = std::to_string(std::max(1, grow / 2));
    m["stitch.mask_runs"] = maskRuns(result.grownFull);
    return m;
}

} // namespace lb::regions
