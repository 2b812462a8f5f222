#include "io/isolated.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <exception>

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace loom {

namespace {

bool writeAll(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

std::string runIsolated(const std::function<std::string()>& work, std::chrono::seconds limit, const std::string& what,
                        std::stop_token stop) {
    int channel[2];
    if (::pipe(channel) != 0) throw IsolatedError(what + ": cannot start a helper process (" + std::strerror(errno) + ")");
    const pid_t child = ::fork();
    if (child < 0) {
        ::close(channel[0]);
        ::close(channel[1]);
        throw IsolatedError(what + ": cannot start a helper process (" + std::strerror(errno) + ")");
    }
    if (child == 0) {
        // The child: one byte says how the work ended ('=' an answer, '!' a message), then the
        // answer or the message. It leaves by _exit, touching nothing of the parent's.
        ::close(channel[0]);
        char tag = '=';
        std::string out;
        try {
            out = work();
        } catch (const std::exception& e) {
            tag = '!';
            out = e.what();
        } catch (...) {
            tag = '!';
            out = "failed";
        }
        const bool sent = writeAll(channel[1], &tag, 1) && writeAll(channel[1], out.data(), out.size());
        ::_exit(sent ? 0 : 1);
    }
    ::close(channel[1]);
    std::string received;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    bool late = false, cancelled = false;
    char buffer[1 << 16];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            late = true;
            break;
        }
        if (stop.stop_requested()) {
            cancelled = true;
            break;
        }
        // A wait short enough that a request to stop is seen at once.
        pollfd p{channel[0], POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), stop.stop_possible() ? 50 : 1000)));
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) break;
        if (ready == 0) continue;
        const ssize_t n = ::read(channel[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        received.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(channel[0]);
    if (late || cancelled) ::kill(child, SIGKILL);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (cancelled) throw Cancelled(what + ": cancelled");
    if (late) throw IsolatedError(what + ": gave up after " + std::to_string(limit.count()) + " s (the file keeps the reader busy)");
    if (WIFSIGNALED(status)) {
        throw IsolatedError(what + ": the reader crashed on the file (signal " + std::to_string(WTERMSIG(status)) +
                            "); it is damaged or not what it claims to be");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || received.empty()) {
        throw IsolatedError(what + ": the reader stopped without an answer");
    }
    if (received[0] == '!') throw IsolatedError(received.substr(1));
    return received.substr(1);
}

}  // namespace loom
