#include "document/document.h"

#include <QFile>
#include <QFileInfo>

namespace loom::ui {

Document::Document(QObject* parent) : QObject(parent), m_validation(validate(m_project.graph)) {}

QString Document::displayName() const {
    if (!m_project.name.empty()) return QString::fromStdString(m_project.name);
    if (!m_filePath.isEmpty()) return QFileInfo(m_filePath).completeBaseName();
    return tr("Untitled");
}

void Document::setProject(Project project, QString filePath) {
    m_project = std::move(project);
    m_filePath = std::move(filePath);
    m_validation = validate(m_project.graph);
    emit changed();
}

void Document::load(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        throw ProjectError(path.toStdString() + ": cannot open the file (" +
                           file.errorString().toStdString() + ")");
    }
    const QByteArray bytes = file.readAll();
    Project project = parseProject(std::string_view(bytes.constData(), bytes.size()),
                                   QFileInfo(path).fileName().toStdString());
    setProject(std::move(project), path.startsWith(":/") ? QString() : path);
}

}  // namespace loom::ui
