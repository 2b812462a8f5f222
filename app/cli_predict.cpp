#include "cli_train.h"

#include <functional>
#include <iomanip>
#include <map>
#include <optional>
#include <ostream>

#include "cli_model.h"
#include "cli_settings.h"
#include "data/csv_reader.h"
#include "data/npy.h"
#include "engine/plan.h"
#include "interop/keras_model.h"
#include "io/atomic_file.h"
#include "io/message_text.h"
#include "service/evaluation.h"
#include "train/config_json.h"
#include "train/run_folder.h"
#include "train/session.h"
#include "train/token_ids.h"
#include "train/trainer.h"

namespace loom::cli {

using nlohmann::json;

int evaluateCommand(const Args& a, std::ostream& out, std::ostream& err) {
    a.expect({"data", "target", "column", "layer-columns", "label", "window", "stride", "steps", "seed", "normalize",
              "missing", "weights", "run", "loss", "batch-size"},
             {"json"}, 1, "a MODEL");
    return reportingErrors(err, [&] {
        // The run's own settings, with what the command line gives on top.
        EvaluationRequest request = trainedModel(a);
        request.data = dataFrom(request.data, a);
        if (auto loss = lossOption(a)) request.loss = *loss;
        EvaluationResult result;
        try {
            result = evaluateModel(request);
        } catch (const DataError& problem) {
            throw aboutData(request.data.source, problem);
        }
        const Evaluation& e = result.scores;
        const Loss loss = request.loss;
        if (a.flag("json")) {
            json j = {{"loss", e.loss}, {"loss_name", lossName(loss)}, {"samples", result.samples}};
            if (e.accuracy >= 0) j["accuracy"] = e.accuracy;
            for (const auto& [name, value] : e.metrics) j[name] = value;
            out << j.dump(2) << "\n";
        } else {
            out << lossName(loss) << ": " << std::setprecision(6) << e.loss;
            if (e.accuracy >= 0) out << "  accuracy: " << std::setprecision(4) << e.accuracy;
            for (const auto& [name, value] : e.metrics) out << "  " << name << ": " << std::setprecision(4) << value;
            out << "  (" << result.samples << " samples)\n";
        }
        return kOk;
    });
}

namespace {

/// Nested JSON arrays (batch, time, features), as the Keras fixtures hold them.
json nested(const NpyArray& y) {
    std::function<json(std::size_t, std::size_t&)> nest = [&](std::size_t depth, std::size_t& at) {
        json j = json::array();
        for (std::int64_t i = 0; i < y.shape[depth]; ++i) {
            j.push_back(depth + 1 == y.shape.size() ? json(y.values[at++]) : nest(depth + 1, at));
        }
        return j;
    };
    std::size_t at = 0;
    return nest(0, at);
}

/// Writes `text` to `target`, or to `out` for "-".
void writeText(const std::string& target, const std::string& text, std::ostream& out) {
    if (target == "-") {
        out << text;
    } else {
        writeFileAtomically(target, text);
    }
}

/// The view outputs (attention scores) beside the outputs, each under its own name.
void addViews(const ModelGraph& graph, const Plan<float>& plan, std::vector<std::vector<float>> views,
              std::int64_t samples, std::map<std::string, NpyArray>& arrays) {
    for (std::size_t k = 0; k < views.size(); ++k) {
        NpyArray a{{samples}, std::move(views[k])};
        const Dims& dims = plan.viewDims(k);
        a.shape.insert(a.shape.end(), dims.begin(), dims.end());
        arrays[viewOutputName(graph, plan.viewOutputs()[k])] = std::move(a);
    }
}

/// Writes predict's arrays to `target`: an .npz archive of them by name; an .npy file when there
/// is one; otherwise JSON (stdout for "-"): one array as itself unless `jsonByName`, several as
/// an object by name. `scores` of them are attention scores.
void writeArrays(const std::string& target, const std::map<std::string, NpyArray>& arrays, std::size_t scores,
                 bool jsonByName, std::ostream& out) {
    if (target.ends_with(".npz")) {
        writeNpz(target, arrays);
        return;
    }
    if (target.ends_with(".npy")) {
        if (arrays.size() > 1) {
            throw DataError(target + ": the model gives " + counted(arrays.size() - scores, "output", "outputs") +
                            (scores ? " and " + counted(scores, "layer's attention scores", "layers' attention scores")
                                    : std::string()) +
                            "; write them to an .npz archive or as JSON");
        }
        writeNpy(target, arrays.begin()->second);
        return;
    }
    if (arrays.size() == 1 && !jsonByName) {
        writeText(target, nested(arrays.begin()->second).dump() + "\n", out);
        return;
    }
    json j = json::object();
    for (const auto& [name, y] : arrays) j[name] = nested(y);
    writeText(target, j.dump() + "\n", out);
}

/// predict for a model with several Inputs or outputs: an array per Input from an .npz archive
/// (named after the Input, or x, x_1, ...), and an array per output, named after it, to an .npz
/// archive or as a JSON object.
void predictSeveral(const LoadedModel& model, const std::vector<NamedTensor>& weights, const ModelEnds& ends,
                    const std::string& inputPath, int batch, const std::string& target, std::ostream& out) {
    if (!inputPath.ends_with(".npz")) {
        throw DataError(inputPath + ": the model has " + counted(ends.inputs.size(), "Input", "Inputs") + " and " +
                        counted(ends.outputs.size(), "output", "outputs") +
                        "; give --input an .npz archive with an array per Input, named after it (or x, x_1, ...)");
    }
    const std::vector<NpyArray> xs = inputArrays(readNpz(inputPath), ends.inputs, inputPath);
    std::vector<Dims> samples;
    for (std::size_t k = 0; k < xs.size(); ++k) {
        if (xs[k].shape.size() < 2 || xs[k].shape[0] != xs[0].shape[0]) {
            throw DataError(inputPath + ": the array for " + ends.inputs[k] + " must hold a batch of " +
                            std::to_string(xs[0].shape[0]) + " samples, like the first Input's: (batch, time, features)");
        }
        samples.emplace_back(xs[k].shape.begin() + 1, xs[k].shape.end());
    }
    Plan<float> plan = Plan<float>::compile(withSampleLengths(model.project.graph, ends, samples), batch);
    plan.loadWeights(weights);
    std::vector<const float*> inputs;
    for (std::size_t k = 0; k < xs.size(); ++k) {
        const Dims& in = plan.dims(plan.inputs()[k]);
        if (samples[k] != in) {
            throw DataError(inputPath + ": the samples for " + ends.inputs[k] + " have shape " + formatShape(samples[k]) +
                            ", but it takes " + formatShape(in));
        }
        if (const auto reader = tokenIdReader(model.project.graph, ends.inputs[k])) {
            Dataset ids;
            ids.xDims = samples[k];
            ids.x = xs[k].values;
            checkTokenIds(ids, *reader, "input");
        }
        inputs.push_back(xs[k].values.data());
    }
    std::vector<std::vector<float>> views;
    const std::vector<std::vector<float>> ys = predictAll(plan, inputs, xs[0].shape[0], nullptr, &views);
    std::map<std::string, NpyArray> arrays;
    for (std::size_t k = 0; k < ys.size(); ++k) {
        NpyArray y{{xs[0].shape[0]}, ys[k]};
        const Dims& od = plan.dims(plan.outputs()[k]);
        y.shape.insert(y.shape.end(), od.begin(), od.end());
        arrays[ends.outputs[k]] = std::move(y);
    }
    addViews(model.project.graph, plan, std::move(views), xs[0].shape[0], arrays);
    writeArrays(target, arrays, plan.viewOutputs().size(), true, out);
}

}  // namespace

int predictCommand(const Args& a, std::ostream& out, std::ostream& err) {
    a.expect({"input", "out", "weights", "run", "batch-size"}, {}, 1, "a MODEL");
    const auto inputPath = a.get("input");
    if (!inputPath) throw UsageError{"predict needs --input X.json|X.npy|X.npz"};
    return reportingErrors(err, [&] {
        const LoadedModel model = loadModel(a.positional[0]);
        std::optional<RunRecord> run;
        const std::vector<NamedTensor> weights = weightsFor(model, a, &run);
        const int batch = static_cast<int>(a.integer("batch-size", 1).value_or(64));
        ModelEnds ends;
        try {
            ends = modelEnds(model.project.graph, validate(model.project.graph));
        } catch (const PlanError&) {
            // Compiling the model below says what is wrong with it.
        }
        // Several Inputs read an .npz; one Input with several outputs may still read .npy or JSON.
        if (ends.several() && (ends.inputs.size() > 1 || inputPath->ends_with(".npz"))) {
            predictSeveral(model, weights, ends, *inputPath, batch, a.get("out", "-"), out);
            return kOk;
        }
        NpyArray x;
        if (inputPath->ends_with(".npy")) {
            x = readNpy(*inputPath);
        } else {
            x.values = readJsonArray(*inputPath, x.shape);
        }
        if (x.shape.size() < 2) throw DataError(*inputPath + ": give a batch: (batch, time, features)");
        const Dims sample(x.shape.begin() + 1, x.shape.end());
        // The first axis is the one a free (None) length can be: time, or a vector's features.
        Plan<float> plan = Plan<float>::compile(model.project.graph, batch, sample[0]);
        plan.loadWeights(weights);
        const Dims& in = plan.dims(plan.inputs().at(0));
        if (sample != in) {
            throw DataError(*inputPath + ": the samples have shape " + formatShape(sample) +
                            ", but the model's Input takes " + formatShape(in));
        }
        if (const auto reader = tokenIdReader(model.project.graph)) {
            Dataset ids;
            ids.xDims = sample;
            ids.x = x.values;
            checkTokenIds(ids, *reader, "input");
        }
        // The run's normalisation, both ways, as training and the window's previews use it.
        const Normalizer norm = run ? run->normalizer : Normalizer{};
        const std::int64_t features = in.back();
        try {
            norm.toModelUnits(x.values, features);
        } catch (const DataError& e) {
            throw DataError("run.json: " + std::string(e.what()) + " (the model's Input)");
        }
        const float* inputs[] = {x.values.data()};
        std::vector<std::vector<float>> views;
        std::vector<std::vector<float>> ys = predictAll(plan, inputs, x.shape[0], nullptr, &views);
        std::map<std::string, NpyArray> arrays;
        for (std::size_t k = 0; k < ys.size(); ++k) {
            NpyArray y{{x.shape[0]}, std::move(ys[k])};
            const Dims& od = plan.dims(plan.outputs()[k]);
            y.shape.insert(y.shape.end(), od.begin(), od.end());
            if (od.back() == features) norm.toDataUnits(y.values, features);
            arrays[plan.name(plan.outputs()[k])] = std::move(y);
        }
        addViews(model.project.graph, plan, std::move(views), x.shape[0], arrays);
        writeArrays(a.get("out", "-"), arrays, plan.viewOutputs().size(), false, out);
        return kOk;
    });
}

}  // namespace loom::cli

