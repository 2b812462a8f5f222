// The window while it trains (issue target: the event loop never waits more than 50 ms; Stop
// takes effect within one batch). Runs the real window offscreen on a model and a built-in
// sample, with the Loss dock showing, and measures how late a 10 ms timer fires, and the
// trainer's samples/s, to set beside `layerloom-cli train` on the same model and data.
//   layerloom_bench_training_ui [MODEL.loom] [SECONDS]
#include <QApplication>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <tuple>
#include <vector>

#include "document/document.h"
#include "training/training_controller.h"
#include "window/main_window.h"
#include "window/training_workspace.h"

using namespace loom;
using namespace loom::ui;

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    const QString model = argc > 1 ? QString(argv[1]) : QString(":/examples/lstm_autoencoder_skips_add.loom");
    const int seconds = argc > 2 ? std::atoi(argv[2]) : 20;
    MainWindow window;
    if (!window.openPath(model)) return 1;
    window.resize(1600, 1000);
    window.show();
    TrainingController* controller = window.training()->controller();
    QString why;
    QObject::connect(window.training(), &TrainingWorkspace::message, [&why](const QString& text) { why = text; });
    // The data is read on a worker thread when the model opens: start once it is ready.
    QElapsedTimer waiting;
    waiting.start();
    window.training()->start();
    while (!controller->busy() && waiting.elapsed() < 30000) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        QThread::msleep(20);
        window.training()->start();
    }
    if (!controller->busy()) {
        std::fprintf(stderr, "training did not start: %s\n", qPrintable(why));
        return 1;
    }
    QElapsedTimer clock;
    clock.start();
    std::vector<double> gaps;
    // Ticks more than 25 ms late: how late, when (s since training began) and how many
    // epochs had finished.
    std::vector<std::tuple<double, double, std::size_t>> late;
    qint64 last = -1, began = -1;
    QTimer probe;
    probe.setInterval(10);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        // Only once the run is training: preparing the data is part of Start.
        if (controller->state() == TrainingController::State::Running && began < 0) began = now;
        if (controller->state() == TrainingController::State::Running && last >= 0) {
            gaps.push_back(static_cast<double>(now - last) / 1e6 - 10.0);
            if (gaps.back() > 25.0) {
                late.emplace_back(gaps.back(), static_cast<double>(now - began) / 1e9, controller->run().history.size());
            }
        }
        last = now;
    });
    probe.start();
    double stopMs = 0;
    QTimer::singleShot(seconds * 1000, [&] {
        if (!controller->busy()) {  // the run ended by itself (finished, or failed)
            QCoreApplication::exit(0);  // quit() would ask to save the trained model
            return;
        }
        QElapsedTimer t;
        t.start();
        controller->stop();
        QObject::connect(controller, &TrainingController::finished, [&, t] {
            stopMs = static_cast<double>(t.nsecsElapsed()) / 1e6;
            QCoreApplication::exit(0);  // quit() would ask to save the trained model
        });
    });
    app.exec();
    if (gaps.empty()) {
        std::fprintf(stderr, "no samples\n");
        return 1;
    }
    std::sort(gaps.begin(), gaps.end());
    const auto at = [&](double p) { return gaps[static_cast<std::size_t>(p * static_cast<double>(gaps.size() - 1))]; };
    std::printf("model %s, %d s of training, %zu timer ticks, %zu epochs\n", qPrintable(model), seconds,
                gaps.size(), controller->run().history.size());
    std::printf("event-loop delay beyond the 10 ms tick: median %.1f ms, p99 %.1f ms, max %.1f ms\n", at(0.5),
                at(0.99), gaps.back());
    std::printf("stop to finished: %.0f ms\n", stopMs);
    // The 20 worst, in the order they came.
    std::vector<std::tuple<double, double, std::size_t>> worst = late;
    std::sort(worst.begin(), worst.end(), [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
    if (worst.size() > 20) worst.resize(20);
    std::sort(worst.begin(), worst.end(), [](const auto& a, const auto& b) { return std::get<1>(a) < std::get<1>(b); });
    if (!late.empty()) std::printf("ticks more than 25 ms late: %zu%s\n", late.size(), late.size() > 20 ? ", the 20 worst:" : "");
    for (const auto& [ms, when, epochs] : worst) {
        std::printf("  %.1f ms late at %.2f s, after %zu epochs\n", ms, when, epochs);
    }
    // The trainer's own throughput per epoch, as `layerloom-cli train` prints it for the same run.
    std::vector<double> rates;
    for (const EpochReport& e : controller->run().history) rates.push_back(e.samplesPerSecond);
    if (!rates.empty()) {
        std::sort(rates.begin(), rates.end());
        std::printf("training: median %.1f samples/s over %zu epochs\n", rates[rates.size() / 2], rates.size());
    }
    std::printf("run: %s\n", controller->run().outcome.c_str());
    return 0;
}
