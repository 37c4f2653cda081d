#include "cliutil.h"
#include "commands.h"

#include "analysis/findingjson.h"
#include "ingest/updatejson.h"
#include "record/recorder.h"
#include "record/recordingcursor.h"
#include "record/recordingfile.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace gotriage::cli {

namespace {

// Read in slices of data time, so memory stays flat over a day's recording.
constexpr qint64 kSliceMs = 10 * 60'000;

// A triage event or a note as one line: its kind, time and service, and
// the event as it was recorded.
std::string eventLine(const record::StoredEvent &event)
{
    const QJsonObject line{{QStringLiteral("kind"), event.kind},
                           {QStringLiteral("ts_ms"), event.tsMs},
                           {QStringLiteral("service"), event.service},
                           {QStringLiteral("event"), QJsonDocument::fromJson(event.json.toUtf8()).object()}};
    return QJsonDocument(line).toJson(QJsonDocument::Compact).toStdString();
}

} // namespace

int replayCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Print a recording in time order, one JSON object per line: each update as `scrape --json` "
                       "prints it, each finding change as `analyze --json` does, and the triage events and notes."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("the recording"));
    parser.addOption({QStringLiteral("json"), QStringLiteral("JSON lines (the only output form)")});
    if (const auto exit = parseCommandLine(parser, arguments, 1, 1))
        return *exit;
    record::RecordingReader reader;
    if (!openRecording(reader, parser.positionalArguments().at(0)))
        return kExitUsage;
    const auto [first, last] = reader.timeRange();
    record::RecordingCursor cursor(reader);
    QStringList problems;
    for (qint64 from = first; from <= last; from += kSliceMs) {
        const qint64 to = std::min(from + kSliceMs, last + 1);
        std::vector<ingest::SourceUpdate> updates = cursor.next(to);
        std::vector<record::StoredEvent> others;
        // Events before the first sample (an incident opened at once) come first.
        for (record::StoredEvent &event : reader.events(from == first ? INT64_MIN : from, to - 1)) {
            if (event.kind == QLatin1String(record::kTriageEvent) || event.kind == QLatin1String(record::kNoteEvent))
                others.push_back(std::move(event));
        }
        std::size_t nextOther = 0;
        for (const ingest::SourceUpdate &update : updates) {
            for (; nextOther < others.size() && others[nextOther].tsMs < update.tsMs(); ++nextOther)
                printOut(eventLine(others[nextOther]));
            printOut(ingest::toJsonLine(update));
            for (const analysis::FindingChange &change : update.recorded->changes)
                printOut(analysis::toJson(change));
        }
        for (; nextOther < others.size(); ++nextOther)
            printOut(eventLine(others[nextOther]));
        problems << cursor.takeProblems();
    }
    // What happened after the last sample (closing the incident, a note).
    for (const record::StoredEvent &event : reader.events(last + 1, INT64_MAX)) {
        if (event.kind == QLatin1String(record::kTriageEvent) || event.kind == QLatin1String(record::kNoteEvent))
            printOut(eventLine(event));
    }
    std::fflush(stdout);
    for (const QString &problem : problems)
        printErr(problem);
    return problems.isEmpty() ? kExitOk : kExitRejected;
}

} // namespace gotriage::cli
