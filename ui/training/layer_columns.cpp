#include "training/layer_columns.h"

#include <QHeaderView>
#include <algorithm>

namespace loom::ui {

LayerColumnsTable::LayerColumnsTable(QWidget* parent) : QTableWidget(parent) {
    setObjectName("layerColumns");
    horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    horizontalHeader()->setStretchLastSection(false);
    verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    setSelectionMode(QAbstractItemView::NoSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    // As high as its rows, up to about eight of them; a longer file scrolls.
    setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    setMaximumHeight(240);
    setToolTip(tr("The columns each Input reads (the same steps for every Input) and the columns each output's "
                  "target takes: the window itself to reconstruct, or the steps after it to forecast. An output "
                  "with none ticked takes every column the Inputs read."));
    connect(this, &QTableWidget::itemChanged, this, [this] {
        if (!m_filling) emit edited();
    });
}

std::vector<std::string> LayerColumnsTable::layers() const {
    std::vector<std::string> out = m_ends.inputs;
    out.insert(out.end(), m_ends.outputs.begin(), m_ends.outputs.end());
    return out;
}

void LayerColumnsTable::setColumns(const std::vector<std::string>& columns, const ModelEnds& ends, const Groups& chosen) {
    m_filling = true;
    m_ends = ends;
    m_shown = chosen;
    // The file's columns, then any a group names that the file lacks (kept, so nothing is lost).
    m_columns = columns;
    for (const auto& [layer, names] : chosen) {
        for (const std::string& c : names) {
            if (std::find(m_columns.begin(), m_columns.end(), c) == m_columns.end()) m_columns.push_back(c);
        }
    }
    const std::vector<std::string> all = layers();
    clear();
    setColumnCount(static_cast<int>(all.size()));
    setRowCount(static_cast<int>(m_columns.size()));
    for (int c = 0; c < columnCount(); ++c) {
        const bool input = static_cast<std::size_t>(c) < ends.inputs.size();
        const QString name = QString::fromStdString(all[static_cast<std::size_t>(c)]);
        auto* header = new QTableWidgetItem(input ? tr("%1\n(Input)").arg(name) : tr("%1\n(output)").arg(name));
        header->setToolTip(input ? tr("The columns the Input %1 reads, in this order").arg(name)
                                 : tr("The columns the output %1's target takes; none ticked: every column the Inputs read")
                                       .arg(name));
        setHorizontalHeaderItem(c, header);
    }
    for (int r = 0; r < rowCount(); ++r) {
        const std::string& column = m_columns[static_cast<std::size_t>(r)];
        setVerticalHeaderItem(r, new QTableWidgetItem(QString::fromStdString(column)));
        for (int c = 0; c < columnCount(); ++c) {
            const std::string& layer = all[static_cast<std::size_t>(c)];
            auto it = chosen.find(layer);
            const bool ticked = it != chosen.end() && std::find(it->second.begin(), it->second.end(), column) != it->second.end();
            auto* item = new QTableWidgetItem;
            item->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled);
            item->setCheckState(ticked ? Qt::Checked : Qt::Unchecked);
            item->setToolTip(tr("%1 for %2").arg(QString::fromStdString(column), QString::fromStdString(layer)));
            setItem(r, c, item);
        }
    }
    m_filling = false;
}

LayerColumnsTable::Groups LayerColumnsTable::groups() const {
    Groups out;
    const std::vector<std::string> all = layers();
    for (int c = 0; c < columnCount() && static_cast<std::size_t>(c) < all.size(); ++c) {
        const std::string& layer = all[static_cast<std::size_t>(c)];
        std::vector<std::string> ticked;
        for (int r = 0; r < rowCount(); ++r) {
            if (item(r, c) && item(r, c)->checkState() == Qt::Checked) ticked.push_back(m_columns[static_cast<std::size_t>(r)]);
        }
        if (ticked.empty()) continue;
        // The order the group was shown in stays (an Input's features keep their places); newly
        // ticked columns follow in the file's order.
        std::vector<std::string> group;
        if (auto it = m_shown.find(layer); it != m_shown.end()) {
            for (const std::string& column : it->second) {
                if (std::find(ticked.begin(), ticked.end(), column) != ticked.end()) group.push_back(column);
            }
        }
        for (const std::string& column : ticked) {
            if (std::find(group.begin(), group.end(), column) == group.end()) group.push_back(column);
        }
        out.emplace(layer, std::move(group));
    }
    return out;
}

}  // namespace loom::ui
