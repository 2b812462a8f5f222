#pragma once

#include <QTimer>

#include <memory>
#include <optional>
#include <QWidget>

#include "data/data_preview.h"
#include "data/data_source.h"
#include "tasks/background_task.h"

#include <nlohmann/json.hpp>

class QCheckBox;
class QChart;
class QChartView;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStandardItemModel;
class QTabWidget;
class QTableView;

namespace loom::ui {

class Document;
class LayerColumnsTable;

/// Chooses the training data: a built-in sample, a synthetic generator or a CSV file, with a
/// plot and a table of the series, its columns, windowing, normalisation, the validation
/// split and what to do with missing values. The choice lives in the project's
/// `training.data`, with what the model does with the windows (its task: reconstruct them,
/// forecast the next steps, classify them). Every problem (gaps, text, too short for a window, features that do not
/// match the Input) is shown here before training can start.
class DataPanel : public QWidget {
    Q_OBJECT

public:
    explicit DataPanel(Document* document, QWidget* parent = nullptr);
    ~DataPanel() override;

    /// Whether the data fits the model; problem() says why not. False while it is read.
    bool ready() const { return !m_busy && m_problem.isEmpty(); }
    /// Whether the data is being read (after a change of source or setting).
    bool busy() const { return m_busy; }
    const QString& problem() const { return m_problem; }
    /// "309 steps of 1 feature: 222 training and 55 validation windows of 32 steps".
    QString summary() const;

    /// Uses a data file: a CSV file, or samples already cut in a .npy or .npz file (as the
    /// Browse button does after its dialog). The file on show chosen again is read again.
    void chooseFile(const QString& path);
    QComboBox* sourceBox() const { return m_source; }

signals:
    /// ready() or problem() changed.
    void statusChanged();

private:
    Document* m_document;
    QFormLayout* m_form = nullptr;
    QComboBox* m_task;
    QSpinBox* m_horizon;
    QComboBox* m_source;
    QPushButton* m_browse;
    QComboBox* m_targets;  ///< for samples already cut (.npy): the file of their targets
    QWidget* m_targetsLine = nullptr;  ///< "Targets:" and m_targets, under the source
    QLabel* m_about;
    QListWidget* m_columns;
    /// For a model with several Inputs or outputs (or data that groups its columns by layer):
    /// the columns of each, in place of m_columns.
    LayerColumnsTable* m_layerColumns;
    bool m_grouped = false;
    ModelEnds m_ends;  ///< the model's Inputs and outputs the table was made for
    QComboBox* m_label;
    QSpinBox* m_steps;
    QSpinBox* m_seed;
    QSpinBox* m_window;
    QSpinBox* m_stride;
    QComboBox* m_normalize;
    QDoubleSpinBox* m_split;
    QComboBox* m_missing;
    QTabWidget* m_previewTabs;
    QChart* m_chart;
    QChartView* m_chartView;
    RowIndex m_index;  ///< the plotted series' own time labels
    QStandardItemModel* m_table;
    QTableView* m_tableView;
    QLabel* m_status;
    QProgressBar* m_progress;
    QTimer m_refresh;
    /// Reads the data off the window's thread; a newer refresh supersedes the reading going.
    BackgroundTask m_reader;
    bool m_busy = false;
    /// The project's data choice the widgets show, so that other training edits read nothing.
    nlohmann::json m_loadedData;
    bool m_loadedOnce = false;
    QString m_problem;
    QString m_summary;
    bool m_loading = false;  ///< filling the widgets from the document
    std::string m_shownSource;  ///< the source whose series the plot and table show
    QString m_modelShapes;   ///< the model's Input and output shapes the status was made for

    void buildForm();     ///< data_panel_form.cpp
    void buildPreview();  ///< data_panel_chart.cpp
    void loadFromDocument();
    void storeToDocument();
    DataSpec specFromWidgets() const;
    void refresh();
    void scheduleRefresh();
    void showPreview(const DataPreview& preview, const DataSpec& spec, bool storeColumns);
    void showSeries(const DataPreview& preview);
    void setStatus(const QString& problem, const QString& summary);
    /// Asks for a .npy file of targets for the samples, and uses it.
    void chooseTargets();
};

}  // namespace loom::ui
