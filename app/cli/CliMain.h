// The main() of the three latentbrush-cli programs: each names itself and the commands it runs;
// the command table (CommandTable.h) says which program runs the others, and this hands them on.
#pragma once

#include "ArgParser.h"
#include "CommandTable.h"

#include "latentbrush/Result.h"

#include <span>
#include <string_view>

namespace lb::cli {

// Runs one command from its parsed arguments; returns the exit status. `argv` is the program's
// own, for a runner that hands the command on after all (grow's PNG fast path).
struct CommandRunner {
    std::string_view command;
    int (*run)(ParsedArgs& args, char** argv);
};

// The whole program: a command that `runners` lacks is handed, before any parsing, to the program
// the table names for it; the others are parsed, checked and run. --help after a command prints
// that command's help. `quietDecoders`: the programs that decode through OpenImageIO send C's
// stderr to /dev/null while the command runs (QuietDecoderStderr.h).
int runCli(int argc, char** argv, std::span<const CommandRunner> runners,
           bool quietDecoders = false);

// Runs `program`, installed next to this one, with the same arguments (execv); prints one error
// line and exits 1 when it cannot.
[[noreturn]] void handOff(Program program, char** argv);

// A command's status as the exit status: 0, or 1 after "latentbrush-cli: error: MESSAGE".
int exitStatus(const Status& status);

} // namespace lb::cli
