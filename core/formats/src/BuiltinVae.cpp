// BuiltinVae: the table of shipped VAEs and where an installed or built program finds them.
#include "latentbrush/BuiltinVae.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace lb {

namespace {

constexpr const char* kPrefix = "builtin:";

// The running program's folder, from /proc/self/exe (argv[0] may be a bare name on $PATH).
std::filesystem::path programDir() {
    std::error_code ec;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::path(".") : exe.parent_path();
}

} // namespace

const std::vector<BuiltinVae>& builtinVaes() {
    // TAEF2 (madebyollin/taesd, MIT): the FLUX.2 latent space at 2.7 MB per half, for previews
    // and drafts; encodes a 1024x1024 image in well under a second on two CPU cores.
    static const std::vector<BuiltinVae> vaes = {
        {"taef2", "taef2_encoder.safetensors",
         "TAEF2, the FLUX.2 latent space at preview quality (tiny autoencoder, MIT)"},
    };
    return vaes;
}

std::string builtinVaeSpec(const std::string& name) {
    return kPrefix + name;
}

bool isBuiltinVaeSpec(const std::string& spec) {
    return spec.rfind(kPrefix, 0) == 0;
}

std::string builtinModelsDir() {
    if (const char* env = std::getenv("LATENTBRUSH_MODELS_DIR"); env && *env) return env;
    return (programDir() / ".." / "share" / "latentbrush" / "models").lexically_normal().string();
}

Result<std::string> resolveVaePath(const std::string& spec) {
    if (!isBuiltinVaeSpec(spec)) return spec;
    const std::string name = spec.substr(std::string(kPrefix).size());
    std::string known;
    for (const BuiltinVae& vae : builtinVaes()) {
        if (vae.name == name) {
            const std::string path = builtinModelsDir() + "/" + vae.encoderFile;
            std::error_code ec;
            if (!std::filesystem::is_regular_file(path, ec))
                return makeError(spec + ": the built-in VAE is not installed (" + path +
                                 " is missing); reinstall Latentbrush or set "
                                 "LATENTBRUSH_MODELS_DIR to the folder holding " +
                                 vae.encoderFile);
            return path;
        }
        known += (known.empty() ? "" : ", ") + builtinVaeSpec(vae.name);
    }
    return makeError(spec + ": no such built-in VAE (there is " + known + ")");
}

} // namespace lb
