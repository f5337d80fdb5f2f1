// latentbrush-cli: grow on PNG masks through libpng, every other command handed to
// latentbrush-cli-io or latentbrush-cli-vae (app/cli/CommandTable.cpp says which).
#include "CliMain.h"
#include "CommandArgs.h"

int main(int argc, char** argv) {
    return lb::cli::runCli(argc, argv, lb::cli::leanRunners());
}
