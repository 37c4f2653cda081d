#include "diagnoseview.h"

#include "analysis/peers.h"
#include "appearance.h"
#include "common/clock.h"
#include "findingsmodel.h"
#include "goroutineview.h"
#include "profileview.h"
#include "session/session.h"
#include "vitalformat.h"

#include <QComboBox>
#include <QDateTime>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QtConcurrent>
#include <QVBoxLayout>

namespace gotriage::ui {

using ingest::CaptureKind;

namespace {

struct KindChoice {
    CaptureKind kind;
    const char *label; // in the capture menu and titles
    const char *shortLabel; // in the list and the Findings column, where width is short
};
const KindChoice kKinds[] = {
    {CaptureKind::Cpu, "CPU profile", "CPU profile"},
    {CaptureKind::GoroutineText, "Goroutine dump (debug=2)", "goroutine dump"},
    {CaptureKind::Goroutine, "Goroutine profile", "goroutine profile"},
    {CaptureKind::Heap, "Heap profile", "heap profile"},
    {CaptureKind::Allocs, "Allocs profile", "allocs profile"},
    {CaptureKind::Block, "Block profile", "block profile"},
    {CaptureKind::Mutex, "Mutex profile", "mutex profile"},
    {CaptureKind::ThreadCreate, "Threadcreate profile", "threadcreate profile"},
};

QString kindLabel(CaptureKind kind)
{
    for (const KindChoice &k : kKinds) {
        if (k.kind == kind)
            return QObject::tr(k.label);
    }
    return {};
}

QString shortLabel(CaptureKind kind)
{
    for (const KindChoice &k : kKinds) {
        if (k.kind == kind)
            return QObject::tr(k.shortLabel);
    }
    return {};
}

QString clockTime(qint64 ms)
{
    return Appearance::instance().clockText(ms);
}

} // namespace

DiagnoseView::DiagnoseView(session::Session *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_kind(new QComboBox(this))
    , m_seconds(new QSpinBox(this))
    , m_capture(new QPushButton(tr("Capture"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_peer(new QPushButton(tr("Compare with a healthy peer"), this))
    , m_export(new QPushButton(tr("Export…"), this))
    , m_progress(new QProgressBar(this))
    , m_status(new QLabel(this))
    , m_list(new QListWidget(this))
    , m_compare(new QComboBox(this))
    , m_stack(new QStackedWidget(this))
    , m_placeholder(new QLabel(this))
    , m_profile(new ProfileView(this))
    , m_goroutines(new GoroutineView(this))
{
    for (const KindChoice &k : kKinds)
        m_kind->addItem(tr(k.label), static_cast<int>(k.kind));
    m_seconds->setRange(1, 120);
    m_seconds->setValue(10);
    m_seconds->setSuffix(tr(" s"));
    m_seconds->setToolTip(tr("CPU: the profile's length. Heap, allocs, block, mutex: a delta profile over this "
                             "long (Go 1.17 and later); 0 s for the totals since the start."));
    m_cancel->setEnabled(false);
    m_progress->setVisible(false);
    m_progress->setTextVisible(true);
    m_status->setWordWrap(true);
    m_export->setToolTip(tr("Save the selected capture as the service served it: a .pb.gz that go tool pprof "
                            "opens, or the dump's text"));
    m_export->setEnabled(false);
    m_peer->setToolTip(tr("Capture the same kind from the healthiest service most like this one (same tier, "
                          "shared labels) and compare"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_kind);
    bar->addWidget(m_seconds);
    bar->addWidget(m_capture);
    bar->addWidget(m_cancel);
    bar->addWidget(m_progress, 1);
    bar->addStretch(1); // the buttons keep their size while no capture runs
    bar->addWidget(m_peer);
    bar->addWidget(m_export);

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(new QLabel(tr("Captures and evidence"), this));
    leftLayout->addWidget(m_list, 1);
    leftLayout->addWidget(new QLabel(tr("Compare with:"), this));
    leftLayout->addWidget(m_compare);

    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setText(tr("Capture a profile or a goroutine dump, or open evidence from the Findings list.\n"
                              "gotriage captures a finding's evidence by itself when it is raised."));
    m_stack->addWidget(m_placeholder);
    m_stack->addWidget(m_profile);
    m_stack->addWidget(m_goroutines);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(m_stack);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 4);
    split->setSizes({330, 1000});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(bar);
    layout->addWidget(m_status);
    layout->addWidget(split, 1);

    connect(m_kind, &QComboBox::currentIndexChanged, this, [this] {
        const auto kind = static_cast<CaptureKind>(m_kind->currentData().toInt());
        const bool timed = kind == CaptureKind::Cpu || kind == CaptureKind::Heap || kind == CaptureKind::Allocs
            || kind == CaptureKind::Block || kind == CaptureKind::Mutex;
        m_seconds->setEnabled(timed);
        m_seconds->setMinimum(kind == CaptureKind::Cpu ? 1 : 0);
        if (kind != CaptureKind::Cpu && m_seconds->value() == 10)
            m_seconds->setValue(0);
        if (kind == CaptureKind::Cpu && m_seconds->value() == 0)
            m_seconds->setValue(10);
    });
    m_kind->setCurrentIndex(0);
    connect(m_capture, &QPushButton::clicked, this,
            [this] { captureNow(static_cast<CaptureKind>(m_kind->currentData().toInt()), m_seconds->value()); });
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        for (const Entry &e : m_entries) {
            if (!e.result && e.ticket)
                m_session->cancelCapture(e.ticket);
        }
    });
    connect(m_peer, &QPushButton::clicked, this, &DiagnoseView::compareWithPeer);
    connect(m_export, &QPushButton::clicked, this, [this] {
        if (m_shown < 0 || !m_entries[static_cast<std::size_t>(m_shown)].result)
            return;
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export capture"), defaultExportName(*m_entries[static_cast<std::size_t>(m_shown)].result));
        if (!path.isEmpty())
            exportSelected(path);
    });
    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row < 0)
            return;
        const int entry = m_list->item(row)->data(Qt::UserRole).toInt();
        // The nearest older capture of the same kind and service is the
        // natural comparison (two dumps a minute apart; before and after).
        int base = -1;
        for (int i = entry - 1; i >= 0; --i) {
            const Entry &e = m_entries[static_cast<std::size_t>(i)];
            if (e.kind == m_entries[static_cast<std::size_t>(entry)].kind
                && e.service == m_entries[static_cast<std::size_t>(entry)].service && e.result && e.result->ok()) {
                base = m_entries[static_cast<std::size_t>(entry)].kind == CaptureKind::GoroutineText ? i : -1;
                break;
            }
        }
        show(entry, base);
    });
    connect(m_compare, &QComboBox::activated, this, [this] {
        if (m_shown >= 0)
            show(m_shown, m_compare->currentData().toInt());
    });
    if (m_session) {
        connect(m_session, &session::Session::captureStarted, this, &DiagnoseView::onCaptureStarted);
        connect(m_session, &session::Session::captureFinished, this, &DiagnoseView::onCaptureFinished);
    }
    m_countdown.setInterval(250);
    connect(&m_countdown, &QTimer::timeout, this, &DiagnoseView::tickCountdown);
}

void DiagnoseView::setService(const QString &name)
{
    if (name == m_service)
        return;
    m_service = name;
    m_shown = -1;
    m_stack->setCurrentWidget(m_placeholder);
    m_export->setEnabled(false);
    rebuildList();
}

void DiagnoseView::setFleet(const std::vector<config::ServiceConfig> &services)
{
    m_fleetList = services;
    m_fleet.clear();
    for (const config::ServiceConfig &s : services)
        m_fleet.insert(s.name, s);
}

void DiagnoseView::addService(const config::ServiceConfig &service)
{
    m_fleetList.push_back(service);
    m_fleet.insert(service.name, service);
}

QString DiagnoseView::captureLabel(CaptureKind kind, int count)
{
    const QString one = shortLabel(kind);
    return count == 1 ? one : QStringLiteral("%1 %2s").arg(count).arg(one);
}

QString DiagnoseView::status() const
{
    return m_status->text();
}

void DiagnoseView::captureNow(CaptureKind kind, int seconds)
{
    const auto service = m_fleet.constFind(m_service);
    if (!m_session || service == m_fleet.constEnd()) {
        m_status->setText(tr("Select a watched service first."));
        return;
    }
    ingest::CaptureRequest request;
    request.service = service->name;
    request.baseUrl = service->baseUrl;
    request.pprofPath = service->paths.pprof;
    request.kind = kind;
    request.seconds = seconds;
    Entry e;
    e.ticket = m_session->capture(request);
    e.service = service->name;
    e.kind = kind;
    e.origin = tr("by hand");
    m_entries.push_back(e);
    trimEntries();
    m_status->setText(
        tr("%1 of %2: waiting for a capture slot (at most two at once)…").arg(kindLabel(kind), m_service));
    m_cancel->setEnabled(true);
    rebuildList();
}

void DiagnoseView::compareWithPeer()
{
    if (m_shown < 0) {
        m_status->setText(tr("Select a capture to compare first."));
        return;
    }
    const Entry shown = m_entries[static_cast<std::size_t>(m_shown)]; // a copy: m_entries grows below
    const auto sick = m_fleet.constFind(shown.service);
    if (sick == m_fleet.constEnd())
        return;
    const std::optional<QString> peer = analysis::pickHealthyPeer(*sick, m_fleetList, m_withFindings);
    if (!peer) {
        m_status->setText(tr("No healthy peer: every other service has findings, or there is none."));
        return;
    }
    const config::ServiceConfig &p = m_fleet[*peer];
    ingest::CaptureRequest request;
    request.service = p.name;
    request.baseUrl = p.baseUrl;
    request.pprofPath = p.paths.pprof;
    request.kind = shown.kind;
    request.seconds = shown.result ? shown.result->request.seconds : 0;
    Entry e;
    e.ticket = m_session->capture(request);
    e.service = p.name;
    e.kind = shown.kind;
    e.origin = tr("healthy peer of %1").arg(shown.service);
    e.comparePeerFor = true;
    m_pendingPeerFor = m_shown;
    m_entries.push_back(e);
    trimEntries();
    m_status->setText(tr("Capturing %1 of %2, the healthy peer most like %3 (%4 tier)…")
                          .arg(kindLabel(shown.kind), p.name, shown.service,
                               p.tier == config::Tier::Core ? tr("core") : tr("non-core")));
    m_cancel->setEnabled(true);
    rebuildList();
}

int DiagnoseView::entryOfTicket(quint64 ticket) const
{
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        if (m_entries[i].ticket == ticket)
            return static_cast<int>(i);
    }
    return -1;
}

void DiagnoseView::onCaptureStarted(quint64 ticket, qint64 expectedEndMs)
{
    const int i = entryOfTicket(ticket);
    if (i < 0)
        return;
    m_entries[static_cast<std::size_t>(i)].expectedEndMs = expectedEndMs;
    m_entries[static_cast<std::size_t>(i)].startedMs = m_session->clock().nowMs();
    m_progress->setVisible(true);
    m_countdown.start();
    tickCountdown();
}

void DiagnoseView::tickCountdown()
{
    const qint64 now = m_session ? m_session->clock().nowMs() : 0;
    for (const Entry &e : m_entries) {
        if (e.result || !e.ticket || e.expectedEndMs == 0)
            continue;
        const qint64 left = std::max<qint64>(0, e.expectedEndMs - now);
        if (left > 0) {
            const qint64 span = std::max<qint64>(1, e.expectedEndMs - e.startedMs);
            m_progress->setRange(0, 1000);
            m_progress->setValue(static_cast<int>(1000 - std::min<qint64>(1000, left * 1000 / span)));
            m_progress->setFormat(tr("%1 of %2: %3 s left").arg(kindLabel(e.kind), e.service).arg((left + 999) / 1000));
        } else {
            m_progress->setRange(0, 0); // busy: the response is on its way
            m_progress->setFormat(tr("%1 of %2: downloading").arg(kindLabel(e.kind), e.service));
        }
        return;
    }
    m_countdown.stop();
    m_progress->setVisible(false);
}

void DiagnoseView::onCaptureFinished(quint64 ticket, const ingest::CaptureResultPtr &result)
{
    const int i = entryOfTicket(ticket);
    if (i < 0)
        return;
    Entry &e = m_entries[static_cast<std::size_t>(i)];
    e.result = result;
    m_cancel->setEnabled(
        std::any_of(m_entries.begin(), m_entries.end(), [](const Entry &x) { return x.ticket && !x.result; }));
    tickCountdown();
    m_status->setText(result->ok() ? tr("%1 of %2 captured in %3 s (%4).")
                                         .arg(kindLabel(e.kind), e.service)
                                         .arg(static_cast<double>(result->durationMs) / 1000.0, 0, 'f', 1)
                                         .arg(formatBytes(static_cast<double>(result->body.size())))
                                   : tr("%1 of %2 failed: %3").arg(kindLabel(e.kind), e.service, result->error));
    emit captureFinished(e.service, result->error);
    rebuildList();
    if (!result->ok())
        return;
    if (e.comparePeerFor && m_pendingPeerFor >= 0) {
        const int sick = m_pendingPeerFor;
        m_pendingPeerFor = -1;
        show(sick, i); // the sick one against its healthy peer
    } else if (e.service == m_service) {
        show(i, -1);
    }
}

void DiagnoseView::onEvidence(const session::EvidencePtr &evidence)
{
    m_evidence.insert(evidence->key.toString(), evidence);
    const QString origin = tr("evidence of the %1").arg(FindingsModel::kindLabel(evidence->key.kind));
    for (const ingest::CaptureResultPtr &capture : evidence->captures) {
        const bool known
            = std::any_of(m_entries.begin(), m_entries.end(), [&](const Entry &e) { return e.result == capture; });
        if (known)
            continue;
        Entry e;
        e.service = evidence->key.service;
        e.kind = capture->request.kind;
        e.origin = origin;
        e.result = capture;
        m_entries.push_back(e);
    }
    trimEntries();
    rebuildList();
}

bool DiagnoseView::openEvidence(const analysis::FindingKey &key)
{
    const session::EvidencePtr evidence = m_evidence.value(key.toString());
    if (!evidence || evidence->captures.empty())
        return false;
    const auto indexOf = [this](const ingest::CaptureResultPtr &capture) {
        for (std::size_t i = 0; i < m_entries.size(); ++i) {
            if (m_entries[i].result == capture)
                return static_cast<int>(i);
        }
        return -1;
    };
    setService(key.service);
    const int newest = indexOf(evidence->captures.back());
    const int older = evidence->captures.size() > 1 ? indexOf(evidence->captures.front()) : -1;
    show(newest, older);
    // A single profile opens where it reads best: its flame graph; a pair,
    // the table of what changed.
    m_profile->showTab(older < 0 ? ProfileView::FlameTab : ProfileView::TopTab);
    return true;
}

void DiagnoseView::showExternalCapture(const ingest::CaptureResultPtr &capture, const QString &origin)
{
    Entry e;
    e.service = capture->request.service;
    e.kind = capture->request.kind;
    e.origin = origin;
    e.result = capture;
    e.external = true;
    m_entries.push_back(e);
    trimEntries();
    rebuildList();
    show(static_cast<int>(m_entries.size()) - 1, -1);
}

void DiagnoseView::addRecordedCapture(const ingest::CaptureResultPtr &capture)
{
    Entry e;
    e.service = capture->request.service;
    e.kind = capture->request.kind;
    e.origin = tr("recorded");
    e.result = capture;
    e.external = false;
    m_entries.push_back(e);
    trimEntries();
    rebuildList();
    if (e.service == m_service)
        show(static_cast<int>(m_entries.size()) - 1, -1);
}

void DiagnoseView::trimEntries()
{
    if (m_entries.size() <= kKeptCaptures + kTrimSlack)
        return;
    std::size_t excess = m_entries.size() - kKeptCaptures;
    std::vector<Entry> kept;
    kept.reserve(kKeptCaptures + 3);
    int shown = -1, base = -1, pending = -1;
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        const int old = static_cast<int>(i);
        const bool pinned = !m_entries[i].result || old == m_shown || old == m_shownBase || old == m_pendingPeerFor;
        if (excess > 0 && !pinned) {
            --excess; // the oldest go first
            continue;
        }
        const int now = static_cast<int>(kept.size());
        shown = old == m_shown ? now : shown;
        base = old == m_shownBase ? now : base;
        pending = old == m_pendingPeerFor ? now : pending;
        kept.push_back(std::move(m_entries[i]));
    }
    m_entries = std::move(kept);
    m_pendingPeerFor = pending;
    // The lists hold indices, and so does a view still opening: start again.
    if (shown >= 0) {
        show(shown, base);
    } else {
        m_shown = -1;
        m_shownBase = -1;
    }
}

void DiagnoseView::rebuildList()
{
    const QSignalBlocker block(m_list);
    m_list->clear();
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        const Entry &e = m_entries[i];
        // A peer's capture is listed with the service it was taken for.
        if (e.service != m_service && !e.external && !(e.comparePeerFor && e.origin.endsWith(m_service)))
            continue;
        auto *item = new QListWidgetItem(describe(e), m_list);
        item->setData(Qt::UserRole, static_cast<int>(i));
        item->setToolTip(e.result && !e.result->ok() ? e.result->error
                                                     : tr("%1 of %2 (%3)").arg(kindLabel(e.kind), e.service, e.origin));
        if (static_cast<int>(i) == m_shown)
            m_list->setCurrentItem(item);
    }
}

QString DiagnoseView::describe(const Entry &e) const
{
    const QString when = e.result ? clockTime(e.result->startedMs) : tr("now");
    const QString state = !e.result ? tr(", running…") : e.result->ok() ? QString() : tr(", failed");
    const QString who = e.service == m_service ? QString() : e.service + QStringLiteral(": ");
    // The origin in one word here; in full in the tooltip.
    const QString origin = e.external ? e.origin
        : e.ticket == 0               ? tr("evidence")
        : e.comparePeerFor            ? tr("peer")
                                      : tr("by hand");
    return QStringLiteral("%1  %2%3 · %4%5").arg(when, who, shortLabel(e.kind), origin, state);
}

void DiagnoseView::ensureOpened(int entry, std::function<void()> then)
{
    Entry &e = m_entries[static_cast<std::size_t>(entry)];
    if (e.opened || !e.result) {
        then();
        return;
    }
    auto *watcher = new QFutureWatcher<OpenedCapturePtr>(this);
    // By the capture, not the index: trimming may move entries meanwhile.
    connect(watcher, &QFutureWatcher<OpenedCapturePtr>::finished, this, [this, watcher, capture = e.result, then] {
        for (Entry &x : m_entries) {
            if (x.result == capture)
                x.opened = watcher->result();
        }
        watcher->deleteLater();
        then();
    });
    watcher->setFuture(QtConcurrent::run([capture = e.result] { return openCapture(capture); }));
}

void DiagnoseView::show(int entry, int base)
{
    if (entry < 0 || entry >= static_cast<int>(m_entries.size()))
        return;
    const quint64 generation = ++m_generation;
    m_shown = entry;
    m_shownBase = base;
    m_export->setEnabled(m_entries[static_cast<std::size_t>(entry)].result
                         && m_entries[static_cast<std::size_t>(entry)].result->ok());
    // The compare list: nothing, or another capture of the same kind.
    m_compare->clear();
    m_compare->addItem(tr("nothing"), -1);
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        const Entry &e = m_entries[i];
        if (static_cast<int>(i) != entry && e.kind == m_entries[static_cast<std::size_t>(entry)].kind && e.result
            && e.result->ok())
            m_compare->addItem(describe(e), static_cast<int>(i));
    }
    m_compare->setCurrentIndex(std::max(0, m_compare->findData(base)));
    rebuildList();
    ensureOpened(entry, [this, entry, base, generation] {
        if (base < 0) {
            if (generation == m_generation)
                showOpened(entry, -1);
            return;
        }
        ensureOpened(base, [this, entry, base, generation] {
            if (generation == m_generation)
                showOpened(entry, base);
        });
    });
}

void DiagnoseView::showOpened(int entry, int base)
{
    const Entry &e = m_entries[static_cast<std::size_t>(entry)];
    if (!e.result) {
        m_placeholder->setText(tr("Still capturing…"));
        m_stack->setCurrentWidget(m_placeholder);
        return;
    }
    const OpenedCapturePtr &opened = e.opened;
    if (!opened || !opened->error.isEmpty()) {
        m_placeholder->setText(tr("This capture cannot be shown:\n%1").arg(opened ? opened->error : e.result->error));
        m_stack->setCurrentWidget(m_placeholder);
        emit shown();
        return;
    }
    const OpenedCapturePtr baseOpened = base >= 0 ? m_entries[static_cast<std::size_t>(base)].opened : nullptr;
    QString title = tr("<b>%1</b> of <b>%2</b> at %3 (%4)")
                        .arg(kindLabel(e.kind), e.service, clockTime(e.result->startedMs), e.origin);
    if (baseOpened && baseOpened->error.isEmpty()) {
        const Entry &b = m_entries[static_cast<std::size_t>(base)];
        title += tr(" against %1 at %2")
                     .arg(b.service == e.service ? tr("the capture") : b.service, clockTime(b.result->startedMs));
    }
    if (opened->profile) {
        m_profile->setProfile(opened->profile, baseOpened ? baseOpened->profile : nullptr, title);
        m_stack->setCurrentWidget(m_profile);
    } else {
        m_goroutines->setDumps(opened, baseOpened, title);
        m_stack->setCurrentWidget(m_goroutines);
    }
    emit shown();
}

void DiagnoseView::exportSelected(const QString &path)
{
    if (m_shown < 0 || !m_entries[static_cast<std::size_t>(m_shown)].result)
        return;
    // Written off the GUI thread; the body is exactly what the service served.
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, path] {
        const QString error = watcher->result();
        watcher->deleteLater();
        m_status->setText(error.isEmpty() ? tr("Saved %1.").arg(path) : tr("Could not save: %1").arg(error));
        emit exported(path, error);
    });
    watcher->setFuture(QtConcurrent::run([body = m_entries[static_cast<std::size_t>(m_shown)].result->body, path] {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(body) != body.size() || !file.commit())
            return QStringLiteral("%1: %2").arg(path, file.errorString());
        return QString();
    }));
}

} // namespace gotriage::ui
