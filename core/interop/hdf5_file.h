#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace loom {

/// An HDF5 file LayerLoom cannot read as it expects: what and where (file and object path).
class Hdf5Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// An HDF5 file opened for reading, as Keras writes its .h5 models and the weights inside a
/// .keras archive. The input is treated as hostile: every size is checked before anything is
/// allocated, objects are looked up one path component at a time, and the library's own error
/// printing is off (errors come back as Hdf5Error naming the file and the object). The HDF5
/// library is not built for threads on Debian: every call goes through one lock.
class Hdf5File {
public:
    /// Opens `file`; refuses what does not start as an HDF5 file does.
    static Hdf5File open(const std::filesystem::path& file);
    /// Opens a file held in memory (taken from a zip archive); `name` says where it came from.
    static Hdf5File fromMemory(std::string image, std::string name);

    Hdf5File(Hdf5File&&) noexcept;
    Hdf5File& operator=(Hdf5File&&) noexcept;
    ~Hdf5File();

    /// Where the file came from, for messages.
    const std::string& name() const { return m_name; }

    /// Whether a group or dataset is at `path` ("a/b/c", from the root).
    bool exists(const std::string& path) const;
    bool isGroup(const std::string& path) const;
    /// The names of a group's members, in the order of their names.
    std::vector<std::string> members(const std::string& group) const;

    /// A text attribute of the object at `path` ("" or "/" for the root), or nothing when it
    /// has none of that name. A list of one text is taken as that text.
    std::optional<std::string> text(const std::string& path, const std::string& attribute) const;
    /// A list-of-texts attribute; Keras splits long ones into `name0`, `name1`, ..., which are
    /// joined. An empty attribute (of any type) is an empty list; a missing one is nothing.
    std::optional<std::vector<std::string>> texts(const std::string& path, const std::string& attribute) const;

    /// A dataset of floating-point numbers, converted to float32, with its shape; refuses other
    /// types, more than four dimensions and more than `maxValues` values.
    struct Floats {
        std::vector<std::int64_t> shape;
        std::vector<float> values;
    };
    Floats floats(const std::string& path, std::uint64_t maxValues) const;

private:
    struct Handle;
    Hdf5File(std::unique_ptr<Handle> handle, std::string name);
    [[noreturn]] void fail(const std::string& path, const std::string& what) const;
    std::unique_ptr<Handle> m_handle;
    std::string m_name;
};

/// An HDF5 file being written, laid out as h5py writes Keras's files: groups made along a
/// path as needed, text attributes as variable-length UTF-8 (h5py's `str`), lists of names as
/// fixed-length byte strings (NumPy's `S` arrays, as Keras's `save_attributes_to_hdf5_group`
/// writes them), weights as float32 datasets. Throws Hdf5Error naming the file and the object.
class Hdf5Writer {
public:
    /// A new file at `file` (an existing one is replaced when `close` succeeds).
    static Hdf5Writer create(const std::filesystem::path& file);
    /// A file kept in memory, whose bytes `image` returns (for a .keras archive).
    static Hdf5Writer inMemory(std::string name);

    Hdf5Writer(Hdf5Writer&&) noexcept;
    Hdf5Writer& operator=(Hdf5Writer&&) noexcept;
    ~Hdf5Writer();

    void group(const std::string& path);
    void text(const std::string& path, const std::string& attribute, const std::string& value);
    void names(const std::string& path, const std::string& attribute, const std::vector<std::string>& values);
    void floats(const std::string& path, const std::vector<std::int64_t>& shape, const std::vector<float>& values);

    /// The whole file, for one made by inMemory; the writer stays usable.
    std::string image();
    /// Writes everything out and closes the file.
    void close();

private:
    struct Handle;
    Hdf5Writer(std::unique_ptr<Handle> handle, std::string name);
    [[noreturn]] void fail(const std::string& path, const std::string& what) const;
    std::unique_ptr<Handle> m_handle;
    std::string m_name;
};

}  // namespace loom
