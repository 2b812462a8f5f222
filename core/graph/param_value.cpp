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
