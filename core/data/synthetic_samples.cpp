#include "data/synthetic_samples.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "data/csv_reader.h"

namespace loom {

namespace {

/// addition_rnn's character table: its characters sorted, so that ' ' is 0 and '+' is 1.
constexpr std::string_view kAdditionChars = " +0123456789";

void oneHot(std::string_view text, std::vector<float>& out) {
    for (char c : text) {
        const std::size_t at = out.size();
        out.resize(at + kAdditionChars.size(), 0.0f);
        out[at + kAdditionChars.find(c)] = 1.0f;
    }
}

Dataset addition(std::int64_t count, std::mt19937_64& rng) {
    constexpr int kDigits = 3;
    constexpr std::size_t kQuestion = kDigits * 2 + 1, kAnswer = kDigits + 1;
    // Numbers of 1 to 3 digits, each length equally likely, as the example draws them.
    const auto number = [&] {
        const int digits = static_cast<int>(rng() % kDigits) + 1;
        int n = 0;
        for (int d = 0; d < digits; ++d) n = n * 10 + static_cast<int>(rng() % 10);
        return n;
    };
    // Every distinct question once (a + b and b + a are one), at most as many as there are.
    const std::int64_t most = 1000 * 1001 / 2;
    if (count > most) throw DataError("synthetic:addition has " + std::to_string(most) + " different sums; ask for fewer samples");
    Dataset d;
    d.xDims = {static_cast<std::int64_t>(kQuestion), static_cast<std::int64_t>(kAdditionChars.size())};
    d.yDims = {static_cast<std::int64_t>(kAnswer), static_cast<std::int64_t>(kAdditionChars.size())};
    std::set<std::pair<int, int>> seen;
    while (static_cast<std::int64_t>(seen.size()) < count) {
        const int a = number(), b = number();
        if (!seen.insert({std::min(a, b), std::max(a, b)}).second) continue;
        std::string question = std::to_string(a) + "+" + std::to_string(b);
        question.resize(kQuestion, ' ');
        std::reverse(question.begin(), question.end());
        std::string answer = std::to_string(a + b);
        answer.resize(kAnswer, ' ');
        oneHot(question, d.x);
        oneHot(answer, d.y);
    }
    return d;
}

Dataset reviews(std::int64_t count, std::mt19937_64& rng) {
    constexpr std::int64_t kVocabulary = 20000, kLength = 200, kCue = 150;
    // keras.datasets.imdb: 0 pads, 1 starts, 2 stands for a rare word, words from 3 on, the
    // most frequent first. Here the words a review is made of are drawn by a Zipf law, and
    // ids 40 to 339 carry sentiment: the first half praise, the second half blame.
    std::vector<double> weights(static_cast<std::size_t>(kVocabulary - 3));
    for (std::size_t r = 0; r < weights.size(); ++r) weights[r] = 1.0 / static_cast<double>(r + 1);
    std::discrete_distribution<std::int64_t> word(weights.begin(), weights.end());
    std::uniform_int_distribution<std::int64_t> length(30, 400), cue(0, kCue - 1);
    std::bernoulli_distribution coin(0.5), loud(0.06);
    Dataset d;
    d.xDims = {kLength};
    d.yDims = {1};
    d.x.reserve(static_cast<std::size_t>(count * kLength));
    std::vector<float> review;
    for (std::int64_t i = 0; i < count; ++i) {
        const bool positive = coin(rng);
        review.assign(1, 1.0f);
        const std::int64_t n = length(rng);
        for (std::int64_t t = 0; t < n; ++t) {
            std::int64_t id = word(rng) + 3;
            // A sentiment word now and then: mostly the review's own, sometimes the other's.
            if (loud(rng)) id = 40 + cue(rng) + ((positive == (rng() % 5 != 0)) ? 0 : kCue);
            else if (id >= 40 && id < 40 + 2 * kCue) id += 2 * kCue;
            review.push_back(static_cast<float>(id));
        }
        // pad_sequences(maxlen=200): the last 200 words, zeros before a shorter review.
        const auto kept = std::min<std::size_t>(review.size(), kLength);
        d.x.insert(d.x.end(), static_cast<std::size_t>(kLength) - kept, 0.0f);
        d.x.insert(d.x.end(), review.end() - static_cast<std::ptrdiff_t>(kept), review.end());
        d.y.push_back(positive ? 1.0f : 0.0f);
    }
    return d;
}

Dataset engine(std::int64_t count, std::mt19937_64& rng) {
    constexpr std::int64_t kSteps = 500;
    std::normal_distribution<double> noise(0.0, 1.0);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    Dataset d;
    d.xDims = {kSteps, 1};
    d.yDims = {1};
    d.x.reserve(static_cast<std::size_t>(count * kSteps));
    std::vector<double> v(kSteps);
    for (std::int64_t i = 0; i < count; ++i) {
        const bool fault = unit(rng) < 0.5;
        // The engine's hum: a few harmonics of a speed that differs from run to run, and noise.
        const double speed = 0.02 + 0.03 * unit(rng);
        const double phase = 6.283185307179586 * unit(rng);
        const double tone = 0.11 + 0.02 * unit(rng);
        for (std::int64_t t = 0; t < kSteps; ++t) {
            const double x = static_cast<double>(t);
            double s = 0.0;
            for (int h = 1; h <= 3; ++h) s += std::sin(6.283185307179586 * speed * h * x + phase * h) / h;
            // The fault: a faint tone that swells and fades twice over the recording.
            if (fault) s += 0.6 * std::sin(6.283185307179586 * tone * x) * std::pow(std::sin(6.283185307179586 * x / kSteps), 2);
            v[static_cast<std::size_t>(t)] = s + 0.5 * noise(rng);
        }
        double mean = 0.0, square = 0.0;
        for (double s : v) mean += s;
        mean /= kSteps;
        for (double s : v) square += (s - mean) * (s - mean);
        const double deviation = std::sqrt(square / kSteps);
        for (double s : v) d.x.push_back(static_cast<float>((s - mean) / deviation));
        d.y.push_back(fault ? 1.0f : 0.0f);
    }
    return d;
}

/// Hourly weather of a made-up station, 7 features as the weather example selects them from the
/// Jena climate record: pressure (mbar), temperature (degC), saturation vapour pressure,
/// vapour pressure deficit (mbar), specific humidity (g/kg), air density (g/m3), wind speed
/// (m/s), each standardised over the whole record. A sample is 120 hours of them; its target
/// the standardised temperature 12 hours after the window's last hour.
Dataset weather(std::int64_t count, std::mt19937_64& rng) {
    constexpr std::int64_t kSteps = 120, kAhead = 12, kFeatures = 7;
    constexpr double kTau = 6.283185307179586;
    const std::int64_t hours = count + kSteps + kAhead - 1;
    std::normal_distribution<double> noise(0.0, 1.0);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::vector<double> rows(static_cast<std::size_t>(hours * kFeatures));
    // Weather systems: slow random swings of pressure, warmth, moisture and wind.
    double front = 0.0, warmth = 0.0, moisture = 0.0, gust = 0.0;
    const double day0 = 365.0 * unit(rng);
    for (std::int64_t h = 0; h < hours; ++h) {
        front = 0.995 * front + 0.35 * noise(rng);
        warmth = 0.99 * warmth + 0.25 * noise(rng);
        moisture = 0.97 * moisture + 0.2 * noise(rng);
        gust = 0.9 * gust + 0.4 * noise(rng);
        const double day = day0 + static_cast<double>(h) / 24.0;
        const double season = -std::cos(kTau * day / 365.0), daily = -std::cos(kTau * (static_cast<double>(h % 24) - 3.0) / 24.0);
        const double p = 989.0 + 8.0 * front + 0.5 * noise(rng);
        const double t = 9.5 + 8.5 * season + (3.0 + 1.5 * season) * daily + 2.5 * warmth - 0.6 * front + 0.3 * noise(rng);
        const double vpMax = 6.1078 * std::exp(17.27 * t / (t + 237.3));
        const double rh = std::clamp(0.78 - 0.12 * daily + 0.1 * moisture + 0.02 * noise(rng), 0.2, 1.0);
        const double vp = rh * vpMax;
        double* row = rows.data() + h * kFeatures;
        row[0] = p;
        row[1] = t;
        row[2] = vpMax;
        row[3] = vpMax - vp;
        row[4] = 622.0 * vp / (p - 0.378 * vp);
        row[5] = p * 100.0 / (287.05 * (t + 273.15)) * 1000.0;
        row[6] = std::max(0.0, 2.2 + 0.8 * daily + 1.2 * gust - 0.3 * front + 0.3 * noise(rng));
    }
    for (std::int64_t f = 0; f < kFeatures; ++f) {
        double mean = 0.0, square = 0.0;
        for (std::int64_t h = 0; h < hours; ++h) mean += rows[static_cast<std::size_t>(h * kFeatures + f)];
        mean /= static_cast<double>(hours);
        for (std::int64_t h = 0; h < hours; ++h) square += std::pow(rows[static_cast<std::size_t>(h * kFeatures + f)] - mean, 2);
        const double deviation = std::max(std::sqrt(square / static_cast<double>(hours)), 1e-9);
        for (std::int64_t h = 0; h < hours; ++h) {
            double& v = rows[static_cast<std::size_t>(h * kFeatures + f)];
            v = (v - mean) / deviation;
        }
    }
    Dataset d;
    d.xDims = {kSteps, kFeatures};
    d.yDims = {1};
    d.x.reserve(static_cast<std::size_t>(count * kSteps * kFeatures));
    for (std::int64_t i = 0; i < count; ++i) {
        const auto first = rows.begin() + i * kFeatures;
        for (auto it = first; it != first + kSteps * kFeatures; ++it) d.x.push_back(static_cast<float>(*it));
        d.y.push_back(static_cast<float>(rows[static_cast<std::size_t>((i + kSteps + kAhead - 1) * kFeatures + 1)]));
    }
    return d;
}

/// Recordings of one EEG channel, 512 steps each, min-max scaled to [0, 1] one by one as the
/// EEG example scales the Berkeley Biosense recordings; one of 19 stimuli, as a one-hot row of
/// 19. Each stimulus has its own mix of rhythms (delta to beta) under pink noise, and the
/// stimuli are as unevenly common as in the example's data.
Dataset eeg(std::int64_t count, std::mt19937_64& rng) {
    constexpr std::int64_t kSteps = 512, kClasses = 19;
    constexpr double kTau = 6.283185307179586;
    // How common each stimulus is: 1 - the example's naive class weight.
    static constexpr double kShare[kClasses] = {0.0240, 0.0128, 0.0789, 0.0754, 0.0562, 0.0359, 0.0185, 0.0557, 0.0940, 0.0162,
                                                0.0936, 0.0153, 0.0474, 0.0938, 0.0159, 0.0934, 0.0627, 0.0942, 0.0162};
    std::discrete_distribution<int> stimulus(std::begin(kShare), std::end(kShare));
    std::normal_distribution<double> noise(0.0, 1.0);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    Dataset d;
    d.xDims = {kSteps, 1};
    d.yDims = {kClasses};
    d.x.reserve(static_cast<std::size_t>(count * kSteps));
    d.y.assign(static_cast<std::size_t>(count * kClasses), 0.0f);
    std::vector<double> v(kSteps);
    for (std::int64_t i = 0; i < count; ++i) {
        const int c = stimulus(rng);
        // Two rhythms per stimulus, in cycles per recording, and how strongly each shows.
        const double slow = 4.0 + 3.0 * (c % 5), fast = 30.0 + 9.0 * (c / 5) + 2.0 * (c % 3);
        const double slowGain = 0.6 + 0.1 * (c % 4), fastGain = 0.25 + 0.08 * (c % 6);
        const double p1 = kTau * unit(rng), p2 = kTau * unit(rng);
        double pink = 0.0;
        for (std::int64_t t = 0; t < kSteps; ++t) {
            const double x = static_cast<double>(t) / kSteps;
            pink = 0.95 * pink + 0.3 * noise(rng);
            v[static_cast<std::size_t>(t)] = slowGain * std::sin(kTau * slow * x + p1) +
                                             fastGain * std::sin(kTau * fast * x + p2) + pink + 0.1 * noise(rng);
        }
        const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
        const double low = *lo, span = std::max(*hi - *lo, 1e-9);
        for (double s : v) d.x.push_back(static_cast<float>((s - low) / span));
        d.y[static_cast<std::size_t>(i * kClasses + c)] = 1.0f;
    }
    return d;
}

/// The characters of synthetic:text, sorted as the example's sorted(list(set(text))) sorts them.
constexpr std::string_view kTextChars = "\n !,.;?abcdefghijklmnopqrstuvwxyz";

/// Made-up sentences of a few hundred English words: subject, verb, object, now and then a
/// clause, a question or an exclamation; paragraphs of a few sentences.
std::string madeUpText(std::size_t length, std::mt19937_64& rng) {
    static const std::vector<std::string_view> subjects = {
        "the philosopher", "every truth", "the will", "a free spirit", "the crowd", "our morality",
        "the scholar", "each instinct", "the artist", "a great man", "the old faith", "reason"};
    static const std::vector<std::string_view> verbs = {
        "despises", "seeks", "loves", "fears", "questions", "forgets", "creates", "overcomes",
        "believes in", "laughs at", "mistakes", "demands"};
    static const std::vector<std::string_view> objects = {
        "its own shadow", "the herd", "every certainty", "the future", "a new value", "the depths",
        "what is near", "its masks", "the highest things", "suffering", "the truth", "itself"};
    static const std::vector<std::string_view> clauses = {
        "and yet", "because", "although", "for", "while", "as if", "but"};
    const auto pick = [&](const std::vector<std::string_view>& words) { return words[rng() % words.size()]; };
    std::string text;
    int sentences = 0;
    while (text.size() < length) {
        std::string s(pick(subjects));
        s += ' ';
        s += pick(verbs);
        s += ' ';
        s += pick(objects);
        if (rng() % 3 == 0) {
            s += rng() % 2 ? ", " : "; ";
            s += pick(clauses);
            s += ' ';
            s += pick(subjects);
            s += ' ';
            s += pick(verbs);
            s += ' ';
            s += pick(objects);
        }
        const int end = static_cast<int>(rng() % 10);
        s += end == 0 ? '?' : end == 1 ? '!' : '.';
        text += s;
        text += ++sentences % 5 == 0 ? '\n' : ' ';
    }
    return text;
}

Dataset text(std::int64_t count, std::mt19937_64& rng) {
    constexpr std::int64_t kMaxLen = 40, kStep = 3;
    const auto chars = static_cast<std::int64_t>(kTextChars.size());
    // The example's windows: 40 characters every 3, each followed by the one to predict.
    const std::string t = madeUpText(static_cast<std::size_t>(count * kStep + kMaxLen + 1), rng);
    Dataset d;
    d.xDims = {kMaxLen, chars};
    d.yDims = {chars};
    d.x.assign(static_cast<std::size_t>(count * kMaxLen * chars), 0.0f);
    d.y.assign(static_cast<std::size_t>(count * chars), 0.0f);
    for (std::int64_t i = 0; i < count; ++i) {
        for (std::int64_t k = 0; k < kMaxLen; ++k) {
            const auto c = static_cast<std::int64_t>(kTextChars.find(t[static_cast<std::size_t>(i * kStep + k)]));
            d.x[static_cast<std::size_t>((i * kMaxLen + k) * chars + c)] = 1.0f;
        }
        const auto next = static_cast<std::int64_t>(kTextChars.find(t[static_cast<std::size_t>(i * kStep + kMaxLen)]));
        d.y[static_cast<std::size_t>(i * chars + next)] = 1.0f;
    }
    return d;
}

}  // namespace

const std::vector<std::string>& syntheticSampleNames() {
    static const std::vector<std::string> names = {"addition", "reviews", "engine", "text", "weather", "eeg"};
    return names;
}

bool isSyntheticSampleSet(const std::string& source) {
    if (isSyntheticArchive(source)) return true;
    if (!source.starts_with("synthetic:")) return false;
    const auto& names = syntheticSampleNames();
    return std::find(names.begin(), names.end(), source.substr(10)) != names.end();
}

Dataset syntheticSamples(const std::string& name, std::int64_t count, std::uint64_t seed) {
    if (count < 1) throw DataError("a synthetic sample set needs at least one sample");
    if (count > 1000000) throw DataError("a synthetic sample set holds at most 1,000,000 samples");
    std::mt19937_64 rng(seed);
    if (name == "addition") return addition(count, rng);
    if (name == "reviews") return reviews(count, rng);
    if (name == "engine") return engine(count, rng);
    if (name == "text") return text(count, rng);
    if (name == "weather") return weather(count, rng);
    if (name == "eeg") return eeg(count, rng);
    std::string known;
    for (const auto& n : syntheticSampleNames()) known += (known.empty() ? "" : ", ") + n;
    throw DataError("there is no synthetic sample set '" + name + "'; choose one of: " + known);
}

}  // namespace loom
