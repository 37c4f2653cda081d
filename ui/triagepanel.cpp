#include "triagepanel.h"

#include "actiondialog.h"
#include "appearance.h"
#include "candidatesmodel.h"
#include "palette.h"
#include "session/evidence.h"
#include "session/servicereport.h"
#include "triage/triagesession.h"

#include <QApplication>
#include <QButtonGroup>
#include <QComboBox>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonValue>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

namespace gotriage::ui {

namespace {

enum ActionColumn { ActionNameColumn, TargetColumn, ResultColumn, VerdictColumn, AutoRevertColumn, RevertColumn };

QString clockText(qint64 ms)
{
    const qint64 s = std::max<qint64>(0, ms / 1000);
    return s >= 3600
        ? QStringLiteral("%1:%2:%3")
              .arg(s / 3600)
              .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
              .arg(s % 60, 2, 10, QLatin1Char('0'))
        : QStringLiteral("%1:%2").arg(s / 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QString stepTitle(triage::Step step)
{
    switch (step) {
    case triage::Step::StopTheBleeding:
        return QObject::tr("Stop the bleeding");
    case triage::Step::Diagnose:
        return QObject::tr("Diagnose");
    case triage::Step::Cure:
        return QObject::tr("Cure");
    }
    return {};
}

// "throttle image-resizer-1" for "throttle@image-resizer-1@1796…": the
// id's time is in the timeline's first column already.
QString actionText(const triage::IncidentEvent &e)
{
    return QStringLiteral("%1 %2").arg(e.actionId.section(u'@', 0, 0), e.service);
}

QString eventText(const triage::IncidentEvent &e)
{
    using Type = triage::IncidentEvent::Type;
    switch (e.type) {
    case Type::Opened:
        return QObject::tr("opened: %1").arg(e.text);
    case Type::StepChanged:
        return QObject::tr("step: %1").arg(stepTitle(e.step));
    case Type::Note:
        return QObject::tr("note: %1").arg(e.text);
    case Type::ChecklistChecked:
        return QObject::tr("%1: %2").arg(e.details.value(QStringLiteral("checked")).toBool() ? QObject::tr("ticked")
                                                                                             : QObject::tr("unticked"),
                                         e.text);
    case Type::ActionSent: {
        const QJsonValue before = e.details.value(QStringLiteral("before"));
        return QObject::tr("sent %1 (was %2)")
            .arg(actionText(e), before.isString() ? before.toString() : QObject::tr("unset"));
    }
    case Type::ActionVerified:
        return QObject::tr("%1 %2: %3")
            .arg(actionText(e),
                 e.details.value(QStringLiteral("effective")).toBool() ? QObject::tr("effective")
                                                                       : QObject::tr("NOT effective"),
                 e.details.value(QStringLiteral("decided_by")).toString());
    case Type::Reverted:
        return QObject::tr("reverted %1").arg(actionText(e));
    case Type::Closed:
        return QObject::tr("closed");
    }
    return {};
}

QLabel *sectionLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    followAppearance(label, [] {
        return QStringLiteral("font-weight: bold; color: %1; margin-top: 4px;").arg(palette::colours().subtle.name());
    });
    return label;
}

} // namespace

TriagePanel::TriagePanel(triage::TriageSession *triage, QWidget *parent)
    : QWidget(parent)
    , m_triage(triage)
    , m_checklist(new QListWidget(this))
    , m_candidates(new CandidatesModel(this))
    , m_candidatesView(new QTableView(this))
    , m_actionsView(new QTreeWidget(this))
    , m_timeline(new QListWidget(this))
    , m_note(new QLineEdit(this))
{
    setObjectName(QStringLiteral("triagePanel"));
    m_suggestion = makeSuggestionBar();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(makeHeader());

    // Left: the step's checklist and what to act on; right: what was done.
    auto *columns = new QSplitter(Qt::Horizontal, this);
    auto *left = new QWidget(columns);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(sectionLabel(tr("Checklist"), left));
    m_checklist->setObjectName(QStringLiteral("checklist"));
    followAppearance(m_checklist, [] { return palette::checkBoxStyle("QListWidget"); });
    m_checklist->setMaximumHeight(6 * m_checklist->fontMetrics().height() + 16); // the longest step's items
    leftLayout->addWidget(m_checklist);
    leftLayout->addWidget(sectionLabel(tr("Throttle, circuit-break or degrade first"), left));
    m_candidatesView->setModel(m_candidates);
    m_candidatesView->setObjectName(QStringLiteral("candidates"));
    m_candidatesView->verticalHeader()->hide();
    m_candidatesView->setShowGrid(false);
    m_candidatesView->setWordWrap(false);
    m_candidatesView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_candidatesView->setSelectionMode(QAbstractItemView::SingleSelection);
    QHeaderView *header = m_candidatesView->horizontalHeader();
    header->setSectionResizeMode(CandidatesModel::WhyColumn, QHeaderView::Stretch);
    header->resizeSection(CandidatesModel::RankColumn, 32);
    header->resizeSection(CandidatesModel::ServiceColumn, 150);
    header->resizeSection(CandidatesModel::TierColumn, 70);
    header->resizeSection(CandidatesModel::ActionsColumn, 110);
    leftLayout->addWidget(m_candidatesView, 1);
    m_actionRow = new QHBoxLayout;
    leftLayout->addLayout(m_actionRow);
    connect(m_candidatesView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &TriagePanel::updateActionButtons);
    connect(m_candidatesView, &QTableView::activated, this, [this] { actOnSelectedCandidate(); });

    auto *right = new QWidget(columns);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    auto *actionsHeader = new QHBoxLayout;
    actionsHeader->addWidget(sectionLabel(tr("Actions in place"), right), 1);
    // What "before" means when an action is judged: the last minute, or longer
    // for a slow leak whose slope needs more history.
    auto *window = new QComboBox(right);
    window->setObjectName(QStringLiteral("verificationWindow"));
    for (const int minutes : {1, 5, 15})
        window->addItem(tr("judged against the %1 min before").arg(minutes), minutes * 60'000);
    connect(window, &QComboBox::currentIndexChanged, this,
            [this, window] { m_triage->setVerificationWindow(window->currentData().toLongLong()); });
    actionsHeader->addWidget(window);
    rightLayout->addLayout(actionsHeader);
    m_actionsView->setObjectName(QStringLiteral("actions"));
    m_actionsView->setRootIsDecorated(false);
    m_actionsView->setHeaderLabels(
        {tr("Action"), tr("Target"), tr("Result"), tr("Verification"), tr("Auto-revert"), QString()});
    m_actionsView->header()->setStretchLastSection(false);
    m_actionsView->header()->setSectionResizeMode(VerdictColumn, QHeaderView::Stretch);
    m_actionsView->header()->resizeSection(ActionNameColumn, 70);
    m_actionsView->header()->resizeSection(TargetColumn, 125);
    m_actionsView->header()->resizeSection(ResultColumn, 80);
    m_actionsView->header()->resizeSection(AutoRevertColumn, 78);
    m_actionsView->header()->resizeSection(RevertColumn, 72);
    rightLayout->addWidget(m_actionsView, 1);
    rightLayout->addWidget(sectionLabel(tr("Timeline"), right));
    m_timeline->setObjectName(QStringLiteral("timeline"));
    m_timeline->setWordWrap(true);
    rightLayout->addWidget(m_timeline, 1);
    auto *noteRow = new QHBoxLayout;
    m_note->setPlaceholderText(tr("Add a note to the current step (Enter)"));
    m_note->setObjectName(QStringLiteral("note"));
    noteRow->addWidget(m_note, 1);
    auto *addNote = new QPushButton(tr("Add &note"), right);
    noteRow->addWidget(addNote);
    rightLayout->addLayout(noteRow);
    const auto add = [this] {
        if (m_triage->addNote(m_note->text()))
            m_note->clear();
    };
    connect(m_note, &QLineEdit::returnPressed, this, add);
    connect(addNote, &QPushButton::clicked, this, add);
    columns->addWidget(left);
    columns->addWidget(right);
    columns->setStretchFactor(0, 1);
    columns->setStretchFactor(1, 1);
    layout->addWidget(columns, 1);

    connect(m_checklist, &QListWidget::itemChanged, this, [this](QListWidgetItem *item) {
        m_triage->setChecked(item->data(Qt::UserRole).toString(), item->text(), item->checkState() == Qt::Checked);
    });
    connect(triage, &triage::TriageSession::incidentChanged, this, &TriagePanel::onIncidentChanged);
    // New services or actions: ranked again now, not at the next round.
    connect(triage, &triage::TriageSession::fleetChanged, this, &TriagePanel::rankNow);
    connect(triage, &triage::TriageSession::actionsChanged, this, &TriagePanel::rebuildActions);
    onIncidentChanged();
    rebuildActions();
}

QWidget *TriagePanel::makeSuggestionBar()
{
    auto *bar = new QFrame;
    bar->setObjectName(QStringLiteral("suggestionBar"));
    followAppearance(bar, [] {
        return QStringLiteral("#suggestionBar { background: %1; border-bottom: 2px solid %2; }")
            .arg(palette::colours().suggestionBackground.name(), palette::colours().warning.name());
    });
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(10, 4, 10, 4);
    m_suggestionText = new QLabel(bar);
    followAppearance(m_suggestionText, [] {
        return QStringLiteral("font-size: %1pt; color: %2;")
            .arg(QApplication::font().pointSizeF() * 1.2, 0, 'f', 1)
            .arg(palette::colours().text.name());
    });
    row->addWidget(m_suggestionText, 1);
    m_acceptSuggestion = new QPushButton(tr("Open incident (Ctrl+I)"), bar);
    m_acceptSuggestion->setObjectName(QStringLiteral("acceptSuggestion"));
    row->addWidget(m_acceptSuggestion);
    auto *dismiss = new QPushButton(tr("Dismiss"), bar);
    row->addWidget(dismiss);
    connect(m_acceptSuggestion, &QPushButton::clicked, this, &TriagePanel::acceptSuggestion);
    connect(dismiss, &QPushButton::clicked, this, [this, bar] {
        if (m_suggested)
            m_dismissedSuggestion = m_suggested->findingKey;
        bar->hide();
    });
    bar->hide();
    return bar;
}

QWidget *TriagePanel::makeHeader()
{
    auto *header = new QWidget(this);
    auto *grid = new QVBoxLayout(header);
    grid->setContentsMargins(0, 0, 0, 0);
    m_impact = new QLabel(header);
    m_impact->setObjectName(QStringLiteral("impact"));
    m_impact->setWordWrap(true);
    grid->addWidget(m_impact);

    auto *incidentRow = new QHBoxLayout;
    m_incidentTitle = new QLabel(header);
    m_incidentTitle->setStyleSheet(QStringLiteral("font-size: 13pt; font-weight: bold;"));
    incidentRow->addWidget(m_incidentTitle, 1);
    m_newTitle = new QLineEdit(header);
    m_newTitle->setPlaceholderText(tr("What is burning? (the incident's title)"));
    incidentRow->addWidget(m_newTitle, 1);
    m_openIncident = new QPushButton(tr("Open incident"), header);
    incidentRow->addWidget(m_openIncident);
    m_close = new QPushButton(tr("Close incident…"), header);
    incidentRow->addWidget(m_close);
    grid->addLayout(incidentRow);
    const auto openByHand = [this] {
        const QString title = m_newTitle->text().trimmed();
        if (!title.isEmpty() && m_triage->openIncident(title)) {
            m_newTitle->clear();
            emit incidentOpened();
        }
    };
    connect(m_openIncident, &QPushButton::clicked, this, openByHand);
    connect(m_newTitle, &QLineEdit::returnPressed, this, openByHand);
    connect(m_close, &QPushButton::clicked, this, &TriagePanel::closeIncident);

    m_stepRow = new QWidget(header);
    auto *steps = new QHBoxLayout(m_stepRow);
    steps->setContentsMargins(0, 0, 0, 0);
    m_steps = new QButtonGroup(this);
    const triage::Step all[] = {triage::Step::StopTheBleeding, triage::Step::Diagnose, triage::Step::Cure};
    for (int i = 0; i < 3; ++i) {
        auto *button = new QPushButton(tr("%1  %2   (Alt+%1)").arg(i + 1).arg(stepTitle(all[i])), m_stepRow);
        button->setCheckable(true);
        button->setMinimumHeight(30);
        m_steps->addButton(button, i);
        steps->addWidget(button);
    }
    connect(m_steps, &QButtonGroup::idClicked, this,
            [this](int id) { m_triage->changeStep(static_cast<triage::Step>(id)); });
    grid->addWidget(m_stepRow);
    return header;
}

void TriagePanel::applyReport(const session::ServiceReport &report)
{
    m_latest[report.service()] = report.vitals;
    m_findings[report.service()] = report.findings;
}

void TriagePanel::onEvidence(const session::EvidencePtr &evidence)
{
    if (evidence->ready())
        m_evidenceReady.insert(evidence->key.service);
}

void TriagePanel::forgetService(const QString &service)
{
    m_latest.erase(service);
    m_findings.erase(service);
    m_evidenceReady.remove(service);
}

void TriagePanel::refresh(qint64 nowMs)
{
    m_nowMs = nowMs;
    // The impact is a 30 s mean: it is read with the ranking, not every tick.
    if (m_lastRankMs == 0 || nowMs - m_lastRankMs >= kRankIntervalMs || nowMs < m_lastRankMs) {
        m_lastRankMs = nowMs;
        m_impactStep.schedule();
    }
    m_triage->verifyActions(nowMs);
    updateHeader(nowMs);
    updateChecklist();
    updateCountdowns(nowMs);
}

void TriagePanel::updateImpact()
{
    m_impactNow = m_triage->impact(m_lastRankMs);
    updateHeader(m_nowMs);
    updateChecklist();
    // A round still under way goes on where it is: restarted, a slow one
    // would never end.
    m_rankStep.schedule();
}

void TriagePanel::rankSlice()
{
    // Each service is ranked on its vitals and findings of that turn: a
    // ranking is a snapshot of a few tens of milliseconds, not one instant.
    switch (m_rankPhase) {
    case RankPhase::Slices: {
        const std::vector<config::ServiceConfig> &services = m_triage->services();
        if (m_rankedServices == 0) {
            m_ranking.clear();
            m_ranking.reserve(services.size());
            m_picker = {};
        }
        const std::size_t end = std::min(services.size(), m_rankedServices + m_rankSlice);
        for (; m_rankedServices < end; ++m_rankedServices) {
            const config::ServiceConfig &service = services[m_rankedServices];
            m_ranking.push_back(triage::candidateFor(service, m_latest, m_findings, m_triage->catalog()));
            if (const auto it = m_findings.find(service.name); it != m_findings.end())
                m_picker.consider(it->second);
        }
        if (m_rankedServices == services.size()) {
            m_rankedServices = 0;
            m_rankPhase = RankPhase::Sort;
        }
        break;
    }
    case RankPhase::Sort:
        triage::sortCandidates(m_ranking);
        m_rankPhase = RankPhase::Show;
        break;
    case RankPhase::Show:
        m_rankPhase = RankPhase::Slices;
        showRanking(std::exchange(m_ranking, {}), m_picker.suggestion());
        return;
    }
    m_rankStep.schedule();
}

void TriagePanel::rankNow()
{
    // A new fleet: a slice under way ranks services that may be gone.
    m_rankStep.cancel();
    m_rankPhase = RankPhase::Slices;
    m_rankedServices = 0;
    showRanking(triage::rankCandidates(m_triage->services(), m_latest, m_findings, m_triage->catalog()),
                triage::suggestIncident(m_findings));
}

void TriagePanel::showRanking(std::vector<triage::Candidate> ranked, std::optional<triage::SuggestedIncident> suggested)
{
    const QString selected = [this] {
        const QModelIndexList rows = m_candidatesView->selectionModel()->selectedRows();
        return rows.isEmpty() ? QString() : m_candidates->candidates()[rows.front().row()].service;
    }();
    m_candidates->setCandidates(std::move(ranked));
    // The operator's choice stays selected wherever it moves; the top one otherwise.
    const int row = selected.isEmpty() ? 0 : std::max(0, m_candidates->rowOf(selected));
    if (m_candidates->rowCount() > 0)
        m_candidatesView->selectRow(row);
    updateActionButtons();

    m_suggested = std::move(suggested);
    const bool offer = m_suggested && !m_triage->incident().isOpen() && m_triage->canAct()
        && m_suggested->findingKey != m_dismissedSuggestion;
    if (offer) {
        m_suggestionText->setText(tr("⚠  gotriage suggests an incident: <b>%1</b>. Open it to stop the bleeding, "
                                     "diagnose and cure, step by step.")
                                      .arg(m_suggested->title.toHtmlEscaped()));
    }
    m_suggestion->setVisible(offer);
}

void TriagePanel::updateHeader(qint64 nowMs)
{
    const triage::Impact &impact = m_impactNow;
    const QColor colour = !impact.known                                          ? palette::colours().muted
        : impact.errorRatio >= 0.05                                              ? palette::colours().critical
        : impact.errorRatio >= 0.01 || impact.trend() == QLatin1String("rising") ? palette::colours().warning
                                                                                 : palette::colours().good;
    const QString text = impact.known
        ? tr("Core business: %1").arg(impact.summary())
        : tr("Core business: no core service reports its requests yet (mark services \"tier\": \"core\" and give "
             "them a request_counter)");
    m_impact->setText(text);
    // A style sheet set re-polishes the label even when it is the same.
    const QString sheet
        = QStringLiteral("font-size: 14pt; font-weight: bold; color: %1; padding: 4px;").arg(colour.name());
    if (m_impact->styleSheet() != sheet)
        m_impact->setStyleSheet(sheet);

    const triage::Incident &incident = m_triage->incident();
    const bool open = incident.isOpen();
    m_incidentTitle->setText(
        open ? tr("INCIDENT  %1   ·   %2").arg(clockText(nowMs - incident.openedMs()), incident.title())
            : incident.isClosed() ? tr("Closed: %1").arg(incident.title())
                                  : tr("No incident open"));
}

void TriagePanel::updateChecklist()
{
    const triage::Incident &incident = m_triage->incident();
    if (!incident.isOpen()) {
        if (m_checklist->count() > 0)
            m_checklist->clear();
        return;
    }
    triage::ChecklistInput input;
    input.impact = m_impactNow;
    for (const auto &[service, findings] : m_findings)
        input.findings.insert(input.findings.end(), findings.begin(), findings.end());
    input.evidenceReady = QStringList(m_evidenceReady.begin(), m_evidenceReady.end());
    input.candidates = m_candidates->candidates();
    for (const triage::ActionState &a : m_triage->actions()) {
        if (a.verdict.decided && a.verdict.effective)
            input.effectiveActions << a.run->id;
    }
    const std::vector<triage::ChecklistItem> items = triage::checklistFor(incident.step(), input, incident);
    // Updated in place, without signals: a tick must not look like a click.
    const QSignalBlocker block(m_checklist);
    while (m_checklist->count() > static_cast<int>(items.size()))
        delete m_checklist->takeItem(m_checklist->count() - 1);
    for (std::size_t i = 0; i < items.size(); ++i) {
        QListWidgetItem *item = static_cast<int>(i) < m_checklist->count() ? m_checklist->item(static_cast<int>(i))
                                                                           : new QListWidgetItem(m_checklist);
        item->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled | Qt::ItemIsSelectable);
        item->setText(items[i].text);
        item->setData(Qt::UserRole, items[i].key);
        item->setCheckState(items[i].done ? Qt::Checked : Qt::Unchecked);
        item->setForeground(items[i].done ? palette::colours().good : palette::colours().text);
        item->setToolTip(items[i].byHand ? tr("ticked by hand")
                                         : tr("from live data; tick it by hand if you know better"));
    }
}

void TriagePanel::updateActionButtons()
{
    const QModelIndexList rows = m_candidatesView->selectionModel()->selectedRows();
    const triage::Candidate *selected = rows.isEmpty() || !m_triage->canAct()
        ? nullptr
        : &m_candidates->candidates()[static_cast<std::size_t>(rows.front().row())];
    // Rebuilt only when they would change: a button must not vanish under
    // the pointer because the ranking was refreshed.
    const QString key = selected ? selected->service + u'|' + selected->actions.join(u',') : QString();
    if (key == m_buttonsKey && !m_actionButtons.isEmpty())
        return;
    m_buttonsKey = key;
    qDeleteAll(m_actionButtons);
    m_actionButtons.clear();
    if (!selected)
        return;
    const triage::Candidate &c = *selected;
    for (const QString &action : c.actions) {
        auto *button = new QPushButton(tr("%1  %2…").arg(action, c.service), this);
        button->setObjectName(QStringLiteral("act:") + action);
        button->setMinimumHeight(32);
        button->setStyleSheet(QStringLiteral("font-weight: bold;"));
        connect(button, &QPushButton::clicked, this,
                [this, action, service = c.service] { openActionDialog(action, service); });
        m_actionRow->addWidget(button);
        m_actionButtons << button;
    }
    if (c.actions.isEmpty()) {
        auto *none = new QPushButton(tr("no action configured for %1 (fleet file: \"actions\")").arg(c.service), this);
        none->setEnabled(false);
        m_actionRow->addWidget(none);
        m_actionButtons << none;
    }
}

ActionDialog *TriagePanel::actOnSelectedCandidate()
{
    const QModelIndexList rows = m_candidatesView->selectionModel()->selectedRows();
    const int row = rows.isEmpty() ? 0 : rows.front().row();
    if (row >= m_candidates->rowCount())
        return nullptr;
    const triage::Candidate &c = m_candidates->candidates()[static_cast<std::size_t>(row)];
    if (c.actions.isEmpty())
        return nullptr;
    return openActionDialog(c.actions.front(), c.service);
}

ActionDialog *TriagePanel::openActionDialog(const QString &action, const QString &service)
{
    if (!m_triage->canAct())
        return nullptr;
    auto *dialog = new ActionDialog(m_triage, action, service, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    emit actionDialogOpened(dialog);
    return dialog;
}

void TriagePanel::rebuildActions()
{
    m_actionsView->clear();
    const auto &actions = m_triage->actions();
    for (auto it = actions.rbegin(); it != actions.rend(); ++it) {
        const triage::ActionState &a = *it;
        auto *item = new QTreeWidgetItem(m_actionsView);
        item->setData(0, Qt::UserRole, a.run->id);
        item->setText(ActionNameColumn, a.run->action);
        item->setText(TargetColumn, a.run->service);
        QString result;
        QColor colour = palette::colours().text;
        if (!a.run->ok()) {
            result = tr("FAILED");
            colour = palette::colours().critical;
        } else if (a.revertedMs > 0) {
            result = tr("reverted %1").arg(Appearance::instance().clockText(a.revertedMs));
            colour = palette::colours().muted;
        } else if (a.reverting) {
            result = tr("reverting…");
        } else {
            const QString before = a.run->before.value_or(tr("unset"));
            const QString after = a.run->after.value_or(QString());
            result = after.isEmpty() ? tr("sent (was %1)").arg(before) : tr("%1 → %2").arg(before, after);
            colour = palette::colours().actionSent;
        }
        if (!a.revertError.isEmpty()) {
            result += tr("; revert failed: %1").arg(a.revertError);
            colour = palette::colours().critical;
        }
        item->setText(ResultColumn, result);
        item->setToolTip(ResultColumn, result);
        item->setForeground(ResultColumn, colour);
        // A failure's reason takes the wide column: it is what the operator needs.
        const QString verdict = !a.run->ok() ? a.run->error
            : a.verdict.decidedBy.isEmpty()  ? tr("waiting for data…")
                                             : a.verdict.summary();
        item->setText(VerdictColumn, verdict);
        item->setToolTip(VerdictColumn, verdict);
        if (!a.run->ok())
            item->setForeground(VerdictColumn, palette::colours().critical);
        else if (a.verdict.decided)
            item->setForeground(VerdictColumn,
                                a.verdict.effective ? palette::colours().good : palette::colours().critical);
        if (a.run->ok() && a.revertedMs == 0) {
            auto *revert = new QPushButton(tr("Revert"), m_actionsView);
            revert->setEnabled(!a.reverting);
            connect(revert, &QPushButton::clicked, this, [this, id = a.run->id] { m_triage->revertAction(id); });
            m_actionsView->setItemWidget(item, RevertColumn, revert);
        }
    }
    updateCountdowns(m_nowMs);
    emit markersChanged();
}

void TriagePanel::updateCountdowns(qint64 nowMs)
{
    for (int i = 0; i < m_actionsView->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_actionsView->topLevelItem(i);
        const triage::ActionState *a = m_triage->action(item->data(0, Qt::UserRole).toString());
        const QString text
            = a && a->autoRevertAtMs ? tr("in %1").arg(clockText(*a->autoRevertAtMs - nowMs)) : QString();
        if (item->text(AutoRevertColumn) != text)
            item->setText(AutoRevertColumn, text);
    }
}

bool TriagePanel::revertNewestAction()
{
    const auto &actions = m_triage->actions();
    for (auto it = actions.rbegin(); it != actions.rend(); ++it) {
        if (it->run->ok() && it->revertedMs == 0 && !it->reverting)
            return m_triage->revertAction(it->run->id);
    }
    return false;
}

bool TriagePanel::acceptSuggestion()
{
    if (!m_suggested || m_triage->incident().isOpen())
        return false;
    if (!m_triage->openIncident(m_suggested->title, m_suggested->findingKey))
        return false;
    m_suggestion->hide();
    // The top candidate is selected, its actions one click away.
    if (m_candidates->rowCount() > 0)
        m_candidatesView->selectRow(0);
    emit incidentOpened();
    return true;
}

bool TriagePanel::goToStep(triage::Step step)
{
    return m_triage->incident().isOpen() && m_triage->changeStep(step);
}

void TriagePanel::focusNote()
{
    m_note->setFocus();
}

void TriagePanel::closeIncident()
{
    QStringList context;
    QStringList sick;
    for (const auto &[service, findings] : m_findings) {
        for (const analysis::Finding &f : findings) {
            if (analysis::isBattlefield(f.kind))
                sick << QStringLiteral("- %1: %2 (%3)").arg(service, triage::kindWords(f.kind), f.evidence);
        }
    }
    sick.sort();
    context << (sick.isEmpty() ? tr("Findings at the close: none active") : tr("Findings still active at the close"));
    context << sick;
    if (!m_evidenceReady.isEmpty()) {
        QStringList captured(m_evidenceReady.begin(), m_evidenceReady.end());
        captured.sort();
        context << tr("Evidence captured for: %1").arg(captured.join(QStringLiteral(", ")));
    }
    const QString summary = m_triage->closeIncident(context);
    if (summary.isEmpty())
        return;
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("summaryDialog"));
    dialog->setWindowTitle(tr("Incident closed"));
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(new QLabel(tr("Saved to %1").arg(m_triage->summaryPath()), dialog));
    auto *text = new QPlainTextEdit(summary, dialog);
    text->setReadOnly(true);
    layout->addWidget(text);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog->resize(640, 480);
    dialog->open();
    emit summaryShown(summary);
}

void TriagePanel::onIncidentChanged()
{
    const triage::Incident &incident = m_triage->incident();
    const bool open = incident.isOpen();
    m_newTitle->setVisible(!open);
    m_openIncident->setVisible(!open);
    m_close->setVisible(open);
    m_stepRow->setEnabled(open);
    m_note->setEnabled(open);
    if (QAbstractButton *button = m_steps->button(static_cast<int>(incident.step())))
        button->setChecked(true);
    if (open)
        m_suggestion->hide();
    rebuildTimeline();
    updateChecklist();
    updateHeader(m_nowMs);
}

void TriagePanel::rebuildTimeline()
{
    m_timeline->clear();
    for (const triage::IncidentEvent &e : m_triage->incident().timeline()) {
        auto *item = new QListWidgetItem(
            QStringLiteral("%1  %2").arg(Appearance::instance().clockText(e.tsMs), eventText(e)), m_timeline);
        if (e.type == triage::IncidentEvent::Type::ActionSent)
            item->setForeground(palette::colours().actionSent);
        else if (e.type == triage::IncidentEvent::Type::Note)
            item->setForeground(palette::colours().info);
    }
    m_timeline->scrollToBottom();
}

QString TriagePanel::statusText() const
{
    const QString incident = incidentClockText();
    return incident.isEmpty() ? QString() : incident + QStringLiteral(" · ") + impactText();
}

QString TriagePanel::incidentClockText() const
{
    const triage::Incident &incident = m_triage->incident();
    return incident.isOpen() ? tr("INCIDENT %1").arg(clockText(m_nowMs - incident.openedMs())) : QString();
}

QString TriagePanel::impactText() const
{
    return m_impactNow.known ? m_impactNow.summary() : tr("core impact unknown");
}

std::vector<TimeChart::Marker> TriagePanel::markers() const
{
    std::vector<TimeChart::Marker> out;
    for (const triage::ActionState &a : m_triage->actions()) {
        if (!a.run->ok())
            continue;
        out.push_back({static_cast<double>(a.run->sentMs) / 1000.0,
                       QStringLiteral("▶ %1 %2").arg(a.run->action, a.run->service), palette::colours().actionSent});
        if (a.revertedMs > 0)
            out.push_back({static_cast<double>(a.revertedMs) / 1000.0,
                           QStringLiteral("⟲ %1 %2").arg(a.run->action, a.run->service),
                           palette::colours().actionReverted});
    }
    return out;
}

} // namespace gotriage::ui
