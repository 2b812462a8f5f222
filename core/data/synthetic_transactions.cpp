#include "data/synthetic_samples.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "data/csv_reader.h"

namespace loom {

namespace {

/// The days keras.io's fraud example aggregates a terminal's transactions over.
constexpr int kDays[] = {7, 14, 28};

/// z-normalises a column over the set, as the example's features are normalised.
void standardise(std::vector<float>& v) {
    double mean = 0.0, square = 0.0;
    for (float x : v) mean += x;
    mean /= static_cast<double>(v.size());
    for (float x : v) square += (x - mean) * (x - mean);
    const double deviation = std::sqrt(square / static_cast<double>(v.size()));
    for (float& x : v) x = static_cast<float>(deviation > 0 ? (x - mean) / deviation : 0.0);
}

}  // namespace

const std::vector<std::string>& syntheticArchiveNames() {
    static const std::vector<std::string> names = {"transactions", "copy"};
    return names;
}

std::vector<std::string> transactionFeatureNames() {
    std::vector<std::string> names;
    for (int n : kDays) {
        names.push_back("sum_transactions_" + std::to_string(n) + "_days");
        names.push_back("count_transactions_" + std::to_string(n) + "_days");
    }
    for (int n : kDays) {
        names.push_back("count_fraud_transactions_" + std::to_string(n) + "_days");
        names.push_back("rate_fraud_transactions_" + std::to_string(n) + "_days");
    }
    names.push_back("calendar_hour");
    names.push_back("calendar_day_of_week");
    return names;
}

std::map<std::string, NpyArray> syntheticArchive(const std::string& name, std::int64_t count, std::uint64_t seed) {
    if (name != "transactions" && name != "copy") throw DataError("there is no synthetic archive '" + name + "'");
    if (count < 1) throw DataError("a synthetic sample set needs at least one sample");
    if (count > 1000000) throw DataError("a synthetic sample set holds at most 1,000,000 samples");
    if (name == "copy") return copyTaskArchive(count, seed);
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const std::vector<std::string> names = transactionFeatureNames();
    std::vector<std::vector<float>> columns(names.size());
    std::vector<float> fraud;
    for (std::int64_t i = 0; i < count; ++i) {
        // One in five is fraud, the ratio the example resamples its training data to. Fraud
        // comes mostly from terminals that were compromised, whose fraud the bank learns of a
        // week later, and more often at night.
        const bool isFraud = unit(rng) < 0.2;
        const bool compromised = unit(rng) < (isFraud ? 0.7 : 0.05);
        const double perDay = 2.0 + 8.0 * unit(rng);  // the terminal's transactions a day
        const double amount = 20.0 + 60.0 * unit(rng);  // and their typical amount
        const double fraudRate = compromised ? 0.15 + 0.25 * unit(rng) : 0.005;
        std::size_t c = 0;
        std::vector<double> counts;
        for (int n : kDays) {
            const auto transactions = static_cast<double>(std::poisson_distribution<int>(perDay * n)(rng));
            std::gamma_distribution<double> spend(4.0, amount * (isFraud ? 1.3 : 1.0) / 4.0);
            double sum = 0.0;
            for (int t = 0; t < static_cast<int>(transactions) && t < 2000; ++t) sum += spend(rng);
            columns[c++].push_back(static_cast<float>(sum));
            columns[c++].push_back(static_cast<float>(transactions));
            counts.push_back(transactions);
        }
        for (std::size_t k = 0; k < counts.size(); ++k) {
            const auto frauds = static_cast<double>(
                std::binomial_distribution<int>(static_cast<int>(counts[k]), fraudRate)(rng));
            columns[c++].push_back(static_cast<float>(frauds));
            columns[c++].push_back(static_cast<float>(counts[k] > 0 ? frauds / counts[k] : 0.0));
        }
        const bool night = unit(rng) < (isFraud ? 0.45 : 0.15);
        columns[c++].push_back(static_cast<float>(night ? rng() % 6 : 6 + rng() % 18));
        columns[c++].push_back(static_cast<float>(rng() % 7));
        fraud.push_back(isFraud ? 1.0f : 0.0f);
    }
    std::map<std::string, NpyArray> arrays;
    for (std::size_t k = 0; k < names.size(); ++k) {
        standardise(columns[k]);
        arrays[names[k]] = NpyArray{{count, 1}, std::move(columns[k])};
    }
    arrays["y"] = NpyArray{{count, 1}, std::move(fraud)};
    return arrays;
}

bool isSyntheticArchive(const std::string& source) {
    if (!source.starts_with("synthetic:")) return false;
    const auto& names = syntheticArchiveNames();
    return std::find(names.begin(), names.end(), source.substr(10)) != names.end();
}

}  // namespace loom
