#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace gotriage::triage {

// The three steps an incident is walked through.
enum class Step { StopTheBleeding, Diagnose, Cure };
QString stepName(Step step); // "stop_the_bleeding", "diagnose", "cure"
std::optional<Step> stepFromName(const QString &name);

// One thing that happened in an incident. The incident is nothing but these,
// in order; the UI is a view of them, and they are what is saved.
struct IncidentEvent {
    enum class Type {
        Opened, // `text`: the title; `details.finding`: the key it was suggested from
        StepChanged, // `step`
        Note, // `text`, `step`
        ChecklistChecked, // `text`: the item; `details.checked`
        ActionSent, // `actionId`, `service`, `details`: the rendered request (masked), before/after values
        ActionVerified, // `actionId`; `details.effective`, `details.decided_by`
        Reverted, // `actionId`
        Closed, // `text`: the summary
    };

    Type type = Type::Note;
    qint64 tsMs = 0;
    Step step = Step::StopTheBleeding;
    QString text;
    QString actionId;
    QString service;
    QString author; // the OS user
    QJsonObject details;

    QJsonObject toJson() const;
    // nullopt with `why` for an object that is not an event.
    static std::optional<IncidentEvent> fromJson(const QJsonObject &object, QString *why);
};
QString eventTypeName(IncidentEvent::Type type); // "opened", "step_changed", …

// An incident: its events, and the state they add up to. Events after
// Closed, or before Opened, are refused.
class Incident
{
public:
    // False with `why` when the event does not fit (nothing before "opened",
    // nothing after "closed", a second "opened").
    bool apply(const IncidentEvent &event, QString *why = nullptr);

    const std::vector<IncidentEvent> &timeline() const { return m_events; }
    bool isOpen() const { return m_opened && !m_closed; }
    bool isClosed() const { return m_closed; }
    QString title() const { return m_title; }
    qint64 openedMs() const { return m_openedMs; }
    qint64 closedMs() const { return m_closedMs; }
    Step step() const { return m_step; }
    QStringList notes(std::optional<Step> step = std::nullopt) const;
    // Actions sent and not reverted, by id.
    QStringList activeActions() const;

private:
    std::vector<IncidentEvent> m_events;
    bool m_opened = false;
    bool m_closed = false;
    QString m_title;
    qint64 m_openedMs = 0;
    qint64 m_closedMs = 0;
    Step m_step = Step::StopTheBleeding;
};

// The short summary written when an incident closes: how long it lasted,
// the actions and what verified them, the notes by step. The record/replay
// issue turns it into a full report.
QString incidentSummary(const Incident &incident);

// An incident saved as it changes: one JSON event a line, appended, flushed
// and synced before record() returns, so that a crash loses nothing that
// was shown. load() reads it back; a line cut short by a crash is reported
// (FILE:LINE) and skipped, and everything before it is kept.
class IncidentFile
{
public:
    explicit IncidentFile(QString path) : m_path(std::move(path)) { }

    const QString &path() const { return m_path; }
    // Applies the event to `incident` and saves it; false with `error` when
    // it does not fit or cannot be written (then the incident is unchanged).
    bool record(Incident &incident, const IncidentEvent &event, QString *error);

    struct Loaded {
        Incident incident;
        QStringList problems; // "incident.jsonl:12: …"
    };
    static Loaded load(const QString &path);
    // The same from the file's bytes; `source` names it in problems.
    static Loaded parse(const QByteArray &text, const QString &source);

private:
    QString m_path;
};

} // namespace gotriage::triage
