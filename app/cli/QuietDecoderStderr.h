// The CLI's stderr holds its own messages only, one line per error (tests/cli/
// tst_bad_input_matrix.cpp checks it). libpng, inside OpenImageIO's PNG reader, prints
// "libpng error: ..." on C's stderr before OpenImageIO hands the same text to that one line.
// The image library mutes nothing (in the editor a mute would silence every thread while an
// image loads); the CLI programs that decode through OpenImageIO do it for their whole run:
// the C++ streams (std::cerr, std::clog) write to a copy of descriptor 2, and descriptor 2
// itself, where C code prints, goes to /dev/null.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <streambuf>

namespace lbcli {

class QuietDecoderStderr {
public:
    QuietDecoderStderr() {
        std::cerr.flush();
        std::fflush(stderr);
        const int copy = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        const int devNull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (copy >= 0 && devNull >= 0 && ::dup2(devNull, STDERR_FILENO) >= 0) {
            messages_.fd = copy;
            cerr_ = std::cerr.rdbuf(&messages_);
            clog_ = std::clog.rdbuf(&messages_);
        } else if (copy >= 0) {
            ::close(copy);
        }
        if (devNull >= 0) ::close(devNull);
    }
    ~QuietDecoderStderr() {
        if (messages_.fd < 0) return;
        std::cerr.rdbuf(cerr_);
        std::clog.rdbuf(clog_);
        std::fflush(stderr);
        ::dup2(messages_.fd, STDERR_FILENO);
        ::close(messages_.fd);
    }
    QuietDecoderStderr(const QuietDecoderStderr&) = delete;
    QuietDecoderStderr& operator=(const QuietDecoderStderr&) = delete;

private:
    // Unbuffered, like std::cerr: every character reaches the descriptor at once.
    struct FdBuffer final : std::streambuf {
        int fd = -1;
        int_type overflow(int_type c) override {
            if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
            const char ch = traits_type::to_char_type(c);
            return xsputn(&ch, 1) == 1 ? c : traits_type::eof();
        }
        std::streamsize xsputn(const char* s, std::streamsize n) override {
            std::streamsize done = 0;
            while (done < n) {
                const ssize_t w = ::write(fd, s + done, std::size_t(n - done));
                if (w <= 0) break;
                done += w;
            }
            return done;
        }
    };
    FdBuffer messages_;
    std::streambuf* cerr_ = nullptr;
    std::streambuf* clog_ = nullptr;
};

} // namespace lbcli
