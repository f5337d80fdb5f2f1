// Reading argv against the command table (ArgParser.h).
#include "ArgParser.h"

#include "HelpText.h"

#include <cstdlib>
#include <iostream>
#include <stdexcept>

namespace lb::cli {

void usageError(const std::string& message) {
    std::cerr << kCliName << ": " << message << "\n"
              << "Try '" << kCliName << " --help'.\n";
    std::exit(2);
}

long long parseInteger(std::string_view name, const std::string& text) {
    try {
        std::size_t used = 0;
        const long long v = std::stoll(text, &used);
        if (used != text.size()) throw std::invalid_argument(text);
        return v;
    } catch (const std::exception&) {
        usageError("--" + std::string(name) + " expects an integer, not '" + text + "'");
    }
}

bool ParsedArgs::has(std::string_view name) const {
    return values_.find(name) != values_.end();
}

std::string ParsedArgs::text(std::string_view name) const {
    const auto it = values_.find(name);
    return it == values_.end() ? std::string() : it->second.back();
}

std::string ParsedArgs::required(std::string_view name) const {
    const std::string value = text(name);
    if (value.empty())
        usageError("'" + std::string(command_->name) + "' needs --" + std::string(name));
    return value;
}

long long ParsedArgs::integer(std::string_view name, long long fallback) const {
    if (!has(name)) return fallback;
    const long long v = parseInteger(name, text(name));
    const OptionSpec* option = findOption(name);
    if (option && option->range && (v < option->range->min || v > option->range->max)) {
        const IntegerRange& r = *option->range;
        if (r.message) usageError(r.message);
        usageError("--" + std::string(name) + " " + std::to_string(v) + " is outside " +
                   std::to_string(r.min) + ".." + std::to_string(r.max));
    }
    return v;
}

const std::vector<std::string>& ParsedArgs::all(std::string_view name) const {
    static const std::vector<std::string> none;
    const auto it = values_.find(name);
    return it == values_.end() ? none : it->second;
}

void ParsedArgs::set(std::string_view name, const std::string& value) {
    values_[std::string(name)] = {value};
}

void ParsedArgs::unknownValue(std::string_view name, const std::string& given) const {
    const OptionSpec* option = findOption(name);
    std::string message = "unknown --" + std::string(name) + " '" + given + "'";
    if (option && !option->choices.empty()) message += " (" + std::string(option->choices) + ")";
    usageError(message);
}

ParsedArgs parseArguments(int argc, char** argv) {
    if (argc < 2) usageError("no command given");
    const std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        std::cout << usageText();
        std::exit(0);
    }
    if (name == "--version") {
        std::cout << kCliName << " " << LATENTBRUSH_VERSION << "\n";
        std::exit(0);
    }
    const CommandSpec* command = findCommand(name);
    if (!command) usageError("unknown command '" + name + "'");
    ParsedArgs a(*command, false);
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            a.help_ = true;
            continue;
        }
        if (arg.rfind("--", 0) != 0) usageError("unexpected argument '" + arg + "'");
        std::string option = arg.substr(2), value;
        const std::size_t eq = option.find('=');
        const OptionSpec* spec = findOption(option.substr(0, eq));
        if (spec && spec->arity == Arity::Flag) {
            const std::string flag(spec->name);
            if (eq != std::string::npos) usageError("--" + flag + " takes no value");
            value.assign(1, '1');
        } else if (eq != std::string::npos) {
            value = option.substr(eq + 1);
            option = option.substr(0, eq);
        } else {
            if (i + 1 >= argc) usageError("--" + option + " needs a value");
            value = argv[++i];
        }
        if (!spec || !findCommandOption(*command, option))
            usageError("'" + name + "' has no option --" + option);
        std::vector<std::string>& values = a.values_[option];
        if (!values.empty() && spec->arity != Arity::Repeated)
            usageError("--" + option + " given twice");
        values.push_back(value);
    }
    return a;
}

} // namespace lb::cli
