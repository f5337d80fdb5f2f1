// The names of InputPrecision (InputPrecision.h).
#include "latentbrush/InputPrecision.h"

namespace lb {

const char* inputPrecisionName(InputPrecision precision) {
    return precision == InputPrecision::Full ? "full" : "reference";
}

bool parseInputPrecision(const std::string& name, InputPrecision* out) {
    InputPrecision p;
    if (name == "reference")
        p = InputPrecision::Reference;
    else if (name == "full")
        p = InputPrecision::Full;
    else
        return false;
    if (out) *out = p;
    return true;
}

} // namespace lb
