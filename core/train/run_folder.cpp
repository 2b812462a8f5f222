#include "train/run_folder.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>

#include "engine/weights_file.h"
#include "io/atomic_file.h"
#include "io/json_fields.h"
#include "io/json_input.h"
#include "layers/layer_spec.h"
#include "io/message_text.h"
#include "train/config_json.h"
#include "version.h"

namespace loom {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kRecordFile = "run.json";
constexpr const char* kWeightsFile = "weights.llw";
constexpr const char* kHistoryFile = "history.csv";
constexpr const char* kStateFile = "state.llw";
/// run.json holds settings, the architecture and the history; a damaged or hostile one is
/// refused before it is read whole.
constexpr std::uintmax_t kMaxRecordBytes = 64u << 20;

/// Infinite losses (before the first epoch) are written as null; JSON has no infinity.
json finiteOrNull(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json windowToJson(const WindowSpec& w) {
    const char* target = w.target == WindowSpec::Target::Forecast         ? "forecast"
                         : w.target == WindowSpec::Target::Classification ? "classification"
                                                                          : "reconstruction";
    return {{"length", w.length}, {"stride", w.stride}, {"target", target}, {"horizon", w.horizon}};
}

WindowSpec windowFromJson(const JsonField& m) {
    WindowSpec w;
    w.length = m["length"].integer(0, kMaxSteps);
    w.stride = m["stride"].integer(0, kMaxSteps);
    w.horizon = m["horizon"].integer(0, kMaxSteps);
    if (m.has("target")) {
        const std::string t = m["target"].text();
        if (t == "forecast") {
            w.target = WindowSpec::Target::Forecast;
        } else if (t == "classification") {
            w.target = WindowSpec::Target::Classification;
        } else if (t != "reconstruction") {
            m["target"].fail("expected reconstruction, forecast or classification, found '" +
                             printableExcerpt(t, 40) + "'");
        }
    }
    return w;
}

json stateToJson(const TrainingState& s) {
    return {{"epochs_done", s.epochsDone},
            {"optimizer_iterations", s.optimizer.iterations},
            {"optimizer_slots", !s.optimizer.moments.empty()},
            {"dropout_rng", s.dropoutRng},
            {"learning_rate", s.learningRate},
            {"best", finiteOrNull(s.best)},
            {"best_epoch", s.bestEpoch},
            {"since_best", s.sinceBest},
            {"plateau_best", finiteOrNull(s.plateauBest)},
            {"since_plateau", s.sincePlateau},
            {"best_weights", !s.bestWeights.empty()}};
}

/// The state's numbers; its tensors come from state.llw (takeState). The slot and best-weight
/// vectors hold one empty entry as a marker when the file must provide them.
TrainingState stateFromJson(const JsonField& m) {
    constexpr std::int64_t kInt = std::numeric_limits<int>::max();
    const auto lossOrInfinity = [&](const char* key) {
        return m[key].value().is_null() ? INFINITY : m[key].number();
    };
    TrainingState s;
    s.epochsDone = static_cast<int>(m["epochs_done"].integer(0, kInt));
    s.optimizer.iterations = static_cast<long>(m["optimizer_iterations"].integer(0, std::numeric_limits<long>::max()));
    if (m["optimizer_slots"].flag()) s.optimizer.moments.emplace_back();
    s.dropoutRng = m["dropout_rng"].text();
    s.learningRate = m["learning_rate"].number();
    s.best = lossOrInfinity("best");
    s.bestEpoch = static_cast<int>(m["best_epoch"].integer(0, kInt));
    s.sinceBest = static_cast<int>(m["since_best"].integer(0, kInt));
    s.plateauBest = lossOrInfinity("plateau_best");
    s.sincePlateau = static_cast<int>(m["since_plateau"].integer(0, kInt));
    if (m["best_weights"].flag()) s.bestWeights.emplace_back();
    if (!(s.learningRate > 0) || !std::isfinite(s.learningRate)) {
        m["learning_rate"].fail("expected a positive number");
    }
    return s;
}

std::string slotName(const std::string& param, int slot) {
    return "optimizer/" + param + "/" + std::to_string(slot);
}
std::string bestName(const std::string& param) { return "best/" + param; }

std::string readRecordText(const fs::path& file) {
    std::error_code ec;
    const auto status = fs::status(file, ec);
    if (ec || !fs::exists(status)) {
        throw std::runtime_error(file.parent_path().string() +
                                 ": no run.json; give a folder that `layerloom-cli train` wrote");
    }
    if (!fs::is_regular_file(status)) throw std::runtime_error(file.string() + ": not a regular file");
    const auto size = fs::file_size(file, ec);
    if (ec) throw std::runtime_error(file.string() + ": cannot read: " + ec.message());
    if (size > kMaxRecordBytes) {
        throw std::runtime_error(file.string() + ": " + groupedNumber(static_cast<std::int64_t>(size)) +
                                 " bytes, more than a run record can be (" +
                                 groupedNumber(static_cast<std::int64_t>(kMaxRecordBytes)) + ")");
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(file.string() + ": cannot open: " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// The folder's path made absolute and without a trailing separator, so that it has a name
/// and a parent.
fs::path normalFolder(const fs::path& dir) {
    fs::path p = fs::weakly_canonical(fs::absolute(dir));
    if (p.filename().empty()) p = p.parent_path();
    return p;
}

fs::path besideFolder(const fs::path& dir, const char* suffix) {
    std::string name = ".";
    name += dir.filename().string();
    name += suffix;
    return dir.parent_path() / name;
}

[[noreturn]] void fail(const fs::path& what, const std::string& doing, int err) {
    throw std::runtime_error("cannot " + doing + " " + what.string() + ": " + std::strerror(err));
}

/// Puts the folder `next` in place of `dir`: an atomic exchange where the file system allows,
/// else two renames with the old folder kept beside until the new one is in place.
void replaceFolder(const fs::path& next, const fs::path& dir) {
    if (::rename(next.c_str(), dir.c_str()) == 0) return;  // dir was absent or empty
    const int err = errno;
    if (err != ENOTEMPTY && err != EEXIST) fail(dir, "replace", err);
    std::error_code ec;
#ifdef RENAME_EXCHANGE
    if (::renameat2(AT_FDCWD, next.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) == 0) {
        fs::remove_all(next, ec);  // now the old folder
        return;
    }
#endif
    const fs::path previous = besideFolder(dir, ".previous");
    fs::remove_all(previous, ec);
    if (::rename(dir.c_str(), previous.c_str()) != 0) fail(dir, "replace", errno);
    if (::rename(next.c_str(), dir.c_str()) != 0) {
        const int e = errno;
        ::rename(previous.c_str(), dir.c_str());
        fail(dir, "replace", e);
    }
    fs::remove_all(previous, ec);
}

}  // namespace

const std::vector<std::string>& runFolderFiles() {
    static const std::vector<std::string> names = {kRecordFile, kWeightsFile, kHistoryFile, kStateFile};
    return names;
}

json runRecordToJson(const RunRecord& r) {
    json j = {{"format", kRunFormat},
              {"version", kRunVersion},
              {"generatedBy", kGeneratedBy},
              {"model", r.model},
              {"complete", r.complete},
              {"run", runToJson(r.run)},
              {"window", windowToJson(r.window)}};
    j["run"]["training"]["normalizer"] = normalizerToJson(r.normalizer);
    if (r.state) j["resume"] = stateToJson(*r.state);
    return j;
}

RunRecord runRecordFromJson(const json& j) {
    const JsonField root(j, "");
    root.object();
    RunRecord r;
    const bool legacy = !j.contains("format");
    if (legacy) {
        // LayerLoom 0.1.0: model, training, data, window, normalizer, result, epochs_completed.
        r.model = root["model"].text();
        r.run.training = root["training"].object().value();
        r.run.training["data"] = root["data"].object().value();
        r.run.outcome = root["result"].text();
        r.window = windowFromJson(root["window"]);
    } else {
        const std::string format = root["format"].text();
        if (format != kRunFormat) {
            root["format"].fail("expected " + std::string(kRunFormat) + ", found '" + printableExcerpt(format, 40) + "'");
        }
        const auto version = root["version"].integer();
        if (version > kRunVersion || version < 1) {
            root["version"].fail("version " + std::to_string(version) +
                                 " of the run format; this LayerLoom reads version " +
                                 std::to_string(kRunVersion) + " (a newer LayerLoom wrote it?)");
        }
        r.model = root["model"].text();
        r.complete = root["complete"].flag();
        const JsonField run = root["run"].object();
        try {
            r.run = runFromJson(run.value());
        } catch (const std::runtime_error& e) {
            throw std::runtime_error("/run" + std::string(e.what()).insert(0, e.what()[0] == '/' ? "" : ": "));
        }
        r.window = windowFromJson(root["window"]);
        if (j.contains("resume")) {
            r.state = stateFromJson(root["resume"].object());
            r.state->history = r.run.history;
        }
    }
    const JsonField training(r.run.training, legacy ? "/training" : "/run/training");
    training.object();
    const JsonField data = legacy ? root["data"] : training["data"];
    data.object();
    // Version 1 (and LayerLoom 0.1.0) kept the normaliser at the top; later it is the run's.
    const bool topNormalizer = legacy || root["version"].integer() < 2;
    const JsonField normalizer = topNormalizer ? root["normalizer"] : training["normalizer"];
    try {
        r.normalizer = normalizerFromJson(normalizer.object().value());
    } catch (const std::runtime_error& e) {
        normalizer.fail(e.what());
    }

    try {
        // Read here so that a damaged record is refused when it is opened.
        (void)trainConfigFromJson(r.run.training);
    } catch (const std::runtime_error& e) {
        training.fail(e.what());
    }
    try {
        (void)dataSpecFromJson(data.value());
    } catch (const std::runtime_error& e) {
        data.fail(e.what());
    }
    // Where a project's runs list keeps it too (version 1 kept it at the top only).
    r.run.training["normalizer"] = normalizerToJson(r.normalizer);
    return r;
}

void checkRunFolderTarget(const fs::path& given) {
    const fs::path dir = normalFolder(given);
    std::error_code ec;
    const fs::path here = fs::weakly_canonical(fs::current_path(ec), ec);
    if (!ec) {
        auto d = dir.begin();
        auto h = here.begin();
        for (; d != dir.end() && h != here.end() && *d == *h; ++d, ++h) {}
        if (d == dir.end()) {
            throw std::runtime_error(given.string() + " is the current folder or holds it; "
                                     "give the run a folder of its own, e.g. --out run1");
        }
    }
    const auto status = fs::symlink_status(dir, ec);
    if (fs::exists(status)) {
        if (!fs::is_directory(status)) throw std::runtime_error(given.string() + " exists and is not a folder");
        std::vector<std::string> others;
        std::size_t count = 0;
        for (const auto& entry : fs::directory_iterator(dir, ec)) {
            const std::string name = entry.path().filename().string();
            bool ours = false;
            for (const std::string& f : runFolderFiles()) ours = ours || name == f;
            if (!ours) {
                if (others.size() < 3) others.push_back(printableExcerpt(name, 40));
                ++count;
            }
        }
        if (ec) throw std::runtime_error("cannot read the folder " + given.string() + ": " + ec.message());
        if (count > 0) {
            std::string list;
            for (const std::string& o : others) list += (list.empty() ? "" : ", ") + o;
            if (count > others.size()) list += ", ... " + groupedNumber(static_cast<std::int64_t>(count - others.size())) + " more";
            throw std::runtime_error(given.string() + " holds files that are not a run's (" + list +
                                     "); give a new or empty folder, or an earlier run folder to replace");
        }
    }
    // The run's files are written into a folder beside it first.
    const fs::path parent = dir.parent_path();
    fs::create_directories(parent, ec);
    if (ec) throw std::runtime_error("cannot create the folder " + parent.string() + ": " + ec.message());
    const fs::path probe = besideFolder(dir, ".probe");
    fs::remove_all(probe, ec);
    if (!fs::create_directory(probe, ec) || ec) {
        throw std::runtime_error("cannot write in " + parent.string() + ": " +
                                 (ec ? ec.message() : std::string("the folder exists")));
    }
    try {
        writeFileAtomically(probe / kRecordFile, "{}\n");
    } catch (const std::runtime_error& e) {
        fs::remove_all(probe, ec);
        throw;
    }
    fs::remove_all(probe, ec);
}

void writeRunFolder(const fs::path& given, const RunRecord& record,
                    const std::vector<NamedTensor>& weights, const Plan<float>* plan) {
    const fs::path dir = normalFolder(given);
    const fs::path next = besideFolder(dir, ".saving");
    std::error_code ec;
    fs::remove_all(next, ec);
    if (!fs::create_directory(next, ec) || ec) fail(next, "create", ec ? ec.value() : EEXIST);
    try {
        saveWeights(next / kWeightsFile, weights);
        writeFileAtomically(next / kHistoryFile, historyCsv(record.run.history));
        if (record.state && plan) {
            const auto& params = plan->params();
            const TrainingState& s = *record.state;
            std::vector<NamedTensor> tensors;
            auto add = [&](const std::string& name, const Plan<float>::Param& p, const AlignedVector<float>& v) {
                tensors.push_back({name, p.shape.shape, std::vector<float>(v.begin(), v.end())});
            };
            const std::size_t slots = params.empty() ? 0 : s.optimizer.moments.size() / params.size();
            for (std::size_t k = 0; k < params.size(); ++k) {
                for (std::size_t slot = 0; slot < slots; ++slot) {
                    add(slotName(params[k].fullName(), static_cast<int>(slot)), params[k],
                        s.optimizer.moments.at(slots * k + slot));
                }
                if (!s.bestWeights.empty()) add(bestName(params[k].fullName()), params[k], s.bestWeights.at(k));
            }
            saveWeights(next / kStateFile, tensors);
        }
        RunRecord written = record;
        if (!plan) written.state.reset();
        writeFileAtomically(next / kRecordFile, runRecordToJson(written).dump(1) + "\n");
        replaceFolder(next, dir);
    } catch (...) {
        fs::remove_all(next, ec);
        throw;
    }
}

RunFolder readRunFolder(const fs::path& given) {
    fs::path dir = given;
    std::error_code ec;
    // A run killed between the two renames of a file system without atomic exchange.
    if (!fs::exists(dir / kRecordFile, ec)) {
        const fs::path previous = besideFolder(normalFolder(given), ".previous");
        if (fs::exists(previous / kRecordFile, ec)) dir = previous;
    }
    const fs::path recordFile = dir / kRecordFile;
    const std::string text = readRecordText(recordFile);
    RunFolder folder;
    json j;
    try {
        j = parseJsonInput(text);
    } catch (const JsonInputError& e) {
        throw std::runtime_error(recordFile.string() + ":" + std::to_string(e.line()) + ":" +
                                 std::to_string(e.column()) + ": " + e.problem());
    }
    try {
        folder.record = runRecordFromJson(j);
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(recordFile.string() + ": " + e.what());
    }
    folder.weights = loadWeights(dir / kWeightsFile);
    if (folder.record.state) folder.stateTensors = loadWeights(dir / kStateFile);
    return folder;
}

TrainingState takeState(const RunFolder& folder, const Plan<float>& plan) {
    if (!folder.record.state) {
        throw std::runtime_error(folder.record.complete
                                     ? "the run finished; it has nothing to resume"
                                     : "the run folder holds no training state to resume from");
    }
    TrainingState s = *folder.record.state;
    std::map<std::string, const NamedTensor*> byName;
    for (const NamedTensor& t : folder.stateTensors) byName[t.name] = &t;
    auto take = [&](const std::string& name, const Plan<float>::Param& p) {
        const auto it = byName.find(name);
        if (it == byName.end()) throw std::runtime_error("state.llw has no " + name + "; the model changed since the run?");
        if (it->second->shape != p.shape.shape) {
            throw std::runtime_error("state.llw's " + name + " has shape " + tensorShapeText(it->second->shape) +
                                     ", the model's " + p.fullName() + " " + tensorShapeText(p.shape.shape));
        }
        return AlignedVector<float>(it->second->values.begin(), it->second->values.end());
    };
    const bool moments = !s.optimizer.moments.empty();
    const bool best = !s.bestWeights.empty();
    s.optimizer.moments.clear();
    s.bestWeights.clear();
    // Two slots per parameter, or three where AMSGrad kept its largest second moment.
    const bool third = !plan.params().empty() && byName.contains(slotName(plan.params().front().fullName(), 2));
    for (const auto& p : plan.params()) {
        if (moments) {
            s.optimizer.moments.push_back(take(slotName(p.fullName(), 0), p));
            s.optimizer.moments.push_back(take(slotName(p.fullName(), 1), p));
            if (third) s.optimizer.moments.push_back(take(slotName(p.fullName(), 2), p));
        }
        if (best) s.bestWeights.push_back(take(bestName(p.fullName()), p));
    }
    return s;
}

}  // namespace loom
