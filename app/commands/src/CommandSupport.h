// Small helpers shared by the CLI's command implementations (CommandsIo.cpp, Commands.cpp).
// Internal to latentbrush_commands_grow / latentbrush_commands_io / latentbrush_commands; defined
// in CommandsGrow.cpp.
#pragma once

#include "latentbrush/Commands.h"
#include "latentbrush/Result.h"

#include <functional>
#include <string>
#include <vector>

namespace lb::cmd {

std::string lowerExtension(const std::string& path);
void say(const std::function<void(const std::string&)>& f, const std::string& s);
std::string joinExtensions(const std::vector<std::string>& extensions);
Status checkInputFile(const std::string& path, const std::string& what);

// grow's checks before reading (--grow, --multiple, the mask file, the output path), after
// reading (--size against --max-pixels), and its warning when --size stretches the mask
// (empty when it does not): shared by runGrow and its PNG fast path, runGrowPng.
Status checkGrowOptions(const GrowOptions& o);
Status checkGrowSize(const GrowOptions& o, int height, int width);
std::string growAspectWarning(const GrowOptions& o, int maskHeight, int maskWidth, int height,
                              int width);

} // namespace lb::cmd
