#include "io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>

namespace loom {

namespace {

/// `given` with its symbolic links followed to what they point to, which may not exist yet.
/// Throws std::runtime_error for a link that cannot be read or links that form a circle.
std::filesystem::path followLinks(const std::filesystem::path& given) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path path = given;
    for (int hops = 0; fs::is_symlink(path, ec); ++hops) {
        const fs::path target = fs::read_symlink(path, ec);
        if (ec) throw std::runtime_error(ec.message());
        if (hops == 40) throw std::runtime_error("its links go round in a circle");
        path = target.is_absolute() ? target : path.parent_path() / target;
    }
    return path;
}

/// Why a file may not take the place of `target` (links already followed), or empty.
std::string notAFile(const std::filesystem::path& target) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status status = fs::status(target, ec);
    if (!fs::exists(status) || fs::is_regular_file(status)) return {};
    return fs::is_directory(status) ? "it is a folder" : "it is not a regular file";
}

}  // namespace

std::string replaceProblem(const std::filesystem::path& path) {
    try {
        return notAFile(followLinks(path));
    } catch (const std::runtime_error& e) {
        return e.what();
    }
}

std::filesystem::path writeTarget(const std::filesystem::path& path) {
    // Through a link, the file it points to is replaced, and the link stays (editors do the
    // same); a folder, device or pipe is never replaced by a file.
    std::filesystem::path target;
    std::string problem;
    try {
        target = followLinks(path);
        problem = notAFile(target);
    } catch (const std::runtime_error& e) {
        problem = e.what();
    }
    if (!problem.empty()) throw std::runtime_error("cannot write " + path.string() + ": " + problem);
    return target;
}

void writeFileAtomically(const std::filesystem::path& given, std::string_view data) {
    namespace fs = std::filesystem;
    const fs::path path = writeTarget(given);
    std::error_code ec;
    fs::path dir = path.parent_path();
    if (dir.empty()) dir = ".";
    std::random_device rd;
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) of "." + a string here.
    std::string name(".");
    name.append(path.filename().string()).append(".tmp").append(std::to_string(rd()));
    const std::filesystem::path tmp = dir / name;
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
    }
    auto failWith = [&](int err) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(err));
    };
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            failWith(errno);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) failWith(errno);
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(err));
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        ::unlink(tmp.c_str());
        throw std::runtime_error("cannot write " + path.string() + ": " + ec.message());
    }
}

}  // namespace loom
