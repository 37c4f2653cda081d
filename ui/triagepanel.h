#pragma once

#include "analysis/finding.h"
#include "idlestep.h"
#include "signals/vital.h"
#include "timechart.h"
#include "triage/checklist.h"

#include <QSet>
#include <QWidget>

#include <algorithm>
#include <memory>
#include <optional>

class QButtonGroup;
class QFrame;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTableView;
class QTreeWidget;
class QHBoxLayout;

namespace gotriage::session {
struct Evidence;
struct ServiceReport;
} // namespace gotriage::session
namespace gotriage::triage {
class TriageSession;
}

namespace gotriage::ui {

class ActionDialog;
class CandidatesModel;

// The triage panel: a view of the incident (TriageSession) and of the
// fleet's state that leads the operator through the three steps. At the
// top, how much of the core business fails; then the step's checklist,
// filled from live data; the candidates to throttle first, each with its
// actions; the actions in place with their verification, auto-revert
// countdown and a Revert button; the timeline and the notes. The
// suggestion bar (placed by the window above everything) offers an
// incident for the worst finding. GUI thread only.
class TriagePanel : public QWidget
{
    Q_OBJECT

public:
    static constexpr qint64 kRankIntervalMs = 2000;

    explicit TriagePanel(triage::TriageSession *triage, QWidget *parent = nullptr);

    QWidget *suggestionBar() const { return m_suggestion; }
    void applyReport(const session::ServiceReport &report);
    void onEvidence(const std::shared_ptr<const session::Evidence> &evidence);
    void forgetService(const QString &service);
    // Once a window tick: impact, checklists, countdowns, verification.
    void refresh(qint64 nowMs);
    // How many services the ranking takes a turn (kRankSlice by default).
    void setRankSlice(std::size_t services) { m_rankSlice = std::max<std::size_t>(1, services); }

    // "INCIDENT 12:04 · core error ratio 1.2 % and rising": the status
    // bar's text while an incident is open; empty otherwise.
    QString statusText() const;
    // Its two halves, for the war-room banner: "INCIDENT 12:04" (empty
    // when none is open) and the impact, or that it is unknown.
    QString incidentClockText() const;
    QString impactText() const;
    std::vector<TimeChart::Marker> markers() const;
    std::optional<triage::SuggestedIncident> suggestion() const { return m_suggested; }

    // What the buttons do, for the window's menu and keyboard.
    bool acceptSuggestion();
    // The preview of the selected candidate's first action (the top one
    // when none is selected); nullptr when there is none.
    ActionDialog *actOnSelectedCandidate();
    ActionDialog *openActionDialog(const QString &action, const QString &service);
    bool revertNewestAction();
    void focusNote();
    bool goToStep(triage::Step step);
    void closeIncident();

    QPushButton *suggestionButton() const { return m_acceptSuggestion; }
    QTableView *candidatesView() const { return m_candidatesView; }
    CandidatesModel *candidatesModel() const { return m_candidates; }
    QTreeWidget *actionsView() const { return m_actionsView; }
    QListWidget *checklistView() const { return m_checklist; }
    QListWidget *timelineView() const { return m_timeline; }
    QList<QPushButton *> actionButtons() const { return m_actionButtons; }
    QLabel *impactLabel() const { return m_impact; }

signals:
    void incidentOpened();
    void markersChanged();
    void actionDialogOpened(gotriage::ui::ActionDialog *dialog);
    void summaryShown(const QString &summary);

private:
    QWidget *makeHeader();
    QWidget *makeSuggestionBar();
    void updateImpact(); // then rankSlice()
    void rankSlice();
    void rankNow();
    void showRanking(std::vector<triage::Candidate> ranked, std::optional<triage::SuggestedIncident> suggested);
    void updateHeader(qint64 nowMs);
    void updateChecklist();
    void updateActionButtons();
    void rebuildActions();
    void updateCountdowns(qint64 nowMs);
    void rebuildTimeline();
    void onIncidentChanged();

    triage::TriageSession *m_triage;
    triage::LatestVitals m_latest;
    triage::FindingsByService m_findings;
    QSet<QString> m_evidenceReady;
    triage::Impact m_impactNow;
    std::optional<triage::SuggestedIncident> m_suggested;
    QString m_dismissedSuggestion;
    qint64 m_lastRankMs = 0;
    // The impact, then the ranking, each in a turn of the event loop of its
    // own after the refresh: together they held the GUI thread for 15-30 ms
    // at 2 000 services, and within the refresh timer's turn the impact
    // alone made it 10 ms.
    IdleStep m_impactStep{this, QStringLiteral("triageImpact"), [this] { updateImpact(); }};
    IdleStep m_rankStep{this, QStringLiteral("triageRank"), [this] { rankSlice(); }};
    // The ranking under way, kRankSlice services a turn, then the sort in a
    // turn of its own, then the table: the whole of a 10 000-target fleet
    // took 15-22 ms at once (its data cold in the caches every 2 s).
    static constexpr std::size_t kRankSlice = 1000;
    enum class RankPhase { Slices, Sort, Show };
    RankPhase m_rankPhase = RankPhase::Slices;
    std::size_t m_rankSlice = kRankSlice;
    std::vector<triage::Candidate> m_ranking;
    std::size_t m_rankedServices = 0;
    triage::IncidentPicker m_picker; // the suggestion, picked on the way
    qint64 m_nowMs = 0;

    QWidget *m_suggestion;
    QLabel *m_suggestionText;
    QPushButton *m_acceptSuggestion;
    QLabel *m_impact;
    QLabel *m_incidentTitle;
    QLineEdit *m_newTitle;
    QPushButton *m_openIncident;
    QPushButton *m_close;
    QButtonGroup *m_steps;
    QWidget *m_stepRow;
    QListWidget *m_checklist;
    CandidatesModel *m_candidates;
    QTableView *m_candidatesView;
    QHBoxLayout *m_actionRow;
    QList<QPushButton *> m_actionButtons;
    QString m_buttonsKey; // the candidate and actions the buttons are for
    QTreeWidget *m_actionsView;
    QListWidget *m_timeline;
    QLineEdit *m_note;
};

} // namespace gotriage::ui
