// Small helpers shared by the CLI's command implementations (CommandsIo.cpp, Commands.cpp).
// Internal to latentbrush_commands_io / latentbrush_commands.
#pragma once

#include "latentbrush/Result.h"

#include <functional>
#include <string>
#include <vector>

namespace lb::cmd {

std::string lowerExtension(const std::string& path);
void say(const std::function<void(const std::string&)>& f, const std::string& s);
std::string joinExtensions(const std::vector<std::string>& extensions);
Status checkInputFile(const std::string& path, const std::string& what);

} // namespace lb::cmd
