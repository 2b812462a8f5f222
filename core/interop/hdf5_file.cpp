#include "interop/hdf5_file.h"

#include <hdf5.h>

#include <cstring>
#include <fstream>
#include <mutex>

#include "graph/project_file.h"
#include "io/atomic_file.h"
#include "io/message_text.h"

namespace loom {

namespace {

/// HDF5's file signature; Keras's files start with it (no user block).
constexpr char kSignature[] = "\x89HDF\r\n\x1a\n";
constexpr std::size_t kSignatureSize = 8;
/// The most bytes of text an attribute may hold (a model's JSON), and members a group may list.
constexpr std::uint64_t kMaxTextBytes = std::uint64_t{64} << 20;
constexpr hsize_t kMaxMembers = 100'000;
constexpr std::size_t kMaxNameBytes = 4096;

std::mutex& libraryLock() {
    static std::mutex lock;
    return lock;
}

/// Under the library's lock, with its error printing off (it would write to stderr).
std::unique_lock<std::mutex> enter() {
    std::unique_lock lock(libraryLock());
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return lock;
}

/// An HDF5 identifier closed by the function that fits its kind.
class Id {
public:
    Id(hid_t id, herr_t (*close)(hid_t)) : m_id(id), m_close(close) {}
    Id(const Id&) = delete;
    Id& operator=(const Id&) = delete;
    ~Id() {
        if (m_id >= 0) m_close(m_id);
    }
    hid_t get() const { return m_id; }
    bool valid() const { return m_id >= 0; }

private:
    hid_t m_id;
    herr_t (*m_close)(hid_t);
};

/// The components of "a/b/c"; none may be "." or "..".
std::vector<std::string> components(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t at = 0;
    while (at <= path.size()) {
        const std::size_t slash = std::min(path.find('/', at), path.size());
        if (slash > at) parts.push_back(path.substr(at, slash - at));
        at = slash + 1;
    }
    return parts;
}

std::string absolute(const std::string& path) {
    std::string out;
    for (const std::string& part : components(path)) out += "/" + part;
    return out.empty() ? "/" : out;
}

}  // namespace

struct Hdf5File::Handle {
    hid_t file = -1;
    std::string image;  ///< the bytes of a file opened from memory (HDF5 keeps its own copy)
    ~Handle() {
        if (file >= 0) {
            auto lock = enter();
            H5Fclose(file);
        }
    }
};

Hdf5File::Hdf5File(std::unique_ptr<Handle> handle, std::string name)
    : m_handle(std::move(handle)), m_name(std::move(name)) {}
Hdf5File::Hdf5File(Hdf5File&&) noexcept = default;
Hdf5File& Hdf5File::operator=(Hdf5File&&) noexcept = default;
Hdf5File::~Hdf5File() = default;

void Hdf5File::fail(const std::string& path, const std::string& what) const {
    throw Hdf5Error(m_name + ": " + (path.empty() ? std::string() : printableExcerpt(absolute(path), 120) + ": ") + what);
}

Hdf5File Hdf5File::open(const std::filesystem::path& file) {
    const std::string name = file.string();
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Hdf5Error(name + ": cannot open the file");
    char head[kSignatureSize] = {};
    in.read(head, kSignatureSize);
    if (in.gcount() != static_cast<std::streamsize>(kSignatureSize) || std::memcmp(head, kSignature, kSignatureSize) != 0) {
        throw Hdf5Error(name + ": not an HDF5 file (Keras's .h5 files start with the HDF5 signature)");
    }
    auto handle = std::make_unique<Handle>();
    auto lock = enter();
    handle->file = H5Fopen(name.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (handle->file < 0) throw Hdf5Error(name + ": a damaged HDF5 file (the HDF5 library cannot open it)");
    lock.unlock();
    return Hdf5File(std::move(handle), name);
}

Hdf5File Hdf5File::fromMemory(std::string image, std::string name) {
    if (image.size() < kSignatureSize || std::memcmp(image.data(), kSignature, kSignatureSize) != 0) {
        throw Hdf5Error(name + ": not an HDF5 file");
    }
    auto handle = std::make_unique<Handle>();
    handle->image = std::move(image);
    auto lock = enter();
    const Id access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    if (!access.valid() || H5Pset_fapl_core(access.get(), 1 << 16, 0) < 0 ||
        H5Pset_file_image(access.get(), handle->image.data(), handle->image.size()) < 0) {
        throw Hdf5Error(name + ": the HDF5 library cannot take the file from memory");
    }
    handle->file = H5Fopen(name.c_str(), H5F_ACC_RDONLY, access.get());
    if (handle->file < 0) throw Hdf5Error(name + ": a damaged HDF5 file (the HDF5 library cannot open it)");
    handle->image.clear();
    handle->image.shrink_to_fit();
    lock.unlock();
    return Hdf5File(std::move(handle), std::move(name));
}

bool Hdf5File::exists(const std::string& path) const {
    auto lock = enter();
    std::string at;
    for (const std::string& part : components(path)) {
        if (part == "." || part == "..") return false;
        at += "/" + part;
        if (H5Lexists(m_handle->file, at.c_str(), H5P_DEFAULT) <= 0) return false;
        if (H5Oexists_by_name(m_handle->file, at.c_str(), H5P_DEFAULT) <= 0) return false;
    }
    return true;
}

bool Hdf5File::isGroup(const std::string& path) const {
    if (!exists(path)) return false;
    auto lock = enter();
    const Id object(H5Oopen(m_handle->file, absolute(path).c_str(), H5P_DEFAULT), H5Oclose);
    return object.valid() && H5Iget_type(object.get()) == H5I_GROUP;
}

std::vector<std::string> Hdf5File::members(const std::string& group) const {
    if (!isGroup(group)) fail(group, "no such group");
    auto lock = enter();
    const Id g(H5Gopen2(m_handle->file, absolute(group).c_str(), H5P_DEFAULT), H5Gclose);
    H5G_info_t info;
    if (!g.valid() || H5Gget_info(g.get(), &info) < 0) fail(group, "the group cannot be read");
    if (info.nlinks > kMaxMembers) fail(group, "the group has more than " + groupedNumber(kMaxMembers) + " members");
    std::vector<std::string> names;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t size = H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (size < 0 || static_cast<std::size_t>(size) > kMaxNameBytes) fail(group, "a member's name cannot be read");
        std::string name(static_cast<std::size_t>(size) + 1, '\0');
        if (H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT) < 0) {
            fail(group, "a member's name cannot be read");
        }
        name.resize(static_cast<std::size_t>(size));
        names.push_back(std::move(name));
    }
    return names;
}

namespace {

/// The texts an attribute holds (fixed-length or variable-length strings, one or a list), or
/// an error message in `problem`.
std::vector<std::string> readTexts(hid_t attribute, std::string& problem) {
    const Id type(H5Aget_type(attribute), H5Tclose);
    const Id space(H5Aget_space(attribute), H5Sclose);
    if (!type.valid() || !space.valid()) {
        problem = "the attribute cannot be read";
        return {};
    }
    const hssize_t count = H5Sget_simple_extent_npoints(space.get());
    if (count < 0 || H5Sget_simple_extent_ndims(space.get()) > 1) {
        problem = "the attribute is not a text or a list of texts";
        return {};
    }
    if (count == 0) return {};  // Keras writes an empty list as an empty array of numbers
    if (H5Tget_class(type.get()) != H5T_STRING) {
        problem = "the attribute holds numbers, not text";
        return {};
    }
    const auto n = static_cast<std::uint64_t>(count);
    std::vector<std::string> out;
    if (H5Tis_variable_str(type.get()) > 0) {
        if (n > kMaxTextBytes / sizeof(char*)) {
            problem = "the attribute holds too many texts";
            return {};
        }
        const Id memory(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(memory.get(), H5T_VARIABLE);
        H5Tset_cset(memory.get(), H5Tget_cset(type.get()));
        std::vector<char*> texts(n, nullptr);
        if (H5Aread(attribute, memory.get(), texts.data()) < 0) {
            problem = "the attribute's texts cannot be read";
            return {};
        }
        std::uint64_t total = 0;
        for (char* t : texts) {
            const std::size_t length = t ? strnlen(t, kMaxTextBytes) : 0;
            total += length;
            if (total > kMaxTextBytes) {
                problem = "the attribute holds more than " + groupedNumber(kMaxTextBytes) + " bytes of text";
                break;
            }
            out.emplace_back(t ? t : "", length);
        }
#if H5_VERSION_GE(1, 12, 0)
        H5Treclaim(memory.get(), space.get(), H5P_DEFAULT, texts.data());
#else
        H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, texts.data());
#endif
        if (!problem.empty()) return {};
        return out;
    }
    const std::size_t size = H5Tget_size(type.get());
    if (size == 0 || n > kMaxTextBytes / size) {
        problem = "the attribute holds more than " + groupedNumber(kMaxTextBytes) + " bytes of text";
        return {};
    }
    std::string buffer(static_cast<std::size_t>(n) * size, '\0');
    if (H5Aread(attribute, type.get(), buffer.data()) < 0) {
        problem = "the attribute's texts cannot be read";
        return {};
    }
    for (std::uint64_t i = 0; i < n; ++i) {
        const char* at = buffer.data() + i * size;
        out.emplace_back(at, strnlen(at, size));
    }
    return out;
}

}  // namespace

std::optional<std::vector<std::string>> Hdf5File::texts(const std::string& path, const std::string& attribute) const {
    if (!path.empty() && path != "/" && !exists(path)) fail(path, "no such object");
    auto lock = enter();
    const Id object(H5Oopen(m_handle->file, absolute(path).c_str(), H5P_DEFAULT), H5Oclose);
    if (!object.valid()) fail(path, "the object cannot be opened");
    const auto read = [&](const std::string& name) {
        const Id a(H5Aopen(object.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
        std::string problem;
        std::vector<std::string> out = a.valid() ? readTexts(a.get(), problem) : std::vector<std::string>{};
        if (!a.valid()) problem = "the attribute cannot be opened";
        if (!problem.empty()) fail(path, "attribute '" + printableExcerpt(name) + "': " + problem);
        return out;
    };
    if (H5Aexists(object.get(), attribute.c_str()) > 0) return read(attribute);
    // Keras's save_attributes_to_hdf5_group splits a long list into name0, name1, ...
    std::vector<std::string> joined;
    std::uint64_t total = 0;
    for (int chunk = 0;; ++chunk) {
        const std::string name = attribute + std::to_string(chunk);
        if (H5Aexists(object.get(), name.c_str()) <= 0) {
            if (chunk == 0) return std::nullopt;
            return joined;
        }
        for (std::string& t : read(name)) {
            total += t.size();
            if (total > kMaxTextBytes) fail(path, "attribute '" + printableExcerpt(attribute) + "' holds too much text");
            joined.push_back(std::move(t));
        }
    }
}

std::optional<std::string> Hdf5File::text(const std::string& path, const std::string& attribute) const {
    std::optional<std::vector<std::string>> all = texts(path, attribute);
    if (!all) return std::nullopt;
    if (all->size() != 1) fail(path, "attribute '" + printableExcerpt(attribute) + "' is not one text");
    return std::move(all->front());
}

Hdf5File::Floats Hdf5File::floats(const std::string& path, std::uint64_t maxValues) const {
    if (!exists(path) || isGroup(path)) fail(path, "no such dataset");
    auto lock = enter();
    const Id data(H5Dopen2(m_handle->file, absolute(path).c_str(), H5P_DEFAULT), H5Dclose);
    if (!data.valid()) fail(path, "the dataset cannot be opened");
    const Id type(H5Dget_type(data.get()), H5Tclose);
    const Id space(H5Dget_space(data.get()), H5Sclose);
    if (!type.valid() || !space.valid()) fail(path, "the dataset cannot be read");
    if (H5Tget_class(type.get()) != H5T_FLOAT) {
        fail(path, "the dataset does not hold floating-point numbers (LayerLoom reads float16, float32 "
                   "and float64 weights; bfloat16 ones are stored as integers)");
    }
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0 || rank > 4) fail(path, "the dataset has more than four dimensions");
    hsize_t dims[4] = {};
    if (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims, nullptr) != rank) fail(path, "the dataset's shape cannot be read");
    Floats out;
    std::uint64_t count = 1;
    for (int i = 0; i < rank; ++i) {
        if (dims[i] == 0) fail(path, "the dataset is empty (a size of 0)");
        if (dims[i] > maxValues / count) fail(path, "the dataset holds more than " + groupedNumber(maxValues) + " values");
        count *= dims[i];
        out.shape.push_back(static_cast<std::int64_t>(dims[i]));
    }
    out.values.resize(static_cast<std::size_t>(count));
    if (H5Dread(data.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.values.data()) < 0) {
        fail(path, "the dataset's values cannot be read (damaged, or compressed by a filter this HDF5 library lacks)");
    }
    return out;
}

}  // namespace loom

namespace loom {

namespace {

/// Keras's HDF5_OBJECT_HEADER_LIMIT: a list attribute larger than this is split in chunks.
constexpr std::size_t kHeaderLimit = 64512;

bool linkExists(hid_t file, const std::string& path) {
    std::string at;
    for (const std::string& part : components(path)) {
        at += "/" + part;
        if (H5Lexists(file, at.c_str(), H5P_DEFAULT) <= 0) return false;
    }
    return true;
}

}  // namespace

struct Hdf5Writer::Handle {
    hid_t file = -1;
    std::filesystem::path writing;  ///< the file being written, renamed to `target` by close()
    std::filesystem::path target;
    ~Handle() {
        if (file >= 0) {
            auto lock = enter();
            H5Fclose(file);
        }
        if (!writing.empty()) {
            std::error_code ignored;
            std::filesystem::remove(writing, ignored);
        }
    }
};

Hdf5Writer::Hdf5Writer(std::unique_ptr<Handle> handle, std::string name) : m_handle(std::move(handle)), m_name(std::move(name)) {}
Hdf5Writer::Hdf5Writer(Hdf5Writer&&) noexcept = default;
Hdf5Writer& Hdf5Writer::operator=(Hdf5Writer&&) noexcept = default;
Hdf5Writer::~Hdf5Writer() = default;

void Hdf5Writer::fail(const std::string& path, const std::string& what) const {
    throw Hdf5Error(m_name + ": " + (path.empty() ? std::string() : absolute(path) + ": ") + what);
}

Hdf5Writer Hdf5Writer::create(const std::filesystem::path& given) {
    auto handle = std::make_unique<Handle>();
    const std::filesystem::path file = writeTarget(given);
    handle->target = file;
    // Written beside the target and renamed over it once whole.
    std::string hidden = ".";
    hidden += file.filename().string();
    hidden += ".writing";
    handle->writing = file.parent_path() / hidden;
    auto lock = enter();
    handle->file = H5Fcreate(handle->writing.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (handle->file < 0) {
        handle->writing.clear();
        throw Hdf5Error(file.string() + ": cannot write the file");
    }
    lock.unlock();
    return Hdf5Writer(std::move(handle), file.string());
}

Hdf5Writer Hdf5Writer::inMemory(std::string name) {
    auto handle = std::make_unique<Handle>();
    auto lock = enter();
    const Id access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    if (!access.valid() || H5Pset_fapl_core(access.get(), 1 << 16, 0) < 0) throw Hdf5Error(name + ": cannot make the file in memory");
    handle->file = H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get());
    if (handle->file < 0) throw Hdf5Error(name + ": cannot make the file in memory");
    lock.unlock();
    return Hdf5Writer(std::move(handle), std::move(name));
}

void Hdf5Writer::group(const std::string& path) {
    auto lock = enter();
    if (linkExists(m_handle->file, path)) return;
    const Id links(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    H5Pset_create_intermediate_group(links.get(), 1);
    const Id g(H5Gcreate2(m_handle->file, absolute(path).c_str(), links.get(), H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    if (!g.valid()) fail(path, "cannot make the group");
}

void Hdf5Writer::text(const std::string& path, const std::string& attribute, const std::string& value) {
    if (!path.empty() && path != "/") group(path);
    auto lock = enter();
    const Id object(H5Oopen(m_handle->file, absolute(path).c_str(), H5P_DEFAULT), H5Oclose);
    if (!object.valid()) fail(path, "cannot open the object");
    if (H5Aexists(object.get(), attribute.c_str()) > 0) H5Adelete(object.get(), attribute.c_str());
    const Id type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
    const Id space(H5Screate(H5S_SCALAR), H5Sclose);
    const Id a(H5Acreate2(object.get(), attribute.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const char* data = value.c_str();
    if (!a.valid() || H5Awrite(a.get(), type.get(), &data) < 0) fail(path, "cannot write attribute '" + attribute + "'");
}

void Hdf5Writer::names(const std::string& path, const std::string& attribute, const std::vector<std::string>& values) {
    if (!path.empty() && path != "/") group(path);
    auto lock = enter();
    const Id object(H5Oopen(m_handle->file, absolute(path).c_str(), H5P_DEFAULT), H5Oclose);
    if (!object.valid()) fail(path, "cannot open the object");
    const auto write = [&](const std::string& name, std::size_t from, std::size_t to, std::size_t width) {
        if (H5Aexists(object.get(), name.c_str()) > 0) H5Adelete(object.get(), name.c_str());
        const hsize_t count = to - from;
        const Id space(H5Screate_simple(1, &count, nullptr), H5Sclose);
        if (count == 0) {
            // Keras writes an empty list as NumPy's empty float64 array.
            const Id a(H5Acreate2(object.get(), name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
            if (!a.valid()) fail(path, "cannot write attribute '" + name + "'");
            return;
        }
        const Id type(H5Tcopy(H5T_C_S1), H5Tclose);
        H5Tset_size(type.get(), width);
        H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
        std::string buffer(count * width, '\0');
        for (std::size_t i = from; i < to; ++i) values[i].copy(buffer.data() + (i - from) * width, values[i].size());
        const Id a(H5Acreate2(object.get(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
        if (!a.valid() || H5Awrite(a.get(), type.get(), buffer.data()) < 0) fail(path, "cannot write attribute '" + name + "'");
    };
    std::size_t width = 1;
    for (const std::string& v : values) width = std::max(width, v.size());
    if (values.size() * width <= kHeaderLimit) {
        write(attribute, 0, values.size(), width);
        return;
    }
    // As Keras's save_attributes_to_hdf5_group: NumPy's array_split into as few nearly equal
    // chunks as keep each under the header limit, named attribute0, attribute1, ...
    std::size_t chunks = 1;
    while ((values.size() + chunks - 1) / chunks * width > kHeaderLimit) ++chunks;
    std::size_t from = 0;
    for (std::size_t c = 0; c < chunks; ++c) {
        const std::size_t size = values.size() / chunks + (c < values.size() % chunks ? 1 : 0);
        write(attribute + std::to_string(c), from, from + size, width);
        from += size;
    }
}

void Hdf5Writer::floats(const std::string& path, const std::vector<std::int64_t>& shape, const std::vector<float>& values) {
    std::vector<hsize_t> dims;
    std::uint64_t count = 1;
    for (std::int64_t d : shape) {
        if (d < 1) fail(path, "a weight of an empty shape");
        dims.push_back(static_cast<hsize_t>(d));
        count *= static_cast<std::uint64_t>(d);
    }
    if (count != values.size()) fail(path, "the weight's values do not fill its shape");
    auto lock = enter();
    const Id links(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    H5Pset_create_intermediate_group(links.get(), 1);
    const Id space(dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
    const Id data(H5Dcreate2(m_handle->file, absolute(path).c_str(), H5T_IEEE_F32LE, space.get(), links.get(), H5P_DEFAULT, H5P_DEFAULT),
                  H5Dclose);
    if (!data.valid() || H5Dwrite(data.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) {
        fail(path, "cannot write the dataset");
    }
}

std::string Hdf5Writer::image() {
    auto lock = enter();
    if (H5Fflush(m_handle->file, H5F_SCOPE_GLOBAL) < 0) fail("", "cannot finish the file");
    const ssize_t size = H5Fget_file_image(m_handle->file, nullptr, 0);
    if (size < 0) fail("", "cannot take the file's bytes");
    std::string bytes(static_cast<std::size_t>(size), '\0');
    if (H5Fget_file_image(m_handle->file, bytes.data(), bytes.size()) != size) fail("", "cannot take the file's bytes");
    return bytes;
}

void Hdf5Writer::close() {
    {
        auto lock = enter();
        const herr_t closed = H5Fclose(m_handle->file);
        m_handle->file = -1;
        if (closed < 0) fail("", "cannot write the file");
    }
    if (!m_handle->writing.empty()) {
        std::error_code ec;
        std::filesystem::rename(m_handle->writing, m_handle->target, ec);
        if (ec) fail("", "cannot put the file in place: " + ec.message());
        m_handle->writing.clear();
    }
}

}  // namespace loom
