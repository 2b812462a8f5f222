#pragma once

#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUndoStack>

#include <stop_token>

#include "engine/tensor.h"
#include "graph/graph_edit.h"
#include "graph/project_file.h"
#include "shape/validator.h"

namespace loom::ui {

/// A project or Keras model file read from disk, ready to become a document's content.
struct OpenedModel {
    Project project;
    QString filePath;   ///< where it saves to: the project file, or empty for an imported model
    QStringList notes;  ///< what importing a Keras model left out or chose
};

/// Reads a project or a Keras model (.keras, .h5, a TF.js `model.json`, with its weights, as a
/// new unsaved project). Touches nothing of Qt's, so it may run on a worker thread. Throws
/// ProjectError with a message for the user (for Keras models: which layer or option is not
/// supported, where a file is damaged), or Cancelled (io/isolated.h) once `stop` is requested.
OpenedModel readModelFile(const QString& path, std::stop_token stop = {});

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
    /// Trained weights, named `layer/param`: from training or from an opened Keras/TF.js
    /// model.json; empty for an untrained model. Saved with the project. Edits keep them:
    /// training and the exports use them where they still fit the layers (matchWeights()).
    const std::vector<NamedTensor>& weights() const { return m_project.weights; }
    /// Replaces the weights (after training, or empty to start afresh); not an undo step, but
    /// the project counts as modified until saved.
    /// `from` says what they are, for the records of runs that start from them ("run 3's
    /// weights"); empty weights have no origin.
    void setWeights(std::vector<NamedTensor> weights, std::string from = {});
    /// The project's training settings (TrainConfig and DataSpec as JSON); same rules as
    /// setWeights().
    void setTraining(nlohmann::json training);
    /// Sets what the model is for (the Data panel's Task, a fix that changes the task); same
    /// rules as setTraining().
    void setTask(const ModelTask& task);
    /// Applies a fix of a problem as one undo step: its graph edit, or the task it sets.
    /// Throws EditError as applyEdit() does.
    void applyFix(const Fix& fix);
    /// Past training runs (see ui/training/run_record.h); same rules as setWeights().
    void setRuns(nlohmann::json runs);
    /// The number the next run gets: one more than the highest so far ("run 3").
    int nextRunNumber() const;

    /// While `reason` is not empty, edits that change layers or wires are refused with
    /// editRefused(reason); moving, grouping and laying out still work. Training holds it.
    void setStructureLocked(const QString& reason);
    const QString& structureLock() const { return m_lock; }

    /// The file this document was read from; empty for a built-in example.
    const QString& filePath() const { return m_filePath; }
    /// A short name for window titles: the project name, else the file name.
    QString displayName() const;

    /// Replaces the content, re-validates and emits changed().
    void setProject(Project project, QString filePath);
    /// Reads a project from disk (see readModelFile) or from a Qt resource (":/examples/...")
    /// and takes it. Throws ProjectError; on failure the document is unchanged.
    void load(const QString& path);
    /// Takes what readModelFile read.
    void adopt(OpenedModel opened);
    /// What importing the last loaded Keras model left out or chose (its optimizer's state).
    const QStringList& importNotes() const { return m_importNotes; }
    /// Takes a recovered project as unsaved changes to `filePath` (crash recovery).
    void restoreUnsaved(Project project, QString filePath);
    /// Writes the project atomically and marks it unmodified; throws std::runtime_error.
    void save(const QString& path);

    QUndoStack* undoStack() { return &m_undo; }
    /// Undo and redo, refused (editRefused()) for steps that change layers or wires while the
    /// structure is locked.
    void undo();
    void redo();
    bool isModified() const { return !m_undo.isClean() || m_extrasModified; }

    /// Applies a fix (or any graph edit) as one undo step named `text`; returns the ids of the
    /// layers it added. Throws EditError, changing nothing, when the edit does not apply;
    /// returns nothing while the structure is locked.
    std::vector<NodeId> applyEdit(const GraphEdit& edit, const QString& text);
    /// Adds a layer of `kind` at `at`, spliced into wire `splice` when given, else wired from
    /// `after` when given; one undo step. Returns its id (0 while locked). Spliced after the
    /// layer `after`, it takes every wire from `after` to the same consumer, so that a layer
    /// reading it on several ports (self-attention's query and value) reads the new one on all.
    NodeId addLayer(const QString& kind, Point at, EdgeId splice = 0, NodeId after = 0);
    /// Pastes a copy of `fragment` shifted by `offset`; one undo step named `text`. Returns the
    /// new layers' ids.
    std::vector<NodeId> paste(const ModelGraph& fragment, Point offset, const QString& text);
    /// Lays the graph out in layers, top to bottom, as one undo step.
    void autoLayout();
    /// Deletes layers and their wires as one undo step.
    void removeNodes(const QList<NodeId>& ids);
    /// Moves layers (and collapsed group cards, whose layers move along) as one undo step;
    /// consecutive moves of the same things merge.
    void moveNodes(const QMap<NodeId, Point>& positions,
                   const QMap<std::uint32_t, Point>& groups = {});

    /// Gathers layers into a collapsed group named `name`, as one undo step; returns its id.
    std::uint32_t groupLayers(const QList<NodeId>& ids, const QString& name);
    /// Dissolves a group (its layers stay), one undo step.
    void ungroup(std::uint32_t group);
    void setGroupCollapsed(std::uint32_t group, bool collapsed);
    void renameGroup(std::uint32_t group, const QString& name);

    /// Replaces the whole graph as one undo step named `text` (restoring a run's architecture);
    /// false while the structure is locked or when nothing changes.
    bool replaceGraph(ModelGraph graph, const QString& text);

    /// Replaces the graph and re-validates; for undo commands, which own the history. True when
    /// the model, made whole, took the task its shapes suggest.
    bool setGraph(ModelGraph graph);
    /// Puts back training settings as they were before an edit gave the model its task (undo);
    /// validates again only with the graph that follows.
    void restoreTraining(nlohmann::json training);

signals:
    /// A whole other project took this one's place (File > New, Open, a recovered copy): views
    /// drop what they show of the one before. Comes before the other signals of the change.
    void replaced();
    /// The graph changed (and was re-validated).
    void changed();
    void weightsChanged();
    void trainingChanged();
    void runsChanged();
    /// isModified() may have changed.
    void modificationChanged();
    void lockChanged();
    /// An edit was refused because the layers are locked; `reason` says why.
    void editRefused(const QString& reason);
    /// The project was written to filePath().
    void saved();

private:
    Project m_project;
    Validation m_validation;
    QString m_filePath;
    QStringList m_importNotes;
    QUndoStack m_undo;
    bool m_extrasModified = false;
    QString m_lock;
    bool m_taskAdopted = false;  ///< the last revalidate() gave a model without a task its shapes'

    /// Validates the graph, adds the project's own problems (taskProblem) and gives a model
    /// without a task the one its shapes suggest.
    void revalidate();

    /// Emits editRefused() and returns true while the structure is locked.
    bool refusedByLock();
    void markExtrasModified();
};

}  // namespace loom::ui
