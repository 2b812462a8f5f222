// Metrics in training: computed beside the loss for the training and validation data, watched
// by early stopping and the plateau schedule, kept in the project, the run and history.csv.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "core/test_graphs.h"
#include "data/csv_reader.h"
#include "train/config_json.h"
#include "train/run_history.h"
#include "train/trainer.h"

namespace loom {
namespace {

using test::add;
using test::input;

/// Two noisy features, a label that mostly follows their sum: a classifier that never gets
/// every sample right, so the metrics move over the epochs.
Dataset noisyLabels(int n, std::uint64_t seed) {
    Dataset d;
    d.xDims = {2};
    d.yDims = {1};
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal(0, 1);
    for (int i = 0; i < n; ++i) {
        const float a = normal(rng), b = normal(rng);
        d.x.insert(d.x.end(), {a, b});
        d.y.push_back(a + b + normal(rng) > 0 ? 1.0f : 0.0f);
    }
    return d;
}

ModelGraph binaryClassifier(const char* activation) {
    ModelGraph g;
    add(g, "Dense", {{"units", std::int64_t{1}}, {"activation", std::string(activation)}}, {input(g, {2})});
    return g;
}

/// The metric over the model's outputs for all of `d`, computed directly.
double directly(Metric metric, Plan<float>& plan, const Dataset& d, bool logits) {
    std::vector<float> y = predict(plan, d.x);
    if (logits) logitsToProbabilities(Loss::BinaryCrossentropy, y.data(), d.size(), 1);
    MetricState state(metric);
    state.update(y.data(), d.y.data(), d.size(), 1, 1);
    return state.result();
}

TEST(TrainingMetrics, TrainingAndValidationValuesAsKerasNamesThem) {
    Plan<float> plan = Plan<float>::compile(binaryClassifier("sigmoid"), 16);
    plan.initialize(2);
    TrainConfig c;
    c.epochs = 3;
    c.loss = Loss::BinaryCrossentropy;
    c.metrics = {Metric::Auc, Metric::Precision, Metric::Accuracy, Metric::Recall, Metric::Auc};
    const Dataset trainSet = noisyLabels(96, 1), val = noisyLabels(40, 2);
    const TrainResult r = train(plan, trainSet, &val, c);
    ASSERT_EQ(r.reason, StopReason::Finished) << r.message;
    for (const EpochReport& e : r.history) {
        // accuracy is the classifier's own column, not repeated; each metric once, with val_.
        std::vector<std::string> names;
        for (const auto& [name, value] : e.metrics) names.push_back(name);
        EXPECT_EQ(names, (std::vector<std::string>{"auc", "precision", "recall", "val_auc", "val_precision", "val_recall"}));
        for (const auto& [name, value] : e.metrics) EXPECT_TRUE(value >= 0.0 && value <= 1.0) << name << " " << value;
    }
    // The validation values are those of the weights at the end of the epoch.
    const EpochReport& last = r.history.back();
    EXPECT_NEAR(last.metrics.at("val_auc"), directly(Metric::Auc, plan, val, false), 1e-9);
    EXPECT_NEAR(last.metrics.at("val_precision"), directly(Metric::Precision, plan, val, false), 1e-9);
    EXPECT_NEAR(last.valAccuracy, directly(Metric::BinaryAccuracy, plan, val, false), 1e-9);
    const Evaluation e = evaluate(plan, val, c.loss, false, c.metrics);
    EXPECT_DOUBLE_EQ(e.metrics.at("recall"), last.metrics.at("val_recall"));
    EXPECT_EQ(e.metrics.count("accuracy"), 0u);
}

TEST(TrainingMetrics, ReadProbabilitiesWhenTheModelOutputsLogits) {
    Plan<float> plan = Plan<float>::compile(binaryClassifier("linear"), 16);
    plan.initialize(4);
    const Dataset d = noisyLabels(64, 3);
    const std::vector<Metric> metrics{Metric::Precision, Metric::BinaryAccuracy, Metric::Auc};
    const Evaluation e = evaluate(plan, d, Loss::BinaryCrossentropy, true, metrics);
    EXPECT_NEAR(e.metrics.at("precision"), directly(Metric::Precision, plan, d, true), 1e-12);
    EXPECT_NEAR(e.metrics.at("binary_accuracy"), directly(Metric::BinaryAccuracy, plan, d, true), 1e-12);
    EXPECT_NEAR(e.metrics.at("binary_accuracy"), e.accuracy, 1e-12);
    // Read as probabilities, logits would put every negative output below the threshold: the
    // metric would differ.
    EXPECT_NE(e.metrics.at("precision"), directly(Metric::Precision, plan, d, false));
}

TEST(TrainingMetrics, RegressionMetricsOverEveryOutputValue) {
    ModelGraph g;
    add(g, "Dense", {{"units", std::int64_t{2}}}, {input(g, {3})});
    Plan<float> plan = Plan<float>::compile(g, 4);
    plan.initialize(1);
    Dataset d;
    d.xDims = {3};
    d.yDims = {2};
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<float> u(-1, 1);
    for (int i = 0; i < 10; ++i) {
        for (int k = 0; k < 3; ++k) d.x.push_back(u(rng));
        d.y.insert(d.y.end(), {u(rng), 3.0f});
    }
    const Evaluation e = evaluate(plan, d, Loss::MeanSquaredError, false,
                                  {Metric::MeanAbsoluteError, Metric::RootMeanSquaredError, Metric::MeanSquaredError});
    const std::vector<float> y = predict(plan, d.x);
    double abs = 0.0, sq = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        abs += std::abs(static_cast<double>(y[i]) - d.y[i]);
        sq += (static_cast<double>(y[i]) - d.y[i]) * (static_cast<double>(y[i]) - d.y[i]);
    }
    EXPECT_NEAR(e.metrics.at("mae"), abs / 20.0, 1e-6);
    EXPECT_NEAR(e.metrics.at("mse"), sq / 20.0, 1e-5);
    EXPECT_NEAR(e.metrics.at("root_mean_squared_error"), std::sqrt(sq / 20.0), 1e-5);
    EXPECT_NEAR(e.metrics.at("mse"), e.loss, 1e-5);
}

/// The epoch of the best value of `name` in the history: the first of equal ones.
int bestEpochOf(const std::vector<EpochReport>& history, const std::string& name, bool higher) {
    int best = 0;
    for (std::size_t i = 0; i < history.size(); ++i) {
        const double v = history[i].metrics.at(name), b = best ? history[static_cast<std::size_t>(best - 1)].metrics.at(name) : 0;
        if (!best || (higher ? v > b : v < b)) best = static_cast<int>(i) + 1;
    }
    return best;
}

TEST(TrainingMetrics, EarlyStoppingWatchesAMetricInItsDirection) {
    auto run = [](Monitor::Mode mode) {
        Plan<float> plan = Plan<float>::compile(binaryClassifier("sigmoid"), 8);
        plan.initialize(7);
        TrainConfig c;
        c.epochs = 12;
        c.loss = Loss::BinaryCrossentropy;
        c.optimizer = *OptimizerConfig::defaultsFor("sgd");
        c.optimizer.learningRate = 2.0;  // large steps: the metric goes up and down
        c.metrics = {Metric::Recall};
        c.monitor = {"recall", mode};
        c.earlyStopping = {true, 100, 0.0, true};
        const Dataset trainSet = noisyLabels(64, 8), val = noisyLabels(48, 9);
        return train(plan, trainSet, &val, c);
    };
    const TrainResult higher = run(Monitor::Mode::Auto);
    ASSERT_EQ(higher.history.size(), 12u) << higher.message;
    EXPECT_EQ(higher.bestEpoch, bestEpochOf(higher.history, "val_recall", true));
    const TrainResult lower = run(Monitor::Mode::Min);
    EXPECT_EQ(lower.bestEpoch, bestEpochOf(lower.history, "val_recall", false));
    EXPECT_NE(higher.bestEpoch, lower.bestEpoch);
}

TEST(TrainingMetrics, EarlyStoppingSaysWhatItWatched) {
    Plan<float> plan = Plan<float>::compile(binaryClassifier("sigmoid"), 8);
    plan.initialize(7);
    TrainConfig c;
    c.epochs = 50;
    c.loss = Loss::BinaryCrossentropy;
    c.optimizer.learningRate = 1e-9;  // nothing changes: no improvement after the first epoch
    c.metrics = {Metric::Auc};
    c.monitor = {"auc", Monitor::Mode::Auto};
    c.earlyStopping = {true, 2, 0.0, true};
    const TrainResult r = train(plan, noisyLabels(32, 1), nullptr, c);
    EXPECT_EQ(r.reason, StopReason::EarlyStopped);
    EXPECT_NE(r.message.find("no auc improvement for 2 epochs"), std::string::npos) << r.message;
}

TEST(TrainingMetrics, RefusesMetricsTheShapesDoNotAllowAndMonitorsOfNoMetric) {
    Plan<float> plan = Plan<float>::compile(binaryClassifier("sigmoid"), 8);
    plan.initialize(1);
    TrainConfig c;
    c.loss = Loss::BinaryCrossentropy;
    c.metrics = {Metric::CategoricalAccuracy};
    TrainResult r = train(plan, noisyLabels(16, 1), nullptr, c);
    EXPECT_EQ(r.reason, StopReason::InvalidData);
    EXPECT_NE(r.message.find("Cannot train: the metric categorical_accuracy needs one-hot targets"), std::string::npos)
        << r.message;
    EXPECT_THROW(evaluate(plan, noisyLabels(16, 1), c.loss, false, c.metrics), DataError);

    c.metrics = {Metric::Precision};
    c.monitor.quantity = "auc";
    r = train(plan, noisyLabels(16, 1), nullptr, c);
    EXPECT_EQ(r.reason, StopReason::InvalidData);
    EXPECT_NE(r.message.find("watch auc, which is not one of the run's metrics (precision)"), std::string::npos)
        << r.message;
    // A classifier's accuracy is always there to watch.
    c.monitor.quantity = "accuracy";
    EXPECT_EQ(metricsProblem(c, 1), "");
    c.loss = Loss::MeanSquaredError;
    EXPECT_NE(metricsProblem(c, 1), "");
    // Keras's accuracy of a binary cross-entropy over several outputs is categorical: refused as
    // ambiguous, with the two names that are not.
    c.metrics = {Metric::Accuracy};
    c.loss = Loss::BinaryCrossentropy;
    EXPECT_EQ(metricsProblem(c, 1), "");
    EXPECT_NE(metricsProblem(c, 3).find("choose binary_accuracy or categorical_accuracy"), std::string::npos);
}

TEST(TrainingMetrics, ProjectSectionKeepsMetricsAndMonitor) {
    TrainConfig c;
    c.loss = Loss::BinaryCrossentropy;
    c.metrics = {Metric::Auc, Metric::PrAuc, Metric::Accuracy};
    c.monitor = {"pr_auc", Monitor::Mode::Max};
    const TrainConfig back = trainConfigFromJson(trainConfigToJson(c));
    EXPECT_EQ(back.metrics, c.metrics);
    EXPECT_EQ(back.monitor.quantity, "pr_auc");
    EXPECT_EQ(back.monitor.mode, Monitor::Mode::Max);
    // Without metrics or a monitor, the section is as before.
    EXPECT_FALSE(trainConfigToJson(TrainConfig{}).contains("metrics"));
    EXPECT_FALSE(trainConfigToJson(TrainConfig{}).contains("monitor"));

    // Keras's names and aliases, a monitor written as Keras writes it, and the refusals.
    nlohmann::json j = {{"loss", "mse"}, {"metrics", {"mean_absolute_error", "acc", "mae"}}, {"monitor", "val_mean_absolute_error"}};
    const TrainConfig keras = trainConfigFromJson(j);
    EXPECT_EQ(keras.metrics, (std::vector<Metric>{Metric::MeanAbsoluteError, Metric::Accuracy}));
    EXPECT_EQ(keras.monitor.quantity, "mae");
    EXPECT_FALSE(keras.monitor.higherIsBetter());
    j["metrics"] = {"mae", "f1_score"};
    try {
        trainConfigFromJson(j);
        ADD_FAILURE() << "an unknown metric was read";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("unknown metric 'f1_score' (LayerLoom computes mae, mse"), std::string::npos)
            << e.what();
    }
    j["metrics"] = "mae";
    EXPECT_THROW(trainConfigFromJson(j), std::runtime_error);
    j["metrics"] = {"mae"};
    j["monitor"] = {{"quantity", "mae"}, {"mode", "largest"}};
    EXPECT_THROW(trainConfigFromJson(j), std::runtime_error);
    j["monitor"] = "val_speed";
    EXPECT_THROW(trainConfigFromJson(j), std::runtime_error);
    j["monitor"] = 5;
    EXPECT_THROW(trainConfigFromJson(j), std::runtime_error);
}

TEST(TrainingMetrics, HistoryKeepsThemAndWritesEachBesideItsValidationValue) {
    TrainingRun run;
    run.number = 1;
    EpochReport e;
    e.epoch = 1;
    e.loss = 0.5;
    e.valLoss = 0.6;
    e.metrics = {{"recall", 0.25}, {"val_recall", 0.5}, {"auc", 0.75}, {"val_auc", 0.875}};
    run.history = {e};
    nlohmann::json j = runToJson(run);
    EXPECT_EQ(runFromJson(j).history.front().metrics, e.metrics);
    // A name this version does not compute is left out, and so is a value that is no number
    // (NaN is written as null); a metrics entry that is no object is refused.
    j["history"][0]["metrics"]["f1_score"] = 0.5;
    EXPECT_EQ(runFromJson(j).history.front().metrics, e.metrics);
    j["history"][0]["metrics"]["auc"] = nullptr;
    EXPECT_EQ(runFromJson(j).history.front().metrics.count("auc"), 0u);
    EXPECT_EQ(runFromJson(j).history.front().metrics.count("val_auc"), 1u);
    j["history"][0]["metrics"] = "high";
    EXPECT_THROW(runFromJson(j), std::runtime_error);

    EpochReport second = e;
    second.epoch = 2;
    second.metrics = {{"auc", 0.5}};  // no validation value
    const std::string csv = historyCsv({e, second});
    EXPECT_EQ(csv,
              "epoch,loss,val_loss,accuracy,val_accuracy,learning_rate,seconds,auc,val_auc,recall,val_recall\n"
              "1,0.5,0.6,,,0,0,0.75,0.875,0.25,0.5\n"
              "2,0.5,0.6,,,0,0,0.5,,,\n");
    // Keras's accuracy of a model that is no classifier fills the accuracy columns.
    EpochReport regression = e;
    regression.metrics = {{"accuracy", 0.25}, {"val_accuracy", 0.5}};
    EXPECT_EQ(historyCsv({regression}), "epoch,loss,val_loss,accuracy,val_accuracy,learning_rate,seconds\n1,0.5,0.6,0.25,0.5,0,0\n");

    // One line: the validation values where there are any.
    e.accuracy = 0.8;
    e.valAccuracy = 0.75;
    EXPECT_EQ(metricsLine(e), "val_accuracy 0.75, val_auc 0.875, val_recall 0.5");
    EXPECT_EQ(metricsLine(second), "auc 0.5");
    e.valLoss = -1;
    e.metrics = {{"auc", 0.123456}};
    EXPECT_EQ(metricsLine(e), "accuracy 0.8, auc 0.1235");
    EXPECT_EQ(metricsLine(EpochReport{}), "");
}

}  // namespace
}  // namespace loom
