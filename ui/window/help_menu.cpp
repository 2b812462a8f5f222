#include "window/help_menu.h"

#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QImage>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextCursor>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "canvas/canvas_view.h"
#include "window/edit_actions.h"
#include "window/file_actions.h"
#include "window/getting_started.h"
#include "window/main_window.h"
#include "window/training_workspace.h"

namespace loom::ui {

namespace {

constexpr int kGuideImageWidth = 760;

/// Triggers the window's action with this object name, if it is there and enabled.
void trigger(MainWindow* window, const char* name) {
    if (auto* a = window->findChild<QAction*>(name); a && a->isEnabled()) a->trigger();
}

/// What can be done on the canvas and in the docks without a menu command.
const std::vector<std::pair<QString, QString>>& gestures() {
    static const std::vector<std::pair<QString, QString>> list = {
        {QObject::tr("Add a layer after the selected one"), QObject::tr("Tab or double-click on the canvas")},
        {QObject::tr("Wire two layers"), QObject::tr("Drag from an output port to an input port")},
        {QObject::tr("Cancel the wire being drawn"), QObject::tr("Esc")},
        {QObject::tr("Pan the canvas"), QObject::tr("Space + drag, or drag with the middle button")},
        {QObject::tr("Zoom about the pointer"), QObject::tr("Mouse wheel")},
        {QObject::tr("Open or close a group"), QObject::tr("Double-click its card or its frame's title")},
        {QObject::tr("Apply a fix from Problems"), QObject::tr("Double-click the fix, or select it and press Enter")},
        {QObject::tr("Browse the reconstructed windows"), QObject::tr("Arrow keys or Page Up/Down on the slider")},
    };
    return list;
}

/// Every action of `menu` (and its submenus) that has a shortcut, as "Menu > Command".
void collect(QMenu* menu, const QString& prefix, QTreeWidgetItem* group) {
    for (QAction* a : menu->actions()) {
        const QString text = prefix + a->text().remove('&').remove("...");
        if (a->menu()) {
            collect(a->menu(), text + " > ", group);
            continue;
        }
        const QList<QKeySequence> keys = a->shortcuts();
        if (keys.isEmpty() || a->isSeparator()) continue;
        QStringList shown;
        for (const QKeySequence& k : keys) shown << k.toString(QKeySequence::NativeText);
        new QTreeWidgetItem(group, {text, shown.join(QObject::tr(" or "))});
    }
}

}  // namespace

HelpMenu::HelpMenu(MainWindow* window, QMenu* menu) : QObject(window), m_window(window) {
    window->installEventFilter(this);
    QAction* tour = menu->addAction(tr("&Getting Started"), this, &HelpMenu::showGettingStarted);
    tour->setShortcut(QKeySequence::HelpContents);
    tour->setStatusTip(tr("A short guided tour: build the seed autoencoder, fix a shape mistake, add skips, train, export"));
    QAction* keys = menu->addAction(tr("&Keyboard Shortcuts"), this, &HelpMenu::showShortcuts);
    keys->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Slash));
    keys->setStatusTip(tr("Every shortcut and canvas gesture on one sheet"));
    QAction* guide = menu->addAction(tr("&User Guide"), this, &HelpMenu::showUserGuide);
    guide->setStatusTip(tr("The user guide, with pictures"));
    menu->addSeparator();
    menu->addAction(tr("&About LayerLoom"), this, [this] {
        QMessageBox::about(
            m_window, tr("About LayerLoom"),
            tr("<h3>LayerLoom %1</h3><p>Design sequence neural networks visually: every wire "
               "shows its tensor shape and every mismatch is explained, with fixes.</p><p>Train "
               "in the window (F5) and watch the loss and the reconstructions live; export "
               "Keras or PyTorch code, Keras model files and diagrams. <tt>layerloom-cli</tt> "
               "does the same from the command line.</p><p>Help &gt; Getting Started shows the "
               "way in five minutes.</p>")
                .arg(QApplication::applicationVersion()));
    });
}

void HelpMenu::showGettingStarted() {
    if (!m_tour) {
        MainWindow* w = m_window;
        std::vector<GettingStarted::Step> steps = {
            {tr("Welcome to LayerLoom"),
             tr("<p>This tour builds an LSTM autoencoder, makes the classic shape mistake of U-Net "
                "skips and fixes it, trains on yearly sunspots and exports the result.</p>"
                "<p>Each step has a button that does it for you. You can also do it by hand "
                "and press <b>Next</b>. The tour stays open beside the window.</p>"),
             {}, {}},
            {tr("1. Start from an Input"),
             tr("<p><b>File &gt; New</b> (Ctrl+N) starts a model with one Input of shape "
                "<tt>(32, 1)</tt>: windows of 32 time steps with 1 feature each.</p>"
                "<p>Click a layer to see its parameters in the <b>Inspector</b> on the right.</p>"),
             tr("New Model"), [w] { w->files()->newModel(); }},
            {tr("2. Add the encoder"),
             tr("<p>Select the last layer and press <b>Ctrl+Shift+A</b> (or Tab on the canvas). "
                "Type <tt>lstm</tt> and press Enter. The new layer is wired after the selected one.</p>"
                "<p>Give the encoder LSTMs 512, 256 and 20 units. Turn "
                "<tt>return_sequences</tt> off on the last one: it then passes only its final "
                "state, a vector <tt>(None, 20)</tt>.</p>"),
             tr("Add a Layer..."), [w] { trigger(w, "addLayerAction"); }},
            {tr("3. Bridge to the decoder"),
             tr("<p><b>RepeatVector</b> repeats the vector over the 32 steps: <tt>(None, 32, 20)</tt>. "
                "Then come LSTMs of 20, 256 and 512 units with <tt>return_sequences</tt> on. "
                "Last, <b>TimeDistributed(Dense)</b> with 1 unit maps every step back to 1 feature.</p>"
                "<p>Every wire shows its shape as you build. A vector fed where a sequence is "
                "needed turns red at once.</p>"),
             tr("Open the Finished Autoencoder"), [w] { w->openPath(":/examples/lstm_autoencoder.loom"); }},
            {tr("4. The classic mistake, explained"),
             tr("<p>Adding a <tt>(None, 32, 20)</tt> decoder output to a <tt>(None, 32, 256)</tt> "
                "encoder output is the dimension error Keras stops at. LayerLoom marks the Add red. "
                "In the <b>Problems</b> dock it says which axis differs and which layer set each "
                "size.</p><p>Double-click a fix to apply it. Ctrl+Z takes it back.</p>"),
             tr("Open the Broken Example"), [w] { w->openPath(":/examples/broken_skips_add.loom"); }},
            {tr("5. U-Net skips"),
             tr("<p><b>Edit &gt; Symmetric U-Net Skips</b> joins every encoder layer to its mirror "
                "in the decoder, through Concatenate, or through Add with the projections it "
                "needs.</p><p>To join two layers of your choice, select both and press "
                "<b>Ctrl+K</b> (Add) or <b>Ctrl+Shift+K</b> (Concatenate).</p>"),
             tr("Add Skips to the Autoencoder"),
             [w] {
                 if (w->openPath(":/examples/lstm_autoencoder.loom")) w->editActions()->symmetricSkips("Concatenate");
             }},
            {tr("6. Train"),
             tr("<p>The <b>Data</b> panel chooses the series: yearly sunspots to begin with, or "
                "your own CSV. <b>F5</b> starts training. The Loss, Reconstruction and Gradients "
                "docks follow it live, and every run is kept in <b>Runs</b>.</p>"
                "<p><b>Shift+F5</b> stops after the current batch and keeps what was trained.</p>"),
             tr("Start Training"), [w] { w->training()->start(); }},
            {tr("7. From a model to an answer"),
             tr("<p>A model is for something: the <b>Task</b> at the top of the Data panel says "
                "whether it reconstructs its input, forecasts the next steps or classifies. An "
                "edit that changes the output raises a problem instead of changing the task.</p>"
                "<p>The machine example trains an autoencoder on 30 normal days. The <b>Anomalies</b> "
                "dock then shades what is unusual in the next 30 days (choose <i>Sample: Machine "
                "temperature, with incidents</i> there); drag the threshold line, or import known "
                "incidents with <b>Labels…</b>. A forecaster's <b>Forecast</b> dock compares it with "
                "naive forecasts (File &gt; New from Template).</p>"),
             tr("Open the Anomaly Example and Train"),
             [w] {
                 if (w->openPath(":/examples/machine_anomalies.loom")) w->training()->start();
             }},
            {tr("8. Save and export"),
             tr("<p><b>Ctrl+S</b> saves the project with its weights and runs. Unsaved work is "
                "also kept every minute, for recovery after a crash.</p>"
                "<p><b>File</b> exports runnable Keras or PyTorch code, <tt>.keras</tt> and "
                "<tt>.h5</tt> model files, TF.js and Keras-style diagrams.</p>"
                "<p>Help &gt; User Guide tells the rest.</p>"),
             tr("Export as Keras Code..."), [w] { trigger(w, "exportKerasCodeAction"); }},
        };
        m_tour = new GettingStarted(std::move(steps), m_window);
        m_tour->setAttribute(Qt::WA_DeleteOnClose);
    }
    if (!m_tour->isVisible()) placeTour();
    m_tour->show();
    m_tour->raise();
    m_tour->activateWindow();
}

void HelpMenu::placeTour() {
    if (!m_tour) return;
    m_tour->adjustSize();
    // Beside the window where the screen has room, at its top; else in the canvas's lower left
    // corner, clear of the cards down its middle, of the minimap and of the docks the steps
    // point at.
    const QRect frame = m_window->frameGeometry();
    const QScreen* screen = m_window->screen();
    const QRect room = screen ? screen->availableGeometry() : QRect();
    if (room.isValid() && frame.right() + 12 + m_tour->frameGeometry().width() <= room.right()) {
        m_tour->move(frame.right() + 12, frame.top());
    } else if (room.isValid() && frame.left() - 12 - m_tour->frameGeometry().width() >= room.left()) {
        m_tour->move(frame.left() - 12 - m_tour->frameGeometry().width(), frame.top());
    } else {
        QWidget* canvas = m_window->canvas();
        const QPoint corner = canvas->mapToGlobal(QPoint(0, canvas->height()));
        m_tour->move(corner.x() + 8, std::max(m_window->geometry().top(), corner.y() - m_tour->height() - 8));
    }
}

bool HelpMenu::eventFilter(QObject* watched, QEvent* event) {
    // The tour follows the window when it moves or changes size.
    if (watched == m_window && m_tour && m_tour->isVisible() &&
        (event->type() == QEvent::Move || event->type() == QEvent::Resize)) {
        placeTour();
    }
    return QObject::eventFilter(watched, event);
}

void HelpMenu::showShortcuts() {
    if (!m_shortcuts) {
        m_shortcuts = new QDialog(m_window);
        m_shortcuts->setAttribute(Qt::WA_DeleteOnClose);
        m_shortcuts->setWindowTitle(tr("Keyboard Shortcuts"));
        m_shortcuts->setObjectName("shortcutSheet");
        m_shortcuts->resize(680, 660);
        auto* filter = new QLineEdit(m_shortcuts);
        filter->setPlaceholderText(tr("Filter: a command or a key"));
        filter->setClearButtonEnabled(true);
        m_shortcutList = new QTreeWidget(m_shortcuts);
        m_shortcutList->setHeaderLabels({tr("Command"), tr("Keys")});
        m_shortcutList->setRootIsDecorated(false);
        m_shortcutList->header()->setSectionResizeMode(0, QHeaderView::Stretch);
        m_shortcutList->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
        for (QAction* top : m_window->menuBar()->actions()) {
            if (!top->menu()) continue;
            auto* group = new QTreeWidgetItem(m_shortcutList, {top->text().remove('&')});
            group->setFirstColumnSpanned(true);
            QFont bold = group->font(0);
            bold.setBold(true);
            group->setFont(0, bold);
            collect(top->menu(), QString(), group);
            if (group->childCount() == 0) delete group;
        }
        auto* canvas = new QTreeWidgetItem(m_shortcutList, {tr("Canvas and docks")});
        canvas->setFirstColumnSpanned(true);
        QFont bold = canvas->font(0);
        bold.setBold(true);
        canvas->setFont(0, bold);
        for (const auto& [what, how] : gestures()) new QTreeWidgetItem(canvas, {what, how});
        m_shortcutList->expandAll();
        connect(filter, &QLineEdit::textChanged, m_shortcutList, [list = m_shortcutList.data()](const QString& text) {
            for (int g = 0; g < list->topLevelItemCount(); ++g) {
                QTreeWidgetItem* group = list->topLevelItem(g);
                int shown = 0;
                for (int i = 0; i < group->childCount(); ++i) {
                    QTreeWidgetItem* row = group->child(i);
                    const bool match = text.isEmpty() || row->text(0).contains(text, Qt::CaseInsensitive) ||
                                       row->text(1).contains(text, Qt::CaseInsensitive);
                    row->setHidden(!match);
                    shown += match;
                }
                group->setHidden(shown == 0);
            }
        });
        auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, m_shortcuts);
        connect(buttons, &QDialogButtonBox::rejected, m_shortcuts, &QDialog::close);
        auto* layout = new QVBoxLayout(m_shortcuts);
        layout->addWidget(filter);
        layout->addWidget(m_shortcutList, 1);
        layout->addWidget(buttons);
    }
    m_shortcuts->show();
    m_shortcuts->raise();
}

void HelpMenu::showUserGuide() {
    if (!m_guideDialog) {
        m_guideDialog = new QDialog(m_window);
        m_guideDialog->setAttribute(Qt::WA_DeleteOnClose);
        m_guideDialog->setWindowTitle(tr("LayerLoom User Guide"));
        m_guideDialog->setObjectName("userGuide");
        m_guideDialog->resize(860, 760);
        m_guide = new QTextBrowser(m_guideDialog);
        m_guide->setOpenExternalLinks(true);
        m_guide->setSource(QUrl("qrc:/guide/USER_GUIDE.md"), QTextDocument::MarkdownResource);
        // Screenshots at the width of the page, not at their own 1600 pixels.
        QTextDocument* doc = m_guide->document();
        for (QTextBlock block = doc->begin(); block.isValid(); block = block.next()) {
            for (auto it = block.begin(); !it.atEnd(); ++it) {
                const QTextFragment fragment = it.fragment();
                if (!fragment.charFormat().isImageFormat()) continue;
                QTextImageFormat image = fragment.charFormat().toImageFormat();
                const QImage natural(":/guide/" + image.name());
                if (natural.isNull() || natural.width() <= kGuideImageWidth) continue;
                image.setWidth(kGuideImageWidth);
                image.setHeight(static_cast<double>(natural.height()) * kGuideImageWidth / natural.width());
                QTextCursor cursor(doc);
                cursor.setPosition(fragment.position());
                cursor.setPosition(fragment.position() + fragment.length(), QTextCursor::KeepAnchor);
                cursor.setCharFormat(image);
            }
        }
        auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, m_guideDialog);
        connect(buttons, &QDialogButtonBox::rejected, m_guideDialog, &QDialog::close);
        auto* layout = new QVBoxLayout(m_guideDialog);
        layout->addWidget(m_guide, 1);
        layout->addWidget(buttons);
    }
    m_guideDialog->show();
    m_guideDialog->raise();
}

}  // namespace loom::ui
