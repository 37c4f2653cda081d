#pragma once

#include "analysis/finding.h"
#include "capturedocument.h"
#include "config/fleetconfig.h"
#include "session/evidence.h"

#include <QHash>
#include <QSet>
#include <QTimer>
#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace gotriage::session {
class Session;
}

namespace gotriage::ui {

class GoroutineView;
class ProfileView;

// Step two of the triage for the selected service: capture a profile or a
// goroutine dump (with a countdown and cancel), see the captures, the
// evidence gotriage took by itself, and open any of them as a top table,
// flame graph or goroutine groups, alone or against an earlier capture or
// a healthy peer. Decoding runs off the GUI thread. GUI thread only.
class DiagnoseView : public QWidget
{
    Q_OBJECT

public:
    explicit DiagnoseView(session::Session *session, QWidget *parent = nullptr);

    void setService(const QString &name);
    void setFleet(const std::vector<config::ServiceConfig> &services);
    void addService(const config::ServiceConfig &service);
    void setServicesWithFindings(const QSet<QString> &services) { m_withFindings = services; }
    void onEvidence(const session::EvidencePtr &evidence);
    // Opens a finding's evidence (its goroutine diff, heap diff or flame
    // graph); false when none is ready.
    bool openEvidence(const analysis::FindingKey &key);
    // A capture that came from elsewhere (a file opened, a recording's
    // capture at its moment): listed whatever the selected service, and shown.
    void showExternalCapture(const ingest::CaptureResultPtr &capture, const QString &origin);
    // A replay's capture reached by the playhead: listed under its service,
    // and shown when that service is the one on screen.
    void addRecordedCapture(const ingest::CaptureResultPtr &capture);
    session::EvidencePtr evidence(const analysis::FindingKey &key) const { return m_evidence.value(key.toString()); }

    // Captures of `kind` from the current service, or a healthy peer's.
    void captureNow(ingest::CaptureKind kind, int seconds = 0);
    void compareWithPeer();
    void exportSelected(const QString &path);

    GoroutineView *goroutineView() const { return m_goroutines; }
    ProfileView *profileView() const { return m_profile; }
    int captureCount() const { return static_cast<int>(m_entries.size()); }
    QString status() const;
    // "goroutine dump", "heap profile": what the list and the Findings column call a capture.
    static QString captureLabel(ingest::CaptureKind kind, int count = 1);

signals:
    void shown(); // a capture (or a pair) is on screen
    void captureFinished(const QString &service, const QString &error);
    void exported(const QString &path, const QString &error);

private:
    struct Entry {
        quint64 ticket = 0; // the session's, or 0 for evidence
        QString service;
        ingest::CaptureKind kind = ingest::CaptureKind::Heap;
        QString origin; // "by hand", "evidence: goroutine leak", "healthy peer of api-1"
        ingest::CaptureResultPtr result; // null while it runs
        OpenedCapturePtr opened;
        qint64 startedMs = 0; // left the capture queue
        qint64 expectedEndMs = 0;
        bool comparePeerFor = false; // a peer's capture: compare the selected one against it when in
        bool external = false; // openCapture(): listed for every service
    };

    void onCaptureStarted(quint64 ticket, qint64 expectedEndMs);
    void onCaptureFinished(quint64 ticket, const ingest::CaptureResultPtr &result);
    void rebuildList();
    // Captures kept in memory: the newest kKeptCaptures, and any that is
    // running or on screen. Evidence goes on arriving through a long
    // incident; the recording keeps every capture.
    static constexpr std::size_t kKeptCaptures = 100;
    static constexpr std::size_t kTrimSlack = 20; // trimmed in batches: indices move, views reopen
    void trimEntries();
    void show(int entry, int base);
    void showOpened(int entry, int base);
    void ensureOpened(int entry, std::function<void()> then);
    void tickCountdown();
    int entryOfTicket(quint64 ticket) const;
    QString describe(const Entry &e) const;

    session::Session *m_session;
    QString m_service;
    QHash<QString, config::ServiceConfig> m_fleet;
    std::vector<config::ServiceConfig> m_fleetList;
    QSet<QString> m_withFindings;
    QHash<QString, session::EvidencePtr> m_evidence; // by finding key
    std::vector<Entry> m_entries;
    int m_shown = -1;
    int m_shownBase = -1;
    int m_pendingPeerFor = -1; // the entry to compare against the peer's capture
    quint64 m_generation = 0; // an older open's result arriving late is dropped

    QComboBox *m_kind;
    QSpinBox *m_seconds;
    QPushButton *m_capture;
    QPushButton *m_cancel;
    QPushButton *m_peer;
    QPushButton *m_export;
    QProgressBar *m_progress;
    QLabel *m_status;
    QListWidget *m_list;
    QComboBox *m_compare;
    QStackedWidget *m_stack;
    QLabel *m_placeholder;
    ProfileView *m_profile;
    GoroutineView *m_goroutines;
    QTimer m_countdown;
};

} // namespace gotriage::ui
