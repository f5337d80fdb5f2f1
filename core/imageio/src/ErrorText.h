// The image I/O's error messages: OpenImageIO's text made one line, and every exception of a
// read or write turned into an error naming the file. Shared by the reader and the writer.
#pragma once

#include "latentbrush/Result.h"

#include <cctype>
#include <exception>
#include <new>
#include <string>

namespace lb::imageio {

// OIIO messages can span several lines; errors of the core are one line.
inline std::string oneLine(const std::string& text) {
    std::string out;
    bool pendingBreak = false;
    for (char c : text) {
        if (c == '\n' || c == '\r') {
            pendingBreak = !out.empty();
            continue;
        }
        if (pendingBreak) {
            out += "; ";
            pendingBreak = false;
        }
        out += c;
    }
    while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back())))
        out.pop_back();
    return out;
}

// "<what> (<details>)", or just <what> when OIIO gave no details.
inline std::string withDetails(const std::string& what, const std::string& details) {
    std::string line = oneLine(details);
    return line.empty() ? what : what + " (" + line + ")";
}

// Runs `body`, turning any exception (out of memory, an OIIO or libc++ throw) into an error.
template <class R, class Body> R guarded(const std::string& path, Body body) {
    try {
        return body();
    } catch (const std::bad_alloc&) {
        return makeError(path + ": out of memory");
    } catch (const std::exception& e) {
        return makeError(path + ": " + oneLine(e.what()));
    } catch (...) {
        return makeError(path + ": unexpected error");
    }
}

} // namespace lb::imageio
