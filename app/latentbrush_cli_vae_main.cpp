// latentbrush-cli-vae: every command of latentbrush-cli, LibTorch included.
#include "CliMain.h"
#include "CommandArgs.h"

int main(int argc, char** argv) {
    return lb::cli::runCli(argc, argv, lb::cli::vaeRunners(), /*quietDecoders=*/true);
}
