// The one place LayerLoom speaks protobuf: Debian's ONNX message classes (libonnx-dev).
#include <bit>
#include <cstdint>
#include <stdexcept>

#include <onnx/onnx_pb.h>

#include "interop/onnx/onnx_export.h"
#include "version.h"

namespace loom {

namespace {

int elementType(OnnxType type) {
    switch (type) {
        case OnnxType::Float: return onnx::TensorProto::FLOAT;
        case OnnxType::Int32: return onnx::TensorProto::INT32;
        case OnnxType::Int64: return onnx::TensorProto::INT64;
    }
    return onnx::TensorProto::FLOAT;
}

/// ONNX's raw_data: little-endian, whatever the machine.
template <class T, class U>
std::string littleEndian(const std::vector<U>& values) {
    std::string bytes;
    bytes.reserve(values.size() * sizeof(T));
    for (U value : values) {
        using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
        const auto bits = std::bit_cast<Bits>(static_cast<T>(value));
        for (std::size_t b = 0; b < sizeof(T); ++b) bytes.push_back(static_cast<char>((bits >> (8 * b)) & 0xff));
    }
    return bytes;
}

void setAttribute(onnx::AttributeProto& a, const OnnxAttribute& attribute) {
    a.set_name(attribute.name);
    std::visit(
        [&](const auto& value) {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, std::int64_t>) {
                a.set_type(onnx::AttributeProto::INT);
                a.set_i(value);
            } else if constexpr (std::is_same_v<T, float>) {
                a.set_type(onnx::AttributeProto::FLOAT);
                a.set_f(value);
            } else if constexpr (std::is_same_v<T, std::string>) {
                a.set_type(onnx::AttributeProto::STRING);
                a.set_s(value);
            } else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) {
                a.set_type(onnx::AttributeProto::INTS);
                for (std::int64_t v : value) a.add_ints(v);
            } else if constexpr (std::is_same_v<T, std::vector<float>>) {
                a.set_type(onnx::AttributeProto::FLOATS);
                for (float v : value) a.add_floats(v);
            } else {
                a.set_type(onnx::AttributeProto::STRINGS);
                for (const std::string& v : value) a.add_strings(v);
            }
        },
        attribute.value);
}

void setValue(onnx::ValueInfoProto& info, const OnnxValue& value) {
    info.set_name(value.name);
    if (!value.doc.empty()) info.set_doc_string(value.doc);
    onnx::TypeProto_Tensor& tensor = *info.mutable_type()->mutable_tensor_type();
    tensor.set_elem_type(elementType(value.type));
    for (std::size_t k = 0; k < value.dims.size(); ++k) {
        onnx::TensorShapeProto_Dimension& dim = *tensor.mutable_shape()->add_dim();
        if (value.dims[k] >= 0) {
            dim.set_dim_value(value.dims[k]);
        } else {
            dim.set_dim_param(k < value.symbols.size() ? value.symbols[k] : "unknown");
        }
    }
}

}  // namespace

std::string onnxModelBytes(const OnnxGraph& graph, const std::string& name, const std::string& doc) {
    // protobuf holds a message of 2 GB at most; LayerLoom writes no external data.
    std::uint64_t bytes = 0;
    for (const OnnxInitializer& t : graph.initializers()) bytes += 4 * t.floats.size() + 8 * t.ints.size();
    if (bytes > (std::uint64_t{1} << 31) - (std::uint64_t{1} << 24)) {
        throw std::runtime_error("the model's weights take " + std::to_string(bytes >> 20) +
                                 " MB, beyond the 2 GB an ONNX file holds without external data");
    }
    onnx::ModelProto model;
    // ONNX's IR version 7 came with opset 13, 8 with opsets 14 to 17.
    model.set_ir_version(graph.opset() >= 14 ? 8 : 7);
    model.set_producer_name("LayerLoom");
    model.set_producer_version(kVersion);
    model.set_doc_string(doc);
    for (const auto& [key, value] : graph.metadata) {
        onnx::StringStringEntryProto& entry = *model.add_metadata_props();
        entry.set_key(key);
        entry.set_value(value);
    }
    onnx::OperatorSetIdProto& opset = *model.add_opset_import();
    opset.set_domain("");
    opset.set_version(graph.opset());
    onnx::GraphProto& g = *model.mutable_graph();
    g.set_name(name);
    for (const OnnxValue& v : graph.inputs()) setValue(*g.add_input(), v);
    for (const OnnxValue& v : graph.outputs()) setValue(*g.add_output(), v);
    for (const OnnxInitializer& t : graph.initializers()) {
        onnx::TensorProto& tensor = *g.add_initializer();
        tensor.set_name(t.name);
        tensor.set_data_type(elementType(t.type));
        for (std::int64_t d : t.dims) tensor.add_dims(d);
        if (t.type == OnnxType::Float) {
            tensor.set_raw_data(littleEndian<float>(t.floats));
        } else {
            tensor.set_raw_data(littleEndian<std::int64_t>(t.ints));
        }
    }
    for (const OnnxNode& n : graph.nodes()) {
        onnx::NodeProto& node = *g.add_node();
        node.set_op_type(n.op);
        node.set_name(n.name);
        if (!n.doc.empty()) node.set_doc_string(n.doc);
        for (const std::string& in : n.inputs) node.add_input(in);
        for (const std::string& out : n.outputs) node.add_output(out);
        for (const OnnxAttribute& a : n.attributes) setAttribute(*node.add_attribute(), a);
    }
    std::string out;
    if (!model.SerializeToString(&out)) throw std::runtime_error("the ONNX model could not be serialised");
    return out;
}

}  // namespace loom
