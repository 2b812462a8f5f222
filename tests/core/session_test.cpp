// Training from a snapshot: weights that survive edits, data preparation, previews.
#include <gtest/gtest.h>

#include <limits>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/test_graphs.h"
#include "data/csv_reader.h"
#include "data/npy.h"
#include "train/error_order.h"
#include "train/session.h"

namespace loom {
namespace {

using test::add;
using test::autoencoder;
using test::input;


std::vector<NamedTensor> trainedWeights(const ModelGraph& g, std::uint64_t seed) {
    Plan<float> plan = Plan<float>::compile(g, 1);
    plan.initialize(seed);
    return plan.exportWeights();
}

TEST(ParameterShapes, MatchACompiledPlan) {
    const ModelGraph g = autoencoder();
    Plan<float> plan = Plan<float>::compile(g, 4);
    const std::vector<NamedShape> shapes = parameterShapes(g);
    ASSERT_EQ(shapes.size(), plan.params().size());
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        EXPECT_EQ(shapes[i].name, plan.params()[i].fullName());
        EXPECT_EQ(shapes[i].shape, plan.params()[i].shape.shape);
    }
}

TEST(ParameterShapes, RefuseAGraphWithErrors) {
    ModelGraph g = autoencoder();
    const NodeId other = add(g, "Dense", {{"units", std::int64_t{4}}}, {g.nodes()[0].id});
    add(g, "Add", {}, {other, g.nodes()[3].id});  // (16, 4) + (16, 6)
    EXPECT_THROW(parameterShapes(g), PlanError);
}

TEST(WeightMatch, AllLayersFitTheirOwnWeights) {
    const ModelGraph g = autoencoder();
    const WeightMatch m = matchWeights(g, trainedWeights(g, 3));
    EXPECT_TRUE(m.all());
    EXPECT_EQ(m.kept, (std::vector<std::string>{"lstm_1", "lstm_2", "time_distributed_1"}));
}

TEST(WeightMatch, NamesWhatChangedAndWhatIsNew) {
    const std::vector<NamedTensor> old = trainedWeights(autoencoder(6), 3);
    ModelGraph g = autoencoder(6);
    // The decoder grows; a Dense head is added after the output.
    g.setParam(g.nodes()[3].id, "units", std::int64_t{8});
    add(g, "Dense", {{"units", std::int64_t{1}}}, {g.nodes()[4].id});
    const WeightMatch m = matchWeights(g, old);
    EXPECT_EQ(m.kept, (std::vector<std::string>{"lstm_1"}));
    EXPECT_EQ(m.fresh, (std::vector<std::string>{"lstm_2", "time_distributed_1", "dense_1"}));
    ASSERT_EQ(m.reasons.size(), 3u);
    EXPECT_EQ(m.reasons[0], "lstm_2: kernel is (6, 32), the weights hold (6, 24)");
    EXPECT_EQ(m.reasons[1], "time_distributed_1: kernel is (8, 1), the weights hold (6, 1)");
    EXPECT_EQ(m.reasons[2], "dense_1: new layer");
}

TEST(WeightMatch, WarmStartKeepsFittingLayersAndInitialisesTheRest) {
    const std::vector<NamedTensor> old = trainedWeights(autoencoder(6), 3);
    ModelGraph g = autoencoder(6);
    g.setParam(g.nodes()[3].id, "units", std::int64_t{8});
    Plan<float> plan = Plan<float>::compile(g, 2);
    const WeightMatch m = warmStart(plan, g, old, 11);
    EXPECT_EQ(m.kept.size(), 1u);
    Plan<float> fresh = Plan<float>::compile(g, 2);
    fresh.initialize(11);
    for (std::size_t i = 0; i < plan.params().size(); ++i) {
        const auto& p = plan.params()[i];
        const std::vector<float> got(p.value.begin(), p.value.end());
        if (p.layer == "lstm_1") {
            EXPECT_EQ(got, old[i].values) << p.fullName();
        } else {
            const auto& f = fresh.params()[i].value;
            EXPECT_EQ(got, std::vector<float>(f.begin(), f.end())) << p.fullName();
        }
    }
}

SessionSetup sineSetup() {
    SessionSetup s;
    s.graph = autoencoder();
    s.data.source = "synthetic:sines";
    s.data.syntheticSteps = 400;
    s.data.stride = 4;
    s.data.validationSplit = 0.25;
    s.config.epochs = 3;
    s.config.batchSize = 16;
    s.config.optimizer.learningRate = 0.01;
    s.previewSamples = 5;
    return s;
}

struct Recorder : SessionObserver {
    int batches = 0;
    std::vector<EpochReport> epochs;
    std::vector<Preview> previews;
    void onBatch(const BatchReport&) override { ++batches; }
    void onEpoch(const EpochReport& r) override { epochs.push_back(r); }
    void onPreview(const Preview& p) override { previews.push_back(p); }
};

TEST(TrainingSession, PreviewsEveryEpochInTheDataUnits) {
    TrainingSession session(sineSetup());
    session.prepare();
    const PreviewSet& set = session.previewSet();
    EXPECT_TRUE(set.fromValidation);
    ASSERT_EQ(set.indexes.size(), 5u);
    EXPECT_EQ(set.xDims, (Dims{16, 1}));
    // The inputs are back in the series' own units: the first preview window is the series
    // where validation starts.
    const Series series = loadSeries(session.setup().data);
    const std::int64_t firstValidationStep = series.steps - series.steps / 4;
    EXPECT_NEAR(set.inputs[0], series.at(firstValidationStep, 0), 1e-4);
    EXPECT_EQ(set.targets, set.inputs);  // an autoencoder reconstructs its input

    TrainingControl control;
    Recorder rec;
    const TrainResult r = session.run(control, &rec);
    EXPECT_EQ(r.reason, StopReason::Finished);
    EXPECT_EQ(rec.epochs.size(), 3u);
    ASSERT_EQ(rec.previews.size(), 3u);
    EXPECT_EQ(rec.previews.back().epoch, 3);
    EXPECT_EQ(rec.previews.back().outputs.size(), set.targets.size());
    ASSERT_EQ(rec.previews.back().errors.size(), 5u);
    // Each error is the sample's mean squared error in the model's (normalised) units.
    const Preview last = session.preview(3);
    const double scale = session.data().normalizer.scale[0];
    double sq = 0;
    for (int t = 0; t < 16; ++t) {
        const double d = (last.outputs[t] - set.targets[t]) / scale;
        sq += d * d;
    }
    EXPECT_NEAR(last.errors[0], sq / 16, 1e-4);
}

// Samples that come with a label each (the synthetic engine runs), for a classifier: the
// previews hold class labels, which the window shows as a confusion matrix, not as a series.
TEST(TrainingSession, PreviewsOfLabelledSamplesAreClassLabels) {
    SessionSetup s;
    const NodeId in = input(s.graph, {500, 1});
    const NodeId pooled = add(s.graph, "GlobalAveragePooling1D", {}, {in});
    add(s.graph, "Dense", {{"units", std::int64_t{2}}, {"activation", std::string("softmax")}}, {pooled});
    s.data.source = "synthetic:engine";
    s.data.syntheticSteps = 40;
    s.data.validationSplit = 0.25;
    s.config.loss = Loss::SparseCategoricalCrossentropy;
    s.previewSamples = 5;
    TrainingSession session(s);
    session.prepare();
    EXPECT_FALSE(session.previewSet().targetsInDataUnits);
    for (float label : session.previewSet().targets) EXPECT_TRUE(label == 0.0f || label == 1.0f) << label;
}

TEST(TrainingSession, StartsFromTheGivenWeights) {
    SessionSetup s = sineSetup();
    s.weights = trainedWeights(s.graph, 99);
    TrainingSession session(s);
    session.prepare();
    EXPECT_TRUE(session.weightMatch().all());
    EXPECT_EQ(session.weights(), s.weights);
}

TEST(TrainingSession, DataShorterThanAWindowIsRefusedBeforeTraining) {
    SessionSetup s = sineSetup();
    s.data.syntheticSteps = 10;
    TrainingSession session(s);
    try {
        session.prepare();
        FAIL() << "prepared a series shorter than one window";
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("16"), std::string::npos) << e.what();
    }
}

TEST(TrainingSession, ReadingAFileReportsItsProgressAndStopsWhenAsked) {
    // 200,000 rows: the reader reports every 65,536.
    const std::filesystem::path file = std::filesystem::temp_directory_path() / "layerloom_session_long.csv";
    {
        std::ofstream out(file);
        out << "value\n";
        for (int i = 0; i < 200000; ++i) out << std::sin(0.05 * i) << "\n";
    }
    SessionSetup s = sineSetup();
    s.data.source = file.string();
    s.data.stride = 1000;
    std::vector<double> seen;
    TrainingSession session(s);
    session.prepare([&](double fraction) {
        seen.push_back(fraction);
        return true;
    });
    ASSERT_GE(seen.size(), 3u);
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    EXPECT_GT(seen.front(), 0.0);
    EXPECT_LE(seen.back(), 1.0);
    EXPECT_GT(session.data().train.size(), 100);

    int asked = 0;
    TrainingSession stopped(s);
    EXPECT_THROW(stopped.prepare([&](double) { return ++asked < 2; }), ReadCancelled);
    EXPECT_EQ(asked, 2);
    std::filesystem::remove(file);
}

// A session's thread count (the window gives it every core, a test fewer) must hold for the
// products its training thread starts, OpenBLAS's included (it reads OpenMP's count on the
// calling thread), from the first preview on, and leave other threads alone.
TEST(TrainingSession, ItsThreadCountHoldsForTheProductsOfItsOwnThread) {
#ifndef _OPENMP
    GTEST_SKIP() << "built without OpenMP";
#else
    const int before = omp_get_max_threads();
    int during = 0, afterInitialize = 0;
    std::thread worker([&] {
        omp_set_num_threads(3);
        Plan<float> plan = Plan<float>::compile(autoencoder(), 1);
        plan.initialize(1);  // the initialisers run serially, then give the count back
        afterInitialize = omp_get_max_threads();
        SessionSetup s = sineSetup();
        s.threads = 1;
        TrainingSession session(s);
        session.prepare();
        during = omp_get_max_threads();
    });
    worker.join();
    EXPECT_EQ(afterInitialize, 3);
    EXPECT_EQ(during, 1);
    EXPECT_EQ(omp_get_max_threads(), before);
#endif
}

/// A classifier of token ids: does id 3 appear among a sample's 8 ids (of 0 to 9)? The ids
/// are int64 .npy files, as NumPy writes them; `bad` puts id 10 at sample 5, step 3. The
/// model takes ids of any length: the samples say theirs.
SessionSetup tokenSetup(const std::filesystem::path& dir, bool bad) {
    SessionSetup s;
    const NodeId ids = input(s.graph, {kNone});
    s.graph.setParam(ids, "dtype", std::string("int32"));
    const NodeId e = add(s.graph, "Embedding", {{"input_dim", std::int64_t{10}}, {"output_dim", std::int64_t{4}}}, {ids});
    const NodeId r = add(s.graph, "LSTM", {{"units", std::int64_t{6}}}, {e});
    add(s.graph, "Dense", {{"units", std::int64_t{2}}, {"activation", std::string("softmax")}}, {r});
    std::vector<std::int64_t> x, y;
    std::mt19937_64 rng(5);
    for (int i = 0; i < 64; ++i) {
        bool three = false;
        for (int t = 0; t < 8; ++t) {
            x.push_back(static_cast<std::int64_t>(rng() % 10));
            three = three || x.back() == 3;
        }
        y.push_back(three ? 1 : 0);
    }
    if (bad) x[4 * 8 + 2] = 10;
    std::filesystem::create_directories(dir);
    writeNpyInt64(dir / "x.npy", x, {64, 8});
    writeNpyInt64(dir / "y.npy", y);
    s.data.source = (dir / "x.npy").string();
    s.data.target = (dir / "y.npy").string();
    s.data.validationSplit = 0.25;
    s.config.loss = Loss::SparseCategoricalCrossentropy;
    s.config.epochs = 2;
    s.config.batchSize = 16;
    return s;
}

TEST(TrainingSession, TrainsOnTokenIdsFromIntegerArrays) {
    const auto dir = std::filesystem::temp_directory_path() / "layerloom_token_ids_ok";
    TrainingSession session(tokenSetup(dir, false));
    session.prepare();
    TrainingControl control;
    Recorder rec;
    const TrainResult r = session.run(control, &rec);
    EXPECT_EQ(r.reason, StopReason::Finished) << r.message;
    ASSERT_EQ(rec.epochs.size(), 2u);
    EXPECT_TRUE(std::isfinite(rec.epochs.back().loss));
    EXPECT_EQ(session.plan().dims(session.plan().inputs().at(0)), (Dims{8}));
    std::filesystem::remove_all(dir);
}

TEST(TrainingSession, ATokenIdOutsideTheEmbeddingIsRefusedNamingItsSampleAndStep) {
    const auto dir = std::filesystem::temp_directory_path() / "layerloom_token_ids_bad";
    TrainingSession session(tokenSetup(dir, true));
    try {
        session.prepare();
        FAIL() << "prepared an id outside the embedding";
    } catch (const DataError& e) {
        EXPECT_STREQ(e.what(), "sample 5 of the training data holds 10 at step 3, but embedding_1 has input_dim 10: "
                               "token ids must run from 0 to 9. Raise input_dim to the vocabulary's size, or map the "
                               "id into it.");
    }
    std::filesystem::remove_all(dir);
}

// Previews and the window rank samples worst first; a diverged run's NaN errors are the worst,
// and the order stays a strict weak one (std::sort's need), which `>` on NaN is not.
TEST(ErrorOrder, PutsNanFirstThenTheLargest) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> errors{0.5, nan, 2.0, nan, 1.0, 0.5};
    std::vector<int> order{0, 1, 2, 3, 4, 5};
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return worseError(errors[static_cast<std::size_t>(a)], errors[static_cast<std::size_t>(b)]); });
    EXPECT_EQ(order, (std::vector<int>{1, 3, 2, 4, 0, 5}));
    EXPECT_FALSE(worseError(nan, nan));
    EXPECT_FALSE(worseError(1.0, 1.0));
}

}  // namespace
}  // namespace loom
