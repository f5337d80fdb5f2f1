// latentbrush-cli-io's runners: grow and rgba through OpenImageIO (CommandArgs.h).
#include "CliMain.h"
#include "CommandArgs.h"

namespace lb::cli {
namespace {

int grow(ParsedArgs& args, char**) {
    return exitStatus(runGrow(growOptions(args), consoleOutput()));
}

int rgba(ParsedArgs& args, char**) {
    RgbaOptions o;
    o.image = args.required("image");
    o.mask = args.required("mask");
    o.channel = maskChannel(args);
    o.output = args.required("output");
    o.maxPixels = maxPixels(args);
    return exitStatus(runRgba(o, consoleOutput()));
}

const CommandRunner kIoRunners[] = {{"grow", grow}, {"rgba", rgba}};

} // namespace

std::span<const CommandRunner> ioRunners() {
    return kIoRunners;
}

} // namespace lb::cli
