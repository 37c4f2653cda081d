#include "incident.h"

#include <QFile>
#include <QJsonDocument>

#include <array>
#include <unistd.h>

namespace gotriage::triage {

namespace {

constexpr std::array<std::pair<IncidentEvent::Type, const char *>, 8> kTypes = {{
    {IncidentEvent::Type::Opened, "opened"},
    {IncidentEvent::Type::StepChanged, "step_changed"},
    {IncidentEvent::Type::Note, "note"},
    {IncidentEvent::Type::ChecklistChecked, "checklist_checked"},
    {IncidentEvent::Type::ActionSent, "action_sent"},
    {IncidentEvent::Type::ActionVerified, "action_verified"},
    {IncidentEvent::Type::Reverted, "reverted"},
    {IncidentEvent::Type::Closed, "closed"},
}};

constexpr std::array<std::pair<Step, const char *>, 3> kSteps = {{
    {Step::StopTheBleeding, "stop_the_bleeding"},
    {Step::Diagnose, "diagnose"},
    {Step::Cure, "cure"},
}};

} // namespace

QString stepName(Step step)
{
    for (const auto &[s, name] : kSteps) {
        if (s == step)
            return QString::fromLatin1(name);
    }
    return {};
}

std::optional<Step> stepFromName(const QString &name)
{
    for (const auto &[s, n] : kSteps) {
        if (name == QLatin1String(n))
            return s;
    }
    return std::nullopt;
}

QString eventTypeName(IncidentEvent::Type type)
{
    for (const auto &[t, name] : kTypes) {
        if (t == type)
            return QString::fromLatin1(name);
    }
    return {};
}

QJsonObject IncidentEvent::toJson() const
{
    QJsonObject o{{QStringLiteral("type"), eventTypeName(type)},
                  {QStringLiteral("ts_ms"), tsMs},
                  {QStringLiteral("step"), stepName(step)}};
    if (!text.isEmpty())
        o.insert(QStringLiteral("text"), text);
    if (!actionId.isEmpty())
        o.insert(QStringLiteral("action_id"), actionId);
    if (!service.isEmpty())
        o.insert(QStringLiteral("service"), service);
    if (!author.isEmpty())
        o.insert(QStringLiteral("author"), author);
    if (!details.isEmpty())
        o.insert(QStringLiteral("details"), details);
    return o;
}

std::optional<IncidentEvent> IncidentEvent::fromJson(const QJsonObject &o, QString *why)
{
    IncidentEvent e;
    const QString type = o.value(QStringLiteral("type")).toString();
    const auto t = std::find_if(kTypes.begin(), kTypes.end(),
                                [&](const auto &entry) { return type == QLatin1String(entry.second); });
    if (t == kTypes.end()) {
        if (why)
            *why = QStringLiteral("unknown event type \"%1\"").arg(type);
        return std::nullopt;
    }
    e.type = t->first;
    const QJsonValue ts = o.value(QStringLiteral("ts_ms"));
    if (!ts.isDouble() || ts.toDouble() < 0) {
        if (why)
            *why = QStringLiteral("ts_ms is missing or not a time");
        return std::nullopt;
    }
    e.tsMs = ts.toInteger();
    const std::optional<Step> step = stepFromName(o.value(QStringLiteral("step")).toString());
    if (!step) {
        if (why)
            *why = QStringLiteral("unknown step \"%1\"").arg(o.value(QStringLiteral("step")).toString());
        return std::nullopt;
    }
    e.step = *step;
    e.text = o.value(QStringLiteral("text")).toString();
    e.actionId = o.value(QStringLiteral("action_id")).toString();
    e.service = o.value(QStringLiteral("service")).toString();
    e.author = o.value(QStringLiteral("author")).toString();
    e.details = o.value(QStringLiteral("details")).toObject();
    return e;
}

bool Incident::apply(const IncidentEvent &event, QString *why)
{
    const auto refuse = [why](const QString &reason) {
        if (why)
            *why = reason;
        return false;
    };
    if (event.type == IncidentEvent::Type::Opened && m_opened)
        return refuse(QStringLiteral("the incident is already open"));
    if (event.type != IncidentEvent::Type::Opened && !m_opened)
        return refuse(QStringLiteral("the incident has not been opened"));
    if (m_closed)
        return refuse(QStringLiteral("the incident is closed"));
    if (!m_events.empty() && event.tsMs < m_events.back().tsMs)
        return refuse(QStringLiteral("the event is older than the one before it"));
    switch (event.type) {
    case IncidentEvent::Type::Opened:
        m_opened = true;
        m_title = event.text;
        m_openedMs = event.tsMs;
        m_step = Step::StopTheBleeding;
        break;
    case IncidentEvent::Type::StepChanged:
        m_step = event.step;
        break;
    case IncidentEvent::Type::Closed:
        m_closed = true;
        m_closedMs = event.tsMs;
        break;
    case IncidentEvent::Type::Note:
    case IncidentEvent::Type::ChecklistChecked:
    case IncidentEvent::Type::ActionSent:
    case IncidentEvent::Type::ActionVerified:
    case IncidentEvent::Type::Reverted:
        break;
    }
    m_events.push_back(event);
    return true;
}

QStringList Incident::notes(std::optional<Step> step) const
{
    QStringList out;
    for (const IncidentEvent &e : m_events) {
        if (e.type == IncidentEvent::Type::Note && (!step || e.step == *step))
            out << e.text;
    }
    return out;
}

QStringList Incident::activeActions() const
{
    QStringList out;
    for (const IncidentEvent &e : m_events) {
        if (e.type == IncidentEvent::Type::ActionSent && !out.contains(e.actionId))
            out << e.actionId;
        else if (e.type == IncidentEvent::Type::Reverted)
            out.removeAll(e.actionId);
    }
    return out;
}

bool IncidentFile::record(Incident &incident, const IncidentEvent &event, QString *error)
{
    Incident next = incident;
    QString why;
    if (!next.apply(event, &why)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_path, why);
        return false;
    }
    QFile file(m_path);
    const QByteArray line = QJsonDocument(event.toJson()).toJson(QJsonDocument::Compact) + '\n';
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append) || file.write(line) != line.size() || !file.flush()
        || fsync(file.handle()) != 0) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_path, file.errorString());
        return false;
    }
    incident = std::move(next);
    return true;
}

IncidentFile::Loaded IncidentFile::load(const QString &path)
{
    Loaded out;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        out.problems << QStringLiteral("%1: %2").arg(path, file.errorString());
        return out;
    }
    return parse(file.readAll(), path);
}

IncidentFile::Loaded IncidentFile::parse(const QByteArray &text, const QString &path)
{
    Loaded out;
    const QList<QByteArray> lines = text.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray &line = lines[i];
        if (line.trimmed().isEmpty())
            continue;
        const QString where = QStringLiteral("%1:%2: ").arg(path).arg(i + 1);
        if (i == lines.size() - 1) {
            out.problems << where + QStringLiteral("the last line has no end (cut short by a crash); skipped");
            break;
        }
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &parseError);
        QString why;
        const std::optional<IncidentEvent> event
            = doc.isObject() ? IncidentEvent::fromJson(doc.object(), &why) : std::nullopt;
        if (!doc.isObject())
            why = QStringLiteral("not a JSON object (%1)").arg(parseError.errorString());
        if (!event || !out.incident.apply(*event, &why))
            out.problems << where + why + QStringLiteral("; skipped");
    }
    return out;
}

QString incidentSummary(const Incident &incident)
{
    QStringList lines;
    const qint64 endMs = incident.isClosed() ? incident.closedMs()
                                             : (incident.timeline().empty() ? 0 : incident.timeline().back().tsMs);
    const qint64 minutes = (endMs - incident.openedMs()) / 60000;
    lines << QStringLiteral("%1: %2 min, %3")
                 .arg(incident.title())
                 .arg(minutes)
                 .arg(incident.isClosed() ? QStringLiteral("closed") : QStringLiteral("open"));
    QStringList actions;
    for (const IncidentEvent &e : incident.timeline()) {
        if (e.type == IncidentEvent::Type::ActionSent)
            actions << QStringLiteral("- %1 on %2").arg(e.actionId.section(u'@', 0, 0), e.service);
        else if (e.type == IncidentEvent::Type::ActionVerified)
            actions << QStringLiteral("  %1: %2")
                           .arg(e.details.value(QStringLiteral("effective")).toBool() ? QStringLiteral("effective")
                                                                                      : QStringLiteral("not effective"),
                                e.details.value(QStringLiteral("decided_by")).toString());
        else if (e.type == IncidentEvent::Type::Reverted)
            actions << QStringLiteral("  reverted");
    }
    lines << (actions.isEmpty() ? QStringLiteral("Actions: none") : QStringLiteral("Actions:"));
    lines << actions;
    for (const Step step : {Step::StopTheBleeding, Step::Diagnose, Step::Cure}) {
        const QStringList notes = incident.notes(step);
        if (notes.isEmpty())
            continue;
        lines << QStringLiteral("Notes (%1):").arg(stepName(step));
        for (const QString &note : notes)
            lines << QStringLiteral("- ") + note;
    }
    return lines.join(u'\n');
}

} // namespace gotriage::triage
