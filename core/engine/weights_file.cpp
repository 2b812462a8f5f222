#include "engine/weights_file.h"

#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "io/atomic_file.h"
#include "io/json_fields.h"
#include "io/json_input.h"
#include "io/message_text.h"

namespace loom {

namespace {
constexpr char kMagic[] = "LLWEIGHT";
}

void saveWeights(const std::filesystem::path& file, const std::vector<NamedTensor>& weights) {
    nlohmann::json tensors = nlohmann::json::array();
    std::size_t offset = 0;
    for (const NamedTensor& t : weights) {
        tensors.push_back({{"name", t.name}, {"shape", t.shape}, {"offset", offset}});
        offset += t.values.size() * sizeof(float);
    }
    const std::string header =
        nlohmann::json{{"format", "layerloom-weights"}, {"version", kWeightsVersion}, {"tensors", tensors}}
            .dump();
    std::string bytes(kMagic, 8);
    const auto len = static_cast<std::uint32_t>(header.size());
    bytes.append(reinterpret_cast<const char*>(&len), 4);
    bytes += header;
    for (const NamedTensor& t : weights) {
        bytes.append(reinterpret_cast<const char*>(t.values.data()), t.values.size() * sizeof(float));
    }
    writeFileAtomically(file, bytes);
}

std::vector<NamedTensor> loadWeights(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(file.string() + ": cannot open the weights file");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const std::string b = buffer.str();
    const std::string where = file.string() + ": ";
    if (b.size() < 12 || b.compare(0, 8, kMagic) != 0) {
        throw std::runtime_error(where + "not a LayerLoom weights file");
    }
    std::uint32_t len = 0;
    std::memcpy(&len, b.data() + 8, 4);
    if (12 + static_cast<std::size_t>(len) > b.size()) throw std::runtime_error(where + "the file is cut short");
    nlohmann::json document;
    try {
        document = parseJsonInput(b.substr(12, len));
    } catch (const JsonInputError& e) {
        throw std::runtime_error(where + "the header is damaged: " + e.what());
    }
    const std::size_t data = 12 + len;
    std::vector<NamedTensor> out;
    try {
        // Every value of the header is checked for its type: the file comes from outside.
        const JsonField header(document, "header");
        header.object();
        const auto version = header.integerOr("version", 0);
        if (version > kWeightsVersion) {
            throw std::runtime_error(where + "written by a newer LayerLoom (weights format version " +
                                     std::to_string(version) + "); this version reads up to " +
                                     std::to_string(kWeightsVersion));
        }
        const JsonField tensors = header["tensors"];
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            const JsonField t = tensors.at(i);
            NamedTensor n{t["name"].text(), {}, {}};
            const JsonField shape = t["shape"];
            for (std::size_t d = 0; d < shape.size(); ++d) n.shape.push_back(shape.at(d).integer());
            const auto offset = static_cast<std::size_t>(t["offset"].integer(0, std::numeric_limits<std::int64_t>::max()));
            const std::optional<std::uint64_t> values = valueCount(n.shape);
            if (!values) {
                throw std::runtime_error(where + printableExcerpt(n.name) + " has the shape " +
                                         tensorShapeText(n.shape) + ", which no weight has");
            }
            const auto count = static_cast<std::size_t>(*values);
            if (offset > b.size() - data || count * sizeof(float) > b.size() - data - offset) {
                throw std::runtime_error(where + "the file is cut short in " + printableExcerpt(n.name));
            }
            n.values.resize(count);
            std::memcpy(n.values.data(), b.data() + data + offset, count * sizeof(float));
            out.push_back(std::move(n));
        }
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        if (what.starts_with(where)) throw;
        throw std::runtime_error(where + "the " + what);  // "the header/tensors/0/name: expected text ..."
    }
    return out;
}

}  // namespace loom
