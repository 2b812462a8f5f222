// Editor speed on a 500-layer graph (issue targets: one edit's re-validation plus canvas
// update under 16 ms, opening under 1 s, panning at 60 frames per second). Runs the real
// window offscreen: every dock updates as it does for a user.
#include <QApplication>
#include <QScrollBar>
#include <QTemporaryDir>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "bench_graphs.h"
#include "canvas/canvas_view.h"
#include "canvas/edge_item.h"
#include "canvas/graph_scene.h"
#include "canvas/node_item.h"
#include "document/document.h"
#include "graph/graph_edit.h"
#include "graph/project_file.h"
#include "window/main_window.h"

using namespace loom;
using Clock = std::chrono::steady_clock;

namespace {

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int layers = argc > 1 ? std::atoi(argv[1]) : 500;
    QTemporaryDir dir;
    Project project;
    project.name = "bench";
    project.graph = bench::residualStack(layers);
    const QString path = dir.filePath("big.loom");
    saveProject(project, path.toStdString());

    ui::MainWindow w;
    w.resize(1600, 1000);
    w.show();
    QApplication::processEvents();

    // Open: read, validate, build the canvas and every dock, paint the first frame.
    std::vector<double> opens;
    for (int i = 0; i < 5; ++i) {
        const auto t0 = Clock::now();
        w.openPath(path);
        QApplication::processEvents();
        w.canvas()->viewport()->repaint();
        opens.push_back(ms(Clock::now() - t0));
    }

    // One edit: a parameter change that changes shapes downstream (units of an LSTM a tenth of
    // the way down, breaking the Add after it every other time), through the undo stack, then
    // the event loop's repaint of every widget that changed.
    const ModelGraph& g = w.document()->graph();
    NodeId target = 0;
    std::size_t seen = 0;
    for (const Node& n : g.nodes()) {
        if (n.kind == "LSTM" && ++seen == static_cast<std::size_t>(layers / 10)) target = n.id;
    }
    w.canvas()->centerOn(w.scene()->nodeItem(target));
    std::vector<double> edits, editOnly;
    const int editCount = qEnvironmentVariableIsSet("LAYERLOOM_BENCH_EDITS") ? 300 : 30;
    for (int i = 0; i < editCount; ++i) {
        GraphEdit e;
        e.ops.push_back(edit::SetParam{target, "units", std::int64_t{16 + (i % 2)}});
        const auto t0 = Clock::now();
        w.document()->applyEdit(e, "bench");
        editOnly.push_back(ms(Clock::now() - t0));
        // The event loop then paints the frame (canvas, docks, status) once, as for a user.
        QApplication::processEvents();
        QApplication::processEvents();
        edits.push_back(ms(Clock::now() - t0));
    }

    // Pan: scroll by 12 px per frame and paint each frame.
    QScrollBar* bar = w.canvas()->verticalScrollBar();
    std::vector<double> frames;
    for (int i = 0; i < 240; ++i) {
        const auto t0 = Clock::now();
        bar->setValue(bar->value() + (i < 120 ? 12 : -12));
        w.canvas()->viewport()->repaint();
        frames.push_back(ms(Clock::now() - t0));
    }
    if (qEnvironmentVariableIsSet("LAYERLOOM_BENCH_PARTS")) {
        const auto frame = [&] {
            std::vector<double> f;
            for (int i = 0; i < 60; ++i) {
                const auto t0 = Clock::now();
                bar->setValue(bar->value() + (i < 30 ? 12 : -12));
                w.canvas()->viewport()->repaint();
                f.push_back(ms(Clock::now() - t0));
            }
            return median(f);
        };
        std::printf("all %.2f\n", frame());
        for (auto* e : w.scene()->edgeItems()) e->hide();
        std::printf("no wires %.2f\n", frame());
        for (auto* n : w.scene()->nodeItems()) n->hide();
        std::printf("background only %.2f\n", frame());
        w.canvas()->setViewportUpdateMode(QGraphicsView::NoViewportUpdate);
        std::printf("scroll only %.2f\n", frame());
        return 0;
    }
    // Zoomed out to see the whole graph: the worst case for painting.
    w.canvas()->fitAll();
    std::vector<double> wide;
    for (int i = 0; i < 60; ++i) {
        const auto t0 = Clock::now();
        bar->setValue(bar->value() + (i < 30 ? 4 : -4));
        w.canvas()->viewport()->repaint();
        wide.push_back(ms(Clock::now() - t0));
    }

    std::printf("layers %zu, wires %zu\n", g.nodes().size(), g.edges().size());
    std::printf("open            median %8.1f ms\n", median(opens));
    std::printf("edit (validate, canvas, docks) median %8.2f ms\n", median(editOnly));
    std::printf("edit + repaint  median %8.2f ms   p90 %8.2f ms\n", median(edits), percentile(edits, 0.9));
    std::printf("pan frame 100%% median %8.2f ms   p90 %8.2f ms  (%.0f fps)\n", median(frames),
                percentile(frames, 0.9), 1000.0 / median(frames));
    std::printf("pan frame fit   median %8.2f ms   p90 %8.2f ms  (%.0f fps, zoom %.2f)\n",
                median(wide), percentile(wide, 0.9), 1000.0 / median(wide), w.canvas()->zoom());
    return 0;
}
