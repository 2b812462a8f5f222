#include "interop/keras_model.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "interop/keras_topology.h"
#include "io/json_input.h"
#include "io/message_text.h"

namespace loom {

using nlohmann::json;

namespace {

json readJson(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw KerasImportError(file.string() + ": cannot open the file");
    std::ostringstream text;
    text << in.rdbuf();
    return parseKerasJson(text.str(), file.string());
}

class Importer {
public:
    Importer(std::filesystem::path file, json doc) : m_file(std::move(file)), m_doc(std::move(doc)) {}

    KerasImport run() {
        const bool fromTfjs = m_doc.value("generatedBy", std::string()).find("TensorFlow.js") != std::string::npos;
        const json& topology = m_doc.contains("modelTopology") ? m_doc["modelTopology"] : m_doc;
        KerasImport result;
        KerasTopology read = readKerasTopology(topology, fromTfjs ? KerasProducer::TfJs : KerasProducer::Keras2, m_file.string());
        result.project = std::move(read.project);
        result.notes = std::move(read.notes);
        result.weights = weights(result.project.graph);
        return result;
    }

private:
    std::filesystem::path m_file;
    json m_doc;

    [[noreturn]] void fail(const std::string& what) const {
        throw KerasImportError(m_file.string() + ": " + what);
    }

    /// The number of values of a weight's shape: whole numbers from 1, their product within
    /// kMaxKerasWeightBytes.
    std::uint64_t elementCount(const json& shape, const std::string& name) const {
        const std::string what = "weight '" + printableExcerpt(name) + "'";
        if (!shape.is_array() || shape.empty()) {
            fail(what + ": its shape is " + jsonExcerpt(shape) + ", not a list of sizes");
        }
        std::uint64_t count = 1;
        for (const json& d : shape) {
            if (!d.is_number_integer() || d.get<std::int64_t>() < 1) {
                fail(what + ": its shape " + jsonExcerpt(shape) + " holds " + jsonExcerpt(d) +
                     ", not a size of 1 or more");
            }
            const auto size = static_cast<std::uint64_t>(d.get<std::int64_t>());
            if (size > kMaxKerasWeightBytes / 4 / count) {
                fail(what + ": its shape " + jsonExcerpt(shape) + " holds more than " +
                     groupedNumber(kMaxKerasWeightBytes / 4) + " values");
            }
            count *= size;
        }
        return count;
    }

    /// A weights file the manifest names: only a regular file inside the model's folder, never
    /// a path out of it (.., absolute, a link leading elsewhere), a device or a FIFO.
    std::filesystem::path weightsFile(const json& path) const {
        namespace fs = std::filesystem;
        if (!path.is_string()) fail("weightsManifest: a path is " + jsonExcerpt(path) + ", not a file name");
        const std::string text = path.get<std::string>();
        const fs::path relative(text);
        const bool climbs = std::any_of(relative.begin(), relative.end(),
                                        [](const fs::path& part) { return part == ".."; });
        if (text.empty() || relative.is_absolute() || relative.has_root_name() || climbs) {
            fail("weightsManifest names '" + printableExcerpt(text) +
                 "': weights files must be inside the model's folder");
        }
        const fs::path folder = m_file.parent_path().empty() ? fs::path(".") : m_file.parent_path();
        const fs::path file = folder / relative;
        std::error_code ec;
        const fs::path real = fs::weakly_canonical(file, ec);
        const fs::path realFolder = fs::weakly_canonical(folder, ec);
        const auto [end, at] = std::mismatch(realFolder.begin(), realFolder.end(), real.begin(), real.end());
        if (ec || end != realFolder.end()) {
            fail("weightsManifest names '" + printableExcerpt(text) +
                 "', which leads outside the model's folder");
        }
        const fs::file_status status = fs::status(file, ec);
        if (ec || !fs::exists(status)) fail("the weights file " + file.string() + " is missing");
        if (!fs::is_regular_file(status)) {
            fail("the weights file " + file.string() + " is not a regular file");
        }
        return file;
    }

    std::vector<NamedTensor> weights(const ModelGraph& g) const {
        namespace fs = std::filesystem;
        std::vector<NamedTensor> out;
        if (!m_doc.contains("weightsManifest")) return out;
        const json& manifest = m_doc["weightsManifest"];
        if (!manifest.is_array()) fail("weightsManifest is " + jsonExcerpt(manifest) + ", not a list");
        // What the manifest says the files hold, counted (without overflow) before any is read.
        std::uint64_t needed = 0;
        for (const json& group : manifest) {
            if (!group.is_object()) fail("weightsManifest holds " + jsonExcerpt(group) + ", not a group");
            for (const json& w : group.value("weights", json::array())) {
                const std::string name = w.is_object() ? w.value("name", std::string()) : "";
                const std::uint64_t count = elementCount(w.is_object() ? w.value("shape", json()) : json(), name);
                if (count > (kMaxKerasWeightBytes - needed) / 4) {
                    fail("the weights add up to more than " + groupedNumber(kMaxKerasWeightBytes) +
                         " bytes at '" + printableExcerpt(name) + "'");
                }
                needed += count * 4;
            }
        }
        std::string blob;
        for (const json& group : manifest) {
            for (const json& path : group.value("paths", json::array())) {
                const auto file = weightsFile(path);
                std::error_code ec;
                const std::uint64_t size = fs::file_size(file, ec);
                if (ec) fail("cannot read the weights file " + file.string());
                if (blob.size() + size > needed) {
                    fail("the weights files hold more bytes than the manifest's " +
                         groupedNumber(needed) + " (" + file.string() + ")");
                }
                std::ifstream in(file, std::ios::binary);
                if (!in) fail("cannot open the weights file " + file.string());
                const std::size_t at = blob.size();
                blob.resize(at + size);
                if (!in.read(blob.data() + at, static_cast<std::streamsize>(size))) {
                    fail("cannot read the weights file " + file.string());
                }
            }
        }
        std::size_t offset = 0;
        for (const json& group : manifest) {
            for (const json& w : group.value("weights", json::array())) {
                NamedTensor t;
                const std::string name = w.value("name", std::string());
                t.shape = w.value("shape", std::vector<std::int64_t>{});
                if (w.value("dtype", std::string("float32")) != "float32") {
                    fail("weight '" + name + "' is not float32");
                }
                const auto count = static_cast<std::size_t>(t.size());
                if (offset + count * 4 > blob.size()) {
                    fail("the weights files end before '" + name + "'");
                }
                t.values.resize(count);
                std::memcpy(t.values.data(), blob.data() + offset, count * 4);
                offset += count * 4;
                // Keras names weights `layer/lstm_cell/param`; LayerLoom `layer/param`.
                const auto slash = name.find('/');
                if (slash == std::string::npos) fail("weight '" + name + "' names no layer");
                t.name = name.substr(0, slash) + "/" + layerLoomWeightName(name.substr(slash + 1));
                if (!g.nodeByName(name.substr(0, slash))) {
                    fail("weight '" + name + "' belongs to no layer of the model");
                }
                out.push_back(std::move(t));
            }
        }
        return out;
    }
};

void flatten(const json& j, std::vector<float>& out, std::vector<std::int64_t>& shape,
             std::size_t depth) {
    if (j.is_number()) {
        if (depth != shape.size()) throw KerasImportError("the array is ragged");
        out.push_back(j.get<float>());
        return;
    }
    if (!j.is_array()) throw KerasImportError("the array holds something other than numbers");
    if (depth == shape.size()) shape.push_back(static_cast<std::int64_t>(j.size()));
    if (shape[depth] != static_cast<std::int64_t>(j.size())) {
        throw KerasImportError("the array is ragged");
    }
    for (const json& e : j) flatten(e, out, shape, depth + 1);
}

}  // namespace

KerasImport importKerasModel(const std::filesystem::path& modelJson) {
    try {
        return Importer(modelJson, readJson(modelJson)).run();
    } catch (const json::exception&) {
        // A value of another kind than Keras writes where none was checked for by name.
        throw KerasImportError(modelJson.string() +
                               ": not a Keras model description: a value in it is of another kind "
                               "(text, number, list, object) than Keras writes there");
    }
}

std::vector<float> readJsonArray(const std::filesystem::path& file,
                                 std::vector<std::int64_t>& shape) {
    std::vector<float> out;
    shape.clear();
    try {
        flatten(readJson(file), out, shape, 0);
    } catch (const KerasImportError& e) {
        throw KerasImportError(file.string() + ": " + e.what());
    }
    return out;
}

}  // namespace loom
