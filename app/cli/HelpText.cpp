// --help from the command table (HelpText.h).
#include "HelpText.h"

#include <algorithm>
#include <string_view>

namespace lb::cli {
namespace {

constexpr std::string_view kIntro =
    "latentbrush-cli: prepare inpainting latents exactly as ComfyUI's VAEEncodeForInpaint (or, "
    "with --mode noise-mask, VAEEncode + SetLatentNoiseMask).";

constexpr std::string_view kModes =
    "Encode modes (--mode):\n"
    "  inpaint      (default) ComfyUI's VAEEncodeForInpaint: the mask is rounded and grown by\n"
    "               --grow, the masked pixels are gray-filled; for denoise 1.0.\n"
    "  noise-mask   ComfyUI's VAEEncode + SetLatentNoiseMask: the image is encoded as it is (only\n"
    "               cropped to the VAE's multiple) and the mask is kept soft, at its own size, as\n"
    "               noise_mask; for denoise below 1 and Differential Diffusion. Optionally the "
    "mask\n"
    "               first goes through GrowMask (--mask-expand, --square-corners) and then\n"
    "               ImageBlur (--mask-blur), exactly as those nodes compute.\n";

constexpr std::string_view kVaeFiles =
    "VAEs are read from .safetensors only: pickled .ckpt/.pt files can execute code when loaded.\n"
    "--vae builtin:taef2 is the VAE shipped with Latentbrush: TAEF2, the FLUX.2 latent space at\n"
    "preview quality (tiny autoencoder, MIT), encoder and decoder.\n";

constexpr std::size_t kWidth = 100;

// `text` word-wrapped into lines of at most kWidth columns; the first line continues `lead`, the
// others start with `indent` spaces.
std::string wrap(std::string lead, std::string_view text, std::size_t indent) {
    std::string out = std::move(lead);
    std::size_t column =
        out.size() - (out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
    bool first = true;
    while (!text.empty()) {
        const std::size_t space = text.find(' ');
        const std::string_view word = text.substr(0, space);
        text = space == std::string_view::npos ? std::string_view{} : text.substr(space + 1);
        if (word.empty()) continue;
        if (!first && column + 1 + word.size() > kWidth) {
            out += '\n';
            out.append(indent, ' ');
            column = indent;
        } else if (!first) {
            out += ' ';
            ++column;
        }
        out += word;
        column += word.size();
        first = false;
    }
    return out + "\n";
}

std::string optionLead(const OptionSpec& option, std::string_view placeholder) {
    std::string lead = "--";
    lead += option.name;
    if (option.arity != Arity::Flag) {
        lead += ' ';
        lead += placeholder;
    }
    return lead;
}

std::string optionParagraph(const OptionSpec& option) {
    std::string lead = "  " + optionLead(option, option.placeholder);
    lead.resize(std::max<std::size_t>(lead.size() + 1, 22), ' ');
    return wrap(lead, option.help, 22);
}

std::string commandParagraph(const CommandSpec& command) {
    std::string lead = "  " + std::string(command.name);
    lead.resize(10, ' ');
    return wrap(lead, command.summary, 10);
}

// "[TEXT]": an optional part of a synopsis.
std::string optional(const std::string& text) {
    std::string out(1, '[');
    out += text;
    out += ']';
    return out;
}

// The synopsis as a line of the Usage section: every line indented by two.
std::string indentedSynopsis(const CommandSpec& command) {
    std::string s = "  " + synopsis(command, kWidth - 2);
    for (std::size_t at = s.find('\n'); at != std::string::npos; at = s.find('\n', at + 1))
        s.insert(at + 1, "  ");
    return s;
}

} // namespace

std::string synopsis(const CommandSpec& command, std::size_t width) {
    std::string out = std::string(kCliName) + " " + std::string(command.name);
    const std::size_t indent = out.size() + 1;
    std::size_t column = out.size();
    auto add = [&](const std::string& token) {
        if (column + 1 + token.size() > width) {
            out += '\n';
            out.append(indent, ' ');
            column = indent;
        } else {
            out += ' ';
            ++column;
        }
        out += token;
        column += token.size();
    };
    for (const CommandOption& co : command.options) {
        const OptionSpec* option = findOption(co.name);
        if (!option) continue;
        // A pair of flags that exclude each other is shown once, at the first of them.
        if (!option->excludes.empty()) {
            const CommandOption* other = findCommandOption(command, option->excludes);
            if (other && other < &co) continue;
            if (other) {
                add(optional(optionLead(*option, {}).append(" | --").append(option->excludes)));
                continue;
            }
        }
        std::string token =
            optionLead(*option, co.placeholder.empty() ? option->placeholder : co.placeholder);
        if (option->arity == Arity::Repeated) {
            std::string more = token;
            more += " ...";
            token += ' ';
            token += optional(more);
        }
        add(co.required ? token : optional(token));
    }
    return out;
}

std::string usageText() {
    std::string out = wrap({}, kIntro, 0) + "\nUsage:\n";
    for (const CommandSpec& command : commandTable())
        out += indentedSynopsis(command) + "\n";
    out += "  " + std::string(kCliName) + " --help | --version\n";
    out += "  " + std::string(kCliName) + " COMMAND --help\n\nCommands:\n";
    for (const CommandSpec& command : commandTable())
        out += commandParagraph(command);
    out += "\n" + std::string(kModes) + "\nOptions:\n";
    for (const OptionSpec& option : optionTable())
        out += optionParagraph(option);
    return out + "\n" + std::string(kVaeFiles);
}

std::string commandHelpText(const CommandSpec& command) {
    std::string out = "Usage:\n" + indentedSynopsis(command) + "\n\n";
    out += wrap("", command.summary, 0);
    if (command.name == "encode" || command.name == "batch") out += "\n" + std::string(kModes);
    out += "\nOptions:\n";
    for (const OptionSpec& option : optionTable())
        if (findCommandOption(command, option.name)) out += optionParagraph(option);
    if (findCommandOption(command, "vae")) out += "\n" + std::string(kVaeFiles);
    return out + "\nAll commands: " + std::string(kCliName) + " --help\n";
}

} // namespace lb::cli
