// BuiltinVae: the VAEs that ship with Latentbrush, so that the first start can encode with no
// file from elsewhere. Wherever a VAE file is asked for, "builtin:NAME" names one of them
// (Vae::load and the CLI's --vae take it).
#pragma once

#include "latentbrush/Result.h"

#include <string>
#include <vector>

namespace lb {

struct BuiltinVae {
    std::string name;        // as in "builtin:NAME"
    std::string encoderFile; // file name in the models folder (its decoder lies beside it)
    std::string description; // one line for people: what it is for
};

// Every built-in VAE, in the order they are offered.
const std::vector<BuiltinVae>& builtinVaes();

// "builtin:NAME" for the built-in VAE `name`.
std::string builtinVaeSpec(const std::string& name);

// Whether `spec` names a built-in VAE ("builtin:..."), known or not.
bool isBuiltinVaeSpec(const std::string& spec);

// The folder the built-in VAEs are installed in: LATENTBRUSH_MODELS_DIR when set, else
// <program's folder>/../share/latentbrush/models, which is <prefix>/share/latentbrush/models for
// an installed program (<prefix>/bin) and <build>/share/latentbrush/models in a build tree (the
// programs are in <build>/app and the tests in <build>/tests).
std::string builtinModelsDir();

// A VAE argument as a file path: "builtin:NAME" becomes the built-in encoder's path (an error
// names the folder looked in when it is missing or NAME unknown); anything else is returned as it
// is.
Result<std::string> resolveVaePath(const std::string& spec);

} // namespace lb
