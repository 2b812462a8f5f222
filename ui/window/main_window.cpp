#include "window/main_window.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>

#include "canvas/canvas_view.h"
#include "canvas/graph_scene.h"
#include "canvas/node_item.h"
#include "document/document.h"
#include "document/examples.h"
#include "panels/problems_panel.h"
#include "panels/summary_panel.h"
#include "report/summary.h"

namespace loom::ui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      m_document(new Document(this)),
      m_scene(new GraphScene(m_document, this)),
      m_view(new CanvasView(m_scene, this)),
      m_statusModel(new QLabel(this)),
      m_statusZoom(new QLabel(this)) {
    setCentralWidget(m_view);
    setWindowIcon(QIcon(":/icons/layerloom.svg"));
    buildMenus();
    buildDocks();
    statusBar()->addWidget(m_statusModel, 1);
    statusBar()->addPermanentWidget(m_statusZoom);
    connect(m_document, &Document::changed, this, &MainWindow::refreshStatus);
    connect(m_view, &CanvasView::zoomChanged, this, [this](double z) {
        m_statusZoom->setText(tr("Zoom %1%").arg(qRound(z * 100)));
    });
    restoreSettings();
    refreshStatus();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open..."), this, &MainWindow::openFileDialog);
    open->setShortcut(QKeySequence::Open);
    open->setStatusTip(tr("Open a LayerLoom project (.loom)"));
    QMenu* examples = file->addMenu(tr("Open &Example"));
    for (const Example& e : builtInExamples()) {
        const QString resource = e.resource;
        examples->addAction(e.title, this, [this, resource] { openPath(resource); });
    }
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* zoomIn = view->addAction(tr("Zoom &In"), m_view, &CanvasView::zoomIn);
    zoomIn->setShortcuts({QKeySequence::ZoomIn, QKeySequence(Qt::CTRL | Qt::Key_Equal)});
    QAction* zoomOut = view->addAction(tr("Zoom &Out"), m_view, &CanvasView::zoomOut);
    zoomOut->setShortcut(QKeySequence::ZoomOut);
    QAction* fit = view->addAction(tr("&Fit to Window"), m_view, &CanvasView::fitAll);
    fit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    QAction* actual = view->addAction(tr("&Actual Size"), m_view, &CanvasView::actualSize);
    actual->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    view->addSeparator();
    view->setObjectName("viewMenu");

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About LayerLoom"), this, [this] {
        QMessageBox::about(
            this, tr("About LayerLoom"),
            tr("<h3>LayerLoom %1</h3><p>Design sequence neural networks visually: every wire "
               "shows its tensor shape and every mismatch is explained.</p><p>This version "
               "shows models read-only; editing comes next.</p>")
                .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::buildDocks() {
    auto* problems = new ProblemsPanel(m_document, this);
    connect(problems, &ProblemsPanel::layerActivated, this, &MainWindow::showLayer);
    auto* problemsDock = new QDockWidget(tr("Problems"), this);
    problemsDock->setObjectName("problemsDock");
    problemsDock->setWidget(problems);
    addDockWidget(Qt::BottomDockWidgetArea, problemsDock);

    auto* summaryDock = new QDockWidget(tr("Summary"), this);
    summaryDock->setObjectName("summaryDock");
    summaryDock->setWidget(new SummaryPanel(m_document, this));
    addDockWidget(Qt::BottomDockWidgetArea, summaryDock);
    tabifyDockWidget(problemsDock, summaryDock);
    problemsDock->raise();
    resizeDocks({problemsDock}, {200}, Qt::Vertical);

    QMenu* view = menuBar()->findChild<QMenu*>("viewMenu");
    QAction* toggleProblems = problemsDock->toggleViewAction();
    toggleProblems->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
    view->addAction(toggleProblems);
    view->addAction(summaryDock->toggleViewAction());
}

bool MainWindow::openPath(const QString& path) {
    try {
        m_document->load(path);
    } catch (const ProjectError& e) {
        QMessageBox::warning(this, tr("Cannot open the model"),
                             tr("LayerLoom could not read this file. Nothing was changed.\n\n%1")
                                 .arg(QString::fromStdString(e.what())));
        return false;
    }
    if (!path.startsWith(":/")) QSettings().setValue("lastDirectory", path);
    setWindowTitle(tr("%1 \u2014 LayerLoom").arg(m_document->displayName()));
    // Frame once the window has its final size.
    QTimer::singleShot(0, m_view, &CanvasView::frameModel);
    return true;
}

void MainWindow::openFileDialog() {
    const QString start = QSettings().value("lastDirectory").toString();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Model"), start, tr("LayerLoom projects (*.loom);;All files (*)"));
    if (!path.isEmpty()) openPath(path);
}

void MainWindow::showLayer(NodeId id) {
    NodeItem* item = m_scene->nodeItem(id);
    if (!item) return;
    m_scene->clearSelection();
    item->setSelected(true);
    m_view->centerOn(item);
}

void MainWindow::refreshStatus() {
    const Validation& v = m_document->validation();
    const std::size_t errors = v.count(Severity::Error);
    const std::size_t warnings = v.count(Severity::Warning);
    QString state = errors == 0 ? tr("valid") : tr("%n error(s)", "", static_cast<int>(errors));
    if (warnings > 0) state += tr(", %n warning(s)", "", static_cast<int>(warnings));
    m_statusModel->setText(tr("%1 layers  \u00b7  %2 parameters  \u00b7  %3")
                               .arg(m_document->graph().nodes().size())
                               .arg(QString::fromStdString(groupThousands(v.totalParams)))
                               .arg(state));
}

void MainWindow::restoreSettings() {
    QSettings settings;
    if (!restoreGeometry(settings.value("window/geometry").toByteArray())) resize(1400, 900);
    restoreState(settings.value("window/state").toByteArray());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    event->accept();
}

}  // namespace loom::ui
