#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>

#include "document/examples.h"
#include "version.h"
#include "window/file_actions.h"
#include "window/help_menu.h"
#include "window/main_window.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("LayerLoom");
    QApplication::setOrganizationName("LayerLoom");
    QApplication::setApplicationVersion(QString::fromUtf8(loom::kVersion));
    // The installed desktop entry (resources/linux), so that desktops show its name and icon.
    QGuiApplication::setDesktopFileName("org.layerloom.LayerLoom");

    QCommandLineParser parser;
    parser.setApplicationDescription("Design sequence neural networks with live shape checks.");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("file", "A LayerLoom project (.loom) to open.", "[file]");
    parser.process(app);

    loom::ui::MainWindow window;
    window.show();
    const QStringList files = parser.positionalArguments();
    // Unsaved work a crash left behind first; else the file asked for; else the model worked
    // on last; else the seed example.
    if (!window.files()->offerRecovery() && !(files.isEmpty() ? window.files()->openMostRecent() : window.openPath(files.front()))) {
        window.openPath(loom::ui::builtInExamples().front().resource);
    }
    // The first start offers the guided tour (Help > Getting Started brings it back).
    if (QSettings settings; !settings.value("help/tourOffered", false).toBool()) {
        settings.setValue("help/tourOffered", true);
        window.help()->showGettingStarted();
    }
    return QApplication::exec();
}
