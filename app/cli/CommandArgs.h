// The option reads more than one command shares (--mask-channel, --max-pixels, grow's options)
// and the console that commands print to; each program's runners build on these.
#pragma once

#include "ArgParser.h"
#include "CliMain.h"

#include "latentbrush/Commands.h"

#include <cstdint>
#include <span>

namespace lb::cli {

MaskChannel maskChannel(const ParsedArgs& args); // --mask-channel, default auto
std::int64_t maxPixels(const ParsedArgs& args);  // --max-pixels, default kDefaultMaxPixels
GrowOptions growOptions(const ParsedArgs& args); // grow's options, checked

// Results on stdout, warnings and progress on stderr.
CommandOutput consoleOutput();

// The commands each program runs itself (CliMain.h): latentbrush-cli grow on PNG masks (the
// others handed on), latentbrush-cli-io grow and rgba, latentbrush-cli-vae every command.
std::span<const CommandRunner> leanRunners();
std::span<const CommandRunner> ioRunners();
std::span<const CommandRunner> vaeRunners();

} // namespace lb::cli
