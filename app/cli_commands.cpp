#include "cli_commands.h"

#include <filesystem>
#include <map>
#include <ostream>

#include "graph/project_file.h"
#include "report/report_json.h"
#include "report/summary.h"
#include "shape/validator.h"

namespace loom::cli {

namespace {

constexpr const char* kUsageText =
    "Usage: layerloom-cli COMMAND [OPTIONS] FILE\n"
    "\n"
    "Commands:\n"
    "  summary FILE     Print the Keras-style layer table: output shapes, parameter counts,\n"
    "                   connections and totals.\n"
    "  validate FILE    Check every shape and wire. Exit 0 when the model is valid, 1 when it\n"
    "                   has errors (printed compiler-style, with suggested fixes), 2 when the\n"
    "                   file cannot be read.\n"
    "\n"
    "Options:\n"
    "  --json           Print machine-readable JSON instead of text.\n"
    "  -h, --help       Show this help.\n"
    "  --version        Show the version.\n"
    "\n"
    "FILE is a LayerLoom project (.loom).\n";

struct Options {
    std::string command;
    std::string file;
    bool json = false;
};

int usageError(std::ostream& err, const std::string& message) {
    err << "layerloom-cli: " << message << "\n"
        << "Run 'layerloom-cli --help' for usage.\n";
    return kUsage;
}

std::string displayName(const Project& project, const std::string& file) {
    if (!project.name.empty()) return project.name;
    return std::filesystem::path(file).stem().string();
}

int summaryCommand(const Options& opt, const Project& project, std::ostream& out) {
    const Validation v = validate(project.graph);
    const ModelSummary s = summarize(project.graph, v, displayName(project, opt.file));
    if (opt.json) {
        nlohmann::json doc = summaryJson(s);
        doc["valid"] = !v.hasErrors();
        out << doc.dump(2) << "\n";
    } else {
        out << formatSummary(s);
        if (v.hasErrors()) {
            out << "\nThe model has " << v.count(Severity::Error)
                << " error(s); run 'layerloom-cli validate " << opt.file << "' for details.\n";
        }
    }
    return kOk;
}

int validateCommand(const Options& opt, const Project& project, std::ostream& out) {
    const Validation v = validate(project.graph);
    if (opt.json) {
        out << validationJson(project.graph, v).dump(2) << "\n";
        return v.hasErrors() ? kInvalid : kOk;
    }
    for (const Diagnostic& d : v.diagnostics) {
        const Node* node = project.graph.node(d.node);
        out << opt.file << ": ";
        if (node) out << node->name << ": ";
        out << severityName(d.severity) << " [" << codeName(d.code) << "]: " << d.message << "\n";
        for (const Fix& f : d.fixes) out << "  fix: " << f.title << "\n";
    }
    const std::size_t errors = v.count(Severity::Error), warnings = v.count(Severity::Warning);
    if (errors == 0) {
        out << opt.file << ": valid, " << project.graph.nodes().size() << " layers, "
            << groupThousands(v.totalParams) << " parameters";
        if (warnings > 0) out << ", " << warnings << " warning(s)";
        out << "\n";
        return kOk;
    }
    out << errors << " error(s), " << warnings << " warning(s)\n";
    return kInvalid;
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    Options opt;
    for (const std::string& a : args) {
        if (a == "-h" || a == "--help") {
            out << kUsageText;
            return kOk;
        }
        if (a == "--version") {
            out << "layerloom-cli 0.1.0\n";
            return kOk;
        }
        if (a == "--json") {
            opt.json = true;
        } else if (a.starts_with("-") && a != "-") {
            return usageError(err, "unknown option '" + a + "'");
        } else if (opt.command.empty()) {
            opt.command = a;
        } else if (opt.file.empty()) {
            opt.file = a;
        } else {
            return usageError(err, "unexpected argument '" + a + "'");
        }
    }
    if (opt.command.empty()) return usageError(err, "no command given");
    if (opt.command != "summary" && opt.command != "validate") {
        return usageError(err, "unknown command '" + opt.command + "'");
    }
    if (opt.file.empty()) return usageError(err, opt.command + " needs a FILE");

    Project project;
    try {
        project = loadProject(opt.file);
    } catch (const ProjectError& e) {
        if (opt.json) {
            nlohmann::json doc = {{"error", e.what()}, {"file", opt.file}};
            if (!e.pointer().empty()) doc["pointer"] = e.pointer();
            if (e.line() > 0) doc["line"] = e.line(), doc["column"] = e.column();
            if (!e.nodeName().empty()) doc["layer"] = e.nodeName();
            out << doc.dump(2) << "\n";
        }
        err << "layerloom-cli: error: " << e.what() << "\n";
        return kUnreadable;
    }
    return opt.command == "summary" ? summaryCommand(opt, project, out)
                                    : validateCommand(opt, project, out);
}

}  // namespace loom::cli
