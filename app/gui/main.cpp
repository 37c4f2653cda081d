// gotriage: the desktop dashboard. Parses the command line and wires the
// main window; everything else lives in gotriage_ui and gotriage_core.
#include "mainwindow.h"
#include "theme.h"
#include "version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>

namespace {

// Saves the window as PNG and quits: for docs, bug reports and the tests.
void saveScreenshotAndQuit(QWidget &window, const QString &path)
{
    const bool saved = window.grab().save(path, "PNG");
    if (!saved)
        std::fprintf(stderr, "gotriage: cannot write screenshot %s\n", path.toLocal8Bit().constData());
    QCoreApplication::exit(saved ? 0 : 2);
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("gotriage"));
    QApplication::setOrganizationName(QStringLiteral("gotriage"));
    QApplication::setApplicationVersion(QString::fromLatin1(gotriage::kVersion));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Incident dashboard for fleets of Go services."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption configOption(QStringLiteral("config"), QStringLiteral("fleet file to watch"),
                                          QStringLiteral("FILE"));
    const QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
                                              QStringLiteral("save the window as PNG once loaded, then exit"),
                                              QStringLiteral("FILE.png"));
    const QCommandLineOption afterOption(QStringLiteral("after"),
                                         QStringLiteral("with --screenshot: wait this long after loading"),
                                         QStringLiteral("SECONDS"), QStringLiteral("0"));
    parser.addOptions({configOption, screenshotOption, afterOption});
    parser.process(app);

    bool afterOk = false;
    const double afterSeconds = parser.value(afterOption).toDouble(&afterOk);
    if (!afterOk || afterSeconds < 0) {
        std::fprintf(stderr, "gotriage: --after takes a number of seconds\n");
        return 2;
    }

    gotriage::ui::applyDarkTheme(app);
    gotriage::ui::MainWindow window;
    window.show();

    const QString screenshotPath = parser.value(screenshotOption);
    if (!screenshotPath.isEmpty()) {
        const int delayMs = static_cast<int>(afterSeconds * 1000);
        auto shoot = [&window, screenshotPath, delayMs] {
            QTimer::singleShot(delayMs, &window,
                               [&window, screenshotPath] { saveScreenshotAndQuit(window, screenshotPath); });
        };
        if (parser.isSet(configOption))
            QObject::connect(&window, &gotriage::ui::MainWindow::fleetLoaded, &window, shoot);
        else
            shoot();
    }
    if (parser.isSet(configOption))
        window.openFleetFile(parser.value(configOption));
    return QApplication::exec();
}
