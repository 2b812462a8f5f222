#pragma once

#include <QMainWindow>

#include "document/document.h"
#include "graph/ids.h"

class QLabel;
class QUndoView;

namespace loom::ui {

class Autosaver;
class CanvasView;
class Document;
class EditActions;
class FileActions;
class GraphScene;
class HelpMenu;
class Minimap;
class InspectorPanel;
class PalettePanel;
class TrainingWorkspace;

/// The application window: the canvas in the middle, Problems and Summary docks, menus and a
/// status line. Each dock is its own class; this one only wires them together.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Opens a project file, a Keras model or a built-in example (FileActions::openPath).
    bool openPath(const QString& path);

    Document* document() const { return m_document; }
    GraphScene* scene() const { return m_scene; }
    CanvasView* canvas() const { return m_view; }
    EditActions* editActions() const { return m_edit; }
    FileActions* files() const { return m_files; }
    PalettePanel* palette() const { return m_palette; }
    Minimap* minimap() const { return m_minimap; }
    TrainingWorkspace* training() const { return m_training; }
    HelpMenu* help() const { return m_help; }

    /// The forms a model with its weights is exported in.
    enum class ModelExport {
        LayersFolder,   ///< model.json and weights.bin, the Keras/TF.js layers format
        PytorchFolder,  ///< model.py and its weights
        KerasFile,      ///< a .keras (Keras 3) or .h5 (tf.keras 2) file, by its name
        OnnxFile,       ///< a .onnx file of standard operators, for ONNX Runtime
    };
    /// Writes the model into `target` (a folder, or the Keras file), with the document's
    /// trained weights when they fit, else new ones; returns what it did. Throws
    /// std::exception with the reason.
    QString exportModelTo(const QString& target, ModelExport kind);

    /// Writes the document's trained weights as a LayerLoom weights file (.llw), the format
    /// `layerloom-cli --weights` reads. Throws std::exception when there are none or the file
    /// cannot be written.
    void exportWeightsTo(const QString& path);

    /// Selects a layer and centres the canvas on it.
    void showLayer(loom::NodeId id);
    Autosaver* autosaver() const { return m_autosaver; }

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    Document* m_document;
    GraphScene* m_scene;
    CanvasView* m_view;
    QLabel* m_statusModel;
    QLabel* m_statusZoom;
    Autosaver* m_autosaver;
    EditActions* m_edit;
    FileActions* m_files;
    Minimap* m_minimap;
    HelpMenu* m_help = nullptr;
    PalettePanel* m_palette = nullptr;
    InspectorPanel* m_inspector = nullptr;
    QUndoView* m_history = nullptr;
    QLabel* m_lockBadge = nullptr;
    TrainingWorkspace* m_training = nullptr;

    void buildMenus();
    void buildDocks();
    void refreshStatus();
    void refreshTitle();
    void refreshLock();
    void exportCanvasAs(const QString& suffix);
    void exportDiagramAs(const QString& suffix);
    /// Asks where, then exports the model in `kind` (see exportModelTo).
    void exportModel(ModelExport kind);
    void exportKerasCode();
    /// Asks for a folder, then writes the training job there (exportTrainingJob).
    void exportTrainingJobDialog();
    /// Whether the model can be exported; else says why.
    bool exportable(const QString& title);
    void restoreSettings();
};

}  // namespace loom::ui
