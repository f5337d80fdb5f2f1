// latentbrush-cli's --help, generated from the command table (CommandTable.h): the usage line of
// each command from its options, the command summaries, and every option's paragraph.
#pragma once

#include "CommandTable.h"

#include <string>

namespace lb::cli {

// `latentbrush-cli --help`: every command and every option.
std::string usageText();

// `latentbrush-cli COMMAND --help`: the command's usage line, its summary and its options.
std::string commandHelpText(const CommandSpec& command);

// "latentbrush-cli grow --mask MASK --grow N [--size WxH] ...", wrapped at `width` columns.
std::string synopsis(const CommandSpec& command, std::size_t width = 100);

} // namespace lb::cli
