#pragma once

#include <compare>
#include <cstdint>

namespace loom {

/// Stable identifiers. 0 never names a node or an edge.
using NodeId = std::uint32_t;
using EdgeId = std::uint32_t;

/// One port of one node: output ports are numbered from 0 per node, input ports too.
struct PortRef {
    NodeId node = 0;
    int port = 0;
    auto operator<=>(const PortRef&) const = default;
};

struct Point {
    double x = 0.0;
    double y = 0.0;
    bool operator==(const Point&) const = default;
};

}  // namespace loom
