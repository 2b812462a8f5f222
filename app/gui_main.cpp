#include <QApplication>
#include <QCommandLineParser>

#include "document/examples.h"
#include "window/main_window.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("LayerLoom");
    QApplication::setOrganizationName("LayerLoom");
    QApplication::setApplicationVersion("0.1.0");

    QCommandLineParser parser;
    parser.setApplicationDescription("Design sequence neural networks with live shape checks.");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("file", "A LayerLoom project (.loom) to open.", "[file]");
    parser.process(app);

    loom::ui::MainWindow window;
    window.show();
    const QStringList files = parser.positionalArguments();
    if (!window.offerRecovery() && (files.isEmpty() || !window.openPath(files.front()))) {
        window.openPath(loom::ui::builtInExamples().front().resource);
    }
    return QApplication::exec();
}
