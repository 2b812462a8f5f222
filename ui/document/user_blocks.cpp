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

namespace {

Project readBlock(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) throw ProjectError("cannot open " + path.toStdString() + ": " + f.errorString().toStdString());
    const QByteArray bytes = f.readAll();
    return parseProject(std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())),
                        QFileInfo(path).fileName().toStdString());
}

}  // namespace

QString UserBlocks::directory() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/blocks";
}

QList<UserBlock> UserBlocks::list() {
    QList<UserBlock> blocks;
    const QDir dir(directory());
    for (const QFileInfo& file : dir.entryInfoList({"*.loom"}, QDir::Files, QDir::Name)) {
        UserBlock b{file.completeBaseName(), file.absoluteFilePath()};
        // The block's own name, as typed (file names are made safe for the file system).
        try {
            const Project p = readBlock(b.path);
            if (!p.name.empty()) b.name = QString::fromStdString(p.name);
        } catch (const ProjectError&) {
            continue;  // not a block LayerLoom can use; leave the file alone
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


QList<UserBlock> builtInBlocks() {
    QList<UserBlock> blocks;
    for (const QString& file : {QStringLiteral(":/blocks/transformer_encoder_post_norm.loom"),
                                QStringLiteral(":/blocks/transformer_encoder_pre_norm.loom")}) {
        const Project p = readBlock(file);  // compiled in: a test reads every one
        blocks << UserBlock{QString::fromStdString(p.name), file, QString::fromStdString(p.description)};
    }
    return blocks;
}

ModelGraph UserBlocks::load(const QString& path) { return readBlock(path).graph; }

bool UserBlocks::remove(const QString& path) { return QFile::remove(path); }

}  // namespace loom::ui
