#include "cliutil.h"
#include "commands.h"

#include "analysis/serviceanalyzer.h"
#include "ingest/livesource.h"
#include "record/recorder.h"
#include "session/session.h"
#include "session/sessionhub.h"
#include "sim/demofleet.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

namespace gotriage::cli {

// Watches a fleet and records it into one file, as the window does by
// itself: the vitals and the finding changes, committed every second, so a
// kill at any moment loses at most the last second.
int recordCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Watch a fleet and record it into one crash-safe file."));
    addFleetOptions(parser);
    parser.addOption(
        {QStringLiteral("duration"), QStringLiteral("record for this long, then exit"), QStringLiteral("SECONDS")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("the recording to write"), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("fast"), QStringLiteral("short analysis windows (tests and demos)")});
    if (const auto exit = parseCommandLine(parser, arguments, 0, 0))
        return *exit;
    bool ok = false;
    const double duration = parser.value(QStringLiteral("duration")).toDouble(&ok);
    if (!ok || duration <= 0 || !parser.isSet(QStringLiteral("out"))
        || parser.isSet(QStringLiteral("demo")) == parser.isSet(QStringLiteral("config"))) {
        printErr(QStringLiteral("gotriage-cli: record takes (--config FILE | --demo) --duration SECONDS --out FILE"));
        return kExitUsage;
    }
    std::vector<config::ServiceConfig> services;
    int exitCode = kExitOk;
    sim::DemoFleetThread demoFleet;
    if (const auto exit = loadFleet(parser, demoFleet, services, exitCode))
        return *exit;

    record::Recorder recorder;
    QString error;
    if (!recorder.start(parser.value(QStringLiteral("out")), &error)) {
        printErr(QStringLiteral("gotriage-cli: ") + error);
        return kExitRejected;
    }
    recorder.setServices(services);
    session::Session session(std::make_unique<ingest::LiveSource>());
    if (parser.isSet(QStringLiteral("fast")))
        session.setAnalysisSettings(analysis::AnalysisSettings::fast());
    // In the hub's thread: the recorder only queues.
    QObject::connect(
        session.hub(), &session::SessionHub::batchReady, session.hub(),
        [&recorder](const session::SessionBatchPtr &batch) { recorder.record(batch); }, Qt::DirectConnection);
    session.setServices(services);
    session.start();
    QTimer::singleShot(static_cast<int>(duration * 1000), qApp, &QCoreApplication::quit);
    QCoreApplication::exec();
    const bool flushed = recorder.flush(&error);
    const record::Recorder::Stats stats = recorder.stats();
    printErr(QStringLiteral("%1: %2 samples written, %3 dropped, %4 commits; %5 raw values, %6 scrapes' raw "
                            "series dropped")
                 .arg(parser.value(QStringLiteral("out")))
                 .arg(stats.samplesWritten)
                 .arg(stats.samplesDropped)
                 .arg(stats.commits)
                 .arg(stats.rawValuesWritten)
                 .arg(stats.rawScrapesDropped));
    if (!flushed) {
        printErr(QStringLiteral("gotriage-cli: ") + error);
        return kExitRejected;
    }
    return exitCode;
}

} // namespace gotriage::cli

namespace gotriage::cli {

// What a recording holds, as one JSON object: for scripts (the crash test)
// and for a quick look.
int recordingCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Describe a recording: its format, services, time range and "
                                                    "samples, or why it cannot be read."));
    parser.addPositionalArgument(QStringLiteral("info"), QStringLiteral("what to do"));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("the recording"));
    parser.addOption({QStringLiteral("json"), QStringLiteral("JSON output (the only output)")});
    if (const auto exit = parseCommandLine(parser, arguments, 2, 2))
        return *exit;
    if (parser.positionalArguments().at(0) != QLatin1String("info")) {
        printErr(QStringLiteral("gotriage-cli: recording info FILE --json"));
        return kExitUsage;
    }
    const QString path = parser.positionalArguments().at(1);
    record::RecordingReader reader;
    QString error;
    if (!reader.open(path, &error)) {
        printErr(QStringLiteral("gotriage-cli: ") + error);
        return kExitRejected;
    }
    const auto [first, last] = reader.timeRange();
    qint64 samples = 0;
    QStringList problems;
    for (const QString &service : reader.services())
        samples += static_cast<qint64>(reader.samples(service, first, last, &problems).sampleCount());
    for (const QString &problem : problems)
        printErr(problem);
    // What the samples cost: the raw series as scraped, and the derived vitals apart.
    const record::RecordingReader::StorageStats stored = reader.storageStats(&problems);
    const auto perValue = [](qint64 bytes, qint64 values) { return values > 0 ? double(bytes) / double(values) : 0.0; };
    const QJsonObject info{
        {QStringLiteral("format"), reader.formatVersion()},
        {QStringLiteral("services"), static_cast<int>(reader.services().size())},
        {QStringLiteral("first_ms"), first},
        {QStringLiteral("last_ms"), last},
        {QStringLiteral("samples"), samples},
        {QStringLiteral("events"), static_cast<qint64>(reader.events(first, last).size())},
        {QStringLiteral("raw_values"), stored.rawValues},
        {QStringLiteral("raw_bytes"), stored.rawBytes + stored.rawKeyBytes},
        {QStringLiteral("raw_bytes_per_value"), perValue(stored.rawBytes + stored.rawKeyBytes, stored.rawValues)},
        {QStringLiteral("vital_values"), stored.vitalValues},
        {QStringLiteral("vital_bytes"), stored.vitalBytes},
        {QStringLiteral("vital_bytes_per_value"), perValue(stored.vitalBytes, stored.vitalValues)}};
    printOut(QJsonDocument(info).toJson(QJsonDocument::Compact).toStdString());
    return problems.isEmpty() ? kExitOk : kExitRejected;
}

} // namespace gotriage::cli
