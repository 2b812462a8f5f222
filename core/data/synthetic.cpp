#include "data/synthetic.h"

#include <cmath>
#include <random>

namespace loom {

const std::vector<std::string>& syntheticNames() {
    static const std::vector<std::string> names = {"sines", "square", "sawtooth", "random_walk",
                                                   "anomalies"};
    return names;
}

Series syntheticSeries(const std::string& name, std::int64_t steps, std::uint64_t seed,
                       std::vector<int>* labels) {
    if (steps < 1) throw DataError("a synthetic series needs at least one step");
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> noise(0.0, 1.0);
    Series s;
    s.steps = steps;
    s.features = 1;
    s.names = {name};
    s.values.resize(static_cast<std::size_t>(steps));
    if (labels) labels->assign(static_cast<std::size_t>(steps), 0);
    const double twoPi = 2.0 * M_PI;
    auto sines = [&](std::int64_t t) {
        const double x = static_cast<double>(t);
        return std::sin(twoPi * x / 32.0) + 0.5 * std::sin(twoPi * x / 11.0 + 0.3) +
               0.25 * std::sin(twoPi * x / 5.0 + 1.1);
    };
    double walk = 0.0;
    for (std::int64_t t = 0; t < steps; ++t) {
        const double x = static_cast<double>(t);
        double v = 0.0;
        if (name == "sines" || name == "anomalies") {
            v = sines(t) + 0.1 * noise(rng);
        } else if (name == "square") {
            v = (std::fmod(x, 24.0) < 12.0 ? 1.0 : -1.0) + 0.05 * noise(rng);
        } else if (name == "sawtooth") {
            v = 2.0 * std::fmod(x, 20.0) / 20.0 - 1.0 + 0.05 * noise(rng);
        } else if (name == "random_walk") {
            walk += 0.1 * noise(rng);
            v = walk;
        } else {
            std::string known;
            for (const auto& n : syntheticNames()) known += (known.empty() ? "" : ", ") + n;
            throw DataError("there is no synthetic series '" + name + "'; choose one of: " + known);
        }
        s.values[static_cast<std::size_t>(t)] = v;
    }
    if (name == "anomalies") {
        // About one spike per 150 steps and one short level shift per 400.
        std::uniform_int_distribution<std::int64_t> where(0, steps - 1);
        for (std::int64_t k = 0; k < std::max<std::int64_t>(1, steps / 150); ++k) {
            const auto t = static_cast<std::size_t>(where(rng));
            s.values[t] += (noise(rng) > 0 ? 3.0 : -3.0);
            if (labels) (*labels)[t] = 1;
        }
        for (std::int64_t k = 0; k < steps / 400; ++k) {
            const std::int64_t start = where(rng);
            for (std::int64_t t = start; t < std::min(steps, start + 12); ++t) {
                s.values[static_cast<std::size_t>(t)] += 1.5;
                if (labels) (*labels)[static_cast<std::size_t>(t)] = 1;
            }
        }
    }
    return s;
}

}  // namespace loom
