// latentbrush-cli's arguments read against the command table (CommandTable.h): which options a
// command takes and their arity come from there, and so do the checks of the typed reads
// (required options, integer ranges, the choices named in an "unknown" error). A usage error is one
// line on stderr and exit status 2, as it always was.
#pragma once

#include "CommandTable.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lb::cli {

// Prints "latentbrush-cli: MESSAGE" and the hint to --help on stderr; exits with status 2.
[[noreturn]] void usageError(const std::string& message);

// `text` as an integer, or the usage error "--NAME expects an integer, not 'TEXT'".
long long parseInteger(std::string_view name, const std::string& text);

class ParsedArgs {
public:
    ParsedArgs(const CommandSpec& command, bool help) : command_(&command), help_(help) {}

    const CommandSpec& command() const { return *command_; }
    bool help() const { return help_; } // --help or -h after the command

    bool has(std::string_view name) const;
    // The value given, or "" when the option is absent.
    std::string text(std::string_view name) const;
    // The value given; absent or empty: the usage error "'COMMAND' needs --NAME".
    std::string required(std::string_view name) const;
    // The option as an integer checked against the table's range; `fallback` when absent.
    long long integer(std::string_view name, long long fallback) const;
    // Every value of a repeated option, in order.
    const std::vector<std::string>& all(std::string_view name) const;

    // The option read with the domain's parser (lb::parseComputeDType, ...); `fallback` when
    // absent; a name the parser refuses is "unknown --NAME 'TEXT'" plus the table's choices.
    template <typename T>
    T choice(std::string_view name, bool (*parse)(const std::string&, T*), T fallback) const {
        if (!has(name)) return fallback;
        T value = fallback;
        const std::string given = text(name);
        if (!parse(given, &value)) unknownValue(name, given);
        return value;
    }

    void set(std::string_view name, const std::string& value);

private:
    [[noreturn]] void unknownValue(std::string_view name, const std::string& given) const;
    friend ParsedArgs parseArguments(int argc, char** argv);

    const CommandSpec* command_;
    bool help_;
    std::map<std::string, std::vector<std::string>, std::less<>> values_;
};

// argv checked against the table. `--help`, `-h`, `help` and `--version` as the command print
// and exit 0; an unknown command or option, a missing value, a value given to a flag or an
// option given twice are usage errors.
ParsedArgs parseArguments(int argc, char** argv);

} // namespace lb::cli
