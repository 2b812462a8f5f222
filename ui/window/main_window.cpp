#include "window/main_window.h"

#include <QCloseEvent>
#include <QDockWidget>
#include <QFileInfo>
#include <QUndoStack>
#include <QUndoView>
#include <QFileDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>

#include <optional>

#include "document/wording.h"
#include "canvas/canvas_view.h"
#include "canvas/graph_scene.h"
#include "canvas/minimap.h"
#include "canvas/node_item.h"
#include "document/autosave.h"
#include "document/document.h"
#include "export/canvas_export.h"
#include "panels/inspector_panel.h"
#include "panels/palette_panel.h"
#include "window/canvas_theme.h"
#include "window/edit_actions.h"
#include "window/file_actions.h"
#include "window/help_menu.h"
#include "training/training_controller.h"
#include "window/training_workspace.h"
#include "window/wheel_guard.h"
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
      m_statusZoom(new QLabel(this)),
      m_autosaver(new Autosaver(m_document, this)),
      m_edit(new EditActions(m_document, m_scene, m_view, this)),
      m_files(new FileActions(this, m_document, m_autosaver,
                              [this] { return !m_training || m_training->settleBeforeClose(); }, this)),
      m_minimap(new Minimap(m_scene, m_view)) {
    setCentralWidget(m_view);
    new WheelGuard(this);
    setWindowIcon(QIcon(":/icons/layerloom.svg"));
    buildMenus();
    buildDocks();
    statusBar()->addWidget(m_statusModel, 1);
    m_lockBadge = new QLabel(tr("Layers locked while training"), this);
    m_lockBadge->setStyleSheet("QLabel { background: #fff3cd; color: #664d03; padding: 1px 6px; border-radius: 3px; }");
    m_lockBadge->hide();
    statusBar()->addPermanentWidget(m_lockBadge);
    statusBar()->addPermanentWidget(m_statusZoom);
    connect(m_document, &Document::lockChanged, this, &MainWindow::refreshLock);
    connect(m_document, &Document::changed, this, &MainWindow::refreshStatus);
    const auto showHint = [this](const QString& text) { statusBar()->showMessage(text, 8000); };
    connect(m_scene, &GraphScene::hint, this, showHint);
    connect(m_edit, &EditActions::hint, this, showHint);
    connect(m_edit, &EditActions::failed, this, [this](const QString& title, const QString& why) {
        QMessageBox::information(this, title, why);
    });
    connect(m_document, &Document::modificationChanged, this, &MainWindow::refreshTitle);
    connect(m_files, &FileActions::message, this, [this](const QString& text, int timeout) {
        statusBar()->showMessage(text, timeout);
    });
    connect(m_files, &FileActions::saved, this, &MainWindow::refreshTitle);
    connect(m_files, &FileActions::replaced, this, [this](const QString& start) {
        m_history->setEmptyLabel(start);
        refreshTitle();
        // A model of one layer (File > New's Input) starts with it selected: Tab, quick-add and
        // the palette then add the next layer after it, wired.
        if (m_document->graph().nodes().size() == 1) m_scene->selectOnly({m_document->graph().nodes().front().id});
        // Frame once the window has its final size.
        QTimer::singleShot(0, m_view, &CanvasView::frameModel);
    });
    connect(m_document, &Document::editRefused, this, showHint);
    connect(m_view, &CanvasView::zoomChanged, this, [this](double z) {
        m_statusZoom->setText(tr("Zoom %1%").arg(qRound(z * 100)));
    });
    restoreSettings();
    refreshStatus();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    m_files->addTo(file);
    file->addSeparator();  // the model, its weights and code for other tools
    QAction* kerasFile = file->addAction(tr("Export as Keras Model &File..."), this,
                                         [this] { exportModel(ModelExport::KerasFile); });
    kerasFile->setStatusTip(tr("The model and its weights as a .keras file (Keras 3) or an .h5 file "
                               "(tf.keras 2), which keras.models.load_model opens"));
    QAction* onnxModel = file->addAction(tr("Export as &ONNX Model..."), this,
                                         [this] { exportModel(ModelExport::OnnxFile); });
    onnxModel->setObjectName("exportOnnxAction");
    onnxModel->setStatusTip(tr("The model and its weights as a .onnx file of standard operators, which ONNX "
                               "Runtime serves on servers, phones and in browsers"));
    QAction* layersModel = file->addAction(tr("Export as TF.js &Model..."), this,
                                           [this] { exportModel(ModelExport::LayersFolder); });
    layersModel->setStatusTip(tr("model.json and weights.bin in the layers format TF.js loads"));
    QAction* torchModel = file->addAction(tr("Export as P&yTorch Module..."), this,
                                          [this] { exportModel(ModelExport::PytorchFolder); });
    torchModel->setStatusTip(tr("model.py with LayerLoom's numerics, its weights and a training "
                                "loop"));
    QAction* kerasCodeAction = file->addAction(tr("Export as &Keras Code..."), this,
                                               &MainWindow::exportKerasCode);
    kerasCodeAction->setObjectName("exportKerasCodeAction");
    kerasCodeAction->setStatusTip(tr("Runnable Keras Python (functional API) with every layer "
                                     "option and the training settings"));
    QAction* jobAction = file->addAction(tr("Export Training &Job..."), this, &MainWindow::exportTrainingJobDialog);
    jobAction->setObjectName("exportTrainingJobAction");
    jobAction->setStatusTip(tr("A folder that trains the model with PyTorch's DistributedDataParallel "
                               "(torchrun) on the chosen data and settings, and writes a run folder "
                               "that Import Run brings back"));
    QAction* weightsAction = file->addAction(tr("Export &Weights..."), this, [this] {
        const QString base = m_files->startDirectory() + "/" +
                             m_document->displayName() + ".llw";
        const QString path = QFileDialog::getSaveFileName(this, tr("Export Weights"), base,
                                                          tr("LayerLoom weights (*.llw)"));
        if (path.isEmpty()) return;
        try {
            exportWeightsTo(path);
            statusBar()->showMessage(tr("Wrote the trained weights to %1").arg(path), 8000);
        } catch (const std::exception& e) {
            QMessageBox::warning(this, tr("Export Weights"), QString::fromStdString(e.what()));
        }
    });
    weightsAction->setStatusTip(tr("The trained weights as a LayerLoom weights file, which "
                                   "layerloom-cli takes with --weights"));
    connect(m_document, &Document::weightsChanged, weightsAction,
            [this, weightsAction] { weightsAction->setEnabled(!m_document->weights().empty()); });
    weightsAction->setEnabled(false);
    file->addSeparator();  // pictures
    QMenu* exportMenu = file->addMenu(tr("&Export Canvas"));
    for (const auto& [label, suffix] : {std::pair{tr("As &PNG Image..."), QString("png")},
                                        std::pair{tr("As &SVG Drawing..."), QString("svg")},
                                        std::pair{tr("As P&DF..."), QString("pdf")}}) {
        exportMenu->addAction(label, this, [this, suffix] { exportCanvasAs(suffix); });
    }
    QMenu* diagramMenu = file->addMenu(tr("Export Model &Diagram"));
    diagramMenu->setToolTipsVisible(true);
    for (const auto& [label, suffix] : {std::pair{tr("As &PNG Image..."), QString("png")},
                                        std::pair{tr("As &SVG Drawing..."), QString("svg")},
                                        std::pair{tr("As P&DF..."), QString("pdf")},
                                        std::pair{tr("As Graphviz &DOT..."), QString("dot")}}) {
        QAction* a = diagramMenu->addAction(label, this, [this, suffix] { exportDiagramAs(suffix); });
        a->setToolTip(tr("Keras plot_model(show_shapes=True) style: a box per layer with its "
                         "input and output shapes"));
    }
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    // Through the document, which refuses layer changes while training holds the lock.
    QUndoStack* stack = m_document->undoStack();
    QAction* undo = new QAction(tr("&Undo"), this);
    QAction* redo = new QAction(tr("&Redo"), this);
    connect(undo, &QAction::triggered, m_document, &Document::undo);
    connect(redo, &QAction::triggered, m_document, &Document::redo);
    auto refreshUndo = [stack, undo, redo] {
        undo->setEnabled(stack->canUndo());
        undo->setText(stack->canUndo() ? tr("&Undo %1").arg(stack->undoText()) : tr("&Undo"));
        redo->setEnabled(stack->canRedo());
        redo->setText(stack->canRedo() ? tr("&Redo %1").arg(stack->redoText()) : tr("&Redo"));
    };
    connect(stack, &QUndoStack::indexChanged, this, refreshUndo);
    connect(stack, &QUndoStack::cleanChanged, this, refreshUndo);
    refreshUndo();
    undo->setShortcut(QKeySequence::Undo);
    // Both common redo keys on every platform, whatever the desktop's standard one is.
    QList<QKeySequence> redoKeys = QKeySequence::keyBindings(QKeySequence::Redo);
    for (const QKeySequence& k : {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z),
                                  QKeySequence(Qt::CTRL | Qt::Key_Y)}) {
        if (!redoKeys.contains(k)) redoKeys.append(k);
    }
    redo->setShortcuts(redoKeys);
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    m_edit->addTo(edit);
    edit->addSeparator();
    QAction* remove = edit->addAction(tr("&Delete"), this, [this] {
        const std::vector<NodeId> ids = m_scene->selectedLayers();
        m_document->removeNodes(QList<NodeId>(ids.begin(), ids.end()));
    });
    remove->setShortcuts({QKeySequence::Delete, QKeySequence(Qt::Key_Backspace)});
    remove->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_view->addAction(remove);  // on the canvas only, so text fields keep their Delete key
    QAction* arrange = edit->addAction(tr("Auto-&Layout"), this, [this] {
        m_document->autoLayout();
        QTimer::singleShot(0, m_view, &CanvasView::frameModel);
    });
    arrange->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    arrange->setStatusTip(tr("Arrange the layers top to bottom with few crossing wires"));
    QAction* selectAll = edit->addAction(tr("Select &All"), this, [this] {
        for (NodeItem* item : m_scene->nodeItems()) item->setSelected(true);
    });
    selectAll->setShortcut(QKeySequence::SelectAll);
    selectAll->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_view->addAction(selectAll);

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
    QAction* snap = view->addAction(tr("Snap to &Grid"));
    snap->setCheckable(true);
    snap->setChecked(QSettings().value("canvas/snapToGrid", false).toBool());
    snap->setStatusTip(tr("Dragged layers land on the background grid"));
    m_scene->setSnapToGrid(snap->isChecked());
    connect(snap, &QAction::toggled, this, [this](bool on) {
        m_scene->setSnapToGrid(on);
        QSettings().setValue("canvas/snapToGrid", on);
    });
    QAction* overview = view->addAction(tr("&Minimap"));
    overview->setCheckable(true);
    overview->setChecked(QSettings().value("canvas/minimap", true).toBool());
    overview->setStatusTip(tr("An overview in the corner when the model does not fit the view"));
    m_minimap->setEnabledByUser(overview->isChecked());
    connect(overview, &QAction::toggled, this, [this](bool on) {
        m_minimap->setEnabledByUser(on);
        QSettings().setValue("canvas/minimap", on);
    });
    new CanvasTheme(m_scene, view, this);
    view->addSeparator();
    view->setObjectName("viewMenu");

    m_help = new HelpMenu(this, menuBar()->addMenu(tr("&Help")));
}

void MainWindow::buildDocks() {
    m_palette = new PalettePanel(this);
    connect(m_palette, &PalettePanel::addRequested, m_edit, &EditActions::addLayer);
    connect(m_palette, &PalettePanel::blockRequested, m_edit, &EditActions::addBlockAtCentre);
    connect(m_edit, &EditActions::blocksChanged, m_palette, &PalettePanel::reloadBlocks);
    auto* paletteDock = new QDockWidget(tr("Layers"), this);
    paletteDock->setObjectName("paletteDock");
    paletteDock->setWidget(m_palette);
    addDockWidget(Qt::LeftDockWidgetArea, paletteDock);
    resizeDocks({paletteDock}, {190}, Qt::Horizontal);

    auto* problems = new ProblemsPanel(m_document, this);
    connect(problems, &ProblemsPanel::layerActivated, this, &MainWindow::showLayer);
    connect(problems, &ProblemsPanel::fixFailed, this, [this](const QString& reason) {
        QMessageBox::warning(this, tr("Cannot apply the fix"), reason);
    });
    auto* problemsDock = new QDockWidget(tr("Problems"), this);
    problemsDock->setObjectName("problemsDock");
    problemsDock->setWidget(problems);
    addDockWidget(Qt::BottomDockWidgetArea, problemsDock);

    auto* inspector = new InspectorPanel(m_document, this);
    m_inspector = inspector;
    auto* inspectorDock = new QDockWidget(tr("Inspector"), this);
    inspectorDock->setObjectName("inspectorDock");
    inspectorDock->setWidget(inspector);
    addDockWidget(Qt::RightDockWidgetArea, inspectorDock);
    resizeDocks({inspectorDock}, {320}, Qt::Horizontal);
    connect(m_scene, &QGraphicsScene::selectionChanged, this, [this, inspector] {
        NodeId only = 0;
        int count = 0;
        for (QGraphicsItem* item : m_scene->selectedItems()) {
            if (item->type() != NodeItem::Type) continue;
            only = static_cast<NodeItem*>(item)->id();
            ++count;
        }
        inspector->showLayer(count == 1 ? only : 0);
    });

    auto* history = new QUndoView(m_document->undoStack(), this);
    m_history = history;
    history->setEmptyLabel(tr("Start"));
    history->setUniformItemSizes(true);  // long histories stay cheap to update
    auto* historyDock = new QDockWidget(tr("History"), this);
    historyDock->setObjectName("historyDock");
    historyDock->setWidget(history);
    addDockWidget(Qt::RightDockWidgetArea, historyDock);
    tabifyDockWidget(inspectorDock, historyDock);
    inspectorDock->raise();

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
    view->addAction(inspectorDock->toggleViewAction());
    view->addAction(historyDock->toggleViewAction());
    QAction* togglePalette = paletteDock->toggleViewAction();
    togglePalette->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    view->addAction(togglePalette);
    view->addSeparator();
    m_training = new TrainingWorkspace(this, m_document, view);
    // A crash while training keeps every finished epoch: the recovery copy follows the run.
    connect(m_training->controller(), &TrainingController::checkpointed, this,
            [this] {
                if (std::optional<Project> copy = m_training->controller()->takeCheckpoint()) {
                    m_autosaver->saveSnapshot(std::move(*copy));
                }
            });
    connect(m_training->controller(), &TrainingController::finished, m_autosaver, &Autosaver::releaseSnapshot);
    connect(m_training, &TrainingWorkspace::message, this, [this](const QString& text, int ms) {
        statusBar()->showMessage(text, ms);
    });
}

void MainWindow::refreshLock() {
    // While training, the layers cannot change; say so where the user would try.
    const QString lock = m_document->structureLock();
    const bool locked = !lock.isEmpty();
    m_lockBadge->setVisible(locked);
    m_lockBadge->setToolTip(lock);
    m_palette->setEnabled(!locked);
    m_palette->setToolTip(locked ? lock : QString());
    m_inspector->setEnabled(!locked);
    m_history->setEnabled(!locked);
}

bool MainWindow::openPath(const QString& path) { return m_files->openPath(path); }

void MainWindow::refreshTitle() {
    setWindowTitle(tr("%1%2 \u2014 LayerLoom")
                       .arg(m_document->displayName(), m_document->isModified() ? "*" : ""));
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
    QString state = errors == 0 ? tr("valid") : counted(static_cast<qsizetype>(errors), "error");
    if (warnings > 0) state += ", " + counted(static_cast<qsizetype>(warnings), "warning");
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
    if (!m_files->maybeSave()) {
        event->ignore();
        return;
    }
    m_autosaver->clear();
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    event->accept();
}

}  // namespace loom::ui
