// The window's File > Export actions: pictures of the canvas and the diagram, the model in
// every format LayerLoom writes (core/service/model_export.h), its weights, and the PyTorch
// training job (written off the window's thread).
#include "window/main_window.h"

#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSettings>
#include <QStatusBar>

#include "canvas/canvas_view.h"
#include "canvas/graph_scene.h"
#include "document/document.h"
#include "document/wording.h"
#include "engine/weights_file.h"
#include "export/canvas_export.h"
#include "export/model_diagram.h"
#include "export/training_job_export.h"
#include "interop/keras_export.h"
#include "service/model_export.h"
#include "tasks/modal_task.h"
#include "window/file_actions.h"

namespace loom::ui {

namespace {

ModelFormat formatOf(MainWindow::ModelExport kind) {
    switch (kind) {
        case MainWindow::ModelExport::LayersFolder: return ModelFormat::Layers;
        case MainWindow::ModelExport::PytorchFolder: return ModelFormat::Pytorch;
        case MainWindow::ModelExport::KerasFile: return ModelFormat::KerasFile;
        case MainWindow::ModelExport::OnnxFile: return ModelFormat::Onnx;
    }
    return ModelFormat::KerasFile;
}

}  // namespace

void MainWindow::exportCanvasAs(const QString& suffix) {
    const QString base = m_files->startDirectory() +
                         "/" + m_document->displayName() + "." + suffix;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Canvas"), base,
                                                      suffix.toUpper() + " (*." + suffix + ")");
    if (path.isEmpty()) return;
    double scale = 1.0;
    if (suffix == "png") {
        bool ok = false;
        scale = QInputDialog::getDouble(this, tr("Export PNG"), tr("Scale (1 = 100% zoom):"), 2.0,
                                        0.25, 8.0, 2, &ok);
        if (!ok) return;
    }
    QString error;
    if (!exportCanvas(m_scene, path, scale, &error)) {
        QMessageBox::warning(this, tr("Cannot export"), error);
        return;
    }
    statusBar()->showMessage(tr("Exported %1").arg(path), 4000);
}

bool MainWindow::exportable(const QString& title) {
    if (!m_document->validation().hasErrors()) return true;
    QMessageBox::information(this, title,
                             tr("The model has problems (see the Problems dock); fix them "
                                "first, so that it can be built."));
    return false;
}

void MainWindow::exportKerasCode() {
    if (!exportable(tr("Export as Keras Code"))) return;
    QString base = m_document->displayName();
    base.replace(QRegularExpression("[^A-Za-z0-9_]+"), "_");
    const QString start = m_files->startDirectory() +
                          "/" + base.toLower() + ".py";
    const QString path = QFileDialog::getSaveFileName(this, tr("Export as Keras Code"), start,
                                                      tr("Python (*.py)"));
    if (path.isEmpty()) return;
    try {
        ModelExportRequest request;
        request.project = m_document->project();
        if (request.project.name.empty()) request.project.name = m_document->displayName().toStdString();
        request.format = ModelFormat::KerasCode;
        request.target = path.toStdString();
        loom::exportModel(request);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Cannot export"), QString::fromStdString(e.what()));
        return;
    }
    statusBar()->showMessage(tr("Wrote %1").arg(path), 6000);
}

void MainWindow::exportModel(ModelExport kind) {
    const QString title = kind == ModelExport::PytorchFolder  ? tr("Export as PyTorch Module")
                          : kind == ModelExport::LayersFolder ? tr("Export as TF.js Model")
                          : kind == ModelExport::OnnxFile     ? tr("Export as ONNX Model")
                                                              : tr("Export as Keras Model File");
    if (!exportable(title)) return;
    // A format that cannot hold the model says so before a file dialog opens, and names those
    // that can.
    if (const std::string refusal = exportRefusal(m_document->graph(), formatOf(kind)); !refusal.empty()) {
        QMessageBox box(QMessageBox::Warning, title, QString::fromStdString(refusal), QMessageBox::Ok, this);
        box.setObjectName("exportRefused");
        box.exec();
        return;
    }
    const QString start = m_files->startDirectory();
    QString target;
    QString base = m_document->displayName();
    base.replace(QRegularExpression("[^A-Za-z0-9_]+"), "_");
    if (kind == ModelExport::KerasFile) {
        const QString keras3 = tr("Keras 3 model (*.keras)"), keras2 = tr("tf.keras 2 model (*.h5)");
        QString filter = keras3;
        target = QFileDialog::getSaveFileName(this, title, start + "/" + base.toLower() + ".keras", keras3 + ";;" + keras2, &filter);
        const QString suffix = QFileInfo(target).suffix().toLower();
        if (!target.isEmpty() && suffix != "keras" && suffix != "h5" && suffix != "hdf5") target += filter == keras2 ? ".h5" : ".keras";
    } else if (kind == ModelExport::OnnxFile) {
        target = QFileDialog::getSaveFileName(this, title, start + "/" + base.toLower() + ".onnx", tr("ONNX model (*.onnx)"));
        if (!target.isEmpty() && QFileInfo(target).suffix().toLower() != "onnx") target += ".onnx";
    } else {
        target = QFileDialog::getExistingDirectory(
            this, kind == ModelExport::PytorchFolder ? tr("Folder for model.py and its weights") : tr("Folder for model.json and weights.bin"),
            start);
    }
    if (target.isEmpty()) return;
    // A folder that holds an earlier export (of this format or another that writes a file of
    // the same name) is not written over without a word.
    std::vector<std::string> there;
    for (const std::string& name : folderFiles(formatOf(kind))) {
        if (QFileInfo::exists(target + "/" + QString::fromStdString(name))) there.push_back(name);
    }
    if (!there.empty()) {
        QMessageBox ask(QMessageBox::Question, title,
                        tr("%1 already holds %2. Replace %3?")
                            .arg(QDir::toNativeSeparators(target), listed(there), there.size() == 1 ? tr("it") : tr("them")),
                        QMessageBox::Cancel, this);
        ask.setObjectName("replaceExportedFiles");
        QPushButton* replace = ask.addButton(tr("Replace"), QMessageBox::DestructiveRole);
        ask.setDefaultButton(QMessageBox::Cancel);
        ask.exec();
        if (ask.clickedButton() != replace) return;
    }
    QString report;
    try {
        QApplication::setOverrideCursor(Qt::WaitCursor);
        const auto restore = qScopeGuard([] { QApplication::restoreOverrideCursor(); });
        report = exportModelTo(target, kind);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Cannot export"), QString::fromStdString(e.what()));
        return;
    }
    // The next file dialog starts where this export went.
    const bool oneFile = folderFiles(formatOf(kind)).empty();
    QSettings().setValue("lastDirectory", oneFile ? target : target + "/");
    statusBar()->showMessage(report, 8000);
}

void MainWindow::exportTrainingJobDialog() {
    const QString title = tr("Export Training Job");
    if (!exportable(title)) return;
    // A new folder by name, as a file is saved; an earlier job's folder is replaced.
    QString base = m_document->displayName();
    base.replace(QRegularExpression("[^A-Za-z0-9_]+"), "_");
    const QString target = QFileDialog::getSaveFileName(
        this, tr("Export Training Job: name a new folder for it"), m_files->startDirectory() + "/" + base.toLower() + "_job",
        tr("Training job folder (*)"), nullptr, QFileDialog::DontConfirmOverwrite);
    if (target.isEmpty()) return;
    // The data is read and written off the window's thread, which stays live meanwhile.
    TrainingJobExport done;
    try {
        const bool written = runWithProgress(
            this, title, tr("Preparing the data and writing the training job..."),
            [&done, request = trainingJobRequest(*m_document), target](TaskContext& task) {
                TrainingJobExport result = exportTrainingJob(request, target, [&task](double fraction) {
                    task.progress(fraction);
                    return !task.stopRequested();
                });
                task.post([&done, result] { done = result; });
            });
        if (!written) {
            statusBar()->showMessage(tr("Exporting the training job was cancelled."), 8000);
            return;
        }
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Cannot export"), QString::fromStdString(e.what()));
        return;
    }
    QSettings().setValue("lastDirectory", target + "/");
    QString text = done.summary + "\n\n" +
                   tr("In that folder, train it on one process with\n    python3 train.py\n"
                      "or on N processes with\n    torchrun --standalone --nproc_per_node=N train.py\n"
                      "(README.md there has the commands for several machines). "
                      "Training > Import Run... on that folder brings its run back.");
    if (!done.warnings.isEmpty()) text += "\n\n" + tr("Differences from training here:") + "\n" + done.warnings.join("\n");
    QMessageBox::information(this, title, text);
    statusBar()->showMessage(done.summary, 8000);
}

void MainWindow::exportWeightsTo(const QString& path) {
    if (m_document->weights().empty()) throw std::runtime_error("the model has no trained weights yet");
    saveWeights(path.toStdString(), m_document->weights());
}

QString MainWindow::exportModelTo(const QString& target, ModelExport kind) {
    ModelExportRequest request;
    request.project = m_document->project();
    if (request.project.name.empty()) request.project.name = m_document->displayName().toStdString();
    request.weights = m_document->weights();
    request.format = formatOf(kind);
    request.target = target.toStdString();
    const ModelExportResult done = loom::exportModel(request);
    const WeightMatch& match = done.match;
    QString weights = tr("the model's trained weights");
    if (!done.trained || match.none()) {
        weights = tr("new weights from Keras's initialisers (seed %1), ready to train").arg(done.seed);
    } else if (!match.all()) {
        weights = tr("trained weights for %1 and new ones for %2")
                      .arg(counted(static_cast<qsizetype>(match.kept.size()), "layer"),
                           listed(match.fresh));
    }
    if (folderFiles(request.format).empty()) return tr("Wrote %1 with %2").arg(target, weights);
    return tr("Wrote %1/%2 with %3").arg(target, kind == ModelExport::PytorchFolder ? "model.py" : "model.json", weights);
}

void MainWindow::exportDiagramAs(const QString& suffix) {
    const QString base = m_files->startDirectory() +
                         "/" + m_document->displayName() + "_diagram." + suffix;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Model Diagram"), base,
                                                      suffix.toUpper() + " (*." + suffix + ")");
    if (path.isEmpty()) return;
    QString error;
    if (!exportModelDiagram(m_document->graph(), m_document->validation(),
                            m_document->displayName(), path, 2.0, &error)) {
        QMessageBox::warning(this, tr("Cannot export"), error);
        return;
    }
    statusBar()->showMessage(tr("Exported %1").arg(path), 4000);
}

}  // namespace loom::ui
