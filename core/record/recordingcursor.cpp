#include "recordingcursor.h"

#include "analysis/findingjson.h"
#include "ingest/updatejson.h"
#include "record/recorder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace gotriage::record {

namespace {

config::ServiceConfig serviceFromJson(const QString &name, const QString &json)
{
    config::ServiceConfig service;
    service.name = name;
    const QJsonObject o = QJsonDocument::fromJson(json.toUtf8()).object();
    service.baseUrl = QUrl(o.value(QStringLiteral("url")).toString());
    service.tier = o.value(QStringLiteral("tier")).toString() == QLatin1String("core") ? config::Tier::Core
                                                                                       : config::Tier::NonCore;
    const QJsonObject labels = o.value(QStringLiteral("labels")).toObject();
    for (auto it = labels.begin(); it != labels.end(); ++it)
        service.labels.emplace_back(it.key(), it.value().toString());
    return service;
}

} // namespace

std::vector<config::ServiceConfig> recordedServices(const RecordingReader &reader)
{
    std::vector<config::ServiceConfig> out;
    for (const QString &name : reader.services())
        out.push_back(serviceFromJson(name, reader.serviceConfig(name)));
    return out;
}

RecordingCursor::RecordingCursor(const RecordingReader &reader) : m_reader(reader)
{
    const QStringList vitalNames = vitalColumns();
    for (const QString &service : reader.services()) {
        ServiceState &state = m_services[service];
        const QStringList columns = reader.columns(service);
        for (std::size_t i = 0; i < vitals::kVitalCount; ++i)
            state.vitalColumn[i] = static_cast<int>(columns.indexOf(vitalNames[static_cast<int>(i)]));
        state.upColumn = static_cast<int>(columns.indexOf(QString::fromLatin1(kUpColumn)));
        state.durationColumn = static_cast<int>(columns.indexOf(QString::fromLatin1(kDurationColumn)));
    }
    m_positionMs = reader.timeRange().first;
}

QStringList RecordingCursor::takeProblems()
{
    return std::exchange(m_problems, {});
}

void RecordingCursor::applyEvent(ServiceState &state, const StoredEvent &event, bool asChange)
{
    const std::string json = event.json.toStdString();
    QString why;
    if (event.kind == QLatin1String(kFindingEvent)) {
        const std::optional<analysis::FindingChange> change = analysis::findingChangeFromJson(json, &why);
        if (!change) {
            m_problems << QStringLiteral("%1: %2, finding at %3: %4")
                              .arg(m_reader.path(), event.service)
                              .arg(event.tsMs)
                              .arg(why);
            return;
        }
        const analysis::FindingKey key = change->finding.key();
        std::erase_if(state.findings, [&](const analysis::Finding &f) {
            const analysis::FindingKey k = f.key();
            return k.service == key.service && k.kind == key.kind && k.remark == key.remark;
        });
        if (change->type != analysis::FindingChange::Type::Cleared)
            state.findings.push_back(change->finding);
        if (asChange)
            state.pendingChanges.push_back(*change);
        state.analysisChanged = true;
    } else if (event.kind == QLatin1String(kProjectionsEvent)) {
        state.projections.clear();
        const QJsonArray list
            = QJsonDocument::fromJson(event.json.toUtf8()).object().value(QStringLiteral("projections")).toArray();
        for (const QJsonValue &p : list) {
            const QByteArray text = QJsonDocument(p.toObject()).toJson(QJsonDocument::Compact);
            if (auto projection = analysis::projectionFromJson(text.toStdString(), &why))
                state.projections.push_back(*projection);
            else
                m_problems << QStringLiteral("%1: %2, projection at %3: %4")
                                  .arg(m_reader.path(), event.service)
                                  .arg(event.tsMs)
                                  .arg(why);
        }
        state.analysisChanged = true;
    } else if (event.kind == QLatin1String(kScrapeEvent)) {
        const std::optional<ingest::SourceUpdate> update = ingest::updateFromJsonLine(json, &why);
        if (!update) {
            m_problems << QStringLiteral("%1: %2, scrape state at %3: %4")
                              .arg(m_reader.path(), event.service)
                              .arg(event.tsMs)
                              .arg(why);
            return;
        }
        state.error = update->scrape->error;
        state.problems = update->scrape->problems;
        state.runtime = update->runtime;
        state.pendingRestart = state.pendingRestart || (asChange && update->restarted);
    }
}

bool RecordingCursor::isUp(const ServiceState &state, const SampleBlock &block, std::size_t row) const
{
    if (state.upColumn >= 0)
        return block.columns[static_cast<std::size_t>(state.upColumn)][row] > 0.5;
    for (int column : state.vitalColumn) {
        if (column >= 0 && std::isfinite(block.columns[static_cast<std::size_t>(column)][row]))
            return true;
    }
    return false;
}

vitals::VitalsSample RecordingCursor::sampleAt(const ServiceState &state, const SampleBlock &block,
                                               std::size_t row) const
{
    vitals::VitalsSample sample;
    sample.tsMs = block.timesMs[row];
    for (std::size_t i = 0; i < vitals::kVitalCount; ++i) {
        if (state.vitalColumn[i] >= 0)
            sample.values[i] = block.columns[static_cast<std::size_t>(state.vitalColumn[i])][row];
    }
    // The age of expvar values is not recorded: they count as read with the sample.
    if (std::isfinite(sample[vitals::Vital::GcPause]))
        sample.varsTsMs = sample.tsMs;
    return sample;
}

ingest::SourceUpdate RecordingCursor::makeUpdate(const QString &service, ServiceState &state, const SampleBlock &block,
                                                 std::size_t row)
{
    ingest::SourceUpdate update;
    auto scrape = std::make_shared<ingest::ScrapeResult>();
    scrape->service = service;
    scrape->tsMs = block.timesMs[row];
    scrape->up = isUp(state, block, row);
    scrape->error = scrape->up ? QString() : state.error;
    scrape->problems = state.problems;
    if (state.durationColumn >= 0)
        scrape->durationMs = static_cast<qint64>(block.columns[static_cast<std::size_t>(state.durationColumn)][row]);
    state.health.recordAttempt(scrape->tsMs, scrape->up, scrape->error, scrape->durationMs, 0);
    update.vitals = sampleAt(state, block, row);
    update.scrape = std::move(scrape);
    update.health = state.health;
    update.runtime = state.runtime;
    update.restarted = std::exchange(state.pendingRestart, false);
    // Consecutive updates share one analysis until it changes: a replay of
    // a quiet day allocates next to nothing for it.
    if (state.analysisChanged || !state.current) {
        auto analysis = std::make_shared<ingest::RecordedAnalysis>();
        analysis->changes = std::exchange(state.pendingChanges, {});
        analysis->findings = state.findings;
        analysis->projections = state.projections;
        state.current = std::move(analysis);
        // The next update has the same findings and no changes.
        state.analysisChanged = !state.current->changes.empty();
    }
    update.recorded = state.current;
    return update;
}

RecordingCursor::Context RecordingCursor::seek(qint64 tsMs, qint64 contextMs)
{
    for (auto &[name, state] : m_services) {
        ServiceState fresh;
        fresh.vitalColumn = state.vitalColumn;
        fresh.upColumn = state.upColumn;
        fresh.durationColumn = state.durationColumn;
        state = std::move(fresh);
    }
    // What was true at the playhead: every finding change up to it (in
    // order), and each service's latest projections and scrape state.
    for (const StoredEvent &event : m_reader.events(INT64_MIN, tsMs, QString::fromLatin1(kFindingEvent))) {
        if (auto it = m_services.find(event.service); it != m_services.end())
            applyEvent(it->second, event, false);
    }
    for (const char *kind : {kProjectionsEvent, kScrapeEvent}) {
        for (const StoredEvent &event : m_reader.latestEvents(QString::fromLatin1(kind), tsMs)) {
            if (auto it = m_services.find(event.service); it != m_services.end())
                applyEvent(it->second, event, false);
        }
    }
    Context context;
    for (auto &[service, state] : m_services) {
        const SampleBlock block = m_reader.samples(service, tsMs - contextMs, tsMs, &m_problems);
        if (block.timesMs.empty())
            continue;
        const std::size_t last = block.timesMs.size() - 1;
        std::vector<vitals::VitalsSample> &history = context.history[service];
        history.reserve(last);
        for (std::size_t row = 0; row < last; ++row) {
            if (isUp(state, block, row))
                history.push_back(sampleAt(state, block, row));
        }
        context.latest.push_back(makeUpdate(service, state, block, last));
    }
    std::stable_sort(context.latest.begin(), context.latest.end(),
                     [](const ingest::SourceUpdate &a, const ingest::SourceUpdate &b) { return a.tsMs() < b.tsMs(); });
    m_positionMs = tsMs + 1;
    return context;
}

std::vector<ingest::SourceUpdate> RecordingCursor::next(qint64 toMs)
{
    std::vector<ingest::SourceUpdate> out;
    if (toMs <= m_positionMs)
        return out;
    std::map<QString, std::vector<StoredEvent>> eventsOf;
    for (StoredEvent &event : m_reader.events(m_positionMs, toMs - 1))
        eventsOf[event.service].push_back(std::move(event));
    for (auto &[service, state] : m_services) {
        const SampleBlock block = m_reader.samples(service, m_positionMs, toMs - 1, &m_problems);
        const std::vector<StoredEvent> &events = eventsOf[service];
        std::size_t nextEvent = 0;
        for (std::size_t row = 0; row < block.timesMs.size(); ++row) {
            // An event belongs to the update at its time (the recorder
            // stamps it so), or to the first after it.
            for (; nextEvent < events.size() && events[nextEvent].tsMs <= block.timesMs[row]; ++nextEvent)
                applyEvent(state, events[nextEvent], true);
            out.push_back(makeUpdate(service, state, block, row));
        }
        for (; nextEvent < events.size(); ++nextEvent)
            applyEvent(state, events[nextEvent], true);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const ingest::SourceUpdate &a, const ingest::SourceUpdate &b) { return a.tsMs() < b.tsMs(); });
    m_positionMs = toMs;
    return out;
}

} // namespace gotriage::record
