// The command line described once: every command of latentbrush-cli, the options each takes (arity,
// value range, help) and which of the three programs runs it. The parser (ArgParser), the typed
// reads that validate values (ParsedArgs), --help (HelpText) and the hand-off between the
// programs (CliMain) all read this table; nothing else lists commands or options.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lb::cli {

inline constexpr std::string_view kCliName = "latentbrush-cli";

// The three programs, lightest first. latentbrush-cli links neither LibTorch nor OpenImageIO (grow
// on PNG masks through libpng); latentbrush-cli-io adds OpenImageIO; latentbrush-cli-vae links
// LibTorch and runs every command. A program hands a command it does not run to the one the
// table names, with the same arguments (exec).
enum class Program { Cli, CliIo, CliVae };
std::string_view programName(Program program); // "latentbrush-cli", "latentbrush-cli-io", ...
std::string_view programJob(Program program);  // "the VAE commands", for a failed hand-off

enum class Arity {
    Value,    // --name V or --name=V, at most once
    Flag,     // --name, no value
    Repeated, // --name V, once or more, in order
};

// An integer option's accepted values. `message`, when given, is the whole usage error for a
// value outside them; otherwise the error reads "--NAME V is outside MIN..MAX".
struct IntegerRange {
    long long min = 0, max = 0;
    const char* message = nullptr;
};

struct OptionSpec {
    std::string_view name;        // without the leading dashes
    std::string_view placeholder; // the value's name in --help ("N", "IMG"); empty for flags
    Arity arity = Arity::Value;
    std::optional<IntegerRange> range; // set for integer options
    std::string_view choices;          // the accepted names, appended to an "unknown" error
    std::string_view excludes;         // the flag this one excludes ("[--a | --b]" in --help)
    std::string help;                  // the Options paragraph
};

// One option of one command; `placeholder` overrides the option's own for this command.
struct CommandOption {
    CommandOption(std::string_view name_, bool required_ = false,
                  std::string_view placeholder_ = {})
        : name(name_), required(required_), placeholder(placeholder_) {}
    std::string_view name;
    bool required;
    std::string_view placeholder;
};

struct CommandSpec {
    std::string_view name;
    Program program; // the lightest program that runs it
    std::vector<CommandOption> options;
    std::string_view summary; // the Commands paragraph
};

const std::vector<OptionSpec>& optionTable();
const std::vector<CommandSpec>& commandTable();
const OptionSpec* findOption(std::string_view name);
const CommandSpec* findCommand(std::string_view name);
const CommandOption* findCommandOption(const CommandSpec& command, std::string_view name);

} // namespace lb::cli
