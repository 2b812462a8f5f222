#include "data/npy.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "data/csv_reader.h"
#include "interop/zip_archive.h"
#include "io/atomic_file.h"
#include "io/message_text.h"

namespace loom {

namespace {

std::string readAll(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw DataError(file.string() + ": cannot open the file");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

/// The little-endian value at byte `at`; a file too short to hold it is cut short.
template <class T>
T little(const std::string& b, std::size_t at, const std::string& source) {
    if (at > b.size() || b.size() - at < sizeof(T)) throw DataError(source + ": the file is cut short");
    T v{};
    std::memcpy(&v, b.data() + at, sizeof(T));
    return v;
}

/// The value of `key` in the header dict, e.g. 'descr': '<f4' -> <f4.
std::string headerValue(const std::string& header, const std::string& key) {
    const auto k = header.find("'" + key + "'");
    if (k == std::string::npos) return {};
    auto v = header.find(':', k);
    if (v == std::string::npos) return {};
    ++v;
    while (v < header.size() && header[v] == ' ') ++v;
    if (header[v] == '(') return header.substr(v, header.find(')', v) - v + 1);
    const auto end = header.find_first_of(",}", v);
    std::string s = header.substr(v, end - v);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\'')) s.pop_back();
    while (!s.empty() && s.front() == '\'') s.erase(s.begin());
    return s;
}

}  // namespace

NpyArray parseNpy(const std::string& b, const std::string& source) {
    if (b.size() < 10 || b.compare(0, 6, "\x93NUMPY") != 0) {
        throw DataError(source + ": not a NumPy .npy file");
    }
    const int major = static_cast<unsigned char>(b[6]);
    std::size_t headerLen = 0, start = 0;
    if (major == 1) {
        headerLen = little<std::uint16_t>(b, 8, source);
        start = 10;
    } else if ((major == 2 || major == 3) && b.size() >= 12) {
        headerLen = little<std::uint32_t>(b, 8, source);
        start = 12;
    } else {
        throw DataError(source + ": .npy format version " + std::to_string(major) + " is not supported");
    }
    if (headerLen > b.size() - start) throw DataError(source + ": the .npy header is cut short");
    const std::string header = b.substr(start, headerLen);
    const std::string descr = headerValue(header, "descr");
    if (headerValue(header, "fortran_order") == "True") {
        throw DataError(source + ": the array is in Fortran order; save it with np.ascontiguousarray");
    }
    NpyArray a;
    const std::string shape = headerValue(header, "shape");
    if (shape.empty() || shape.front() != '(') {
        throw DataError(source + ": the .npy header does not give the array's shape");
    }
    // The sizes, each and their product checked before anything is allocated.
    const std::size_t data = start + headerLen;
    const std::uint64_t available = b.size() - data;
    std::uint64_t count = 1;
    {
        std::string digits;
        for (char c : shape) {
            if (std::isdigit(static_cast<unsigned char>(c))) {
                digits += c;
                if (digits.size() > 15) throw DataError(source + ": the shape " + printableExcerpt(shape) + " is too large");
            } else if (!digits.empty()) {
                const auto size = static_cast<std::uint64_t>(std::stoll(digits));
                if (size != 0 && count > available / size) {
                    throw DataError(source + ": the shape " + printableExcerpt(shape) + " needs more values than the file's " +
                                    groupedNumber(available) + " bytes hold");
                }
                a.shape.push_back(static_cast<std::int64_t>(size));
                count *= size;
                digits.clear();
            }
        }
    }
    if (count == 0) throw DataError(source + ": the array " + printableExcerpt(shape) + " holds no values");
    auto need = [&](std::uint64_t width) {
        if (count > available / width) {
            throw DataError(source + ": the file holds fewer values than its shape " +
                            printableExcerpt(shape) + " says");
        }
    };
    const bool known = descr == "<f4" || descr == "=f4" || descr == "|f4" || descr == "<f8" ||
                       descr == "=f8" || descr == "<i4" || descr == "=i4" || descr == "<i8" ||
                       descr == "=i8";
    if (known) need(descr.back() == '8' ? 8 : 4);
    if (known) a.values.resize(static_cast<std::size_t>(count));
    if (descr == "<f4" || descr == "=f4" || descr == "|f4") {
        std::memcpy(a.values.data(), b.data() + data, static_cast<std::size_t>(count) * 4);
    } else if (descr == "<f8" || descr == "=f8") {
        for (std::uint64_t i = 0; i < count; ++i) {
            a.values[static_cast<std::size_t>(i)] = static_cast<float>(little<double>(b, data + static_cast<std::size_t>(i) * 8, source));
        }
    } else if (descr == "<i4" || descr == "=i4") {
        for (std::uint64_t i = 0; i < count; ++i) {
            a.values[static_cast<std::size_t>(i)] = static_cast<float>(little<std::int32_t>(b, data + static_cast<std::size_t>(i) * 4, source));
        }
    } else if (descr == "<i8" || descr == "=i8") {
        for (std::uint64_t i = 0; i < count; ++i) {
            a.values[static_cast<std::size_t>(i)] = static_cast<float>(little<std::int64_t>(b, data + static_cast<std::size_t>(i) * 8, source));
        }
    } else {
        throw DataError(source + ": the array's type is '" + descr +
                        "'; LayerLoom reads float32, float64, int32 and int64");
    }
    return a;
}

NpyArray readNpy(const std::filesystem::path& file) { return parseNpy(readAll(file), file.string()); }

namespace {

/// A NumPy format 1.0 file of `bytes` values of type `descr` in C order.
/// The bytes of a `.npy` file of `bytes` bytes of `descr` values shaped `dims`.
std::string npyBytes(const char* descr, const std::vector<std::int64_t>& dims, const void* data, std::size_t bytes) {
    std::string shape = "(";
    for (std::size_t i = 0; i < dims.size(); ++i) {
        shape += std::to_string(dims[i]) + (dims.size() == 1 || i + 1 < dims.size() ? "," : "");
        if (i + 1 < dims.size()) shape += " ";
    }
    shape += ")";
    std::string header = "{'descr': '";
    header += descr;
    header += "', 'fortran_order': False, 'shape': " + shape + ", }";
    // Pad so that the data starts on a 64-byte boundary, ending the header with a newline.
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string out = "\x93NUMPY";
    out += '\x01';
    out += '\x00';
    const auto len = static_cast<std::uint16_t>(header.size());
    out += static_cast<char>(len & 0xFF);
    out += static_cast<char>(len >> 8);
    out += header;
    out.append(static_cast<const char*>(data), bytes);
    return out;
}

void writeNpyBytes(const std::filesystem::path& file, const char* descr,
                   const std::vector<std::int64_t>& dims, const void* data, std::size_t bytes) {
    writeFileAtomically(file, npyBytes(descr, dims, data, bytes));
}

}  // namespace

void writeNpy(const std::filesystem::path& file, const NpyArray& a) {
    writeNpyBytes(file, "<f4", a.shape, a.values.data(), a.values.size() * sizeof(float));
}

void writeNpyInt64(const std::filesystem::path& file, const std::vector<std::int64_t>& values,
                   std::vector<std::int64_t> shape) {
    if (shape.empty()) shape = {static_cast<std::int64_t>(values.size())};
    writeNpyBytes(file, "<i8", shape, values.data(), values.size() * sizeof(std::int64_t));
}

void writeNpz(const std::filesystem::path& file, const std::map<std::string, NpyArray>& arrays) {
    ZipWriter zip = ZipWriter::create(file);
    for (const auto& [name, a] : arrays) {
        zip.add(name + ".npy", npyBytes("<f4", a.shape, a.values.data(), a.values.size() * sizeof(float)));
    }
    zip.finish();
}

std::map<std::string, NpyArray> readNpz(const std::filesystem::path& file) {
    const std::string b = readAll(file);
    const std::string source = file.string();
    // The end-of-central-directory record, searched from the end (a comment may follow it).
    std::size_t eocd = std::string::npos;
    for (std::size_t i = b.size() >= 22 ? b.size() - 22 : 0; b.size() >= 22; --i) {
        if (little<std::uint32_t>(b, i, source) == 0x06054b50) {
            eocd = i;
            break;
        }
        if (i == 0) break;
    }
    if (b.size() < 22 || eocd == std::string::npos) throw DataError(source + ": not a .npz (zip) archive");
    const std::uint16_t entries = little<std::uint16_t>(b, eocd + 10, source);
    std::size_t at = little<std::uint32_t>(b, eocd + 16, source);
    std::map<std::string, NpyArray> arrays;
    for (std::uint16_t e = 0; e < entries; ++e) {
        if (at > b.size() || b.size() - at < 46 || little<std::uint32_t>(b, at, source) != 0x02014b50) {
            throw DataError(source + ": the archive's directory is damaged");
        }
        const std::uint16_t method = little<std::uint16_t>(b, at + 10, source);
        std::uint64_t size = little<std::uint32_t>(b, at + 20, source);
        const std::uint16_t nameLen = little<std::uint16_t>(b, at + 28, source);
        const std::uint16_t extraLen = little<std::uint16_t>(b, at + 30, source);
        const std::uint16_t commentLen = little<std::uint16_t>(b, at + 32, source);
        std::uint64_t offset = little<std::uint32_t>(b, at + 42, source);
        if (b.size() - at - 46 < std::size_t{nameLen} + extraLen + commentLen) {
            throw DataError(source + ": the archive's directory is damaged");
        }
        std::string name = b.substr(at + 46, nameLen);
        // Zip64 sizes and offsets live in the extra field (numpy writes them for every entry).
        for (std::size_t x = at + 46 + nameLen; x + 4 <= at + 46 + nameLen + extraLen;) {
            const std::uint16_t id = little<std::uint16_t>(b, x, source), len = little<std::uint16_t>(b, x + 2, source);
            if (id == 0x0001) {
                std::size_t p = x + 4;
                if (little<std::uint32_t>(b, at + 24, source) == 0xFFFFFFFF) p += 8;  // uncompressed size
                if (size == 0xFFFFFFFF) {
                    size = little<std::uint64_t>(b, p, source);
                    p += 8;
                }
                if (offset == 0xFFFFFFFF) offset = little<std::uint64_t>(b, p, source);
            }
            x += 4 + len;
        }
        if (method != 0) {
            throw DataError(source + ": '" + printableExcerpt(name) + "' is compressed (np.savez_compressed); save "
                            "the arrays with np.savez instead");
        }
        if (offset > b.size() || b.size() - offset < 30) throw DataError(source + ": the archive is cut short");
        const std::size_t data = offset + 30 + little<std::uint16_t>(b, offset + 26, source) +
                                 little<std::uint16_t>(b, offset + 28, source);
        if (data > b.size() || size > b.size() - data) throw DataError(source + ": the archive is cut short");
        if (name.size() > 4 && name.ends_with(".npy")) name.resize(name.size() - 4);
        arrays[name] = parseNpy(b.substr(data, size), source + ":" + name);
        at += 46 + nameLen + extraLen + commentLen;
    }
    return arrays;
}

}  // namespace loom
