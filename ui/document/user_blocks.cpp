#include "document/user_blocks.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <stdexcept>

#include "graph/fragment.h"
#include "graph/project_file.h"

namespace loom::ui {

QString UserBlocks::directory() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/blocks";
}

QList<UserBlock> UserBlocks::list() {
    QList<UserBlock> blocks;
    const QDir dir(directory());
    for (const QFileInfo& file : dir.entryInfoList({"*.loom"}, QDir::Files, QDir::Name)) {
        UserBlock b{file.completeBaseName(), file.absoluteFilePath()};
        // The block's own name, as typed (file names are made safe for the file system).
        QFile f(file.absoluteFilePath());
        if (f.open(QIODevice::ReadOnly)) {
            try {
                const QByteArray bytes = f.readAll();
                const Project p = parseProject(std::string_view(bytes.constData(), bytes.size()),
                                               file.fileName().toStdString());
                if (!p.name.empty()) b.name = QString::fromStdString(p.name);
            } catch (const ProjectError&) {
                continue;  // not a block LayerLoom can use; leave the file alone
            }
        }
        blocks << b;
    }
    return blocks;
}

QString UserBlocks::save(const ModelGraph& graph, std::uint32_t group, const QString& name) {
    const Group* g = graph.group(group);
    if (!g) throw std::runtime_error("the group is gone");
    if (name.trimmed().isEmpty()) throw std::runtime_error("a block needs a name");
    Project block;
    block.name = name.trimmed().toStdString();
    block.graph = extractFragment(graph, g->members);
    if (Group* copy = block.graph.group(group)) {
        copy->name = block.name;
        copy->collapsed = true;
    }
    QString file = name.trimmed();
    file.replace(QRegularExpression("[^A-Za-z0-9 _.-]"), "_");
    if (!QDir().mkpath(directory())) {
        throw std::runtime_error("cannot create " + directory().toStdString());
    }
    const QString path = directory() + "/" + file + ".loom";
    saveProject(block, path.toStdString());
    return path;
}

ModelGraph UserBlocks::load(const QString& path) {
    return loadProject(path.toStdString()).graph;
}

bool UserBlocks::remove(const QString& path) { return QFile::remove(path); }

}  // namespace loom::ui
