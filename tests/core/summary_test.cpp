#include <gtest/gtest.h>

#include "core/test_graphs.h"
#include "graph/project_file.h"
#include "report/report_json.h"
#include "report/summary.h"

namespace loom {
namespace {

TEST(Summary, MatchesTheKerasFunctionalTable) {
    ModelGraph g;
    const NodeId in = test::input(g, {8, 1});
    const NodeId enc = test::lstm(g, 4, true, in);
    const NodeId dec = test::lstm(g, 4, true, enc);
    const NodeId cat = test::add(g, "Concatenate", {}, {dec, enc});
    test::add(g, "TimeDistributed", {{"units", std::int64_t{1}}}, {cat});
    const std::string table = formatSummary(summarize(g, validate(g), "tiny"));
    // Keras 2 layout; the first column widens for the long name instead of truncating it.
    const std::string expected =
        "Model: \"tiny\"\n"
        "_______________________________________________________________________________________________________\n"
        " Layer (type)                         Output Shape         Param #     Connected to\n"
        "=======================================================================================================\n"
        " input_1 (InputLayer)                 [(None, 8, 1)]       0           []\n"
        "\n"
        " lstm_1 (LSTM)                        (None, 8, 4)         96          ['input_1[0][0]']\n"
        "\n"
        " lstm_2 (LSTM)                        (None, 8, 4)         144         ['lstm_1[0][0]']\n"
        "\n"
        " concatenate_1 (Concatenate)          (None, 8, 8)         0           ['lstm_2[0][0]',\n"
        "                                                                        'lstm_1[0][0]']\n"
        "\n"
        " time_distributed_1 (TimeDistributed) (None, 8, 1)         9           ['concatenate_1[0][0]']\n"
        "=======================================================================================================\n"
        "Total params: 249\n"
        "Trainable params: 249\n"
        "Non-trainable params: 0\n"
        "_______________________________________________________________________________________________________\n";
    EXPECT_EQ(table, expected);
}

TEST(Summary, GroupsThousandsLikeKeras) {
    EXPECT_EQ(groupThousands(3724641), "3,724,641");
    EXPECT_EQ(groupThousands(999), "999");
    EXPECT_EQ(groupThousands(1000), "1,000");
    EXPECT_EQ(groupThousands(0), "0");
}

TEST(Summary, JsonListsLayersAndTotals) {
    const Project p =
        loadProject(std::string(LAYERLOOM_EXAMPLES_DIR) + "/lstm_autoencoder.loom");
    const auto j = summaryJson(summarize(p.graph, validate(p.graph), p.name));
    EXPECT_EQ(j["total_params"], 3724641);
    EXPECT_EQ(j["layers"].size(), 9u);
    EXPECT_EQ(j["layers"][1]["output_shape"], "(None, 32, 512)");
    EXPECT_EQ(j["layers"][1]["connected_to"][0], "input_1[0][0]");
}

}  // namespace
}  // namespace loom
