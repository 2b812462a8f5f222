#include "interop/zip_archive.h"

#include <zip.h>

#include <deque>

#include "graph/project_file.h"
#include "io/atomic_file.h"
#include "io/message_text.h"

namespace loom {

namespace {

std::string libzipMessage(int code) {
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    return text;
}

/// The most entries an archive may list: a Keras archive holds three or four.
constexpr zip_int64_t kMaxEntries = 100'000;

}  // namespace

struct ZipReader::Handle {
    zip_t* archive = nullptr;
    ~Handle() {
        if (archive) zip_discard(archive);
    }
};

ZipReader::ZipReader(std::unique_ptr<Handle> handle, std::string name) : m_handle(std::move(handle)), m_name(std::move(name)) {}
ZipReader::ZipReader(ZipReader&&) noexcept = default;
ZipReader& ZipReader::operator=(ZipReader&&) noexcept = default;
ZipReader::~ZipReader() = default;

ZipReader ZipReader::open(const std::filesystem::path& file) {
    const std::string name = file.string();
    int code = 0;
    auto handle = std::make_unique<Handle>();
    handle->archive = zip_open(name.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (!handle->archive) {
        if (code == ZIP_ER_NOZIP || code == ZIP_ER_INCONS) {
            throw ZipError(name + ": not a whole zip archive (" + libzipMessage(code) + "); a .keras file is one");
        }
        throw ZipError(name + ": cannot open the file: " + libzipMessage(code));
    }
    const zip_int64_t count = zip_get_num_entries(handle->archive, 0);
    if (count < 0 || count > kMaxEntries) {
        throw ZipError(name + ": the archive lists " + (count < 0 ? std::string("an unreadable number of") : groupedNumber(count)) + " entries");
    }
    return ZipReader(std::move(handle), name);
}

std::vector<std::string> ZipReader::names() const {
    std::vector<std::string> out;
    const zip_int64_t count = zip_get_num_entries(m_handle->archive, 0);
    for (zip_int64_t i = 0; i < count; ++i) {
        const char* entry = zip_get_name(m_handle->archive, static_cast<zip_uint64_t>(i), 0);
        if (entry) out.emplace_back(entry);
    }
    return out;
}

bool ZipReader::has(const std::string& entry) const { return zip_name_locate(m_handle->archive, entry.c_str(), 0) >= 0; }

std::string ZipReader::read(const std::string& entry, std::uint64_t maxBytes) const {
    const std::string where = m_name + ": " + printableExcerpt(entry, 80);
    const zip_int64_t index = zip_name_locate(m_handle->archive, entry.c_str(), 0);
    if (index < 0) throw ZipError(where + ": the archive has no such entry");
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(m_handle->archive, static_cast<zip_uint64_t>(index), 0, &stat) < 0 || !(stat.valid & ZIP_STAT_SIZE)) {
        throw ZipError(where + ": the entry's size cannot be read");
    }
    if (stat.size > maxBytes) {
        throw ZipError(where + ": the entry holds " + groupedNumber(stat.size) + " bytes, more than the " +
                       groupedNumber(maxBytes) + " LayerLoom reads");
    }
    zip_file_t* file = zip_fopen_index(m_handle->archive, static_cast<zip_uint64_t>(index), 0);
    if (!file) throw ZipError(where + ": the entry cannot be opened: " + zip_strerror(m_handle->archive));
    std::string bytes(static_cast<std::size_t>(stat.size), '\0');
    std::uint64_t done = 0;
    std::string problem;
    while (problem.empty()) {
        char spare = 0;
        char* into = done < bytes.size() ? bytes.data() + done : &spare;
        const zip_uint64_t want = done < bytes.size() ? bytes.size() - done : 1;
        const zip_int64_t got = zip_fread(file, into, want);
        if (got < 0) {
            problem = std::string("the entry is damaged: ") + zip_file_strerror(file);
        } else if (got == 0) {
            if (done < bytes.size()) problem = "the entry ends early";
            break;
        } else if (done >= bytes.size()) {
            problem = "the entry holds more bytes than the archive says";
        } else {
            done += static_cast<std::uint64_t>(got);
        }
    }
    zip_fclose(file);
    if (!problem.empty()) throw ZipError(where + ": " + problem);
    return bytes;
}

struct ZipWriter::Handle {
    zip_t* archive = nullptr;
    std::deque<std::string> contents;  ///< libzip reads the bytes when the archive closes
    ~Handle() {
        if (archive) zip_discard(archive);
    }
};

ZipWriter::ZipWriter(std::unique_ptr<Handle> handle, std::string name) : m_handle(std::move(handle)), m_name(std::move(name)) {}
ZipWriter::ZipWriter(ZipWriter&&) noexcept = default;
ZipWriter& ZipWriter::operator=(ZipWriter&&) noexcept = default;
ZipWriter::~ZipWriter() = default;

ZipWriter ZipWriter::create(const std::filesystem::path& given) {
    const std::string name = writeTarget(given).string();
    int code = 0;
    auto handle = std::make_unique<Handle>();
    // libzip writes into a file beside `file` and renames it into place when it closes.
    handle->archive = zip_open(name.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
    if (!handle->archive) throw ZipError(name + ": cannot write the file: " + libzipMessage(code));
    return ZipWriter(std::move(handle), name);
}

void ZipWriter::add(const std::string& entry, std::string bytes) {
    if (!m_handle || !m_handle->archive) throw ZipError(m_name + ": the archive is already finished");
    const std::string& kept = m_handle->contents.emplace_back(std::move(bytes));
    zip_source_t* source = zip_source_buffer(m_handle->archive, kept.data(), kept.size(), 0);
    if (!source) throw ZipError(m_name + ": " + entry + ": " + zip_strerror(m_handle->archive));
    const zip_int64_t index = zip_file_add(m_handle->archive, entry.c_str(), source, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
    if (index < 0) {
        zip_source_free(source);
        throw ZipError(m_name + ": " + entry + ": " + zip_strerror(m_handle->archive));
    }
    // Stored, not compressed, as Python's zipfile writes Keras's archives.
    zip_set_file_compression(m_handle->archive, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
}

void ZipWriter::finish() {
    if (!m_handle || !m_handle->archive) throw ZipError(m_name + ": the archive is already finished");
    if (zip_close(m_handle->archive) < 0) {
        const std::string why = zip_strerror(m_handle->archive);
        throw ZipError(m_name + ": cannot write the file: " + why);
    }
    m_handle->archive = nullptr;
}

}  // namespace loom
