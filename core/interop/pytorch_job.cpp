#include "interop/pytorch_job.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "data/npy.h"
#include "interop/pytorch_code.h"
#include "io/atomic_file.h"
#include "io/message_text.h"
#include "layers/layer_registry.h"
#include "train/config_json.h"
#include "train/run_folder.h"

namespace loom {

namespace pytorch_job_files {
std::string file(const std::string& name);  // generated from interop/pytorch_job/
}

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kJobFormat = "layerloom-pytorch-job";

/// A new, empty or earlier job's folder; anything else would mix the job with other files.
void checkJobFolder(const fs::path& dir) {
    std::error_code ec;
    const auto status = fs::symlink_status(dir, ec);
    if (!fs::exists(status)) return;
    if (!fs::is_directory(status)) throw std::runtime_error(dir.string() + " exists and is not a folder");
    if (fs::exists(dir / "job.json", ec)) return;
    if (!fs::is_empty(dir, ec) || ec) {
        throw std::runtime_error(dir.string() + " holds other files; give a new or empty folder, or an "
                                 "earlier training job's folder to replace");
    }
}

std::uint64_t fnv1a(std::uint64_t h, const void* data, std::size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
        h ^= bytes[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/// One split's samples written to data/: a windowed series as its values and window starts
/// (the series written once when both splits cut from it), held samples as x and y.
class DataWriter {
public:
    DataWriter(fs::path dir, std::vector<std::string>& files) : m_dir(std::move(dir)), m_files(files) {}

    /// The split's samples, with `weights` (one per sample, or empty) as their loss weights.
    json write(const Dataset& d, const std::string& split, const std::vector<float>& weights) {
        json j = samples(d, split);
        if (!weights.empty()) {
            NpyArray w;
            w.shape = {static_cast<std::int64_t>(weights.size())};
            w.values = weights;
            j["weights"] = put(split + "_weights.npy", w);
        }
        return j;
    }

private:
    json samples(const Dataset& d, const std::string& split) {
        if (!d.source) {
            NpyArray x, y;
            x.shape = {d.size()};
            x.shape.insert(x.shape.end(), d.xDims.begin(), d.xDims.end());
            y.shape = {d.size()};
            y.shape.insert(y.shape.end(), d.yDims.begin(), d.yDims.end());
            x.values.assign(d.x.begin(), d.x.end());
            y.values.assign(d.y.begin(), d.y.end());
            return {{"kind", "samples"}, {"x", put(split + "_x.npy", x)}, {"y", put(split + "_y.npy", y)}};
        }
        json j = {{"kind", "windows"}, {"y_offset", d.yOffset}};
        auto known = m_series.find(d.source.get());
        if (known == m_series.end()) {
            NpyArray series;
            const auto features = d.source->features;
            series.shape = {features ? static_cast<std::int64_t>(d.source->values.size()) / features : 0, features};
            series.values = d.source->values;
            json names = {{"series", put(split + "_series.npy", series)}};
            if (d.yIsLabel) {
                NpyArray labels;
                labels.shape = {static_cast<std::int64_t>(d.source->labels.size())};
                labels.values = d.source->labels;
                names["labels"] = put(split + "_labels.npy", labels);
            }
            known = m_series.emplace(d.source.get(), names).first;
        }
        j.update(known->second);
        const std::string starts = "data/" + split + "_starts.npy";
        writeNpyInt64(m_dir / starts, d.starts);
        m_files.push_back(starts);
        j["starts"] = starts;
        return j;
    }

    std::string put(const std::string& name, const NpyArray& a) {
        const std::string file = "data/" + name;
        writeNpy(m_dir / file, a);
        m_files.push_back(file);
        return file;
    }

    fs::path m_dir;
    std::vector<std::string>& m_files;
    std::map<const WindowSource*, json> m_series;
};

void replaceAll(std::string& text, const std::string& what, const std::string& with) {
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size())) {
        text.replace(at, what.size(), with);
    }
}

}  // namespace

std::string pytorchJobFile(const std::string& name) { return pytorch_job_files::file(name); }

PytorchJobReport exportPytorchJob(const PytorchJobInput& in, const fs::path& dir) {
    if (!in.project || !in.plan || !in.data || !in.record) {
        throw std::invalid_argument("exportPytorchJob: nothing to export");
    }
    const Project& project = *in.project;
    const Plan<float>& plan = *in.plan;
    const PreparedData& data = *in.data;
    if (plan.inputs().size() != 1 || plan.outputs().size() != 1) {
        throw std::invalid_argument("a training job needs a model with one Input and one output");
    }
    if (data.train.size() == 0) throw std::invalid_argument("the data holds no training samples");
    if (!data.train.xColumns.empty() || !data.train.yColumns.empty()) {
        throw DataError("a training job takes the series' columns as the model's Input and target alike; this data "
                        "groups its columns by layer (layer_columns), which the job's script does not read");
    }
    // Class weights become each training sample's weight here, as LayerLoom's trainer takes them.
    const Dims& outDims = plan.dims(plan.outputs()[0]);
    if (std::string problem = metricsProblem(in.config, outDims.back()); !problem.empty()) throw DataError(problem);
    const std::vector<float> trainWeights = trainingWeights(data.train, in.config, outDims.size() == 2 ? outDims[0] : 1);
    checkJobFolder(dir);

    PytorchJobReport report;
    for (const Node& n : project.graph.nodes()) {
        const LayerSpec* spec = findLayer(n.kind);
        if (spec && spec->usesBatchStatistics()) {
            report.warnings.push_back(n.name + ": with several processes, " + n.kind + " normalises "
                                      "by each process's share of the batch");
        }
    }

    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create the folder " + dir.string() + ": " + ec.message());
    fs::remove_all(dir / "data", ec);
    fs::create_directories(dir / "data", ec);
    if (ec) throw std::runtime_error("cannot create the folder " + (dir / "data").string() + ": " + ec.message());

    const std::vector<NamedTensor> weights = plan.exportWeights();
    exportPytorchModel(project, weights, dir);
    report.files = {"model.py", "weights.bin", "weights.json"};

    DataWriter writer(dir, report.files);
    json dataJson = {{"x_shape", data.train.xDims}, {"y_shape", data.train.yDims},
                     {"train", writer.write(data.train, "train", trainWeights)},
                     {"validation", data.validation.size() > 0 ? writer.write(data.validation, "validation", data.validation.weights)
                                                               : json(nullptr)},
                     {"notes", data.notes}};

    json weightList = json::array();
    std::int64_t parameters = 0;
    for (const auto& p : plan.params()) {
        weightList.push_back({{"name", p.fullName()},
                              {"module", pytorchModuleName(p.fullName())},
                              {"layer", p.layer},
                              {"shape", p.shape.shape},
                              {"trainable", p.shape.trainable},
                              {"l1", p.regularizer.l1},
                              {"l2", p.regularizer.l2}});
        parameters += p.shape.size();
    }
    const Dims& out = plan.dims(plan.outputs()[0]);

    const json training = trainConfigToJson(in.config);
    RunRecord record = *in.record;
    record.complete = false;
    record.run.parameters = parameters;

    json job = {{"format", kJobFormat},
                {"version", 1},
                {"model", project.name},
                {"training", training},
                {"output", {{"rows_per_sample", out.size() == 2 ? out[0] : 1}, {"cols", out.back()}}},
                {"data", dataJson},
                {"weights", weightList},
                {"run", runRecordToJson(record)}};
    std::uint64_t h = 0xcbf29ce484222325ULL;
    const std::string text = job.dump();
    h = fnv1a(h, text.data(), text.size());
    for (const NamedTensor& t : weights) h = fnv1a(h, t.values.data(), t.values.size() * sizeof(float));
    char fingerprint[17];
    std::snprintf(fingerprint, sizeof fingerprint, "%016llx", static_cast<unsigned long long>(h));
    job["fingerprint"] = fingerprint;
    writeFileAtomically(dir / "job.json", job.dump(1) + "\n");
    report.files.push_back("job.json");

    for (const char* name : {"data.py", "train.py", "metrics.py", "torchrun.py"}) {
        writeFileAtomically(dir / name, pytorchJobFile(name));
        report.files.push_back(name);
    }
    for (const char* name : {"train.py", "torchrun.py"}) {
        fs::permissions(dir / name, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                        fs::perm_options::add, ec);
    }

    std::string readme = pytorchJobFile("README.md");
    const std::string title = project.name.empty() ? "model" : project.name;
    std::string dataText = data.train.source ? "the normalised series and where each window starts"
                                             : "the samples and their targets";
    dataText += " (" + groupedNumber(static_cast<std::uint64_t>(data.train.size())) + " training, " +
                groupedNumber(static_cast<std::uint64_t>(data.validation.size())) + " validation)";
    std::string settings = lossName(in.config.loss) + " loss, " + in.config.optimizer.name() + " at " +
                           (std::ostringstream() << in.config.optimizer.learningRate).str() + ", " +
                           std::to_string(in.config.epochs) + " epochs, batch " + std::to_string(in.config.batchSize) +
                           ", seed " + std::to_string(in.config.seed) + (in.config.shuffle ? ", shuffled" : ", in order");
    replaceAll(readme, "{{TITLE}}", title);
    replaceAll(readme, "{{MODEL}}", in.record->model.empty() ? "MODEL.loom" : in.record->model);
    replaceAll(readme, "{{DATA}}", dataText);
    replaceAll(readme, "{{SETTINGS}}", settings);
    replaceAll(readme, "{{BATCH}}", std::to_string(in.config.batchSize));
    writeFileAtomically(dir / "README.md", readme);
    report.files.push_back("README.md");
    return report;
}

}  // namespace loom
