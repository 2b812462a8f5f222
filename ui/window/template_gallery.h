#pragma once

#include <QDialog>
#include <QList>
#include <QString>

#include "graph/project_file.h"

class QLabel;
class QListWidget;

namespace loom::ui {

/// File > New from Template: the built-in examples as a gallery, each with the picture of its
/// model (the plot_model-style diagram), what it is and what it trains on. Choosing one (Create,
/// Enter or a double click) opens it as a new, unsaved model.
class TemplateGallery final : public QDialog {
    Q_OBJECT

public:
    explicit TemplateGallery(QWidget* parent = nullptr);

    /// The chosen example's resource (`:/examples/NAME.loom`), once accepted.
    QString chosen() const;

private:
    void showCurrent();

    struct Entry {
        QString title;
        QString resource;
        Project project;
    };
    QList<Entry> m_entries;
    QListWidget* m_list = nullptr;
    QLabel* m_picture = nullptr;
    QLabel* m_title = nullptr;
    QLabel* m_facts = nullptr;
    QLabel* m_description = nullptr;
};

}  // namespace loom::ui
