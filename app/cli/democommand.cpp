#include "cliutil.h"
#include "commands.h"

#include "sim/demofleet.h"

#include <QCoreApplication>
#include <QFile>
#include <QSaveFile>
#include <QTimer>

#include <atomic>
#include <csignal>

namespace gotriage::cli {

namespace {

std::atomic<bool> g_stopRequested{false};

void requestStop(int)
{
    g_stopRequested = true;
}

} // namespace

int demoFleetCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Run the built-in demo fleet as a process of its own, until interrupted."));
    parser.addOption({QStringLiteral("services"), QStringLiteral("how many services (default 12)"), QStringLiteral("N"),
                      QStringLiteral("12")});
    parser.addOption(
        {QStringLiteral("fleet-out"), QStringLiteral("write the fleet file here"), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("first"),
                      QStringLiteral("number the services from N (default 0), for one fleet in several processes"),
                      QStringLiteral("N"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("duration"), QStringLiteral("stop after this long"), QStringLiteral("SECONDS")});
    if (const auto exit = parseCommandLine(parser, arguments, 0, 0))
        return *exit;
    bool ok = false;
    const int count = parser.value(QStringLiteral("services")).toInt(&ok);
    if (!ok) {
        printErr(QStringLiteral("gotriage-cli: --services takes a number"));
        return kExitUsage;
    }
    const int first = parser.value(QStringLiteral("first")).toInt(&ok);
    if (!ok) {
        printErr(QStringLiteral("gotriage-cli: --first takes a number"));
        return kExitUsage;
    }

    sim::DemoFleet fleet;
    QString error;
    if (!fleet.start(count, &error, first)) {
        printErr(QStringLiteral("gotriage-cli: ") + error);
        return kExitUsage;
    }
    const QByteArray json = fleet.fleetJson();
    if (parser.isSet(QStringLiteral("fleet-out"))) {
        // Written atomically: a watcher polling for the file never reads half of it.
        QSaveFile out(parser.value(QStringLiteral("fleet-out")));
        if (!out.open(QIODevice::WriteOnly) || out.write(json) != json.size() || !out.commit()) {
            printErr(QStringLiteral("gotriage-cli: %1: %2").arg(out.fileName(), out.errorString()));
            return kExitUsage;
        }
    } else {
        printOut(json.toStdString());
    }
    printErr(QStringLiteral("demo-fleet: %1 services on 127.0.0.1; stop with Ctrl+C").arg(count));

    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    QTimer stopPoll;
    QObject::connect(&stopPoll, &QTimer::timeout, qApp, [] {
        if (g_stopRequested)
            QCoreApplication::quit();
    });
    stopPoll.start(100);
    if (parser.isSet(QStringLiteral("duration")))
        QTimer::singleShot(static_cast<int>(parser.value(QStringLiteral("duration")).toDouble() * 1000), qApp,
                           &QCoreApplication::quit);
    QCoreApplication::exec();
    return kExitOk;
}

} // namespace gotriage::cli
