// runCli and the hand-off between the three programs (CliMain.h).
#include "CliMain.h"

#include "HelpText.h"
#include "QuietDecoderStderr.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include <unistd.h>

namespace lb::cli {

void handOff(Program program, char** argv) {
    std::string self(4096, '\0');
    const ssize_t n = ::readlink("/proc/self/exe", self.data(), self.size() - 1);
    const std::string dir =
        n > 0 ? std::filesystem::path(self.substr(0, std::size_t(n))).parent_path().string()
              : std::string(".");
    const std::string path = dir + "/" + std::string(programName(program));
    argv[0] = const_cast<char*>(path.c_str());
    std::cout.flush();
    std::cerr.flush();
    ::execv(path.c_str(), argv);
    std::cerr << kCliName << ": error: cannot run " << path << " (" << std::strerror(errno)
              << "): it is installed beside " << kCliName << " and does " << programJob(program)
              << "\n";
    std::exit(1);
}

int exitStatus(const Status& status) {
    if (status) return 0;
    std::cerr << kCliName << ": error: " << status.message() << "\n";
    return 1;
}

int runCli(int argc, char** argv, std::span<const CommandRunner> runners, bool quietDecoders) {
    auto runnerOf = [&](std::string_view name) -> const CommandRunner* {
        for (const CommandRunner& r : runners)
            if (r.command == name) return &r;
        return nullptr;
    };
    if (argc > 1)
        if (const CommandSpec* command = findCommand(argv[1]); command && !runnerOf(command->name))
            handOff(command->program, argv);
    ParsedArgs args = parseArguments(argc, argv);
    if (args.help()) {
        std::cout << commandHelpText(args.command());
        return 0;
    }
    // Only once no other program takes over (its stderr must stay whole): OpenImageIO's
    // decoders print beside our one error line (QuietDecoderStderr.h).
    std::optional<lbcli::QuietDecoderStderr> quiet;
    if (quietDecoders) quiet.emplace();
    return runnerOf(args.command().name)->run(args, argv);
}

} // namespace lb::cli
