#include "cliutil.h"

#include <QDateTime>
#include <QFile>

#include <cstdio>

namespace gotriage::cli {

std::optional<int> parseCommandLine(QCommandLineParser &parser, const QStringList &arguments, int minPositional,
                                    int maxPositional)
{
    parser.addHelpOption();
    if (!parser.parse(arguments)) {
        printErr(QStringLiteral("gotriage-cli: ") + parser.errorText());
        return kExitUsage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        printOut(parser.helpText().toStdString());
        return kExitOk;
    }
    const auto count = parser.positionalArguments().size();
    if (count < minPositional || count > maxPositional) {
        printErr(parser.helpText());
        return kExitUsage;
    }
    return std::nullopt;
}

std::optional<std::string> readInput(const QString &path)
{
    QFile file(path);
    const bool opened
        = path == QLatin1String("-") ? file.open(stdin, QIODevice::ReadOnly) : file.open(QIODevice::ReadOnly);
    if (!opened) {
        printErr(QStringLiteral("gotriage-cli: %1: %2").arg(path, file.errorString()));
        return std::nullopt;
    }
    const QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        printErr(QStringLiteral("gotriage-cli: %1: %2").arg(path, file.errorString()));
        return std::nullopt;
    }
    return bytes.toStdString();
}

bool printProblems(const QString &source, const formats::ProblemList &problems)
{
    const std::string name = source.toStdString();
    for (const formats::ParseProblem &problem : problems.items())
        std::fprintf(stderr, "%s\n", formats::formatProblem(name, problem).c_str());
    if (problems.dropped() > 0)
        std::fprintf(stderr, "%s: %zu more problems not shown\n", name.c_str(), problems.dropped());
    return problems.hasErrors();
}

void addFleetOptions(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("config"), QStringLiteral("fleet file"), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("demo"), QStringLiteral("watch a built-in demo fleet started for the purpose")});
    parser.addOption({QStringLiteral("services"), QStringLiteral("with --demo: how many services (default 12)"),
                      QStringLiteral("N"), QStringLiteral("12")});
}

std::optional<int> loadFleet(const QCommandLineParser &parser, sim::DemoFleetThread &demoFleet,
                             std::vector<config::ServiceConfig> &services, int &exitCode)
{
    if (parser.isSet(QStringLiteral("demo"))) {
        bool ok = false;
        QString error;
        const int count = parser.value(QStringLiteral("services")).toInt(&ok);
        if (!ok || !demoFleet.start(count, &error)) {
            printErr(QStringLiteral("gotriage-cli: ") + (ok ? error : QStringLiteral("--services takes a number")));
            return kExitUsage;
        }
        services = demoFleet.services();
        return std::nullopt;
    }
    const config::FleetConfig fleet = config::loadFleetConfig(parser.value(QStringLiteral("config")));
    for (const config::ConfigProblem &problem : fleet.problems)
        printErr(problem.toString());
    if (fleet.services.empty()) {
        printErr(QStringLiteral("gotriage-cli: no service to watch"));
        return kExitUsage;
    }
    if (fleet.hasErrors())
        exitCode = kExitRejected;
    services = fleet.services;
    return std::nullopt;
}

void printOut(const std::string &line)
{
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
}

void printErr(const QString &line)
{
    std::fprintf(stderr, "%s\n", line.toLocal8Bit().constData());
}

bool openRecording(record::RecordingReader &reader, const QString &path)
{
    QString error;
    if (reader.open(path, &error))
        return true;
    printErr(QStringLiteral("gotriage-cli: ") + error);
    return false;
}

// A moment as the operator writes it: ms since the epoch, an ISO 8601 time
// ("2026-12-02T14:05:00Z"), or seconds after a start ("+300") or before an
// end ("-60"): a recording's, or now.
std::optional<qint64> momentOf(const QString &text, qint64 firstMs, qint64 lastMs)
{
    bool ok = false;
    if (text.startsWith(u'+') || text.startsWith(u'-')) {
        const double seconds = text.mid(1).toDouble(&ok);
        if (!ok || seconds < 0)
            return std::nullopt;
        const auto ms = static_cast<qint64>(seconds * 1000);
        return text.startsWith(u'+') ? firstMs + ms : lastMs - ms;
    }
    const qint64 ms = text.toLongLong(&ok);
    if (ok)
        return ms;
    const QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    return time.isValid() ? std::optional(time.toMSecsSinceEpoch()) : std::nullopt;
}

} // namespace gotriage::cli
