// The shared option reads, and latentbrush-cli's own runner: grow on PNG masks (CommandArgs.h).
#include "CommandArgs.h"

#include "CliMain.h"

#include "latentbrush/CommandsLean.h"

#include <iostream>

namespace lb::cli {

MaskChannel maskChannel(const ParsedArgs& args) {
    return args.choice("mask-channel", parseMaskChannel, MaskChannel::Auto);
}

std::int64_t maxPixels(const ParsedArgs& args) {
    return args.integer("max-pixels", kDefaultMaxPixels);
}

GrowOptions growOptions(const ParsedArgs& args) {
    GrowOptions o;
    o.mask = args.required("mask");
    if (!args.has("grow")) usageError("'grow' needs --grow");
    o.grow = int(args.integer("grow", o.grow));
    o.output = args.required("output");
    o.channel = maskChannel(args);
    o.maxPixels = maxPixels(args);
    o.multiple = int(args.integer("multiple", o.multiple));
    if (const std::string size = args.text("size"); !size.empty()) {
        const auto x = size.find_first_of("xX");
        if (x == std::string::npos) usageError("--size expects WxH, not '" + size + "'");
        const long long w = parseInteger("size", size.substr(0, x));
        const long long h = parseInteger("size", size.substr(x + 1));
        if (w < 1 || h < 1 || w > 1000000 || h > 1000000)
            usageError("--size " + size + " is not a valid image size");
        o.width = int(w);
        o.height = int(h);
    }
    return o;
}

CommandOutput consoleOutput() {
    CommandOutput io;
    io.out = [](const std::string& s) { std::cout << s << std::flush; };
    io.warn = [](const std::string& s) { std::cerr << s << "\n"; };
    return io;
}

namespace {

// Nothing is written or printed when the PNG fast path declines; latentbrush-cli-io then does the
// same grow through OpenImageIO and reports any error in its words.
int growPng(ParsedArgs& args, char** argv) {
    if (runGrowPng(growOptions(args), consoleOutput()) == LeanOutcome::Declined)
        handOff(Program::CliIo, argv);
    return 0;
}

const CommandRunner kLeanRunners[] = {{"grow", growPng}};

} // namespace

std::span<const CommandRunner> leanRunners() {
    return kLeanRunners;
}

} // namespace lb::cli
