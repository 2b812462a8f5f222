// Reading .onnx files: the other place LayerLoom speaks protobuf. The input is hostile.
#include "interop/onnx/onnx_read.h"

#include <cstring>
#include <fstream>
#include <unordered_set>

#include <onnx/onnx_pb.h>

#include "engine/named_tensor.h"

namespace loom {

namespace {

/// The most nodes, constants and attribute values a model may have: far beyond any sequence
/// model, small enough to keep a hostile file from exhausting memory through them.
constexpr int kMaxNodes = 1 << 20;
constexpr int kMaxListed = 1 << 20;

[[noreturn]] void fail(const std::string& what) { throw OnnxReadError(what); }

std::string shown(const std::string& name) {
    std::string s = name.size() > 80 ? name.substr(0, 80) + "..." : name;
    for (char& c : s) {
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
    }
    return "'" + s + "'";
}

/// The bytes of an external tensor: `location` relative to the model's folder and inside it,
/// `offset` and `length` within the file.
std::string externalBytes(const onnx::TensorProto& t, const std::filesystem::path& folder, std::uint64_t expected) {
    const std::string where = "constant " + shown(t.name());
    if (folder.empty()) fail(where + " keeps its values in another file, which LayerLoom reads only beside a model file");
    std::string location;
    std::uint64_t offset = 0, length = expected;
    for (const onnx::StringStringEntryProto& e : t.external_data()) {
        try {
            if (e.key() == "location") location = e.value();
            if (e.key() == "offset") offset = std::stoull(e.value());
            if (e.key() == "length") length = std::stoull(e.value());
        } catch (const std::exception&) {
            fail(where + ": its external data's " + e.key() + " is not a number");
        }
    }
    const std::filesystem::path relative(location);
    if (location.empty() || relative.is_absolute() || relative.has_root_name()) {
        fail(where + ": its values' file " + shown(location) + " is not a path inside the model's folder");
    }
    for (const auto& part : relative) {
        if (part == "..") fail(where + ": its values' file " + shown(location) + " leaves the model's folder");
    }
    std::error_code baseError, pathError, ec;
    const std::filesystem::path base = std::filesystem::weakly_canonical(folder, baseError);
    const std::filesystem::path path = std::filesystem::weakly_canonical(folder / relative, pathError);
    const auto [end, at] = std::mismatch(base.begin(), base.end(), path.begin(), path.end());
    if (baseError || pathError || base.empty() || end != base.end()) {
        fail(where + ": its values' file " + shown(location) + " leaves the model's folder");
    }
    if (length != expected) fail(where + ": its external data holds " + std::to_string(length) + " bytes, not " + std::to_string(expected));
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec || offset > size || length > size - offset) {
        fail(where + ": " + shown(location) + " does not hold bytes " + std::to_string(offset) + " to " +
             std::to_string(offset + length));
    }
    std::ifstream in(path, std::ios::binary);
    std::string bytes(static_cast<std::size_t>(length), '\0');
    in.seekg(static_cast<std::streamoff>(offset));
    if (!in.read(bytes.data(), static_cast<std::streamsize>(length))) fail(where + ": cannot read " + shown(location));
    return bytes;
}

template <class T>
T littleEndian(const char* p) {
    using Bits = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint8_t>>;
    Bits bits = 0;
    for (std::size_t b = 0; b < sizeof(T); ++b) bits |= static_cast<Bits>(static_cast<Bits>(static_cast<unsigned char>(p[b])) << (8 * b));
    T value;
    std::memcpy(&value, &bits, sizeof(T));
    return value;
}

OnnxInitializer readTensor(const onnx::TensorProto& t, const std::string& name, const std::filesystem::path& folder) {
    OnnxInitializer out;
    out.name = name;
    const std::string where = "constant " + shown(name);
    if (t.dims_size() > 8) fail(where + " has " + std::to_string(t.dims_size()) + " axes");
    std::vector<std::int64_t> dims(t.dims().begin(), t.dims().end());
    std::uint64_t count = 1;
    for (std::int64_t d : dims) {
        if (d < 0) fail(where + " has sizes " + tensorShapeText(dims) + ", which no tensor has");
        if (d == 0) count = 0;
    }
    if (count != 0) {
        const auto n = valueCount(dims);
        if (!n) fail(where + " has sizes " + tensorShapeText(dims) + ", which no tensor LayerLoom reads has");
        count = *n;
    }
    out.dims = dims;
    std::size_t width = 0;
    switch (t.data_type()) {
        case onnx::TensorProto::FLOAT: out.type = OnnxType::Float; width = 4; break;
        case onnx::TensorProto::DOUBLE: out.type = OnnxType::Float; width = 8; break;
        case onnx::TensorProto::INT64: out.type = OnnxType::Int64; width = 8; break;
        case onnx::TensorProto::INT32: out.type = OnnxType::Int64; width = 4; break;
        case onnx::TensorProto::BOOL: out.type = OnnxType::Int64; width = 1; break;
        default: fail(where + " holds " + onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(t.data_type())) +
                      " values; LayerLoom reads float, double, int32, int64 and bool constants");
    }
    std::string raw;
    const bool external = t.data_location() == onnx::TensorProto::EXTERNAL;
    if (external) {
        raw = externalBytes(t, folder, count * width);
    } else if (t.has_raw_data()) {
        if (t.raw_data().size() != count * width) {
            fail(where + " has " + std::to_string(t.raw_data().size()) + " bytes for " + std::to_string(count) + " values of " +
                 std::to_string(width) + " bytes");
        }
    }
    const std::string& bytes = external ? raw : t.raw_data();
    const bool fromBytes = external || t.has_raw_data();
    const auto expect = [&](int listed) {
        if (static_cast<std::uint64_t>(listed) != count) {
            fail(where + " lists " + std::to_string(listed) + " values for sizes " + tensorShapeText(dims));
        }
    };
    // Integers are shapes, axes and indices: a few. (Bool bytes would grow eightfold.)
    if (out.type == OnnxType::Int64 && count > (std::uint64_t{1} << 24)) {
        fail(where + " holds " + std::to_string(count) + " integers; LayerLoom reads integer constants of up to 16,777,216");
    }
    // The values are there before anything is allocated for them: bytes checked above, lists here.
    if (!fromBytes) {
        expect(out.type == OnnxType::Float ? (width == 4 ? t.float_data_size() : t.double_data_size())
                                           : (width == 8 ? t.int64_data_size() : t.int32_data_size()));
    }
    if (out.type == OnnxType::Float) {
        out.floats.resize(static_cast<std::size_t>(count));
        if (fromBytes) {
            for (std::size_t i = 0; i < out.floats.size(); ++i) {
                out.floats[i] = width == 4 ? littleEndian<float>(bytes.data() + 4 * i)
                                           : static_cast<float>(littleEndian<double>(bytes.data() + 8 * i));
            }
        } else if (width == 4) {
            expect(t.float_data_size());
            std::copy(t.float_data().begin(), t.float_data().end(), out.floats.begin());
        } else {
            expect(t.double_data_size());
            for (std::size_t i = 0; i < out.floats.size(); ++i) out.floats[i] = static_cast<float>(t.double_data(static_cast<int>(i)));
        }
    } else {
        out.ints.resize(static_cast<std::size_t>(count));
        if (fromBytes) {
            for (std::size_t i = 0; i < out.ints.size(); ++i) {
                out.ints[i] = width == 8   ? littleEndian<std::int64_t>(bytes.data() + 8 * i)
                              : width == 4 ? littleEndian<std::int32_t>(bytes.data() + 4 * i)
                                           : static_cast<std::int64_t>(bytes[i] != 0);
            }
        } else if (width == 8) {
            expect(t.int64_data_size());
            std::copy(t.int64_data().begin(), t.int64_data().end(), out.ints.begin());
        } else {
            // int32 and bool values are listed in int32_data.
            expect(t.int32_data_size());
            std::copy(t.int32_data().begin(), t.int32_data().end(), out.ints.begin());
        }
    }
    return out;
}

OnnxAttribute readAttribute(const onnx::AttributeProto& a, const std::string& node) {
    OnnxAttribute out;
    out.name = a.name();
    const auto listed = [&](int n) {
        if (n > kMaxListed) fail("node " + shown(node) + ": attribute " + shown(a.name()) + " lists " + std::to_string(n) + " values");
    };
    switch (a.type()) {
        case onnx::AttributeProto::INT: out.value = static_cast<std::int64_t>(a.i()); break;
        case onnx::AttributeProto::FLOAT: out.value = a.f(); break;
        case onnx::AttributeProto::STRING: out.value = a.s(); break;
        case onnx::AttributeProto::INTS:
            listed(a.ints_size());
            out.value = std::vector<std::int64_t>(a.ints().begin(), a.ints().end());
            break;
        case onnx::AttributeProto::FLOATS:
            listed(a.floats_size());
            out.value = std::vector<float>(a.floats().begin(), a.floats().end());
            break;
        case onnx::AttributeProto::STRINGS:
            listed(a.strings_size());
            out.value = std::vector<std::string>(a.strings().begin(), a.strings().end());
            break;
        case onnx::AttributeProto::TENSOR:
            // A small tensor (ConstantOfShape's value) as its values; Constant's is read apart.
            out.value = std::string();
            if (a.t().dims_size() <= 1) {
                const OnnxInitializer t = readTensor(a.t(), node, {});
                if (t.floats.size() + t.ints.size() <= 16) {
                    std::vector<float> values = t.floats;
                    for (std::int64_t v : t.ints) values.push_back(static_cast<float>(v));
                    out.value = std::move(values);
                }
            }
            break;
        default:
            // Graphs and the rest: the importer refuses a node that needs one.
            out.value = std::string();
            break;
    }
    return out;
}

OnnxValue readValue(const onnx::ValueInfoProto& v, const char* what) {
    OnnxValue out;
    out.name = v.name();
    out.doc = v.doc_string();
    const onnx::TypeProto& type = v.type();
    if (!type.has_tensor_type()) fail(std::string("the graph's ") + what + " " + shown(v.name()) + " is not a tensor");
    switch (type.tensor_type().elem_type()) {
        case onnx::TensorProto::FLOAT: out.type = OnnxType::Float; break;
        case onnx::TensorProto::INT32: out.type = OnnxType::Int32; break;
        case onnx::TensorProto::INT64: out.type = OnnxType::Int64; break;
        default: fail(std::string("the graph's ") + what + " " + shown(v.name()) + " holds neither float nor integer values");
    }
    if (type.tensor_type().has_shape()) {
        const auto& dims = type.tensor_type().shape().dim();
        if (dims.size() > 8) fail(std::string("the graph's ") + what + " " + shown(v.name()) + " has " + std::to_string(dims.size()) + " axes");
        for (const auto& d : dims) {
            const bool known = d.has_dim_value() && d.dim_value() > 0;
            out.dims.push_back(known ? d.dim_value() : -1);
            out.symbols.push_back(known ? std::string() : d.dim_param());
        }
    }
    return out;
}

}  // namespace

OnnxGraph parseOnnxModel(std::string_view bytes, const std::filesystem::path& folder) {
    if (bytes.size() > kMaxOnnxBytes) fail("the file is larger than the 2 GB an ONNX model holds");
    onnx::ModelProto model;
    if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) fail("the file is not an ONNX model (no protobuf ModelProto)");
    if (!model.has_graph()) fail("the file holds no graph");
    int opset = 0;
    for (const onnx::OperatorSetIdProto& o : model.opset_import()) {
        if (o.domain().empty() || o.domain() == "ai.onnx") opset = static_cast<int>(o.version());
    }
    if (opset == 0) fail("the model names no version of ONNX's standard operators (opset_import)");
    OnnxGraph g(opset);
    g.producer = model.producer_name();
    g.modelDoc = model.doc_string();
    if (model.metadata_props_size() > 64) fail("the model has " + std::to_string(model.metadata_props_size()) + " metadata entries");
    for (const onnx::StringStringEntryProto& e : model.metadata_props()) g.metadata.emplace_back(e.key(), e.value());
    const onnx::GraphProto& graph = model.graph();
    g.graphName = graph.name();
    if (graph.node_size() > kMaxNodes || graph.initializer_size() > kMaxNodes) fail("the graph has more than a million nodes or constants");
    if (graph.input_size() > 4096 || graph.output_size() > 4096) fail("the graph has more than 4096 inputs or outputs");
    std::unordered_set<std::string> constants;
    for (const onnx::TensorProto& t : graph.initializer()) {
        g.addRead(readTensor(t, t.name(), folder));
        constants.insert(t.name());
    }
    // Graph inputs that are constants too (older exporters list them) are not the model's inputs.
    for (const onnx::ValueInfoProto& v : graph.input()) {
        if (!constants.contains(v.name())) g.addReadInput(readValue(v, "input"));
    }
    for (const onnx::ValueInfoProto& v : graph.output()) g.addReadOutput(readValue(v, "output"));
    for (const onnx::NodeProto& n : graph.node()) {
        if (!n.domain().empty() && n.domain() != "ai.onnx") {
            fail("node " + shown(n.name()) + " (" + n.op_type() + ") is of the operator set " + shown(n.domain()) +
                 ", not ONNX's standard one");
        }
        if (n.op_type() == "Constant") {
            if (n.output_size() != 1) fail("node " + shown(n.name()) + " (Constant) has " + std::to_string(n.output_size()) + " outputs");
            OnnxInitializer c;
            bool found = false;
            for (const onnx::AttributeProto& a : n.attribute()) {
                if (a.name() == "value" && a.type() == onnx::AttributeProto::TENSOR) {
                    c = readTensor(a.t(), n.output(0), folder);
                    found = true;
                } else if (a.name() == "value_float") {
                    c = {n.output(0), OnnxType::Float, {}, {a.f()}, {}};
                    found = true;
                } else if (a.name() == "value_floats") {
                    c = {n.output(0), OnnxType::Float, {a.floats_size()}, {a.floats().begin(), a.floats().end()}, {}};
                    found = true;
                } else if (a.name() == "value_int") {
                    c = {n.output(0), OnnxType::Int64, {}, {}, {a.i()}};
                    found = true;
                } else if (a.name() == "value_ints") {
                    c = {n.output(0), OnnxType::Int64, {a.ints_size()}, {}, {a.ints().begin(), a.ints().end()}};
                    found = true;
                }
            }
            if (!found) fail("node " + shown(n.name()) + " (Constant) holds no value LayerLoom reads");
            g.addRead(std::move(c));
            continue;
        }
        OnnxNode node;
        node.op = n.op_type();
        node.name = n.name();
        node.doc = n.doc_string();
        node.inputs.assign(n.input().begin(), n.input().end());
        node.outputs.assign(n.output().begin(), n.output().end());
        for (const onnx::AttributeProto& a : n.attribute()) node.attributes.push_back(readAttribute(a, n.name()));
        g.addRead(std::move(node));
    }
    return g;
}

OnnxGraph readOnnxFile(const std::filesystem::path& file) {
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(file, ec);
    if (ec) throw OnnxReadError(file.string() + ": cannot open the file: " + ec.message());
    if (size > kMaxOnnxBytes) throw OnnxReadError(file.string() + ": larger than the 2 GB an ONNX model holds");
    std::ifstream in(file, std::ios::binary);
    std::string bytes(static_cast<std::size_t>(size), '\0');
    if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) throw OnnxReadError(file.string() + ": cannot read the file");
    try {
        return parseOnnxModel(bytes, file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path());
    } catch (const OnnxReadError& e) {
        throw OnnxReadError(file.string() + ": " + e.what());
    }
}

}  // namespace loom
