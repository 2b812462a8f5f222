#pragma once

#include <QTableWidget>
#include <map>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace loom::ui {

/// Which CSV columns each of a model's Inputs reads and each output's target takes (the data's
/// layer_columns): a row per column of the file, a column of check boxes per Input and output.
class LayerColumnsTable : public QTableWidget {
    Q_OBJECT
public:
    using Groups = std::map<std::string, std::vector<std::string>, std::less<>>;

    explicit LayerColumnsTable(QWidget* parent = nullptr);

    /// Shows the file's `columns` against the model's `ends`, ticked as `chosen` says (a group's
    /// columns the file does not have are kept, ticked, at the end). Emits nothing.
    void setColumns(const std::vector<std::string>& columns, const ModelEnds& ends, const Groups& chosen);
    /// The ticked columns of each layer, in the file's order; layers with none are left out.
    Groups groups() const;
    /// The columns the rows show.
    const std::vector<std::string>& columns() const { return m_columns; }
    /// Whether rows are shown for `ends` (the table has been filled for them).
    bool showsEnds(const ModelEnds& ends) const { return ends.inputs == m_ends.inputs && ends.outputs == m_ends.outputs; }

signals:
    void edited();

private:
    ModelEnds m_ends;
    std::vector<std::string> m_columns;
    Groups m_shown;  ///< the groups as shown, for their order
    bool m_filling = false;
    std::vector<std::string> layers() const;
};

}  // namespace loom::ui
