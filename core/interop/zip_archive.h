#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace loom {

/// A zip archive LayerLoom cannot read as it expects: what and where.
class ZipError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A zip archive opened for reading (a Keras .keras file). Hostile input: the archive's
/// structure is checked when it opens, an entry's size is checked before it is read, and its
/// checksum after.
class ZipReader {
public:
    static ZipReader open(const std::filesystem::path& file);
    ZipReader(ZipReader&&) noexcept;
    ZipReader& operator=(ZipReader&&) noexcept;
    ~ZipReader();

    std::vector<std::string> names() const;
    bool has(const std::string& entry) const;
    /// The bytes of `entry`; refuses one of more than `maxBytes`.
    std::string read(const std::string& entry, std::uint64_t maxBytes) const;

private:
    struct Handle;
    ZipReader(std::unique_ptr<Handle> handle, std::string name);
    std::unique_ptr<Handle> m_handle;
    std::string m_name;
};

/// Writes a zip archive: entries stored as they are given, in order; `finish` closes it.
class ZipWriter {
public:
    static ZipWriter create(const std::filesystem::path& file);
    ZipWriter(ZipWriter&&) noexcept;
    ZipWriter& operator=(ZipWriter&&) noexcept;
    ~ZipWriter();

    void add(const std::string& entry, std::string bytes);
    void finish();

private:
    struct Handle;
    ZipWriter(std::unique_ptr<Handle> handle, std::string name);
    std::unique_ptr<Handle> m_handle;
    std::string m_name;
};

}  // namespace loom
