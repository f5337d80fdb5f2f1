// latentbrush-cli-io: grow and rgba through OpenImageIO, without LibTorch; the VAE commands are
// handed to latentbrush-cli-vae.
#include "CliMain.h"
#include "CommandArgs.h"

int main(int argc, char** argv) {
    return lb::cli::runCli(argc, argv, lb::cli::ioRunners(), /*quietDecoders=*/true);
}
