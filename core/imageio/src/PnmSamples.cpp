// PNM graymaps and pixmaps read as stored (see PnmSamples.h): the header's tokens (comments from
// '#' to the end of the line), then binary samples (one byte each when maxval < 256, else two,
// most significant first) or decimal ones.
#include "PnmSamples.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>

namespace lb::pnm {
namespace {

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Reads decimal tokens from `text` at `pos`, skipping white space and comments.
bool nextNumber(const std::string& text, std::size_t& pos, long long* out) {
    while (pos < text.size()) {
        if (isSpace(text[pos])) {
            ++pos;
        } else if (text[pos] == '#') {
            while (pos < text.size() && text[pos] != '\n' && text[pos] != '\r')
                ++pos;
        } else {
            break;
        }
    }
    if (pos >= text.size() || !std::isdigit(static_cast<unsigned char>(text[pos]))) return false;
    long long v = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
        v = std::min<long long>(v * 10 + (text[pos] - '0'), 1ll << 40);
        ++pos;
    }
    *out = v;
    return true;
}

} // namespace

Result<PnmSamples> readPnmSamples(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) return makeError(path + ": cannot open the file");
    const std::string text{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    if (text.size() < 2 || text[0] != 'P' ||
        (text[1] != '2' && text[1] != '3' && text[1] != '5' && text[1] != '6'))
        return makeError(path + ": not a PNM graymap or pixmap");
    const bool plain = text[1] == '2' || text[1] == '3';
    PnmSamples s;
    s.channels = (text[1] == '3' || text[1] == '6') ? 3 : 1;
    std::size_t pos = 2;
    long long width = 0, height = 0, maxval = 0;
    if (!nextNumber(text, pos, &width) || !nextNumber(text, pos, &height) ||
        !nextNumber(text, pos, &maxval))
        return makeError(path + ": corrupt PNM header");
    if (width <= 0 || height <= 0 || width > (1 << 30) || height > (1 << 30) || maxval <= 0 ||
        maxval > 65535)
        return makeError(path + ": corrupt PNM header (size " + std::to_string(width) + "x" +
                         std::to_string(height) + ", maxval " + std::to_string(maxval) + ")");
    s.width = int(width);
    s.height = int(height);
    s.maxval = int(maxval);
    const std::size_t count = std::size_t(width) * std::size_t(height) * std::size_t(s.channels);
    if (count > text.size() - pos) return makeError(path + ": truncated PNM data");
    const auto clip = [&](long long v) { return std::uint16_t(std::min<long long>(v, maxval)); };
    if (plain) {
        s.values.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            long long v = 0;
            if (!nextNumber(text, pos, &v)) return makeError(path + ": truncated PNM data");
            s.values.push_back(clip(v));
        }
        return s;
    }
    if (pos >= text.size() || !isSpace(text[pos])) return makeError(path + ": corrupt PNM header");
    ++pos; // the single white space character before the samples
    const std::size_t bytesPer = maxval < 256 ? 1 : 2;
    if (text.size() - pos < count * bytesPer) return makeError(path + ": truncated PNM data");
    s.values.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
        const auto* p = reinterpret_cast<const unsigned char*>(text.data() + pos + i * bytesPer);
        s.values[i] = clip(bytesPer == 1 ? p[0] : (p[0] << 8) | p[1]);
    }
    return s;
}

} // namespace lb::pnm
