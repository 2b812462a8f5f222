#include "cli_commands.h"

#include <filesystem>
#include <optional>
#include <ostream>

#include "cli_analysis.h"
#include "cli_diagram.h"
#include "cli_export.h"
#include "cli_model.h"
#include "cli_train.h"
#include "report/report_json.h"
#include "report/summary.h"
#include "engine/plan.h"
#include "service/project_check.h"
#include "train/config_json.h"
#include "shape/validator.h"
#include "version.h"

namespace loom::cli {

namespace {

constexpr const char* kUsageText =
    "Usage: layerloom-cli COMMAND MODEL [OPTIONS]\n"
    "\n"
    "MODEL is a LayerLoom project (.loom), a Keras model: .keras (Keras 3), .h5 (tf.keras 2\n"
    "or Keras 3), or a TF.js layers-format model.json (weights beside it), or an ONNX model\n"
    "(.onnx): PyTorch's recurrent, linear and convolution layers, and LayerLoom's own files.\n"
    "\n"
    "Commands:\n"
    "  summary MODEL     The Keras-style layer table: output shapes, parameters, connections.\n"
    "  validate MODEL    Check every shape and wire. Exit 0 when valid, 1 with the problems\n"
    "                    printed compiler-style with suggested fixes, 2 when unreadable.\n"
    "  train MODEL       Train on data and write weights, history and settings to a folder.\n"
    "  evaluate MODEL    The loss (and accuracy) of trained weights on data.\n"
    "  predict MODEL     Run trained weights on inputs.\n"
    "  detect MODEL      The unusual stretches of a series: every step scored by how badly a\n"
    "                    trained autoencoder reconstructs the windows that cover it.\n"
    "  forecast MODEL    The next steps of a series from a trained forecaster, and a backtest\n"
    "                    beside naive forecasts (last value, seasonal naive, window mean).\n"
    "  diagram MODEL OUT Draw the model as Keras's plot_model(show_shapes=True) does: a box\n"
    "                    per layer with its input and output shapes. OUT ends in .svg, .png,\n"
    "                    .pdf or .dot (Graphviz). No display needed.\n"
    "  export MODEL OUT  --to keras: runnable Keras Python (OUT.py); --to pytorch: a PyTorch\n"
    "                    module with the same numerics and its weights (OUT/model.py, ...);\n"
    "                    --to tfjs: a Keras/TF.js layers-format folder (OUT/model.json and\n"
    "                    OUT/weights.bin) that TF.js loads as it is; --to keras-file: the\n"
    "                    model and its weights as OUT.keras (Keras 3) or OUT.h5 (tf.keras 2);\n"
    "                    --to onnx: OUT.onnx, standard ONNX operators for ONNX Runtime;\n"
    "                    --to pytorch-job: a folder that trains the model with PyTorch's\n"
    "                    DistributedDataParallel (torchrun) and writes a run folder back.\n"
    "                    A format that cannot hold the model says why, and which can.\n"
    "\n"
    "Options of summary and validate:\n"
    "  --json                 Machine-readable JSON instead of text.\n"
    "\n"
    "Options of train (settings default to the project's training section):\n"
    "  --data SOURCE          FILE.csv, FILE.npy (samples), FILE.npz (arrays x and y, or\n"
    "                         one per Input and output, named after it: x_1, y_1, ...),\n"
    "                         synthetic:NAME (series: sines, square, sawtooth, random_walk,\n"
    "                         anomalies; samples: addition, reviews, engine, text,\n"
    "                         weather, eeg, transactions)\n"
    "                         or sample:NAME, a series that ships with LayerLoom\n"
    "                         (sample:sunspots, sample:nile, sample:elec_equip);\n"
    "                         default: the project's, else sample:sunspots\n"
    "  --target FILE.npy      Targets for a .npy source (default: the samples themselves)\n"
    "  --column NAMES         CSV columns by name or index, comma-separated\n"
    "  --layer-columns GROUPS The CSV columns each Input reads and each output's target\n"
    "                         takes, for a model with several (in=a,b;extra=c;out=a)\n"
    "  --label NAME           CSV column of class labels: each window is classified by the\n"
    "                         label at its last step (sparse class indexes, or 0/1)\n"
    "  --window N             Window length (default: the model's Input length)\n"
    "  --stride N             Steps between windows (default 1)\n"
    "  --steps N              Length of a synthetic series, or samples of a set (default 2000)\n"
    "  --normalize KIND       zscore (default), minmax or none; fitted on training data only\n"
    "  --missing POLICY       error (default), drop (windows with gaps) or interpolate\n"
    "  --validation-split X   The last fraction in time validates (default 0.2)\n"
    "  --epochs N  --batch-size N  --optimizer sgd|adam|adamw|rmsprop  --lr X\n"
    "  --loss mse|mae|huber|binary_crossentropy|categorical_crossentropy|\n"
    "         sparse_categorical_crossentropy\n"
    "  --patience N           Stop early after N epochs without improvement\n"
    "  --shuffle on|off       Shuffle the samples every epoch (default on)\n"
    "  --seed N               Repeatable shuffling, dropout and initial weights\n"
    "  --weights FILE         Start from these trained weights where they fit the layers\n"
    "                         (refused when they fit none) instead of the model's own\n"
    "  --out DIR              The run folder: weights.llw, history.csv, run.json and\n"
    "                         state.llw, rewritten as one after every epoch (default:\n"
    "                         MODEL-run; a new or empty folder, or an earlier run's).\n"
    "                         Ctrl+C or SIGTERM stops after the current batch and keeps\n"
    "                         the finished epochs\n"
    "  --resume DIR           Continue the run in DIR (stopped, killed or finished) exactly\n"
    "                         where it was, with its settings; --epochs N sets a new end\n"
    "  --threads N            Exactly N threads for every batch, so that the run repeats\n"
    "                         bit for bit (default: every core, or fewer while other\n"
    "                         programs keep cores busy and fewer are faster)\n"
    "  --quiet                No progress output\n"
    "\n"
    "Options of diagram:\n"
    "  --scale X              PNG pixels per diagram unit (default 2)\n"
    "\n"
    "Options of export:\n"
    "  --to keras|keras-file|onnx|pytorch|pytorch-job|tfjs   The format (required)\n"
    "  --opset N              onnx: the operator set, 13 to 17 (default 17)\n"
    "  --sequential           keras: a keras.Sequential model when the graph is a chain\n"
    "  --run DIR | --weights FILE   Trained weights (default: the model's own, else new\n"
    "                         ones from Keras's initialisers)\n"
    "  --seed N               Seeds the layers the weights do not fit (default: the\n"
    "                         project's training seed, as in the window)\n"
    "  pytorch-job: the data and training options of train (--data, --epochs, ...), taken\n"
    "  from the project's settings where not given; the weights above are the starting ones\n"
    "\n"
    "Options of evaluate and predict:\n"
    "  --run DIR              Weights and data settings of a train command's folder\n"
    "  --weights FILE         Weights (.llw) to use instead\n"
    "  --data ...             evaluate: the data options of train\n"
    "  --input X.json|X.npy   predict: inputs shaped (batch, time, features), or (batch, time)\n"
    "                         for token ids; X.npz for a model with several Inputs or\n"
    "                         outputs: an array per Input, named after it (or x, x_1, ...)\n"
    "  --out Y.json|Y.npy     predict: where the outputs go (default: JSON on stdout); with\n"
    "                         several outputs, Y.npz or a JSON object, by output name\n"
    "\n"
    "Options of detect:\n"
    "  --run DIR | --weights FILE   Trained weights (default: the project's own); the run's\n"
    "                         data settings and normaliser apply (with --weights: fitted on\n"
    "                         the project's training data)\n"
    "  --data SOURCE          The series to score (default: the whole training series);\n"
    "                         --column NAMES as for train (default: the training's columns)\n"
    "  --threshold RULE       max-train (default: the largest training-window error),\n"
    "                         quantile:Q, mad:K (median + K x MAD of the training errors)\n"
    "                         or a number\n"
    "  --rule all|mean|max    A step's score from the windows covering it: all (default:\n"
    "                         flagged when every one is over), their mean, or the largest\n"
    "  --metric mae|mse       A window's reconstruction error (default mae)\n"
    "  --merge-gap N          Join flagged stretches at most N steps apart (default: a\n"
    "                         quarter of a window)\n"
    "  --out FILE.csv         One row per input row: time (or row), values, score,\n"
    "                         threshold, anomaly (0 or 1)\n"
    "  --intervals FILE.csv   start,end,peak,mean (and feature with several features)\n"
    "  --json                 The threshold and the intervals as JSON\n"
    "\n"
    "Options of forecast:\n"
    "  --run DIR | --weights FILE   Trained weights, as for detect\n"
    "  --data SOURCE          The series (default: the training series); its last part (the\n"
    "                         run's validation split) is backtested; --column as for train\n"
    "  --horizon H            Steps to forecast (default: the model's own; more are made by\n"
    "                         feeding its forecasts back)\n"
    "  --period N             The seasonal naive forecast's period (default: detected)\n"
    "  --at ROW               Forecast from this row (from 1) instead of past the end: the\n"
    "                         output then has the truth and the error where the data has them\n"
    "  --out FILE.csv         time, forecast (truth, error); --json: everything as JSON\n"
    "\n"
    "  -h, --help             Show this help.   --version   Show the version.\n";

/// A JSON report as text; bytes of a file name or message that are not UTF-8 become U+FFFD.
std::string jsonText(const nlohmann::json& doc) {
    return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// Loads a model; on failure reports where (as JSON too with --json) and returns nothing.
std::optional<LoadedModel> loadOrReport(const Args& a, std::ostream& out, std::ostream& err) {
    const std::string& file = a.positional[0];
    try {
        return loadModel(file);
    } catch (const ProjectError& e) {
        if (a.flag("json")) {
            nlohmann::json doc = {{"error", e.what()}, {"file", file}};
            if (!e.pointer().empty()) doc["pointer"] = e.pointer();
            if (e.line() > 0) doc["line"] = e.line(), doc["column"] = e.column();
            if (!e.nodeName().empty()) doc["layer"] = e.nodeName();
            out << jsonText(doc) << "\n";
        }
        err << "layerloom-cli: error: " << e.what() << "\n";
    } catch (const std::exception& e) {
        if (a.flag("json")) out << jsonText({{"error", e.what()}, {"file", file}}) << "\n";
        err << "layerloom-cli: error: " << e.what() << "\n";
    }
    return std::nullopt;
}

int summaryCommand(const Args& a, std::ostream& out, std::ostream& err) {
    a.expect({}, {"json"}, 1, "a MODEL");
    const std::string& file = a.positional[0];
    const std::optional<LoadedModel> model = loadOrReport(a, out, err);
    if (!model) return kUnreadable;
    const Project& project = model->project;
    const Validation v = validate(project.graph);
    const std::string name =
        project.name.empty() ? std::filesystem::path(file).stem().string() : project.name;
    const ModelSummary s = summarize(project.graph, v, name);
    if (a.flag("json")) {
        nlohmann::json doc = summaryJson(s);
        doc["valid"] = !v.hasErrors();
        // What an import changed (PyTorch's two LSTM biases as one, ...).
        if (!model->notes.empty()) doc["import_notes"] = model->notes;
        out << doc.dump(2) << "\n";
    } else {
        out << formatSummary(s);
        for (const std::string& note : model->notes) out << "Note: " << note << "\n";
        if (v.hasErrors()) {
            out << "\nThe model has " << v.count(Severity::Error)
                << " error(s); run 'layerloom-cli validate " << file << "' for details.\n";
        }
    }
    return kOk;
}

int validateCommand(const Args& a, std::ostream& out, std::ostream& err) {
    a.expect({}, {"json"}, 1, "a MODEL");
    const std::string& file = a.positional[0];
    const std::optional<LoadedModel> model = loadOrReport(a, out, err);
    if (!model) return kUnreadable;
    const Project& project = model->project;
    Validation v = validate(project.graph);
    if (!v.hasErrors()) {
        // A model can be right and still too large to train here: with the project's batch size.
        TrainConfig training;
        try {
            training = trainConfigFromJson(project.training);
        } catch (const std::runtime_error&) {
            // validate reports the graph; train reports wrong settings.
        }
        if (std::string problem = memoryProblem(project.graph, training.batchSize); !problem.empty()) {
            v.diagnostics.push_back({DiagCode::ModelTooLarge, Severity::Error, 0, std::nullopt, problem, {}, {}});
        }
        if (std::optional<Diagnostic> task = taskProblem(project.graph, v, project.training)) {
            v.diagnostics.push_back(std::move(*task));
        }
    }
    orderFixesByTask(project.graph, v, project.training);
    if (a.flag("json")) {
        out << validationJson(project.graph, v).dump(2) << "\n";
        return v.hasErrors() ? kInvalid : kOk;
    }
    for (const Diagnostic& d : v.diagnostics) {
        const Node* node = project.graph.node(d.node);
        out << file << ": ";
        if (node) out << node->name << ": ";
        out << severityName(d.severity) << " [" << codeName(d.code) << "]: " << d.message << "\n";
        for (const Fix& f : d.fixes) out << "  fix: " << f.title << "\n";
    }
    const std::size_t errors = v.count(Severity::Error), warnings = v.count(Severity::Warning);
    if (errors == 0) {
        out << file << ": valid, " << project.graph.nodes().size() << " layers, "
            << groupThousands(v.totalParams) << " parameters";
        if (warnings > 0) out << ", " << warnings << " warning(s)";
        out << "\n";
        return kOk;
    }
    out << errors << " error(s), " << warnings << " warning(s)\n";
    return kInvalid;
}

int diagramCommand(const Args& a, std::ostream& out, std::ostream& err) {
    a.expect({"scale"}, {}, 2, "a MODEL and an OUT file");
    const std::string& file = a.positional[0];
    const std::string& target = a.positional[1];
    const double scale = a.number("scale").value_or(2.0);
    if (!(scale > 0.0 && scale <= 8.0)) throw UsageError{"--scale must be between 0 and 8"};
    const std::optional<LoadedModel> model = loadOrReport(a, out, err);
    if (!model) return kUnreadable;
    const Project& project = model->project;
    const Validation v = validate(project.graph);
    const std::string title =
        project.name.empty() ? std::filesystem::path(file).stem().string() : project.name;
    if (auto problem = writeDiagram(project.graph, v, title, target, scale)) {
        err << "layerloom-cli: error: " << *problem << "\n";
        return kUnreadable;
    }
    out << "wrote " << target << " (" << project.graph.nodes().size() << " layers";
    if (v.hasErrors()) out << ", " << v.count(Severity::Error) << " error(s): those layers are red";
    out << ")\n";
    return kOk;
}

}  // namespace

int run(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
    try {
        const Args a = Args::parse(argv, trainingOptions());
        if (a.flag("help")) return (out << kUsageText, kOk);
        if (a.flag("version")) return (out << "layerloom-cli " << kVersion << "\n", kOk);
        if (a.command.empty()) throw UsageError{"no command given"};
        if (a.command == "summary") return summaryCommand(a, out, err);
        if (a.command == "validate") return validateCommand(a, out, err);
        if (a.command == "train") return trainCommand(a, out, err);
        if (a.command == "evaluate") return evaluateCommand(a, out, err);
        if (a.command == "predict") return predictCommand(a, out, err);
        if (a.command == "detect") return detectCommand(a, out, err);
        if (a.command == "forecast") return forecastCommand(a, out, err);
        if (a.command == "diagram") return diagramCommand(a, out, err);
        if (a.command == "export") return exportCommand(a, out, err);
        throw UsageError{"unknown command '" + a.command + "'"};
    } catch (const UsageError& e) {
        err << "layerloom-cli: " << e.message << "\nRun 'layerloom-cli --help' for usage.\n";
        return kUsage;
    }
}

}  // namespace loom::cli
