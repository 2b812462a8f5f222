#pragma once

#include <QObject>
#include <QString>

#include "graph/project_file.h"
#include "shape/validator.h"

namespace loom::ui {

/// The one source of truth for an open project: the core Project plus what the UI derives from
/// it (the validation). Views read it and react to changed(); they never keep model state of
/// their own.
class Document : public QObject {
    Q_OBJECT

public:
    explicit Document(QObject* parent = nullptr);

    const Project& project() const { return m_project; }
    const ModelGraph& graph() const { return m_project.graph; }
    const Validation& validation() const { return m_validation; }

    /// The file this document was read from; empty for a built-in example.
    const QString& filePath() const { return m_filePath; }
    /// A short name for window titles: the project name, else the file name.
    QString displayName() const;

    /// Replaces the content, re-validates and emits changed().
    void setProject(Project project, QString filePath);
    /// Reads a project from disk or from a Qt resource (":/examples/..."). Throws ProjectError
    /// with a message for the user; on failure the document is unchanged.
    void load(const QString& path);

signals:
    void changed();

private:
    Project m_project;
    Validation m_validation;
    QString m_filePath;
};

}  // namespace loom::ui
