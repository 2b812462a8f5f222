#include "cli_diagram.h"

#include <filesystem>

#include "io/atomic_file.h"
#include "report/diagram.h"

#ifdef LAYERLOOM_HAS_RENDER
#include <QGuiApplication>

#include "export/model_diagram.h"
#endif

namespace loom::cli {

std::optional<std::string> writeDiagram(const ModelGraph& graph, const Validation& validation,
                                        const std::string& title, const std::string& path,
                                        double scale) {
    const std::string ext = std::filesystem::path(path).extension().string();
    if (ext != ".svg" && ext != ".png" && ext != ".pdf" && ext != ".dot") {
        return "the diagram file must end in .svg, .png, .pdf or .dot (got '" + path + "')";
    }
    if (ext == ".dot") {
        try {
            writeFileAtomically(path, diagramDot(graph, validation, title));
        } catch (const std::exception& e) {
            return std::string(e.what());
        }
        return std::nullopt;
    }
#ifdef LAYERLOOM_HAS_RENDER
    // Drawing needs fonts, not a display: Qt's offscreen platform does it on any machine.
    qputenv("QT_QPA_PLATFORM", "offscreen");
    int argc = 1;
    char name[] = "layerloom-cli";
    char* argv[] = {name, nullptr};
    QGuiApplication app(argc, argv);
    QString error;
    if (!ui::exportModelDiagram(graph, validation, QString::fromStdString(title),
                                QString::fromStdString(path), scale, &error)) {
        return error.toStdString();
    }
    return std::nullopt;
#else
    (void)scale;
    return "this build of layerloom-cli draws .dot diagrams only (it was built without Qt)";
#endif
}

}  // namespace loom::cli
