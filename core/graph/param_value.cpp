#include "graph/param_value.h"

#include <sstream>

namespace loom {

namespace {

std::string formatNumber(double value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

std::string formatDim(std::int64_t size) {
    return size == kNone ? "None" : std::to_string(size);
}

}  // namespace

namespace {

struct InitializerEntry {
    Initializer::Kind kind;
    const char* name;
    const char* first;
    const char* second;
    double a, b;  ///< Keras's defaults
};

constexpr InitializerEntry kInitializers[] = {
    {Initializer::Kind::GlorotUniform, "glorot_uniform", "", "", 0, 0},
    {Initializer::Kind::GlorotNormal, "glorot_normal", "", "", 0, 0},
    {Initializer::Kind::HeUniform, "he_uniform", "", "", 0, 0},
    {Initializer::Kind::HeNormal, "he_normal", "", "", 0, 0},
    {Initializer::Kind::LecunUniform, "lecun_uniform", "", "", 0, 0},
    {Initializer::Kind::LecunNormal, "lecun_normal", "", "", 0, 0},
    {Initializer::Kind::Orthogonal, "orthogonal", "gain", "", 1.0, 0},
    {Initializer::Kind::RandomNormal, "random_normal", "mean", "stddev", 0.0, 0.05},
    {Initializer::Kind::RandomUniform, "random_uniform", "minval", "maxval", -0.05, 0.05},
    {Initializer::Kind::TruncatedNormal, "truncated_normal", "mean", "stddev", 0.0, 0.05},
    {Initializer::Kind::Zeros, "zeros", "", "", 0, 0},
    {Initializer::Kind::Ones, "ones", "", "", 0, 0},
    {Initializer::Kind::Constant, "constant", "value", "", 0.0, 0},
    {Initializer::Kind::Identity, "identity", "gain", "", 1.0, 0},
};

const InitializerEntry& initializerEntry(Initializer::Kind kind) {
    for (const InitializerEntry& e : kInitializers) {
        if (e.kind == kind) return e;
    }
    return kInitializers[0];
}

}  // namespace

Initializer::Initializer(Kind k) : kind(k), a(initializerEntry(k).a), b(initializerEntry(k).b) {}

std::string initializerName(Initializer::Kind kind) { return initializerEntry(kind).name; }

const std::vector<Initializer::Kind>& allInitializers() {
    static const std::vector<Initializer::Kind> all = [] {
        std::vector<Initializer::Kind> v;
        for (const InitializerEntry& e : kInitializers) v.push_back(e.kind);
        return v;
    }();
    return all;
}

bool parseInitializer(const std::string& name, Initializer::Kind& kind) {
    const std::string n = name == "uniform" ? "random_uniform" : name == "normal" ? "random_normal"
                          : name == "zero"  ? "zeros"
                          : name == "one"   ? "ones"
                                            : name;
    for (const InitializerEntry& e : kInitializers) {
        if (n == e.name) {
            kind = e.kind;
            return true;
        }
    }
    return false;
}

std::pair<const char*, const char*> initializerArguments(Initializer::Kind kind) {
    const InitializerEntry& e = initializerEntry(kind);
    return {e.first, e.second};
}

std::string regularizerName(Regularizer::Kind kind) {
    switch (kind) {
        case Regularizer::Kind::None: return "none";
        case Regularizer::Kind::L1: return "l1";
        case Regularizer::Kind::L2: return "l2";
        case Regularizer::Kind::L1L2: return "l1_l2";
    }
    return "none";
}

std::string formatShape(const Dims& dims) {
    std::string text = "(None";
    for (std::int64_t d : dims) {
        text += ", ";
        text += formatDim(d);
    }
    return text + ")";
}

std::string formatParam(const ParamValue& value) {
    struct Visitor {
        std::string operator()(bool b) const { return b ? "True" : "False"; }
        std::string operator()(std::int64_t i) const { return std::to_string(i); }
        std::string operator()(double d) const { return formatNumber(d); }
        std::string operator()(const std::string& s) const { return s; }
        std::string operator()(const Regularizer& r) const {
            switch (r.kind) {
                case Regularizer::Kind::None: return "None";
                case Regularizer::Kind::L1: return "l1(" + formatNumber(r.l1) + ")";
                case Regularizer::Kind::L2: return "l2(" + formatNumber(r.l2) + ")";
                case Regularizer::Kind::L1L2:
                    return "l1_l2(" + formatNumber(r.l1) + ", " + formatNumber(r.l2) + ")";
            }
            return "None";
        }
        std::string operator()(const Initializer& init) const {
            const auto [first, second] = initializerArguments(init.kind);
            std::string text = initializerName(init.kind);
            if (*first == '\0') return text;
            text += std::string("(") + first + "=" + formatNumber(init.a);
            if (*second != '\0') text += std::string(", ") + second + "=" + formatNumber(init.b);
            return text + ")";
        }
        std::string operator()(const Dims& dims) const {
            std::string text = "(";
            for (std::size_t i = 0; i < dims.size(); ++i) {
                if (i > 0) text += ", ";
                text += formatDim(dims[i]);
            }
            if (dims.size() == 1) text += ",";
            return text + ")";
        }
    };
    return std::visit(Visitor{}, value);
}

}  // namespace loom
