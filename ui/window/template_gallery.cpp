#include "window/template_gallery.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPixmap>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include "document/examples.h"
#include "engine/loss.h"
#include "export/model_diagram.h"
#include "shape/validator.h"
#include "train/config_json.h"

namespace loom::ui {

namespace {

/// A shipped example's project; an empty one when it cannot be read (never for a build
/// whose tests pass).
Project readExample(const QString& resource) {
    QFile file(resource);
    if (!file.open(QIODevice::ReadOnly)) return {};
    const QByteArray bytes = file.readAll();
    try {
        return parseProject(std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())),
                            QFileInfo(resource).fileName().toStdString());
    } catch (const std::exception&) {
        return {};
    }
}

/// "5 layers · 205,324 parameters · trains on synthetic:addition with categorical_crossentropy".
QString factsOf(const Project& p) {
    const Validation v = validate(p.graph);
    const QLocale locale;
    const auto layers = static_cast<qlonglong>(p.graph.nodes().size());
    QString facts = (layers == 1 ? QObject::tr("1 layer") : QObject::tr("%1 layers").arg(layers)) + " · " +
                    QObject::tr("%1 parameters").arg(locale.toString(static_cast<qlonglong>(v.totalParams)));
    try {
        const DataSpec data = dataSpecFromJson(p.training.value("data", nlohmann::json::object()));
        const TrainConfig config = trainConfigFromJson(p.training);
        if (!data.source.empty()) {
            facts += " · " + QObject::tr("trains on %1 with %2")
                                 .arg(QString::fromStdString(data.source), QString::fromStdString(lossName(config.loss)));
        }
    } catch (const std::exception&) {
        // Settings LayerLoom cannot read say nothing here; opening the example says why.
    }
    return facts;
}

}  // namespace

TemplateGallery::TemplateGallery(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("New from Template"));
    setObjectName("templateGallery");
    m_list = new QListWidget(this);
    m_list->setObjectName("templateList");
    m_list->setViewMode(QListView::IconMode);
    m_list->setIconSize(QSize(120, 150));
    m_list->setGridSize(QSize(190, 215));
    m_list->setWordWrap(true);
    m_list->setResizeMode(QListView::Adjust);
    m_list->setMovement(QListView::Static);
    m_list->setUniformItemSizes(true);
    m_list->setMinimumWidth(3 * 190 + 30);
    const qreal ratio = devicePixelRatioF();
    for (const Example& e : builtInExamples()) {
        Entry entry{e.title, e.resource, readExample(e.resource)};
        const QImage thumbnail = modelDiagramImage(entry.project.graph, validate(entry.project.graph), m_list->iconSize(), ratio);
        auto* item = new QListWidgetItem(QIcon(QPixmap::fromImage(thumbnail)), e.title, m_list);
        item->setToolTip(e.title);
        item->setSizeHint(m_list->gridSize());
        m_entries.push_back(std::move(entry));
    }

    m_picture = new QLabel(this);
    m_picture->setAlignment(Qt::AlignHCenter | Qt::AlignTop);
    m_picture->setObjectName("templatePicture");
    auto* pictureArea = new QScrollArea(this);
    pictureArea->setWidget(m_picture);
    pictureArea->setWidgetResizable(true);
    pictureArea->setMinimumSize(380, 360);
    m_title = new QLabel(this);
    m_title->setObjectName("templateTitle");
    m_title->setWordWrap(true);
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_title->setFont(bold);
    m_facts = new QLabel(this);
    m_facts->setObjectName("templateFacts");
    m_facts->setWordWrap(true);
    m_facts->setStyleSheet("color: palette(mid)");
    m_description = new QLabel(this);
    m_description->setObjectName("templateDescription");
    m_description->setWordWrap(true);
    m_description->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_description->setAlignment(Qt::AlignLeft | Qt::AlignTop);

    auto* details = new QVBoxLayout;
    details->addWidget(m_title);
    details->addWidget(m_facts);
    details->addWidget(pictureArea, 1);
    details->addWidget(m_description);
    auto* panes = new QHBoxLayout;
    panes->addWidget(m_list, 3);
    panes->addLayout(details, 2);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton* create = buttons->addButton(tr("&Create"), QDialogButtonBox::AcceptRole);
    create->setDefault(true);
    create->setToolTip(tr("Open the chosen template as a new model (Enter, or double-click it)"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_list, &QListWidget::itemActivated, this, &QDialog::accept);
    connect(m_list, &QListWidget::currentRowChanged, this, &TemplateGallery::showCurrent);
    connect(m_list, &QListWidget::currentRowChanged, create, [create](int row) { create->setEnabled(row >= 0); });

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(panes, 1);
    layout->addWidget(buttons);
    resize(1120, 720);
    m_list->setCurrentRow(0);
    m_list->setFocus();
}

QString TemplateGallery::chosen() const {
    const int row = m_list->currentRow();
    return row >= 0 && row < m_entries.size() ? m_entries[row].resource : QString();
}

void TemplateGallery::showCurrent() {
    const int row = m_list->currentRow();
    if (row < 0 || row >= m_entries.size()) return;
    const Entry& e = m_entries[row];
    m_title->setText(e.title);
    m_facts->setText(factsOf(e.project));
    m_description->setText(QString::fromStdString(e.project.description));
    m_description->setVisible(!e.project.description.empty());
    const QImage picture = modelDiagramImage(e.project.graph, validate(e.project.graph), QSize(360, 2000), devicePixelRatioF());
    m_picture->setPixmap(QPixmap::fromImage(picture));
}

}  // namespace loom::ui
