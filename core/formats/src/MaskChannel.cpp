// parseMaskChannel (MaskChannel.h), torch- and OpenImageIO-free, so that the lean
// `latentbrush-cli` (libpng only) and the image I/O parse --mask-channel with one function.
#include "latentbrush/MaskChannel.h"

#include <cctype>

namespace lb {

bool parseMaskChannel(const std::string& name, MaskChannel* out) {
    std::string lower = name;
    for (char& c : lower)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    static const struct {
        const char* name;
        MaskChannel channel;
    } kNames[] = {{"auto", MaskChannel::Auto}, {"alpha", MaskChannel::Alpha},
                  {"red", MaskChannel::Red},   {"green", MaskChannel::Green},
                  {"blue", MaskChannel::Blue}, {"luma", MaskChannel::Luma}};
    for (const auto& entry : kNames) {
        if (lower != entry.name) continue;
        if (out) *out = entry.channel;
        return true;
    }
    return false;
}

} // namespace lb
