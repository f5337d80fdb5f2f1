// latentbrush-bench: the project's benchmark programs (`grow`, `encode`, `roundtrip`); each prints
// its figures and asserts nothing.
#include <cstdio>
#include <string>

int runGrowBenchmark(int argc, char** argv);
int runEncodeBenchmark(int argc, char** argv);
int runRoundTripBenchmark(int argc, char** argv);

int main(int argc, char** argv) {
    const std::string command = argc > 1 ? argv[1] : "";
    if (command == "grow") return runGrowBenchmark(argc, argv);
    if (command == "encode") return runEncodeBenchmark(argc, argv);
    if (command == "roundtrip") return runRoundTripBenchmark(argc, argv);
    std::printf(
        "usage: latentbrush-bench grow|encode|roundtrip [options]   (COMMAND --help for options)\n"
        "  grow    the core's grow and noise_mask vs the seed's LibTorch conv2d path\n"
        "  encode  lb::Vae::encode over sizes, dtypes and devices (JSON lines)\n"
        "  roundtrip  the live view's encode + decode (lb::vaeRoundTrip), no window\n"
        "Baselines: tests/bench/reference.py (PyTorch eager / torch.compile).\n");
    return command == "--help" ? 0 : 2;
}
