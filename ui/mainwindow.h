#pragma once

#include "config/fleetconfig.h"
#include "idlestep.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <deque>
#include <memory>
#include <utility>

class QAction;
class QComboBox;
class QDockWidget;
class QLabel;
class QLineEdit;
class QMenu;
class QSplitter;
class QTabWidget;
class QTableView;
class QToolBar;

namespace gotriage::config {
class FleetFileWatcher;
struct ActionCatalog;
} // namespace gotriage::config
namespace gotriage::triage {
class TriageSession;
}
namespace gotriage::analysis {
struct AnalysisSettings;
}
namespace gotriage::session {
class Session;
struct ServiceReport;
using ServiceReportPtr = std::shared_ptr<const ServiceReport>;
struct SessionBatch;
struct Evidence;
} // namespace gotriage::session
namespace gotriage::issues {
class IssuesModel;
}
namespace gotriage::scraping {
struct ScrapeResult;
}
namespace gotriage::store {
class SeriesStore;
}
namespace gotriage::record {
class Recorder;
class RecordingSource;
struct RecordingInfo;
} // namespace gotriage::record
namespace gotriage::sim {
class DemoFleetThread;
}

namespace gotriage::ui {

class DiagnoseView;
class FindingsModel;
class FleetGroupsModel;
class FleetOverviewModel;
class FleetSortProxy;
class PlayheadBar;
struct OpenedFile;
class ServiceDetailView;
class TriagePanel;
class TaskIndicator;
class TopServicesStrip;
class WarRoomBanner;

// The top-level window: the fleet overview (worst first), the selected
// service's charts and the Issues list. It wires models and views to the
// session it is given (one batch of reports per hub tick); scraping,
// parsing, analysis and file loading happen elsewhere, off the GUI thread.
// GUI thread only.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    static constexpr int kRefreshIntervalMs = 500; // coalesced repaint rate: data arrives about once a second

    // Takes the session (created by app/: live, or a replay of `replay`, its
    // source) and subscribes to it, then starts it.
    explicit MainWindow(std::unique_ptr<session::Session> session, record::RecordingSource *replay = nullptr,
                        QWidget *parent = nullptr);
    ~MainWindow() override;

    // Loads a fleet file (on a worker thread) and watches it for changes.
    void openFleetFile(const QString &path);
    // The session reads a Prometheus server (its source): the fleet is the
    // server's targets, as the source finds them.
    void watchPrometheus(const QUrl &server);
    // Opens what the file is, told by its content (read off the GUI
    // thread): a recording in a replay window of its own, a fleet file
    // here, a profile or a goroutine dump in the Diagnose tab.
    void openFile(const QString &path);
    // A replay window of the recording at `path`, playing at `rate`; it
    // deletes itself when closed.
    static MainWindow *openReplayWindow(const QString &path, double rate = 1.0);
    bool isReplay() const { return m_replay != nullptr; }
    PlayheadBar *playheadBar() const { return m_playhead; }
    // The post-incident report of this window's recording (the replayed
    // file, or the black box) into `dir`: built and saved off the GUI
    // thread, the charts drawn on it; reportWritten() tells how it went.
    void writeReport(const QString &dir);
    // Starts the built-in demo fleet and watches it; false if it could not start.
    bool startDemo(int services, QString *error);
    // `actions`: what the triage panel may do to them (none when not given).
    void watchServices(const std::vector<config::ServiceConfig> &services,
                       const config::ActionCatalog *actions = nullptr);
    void addServiceByUrl(const QUrl &url);
    // How much history the window keeps for the whole fleet.
    void setHistoryBudget(std::size_t bytes);
    // Before watching: analysis thresholds (the defaults, or fast ones for demos).
    void setAnalysisSettings(const analysis::AnalysisSettings &settings);
    // Records the session into `path` (created off the GUI thread), keeping
    // `retentionMs` of history (0: all): the black box.
    void startRecording(const QString &path, qint64 retentionMs);
    record::Recorder *recorder() const { return m_recorder.get(); }
    // Where the black box goes by default: the data folder's recordings/.
    static QString defaultRecordingPath();

    FleetOverviewModel *overviewModel() const { return m_overview; }
    // "store: …" line of the --measure report: samples held and memory per service-hour.
    QString storeSummary() const;
    // "startup: …" line of the --measure report when the fleet never got
    // populated: how many services have had no good report yet, and which.
    QString startupGapSummary() const;
    bool fleetPopulatedSent() const { return m_populatedSent; }
    // How long the window waits for every service's rates before it shows
    // what it has (firstDataAvailable); for the next fleet set.
    void setFirstDataTimeout(int ms) { m_firstDataTimeoutMs = ms; }
    // The service whose first report completed the fleet view: its name,
    // why it was down if it was, and why an earlier scrape found no free
    // connection if one did.
    QString lastToPopulate() const { return m_lastToPopulate; }
    // Services down at their first report (their row shows why).
    int downAtFirstReport() const { return m_downAtFirstReport; }
    issues::IssuesModel *issuesModel() const { return m_issues; }
    FindingsModel *findingsModel() const { return m_findings; }
    TaskIndicator *taskIndicator() const { return m_task; }
    // The session's history, readable from any thread (tests, reports).
    const store::SeriesStore &historyStore() const;
    ServiceDetailView *detailView() const { return m_detail; }
    DiagnoseView *diagnoseView() const { return m_diagnose; }
    TriagePanel *triagePanel() const { return m_triagePanel; }
    triage::TriageSession *triageSession() const { return m_triage; }
    // Where the audit log and the incidents are kept (the user's data
    // folder unless set before watching: tests keep theirs apart).
    static QString defaultDataDir();
    QTabWidget *detailTabs() const { return m_detailTabs; }
    QTableView *findingsView() const { return m_findingsView; }
    // Opens a finding's captured evidence in the Diagnose tab (what a click
    // on "ready" in the Findings list does); false when none is ready.
    bool openEvidence(int findingsRow);
    QTableView *overviewView() const { return m_overviewView; }
    // The fleet by a label's values or the tier ("" for none): a group list
    // beside the table, whose rows filter it.
    void setGroupKey(const QString &key);
    FleetGroupsModel *groupsModel() const { return m_groups; }
    QTableView *groupsView() const { return m_groupsView; }
    TopServicesStrip *topServices() const { return m_topServices; }
    void selectService(const QString &name);
    void showCommandPalette(); // Ctrl+K

    // War-room mode (F11, --war-room): full screen, large type, the
    // high-contrast colour-blind-safe scheme, and the banner with the
    // incident clock, its impact and the fleet's counts by severity.
    void setWarRoom(bool on);
    bool isWarRoom() const;
    // The window's size, docks and split as the user left them last time;
    // from then on they are saved when the window closes. Only the main
    // live window remembers (not replays, not tests).
    void restoreLayout();
    // Fleet files, recordings, profiles and dumps opened lately, newest first.
    static QStringList recentFiles();
    static void rememberRecentFile(const QString &path);

signals:
    void fleetLoaded();
    // A replay's recording is open (or could not be: `error`).
    void recordingOpened(const QString &error);
    void reportWritten(const QString &dir, const QString &error);
    // "Save incident" wrote `path`, or why not.
    void incidentSaved(const QString &path, const QString &error);
    // A file given to openFile() was opened, or why not.
    void fileOpened(const QString &path, const QString &error);
    // Every service has been scraped at least twice (rates are known), or
    // the wait for that gave up: the window shows what there is to show.
    void firstDataAvailable();
    // Every service of the fleet has a row with data (scraped once):
    // start-up, as the operator sees it, is over.
    void fleetPopulated();

protected:
    void resizeEvent(QResizeEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    // Makes this window a replay of `source` (its session's source): the
    // playhead bar, the recorded findings, no actions, notes saved in the
    // file. Before the session starts: the source says "opened" only once.
    void attachReplay(record::RecordingSource *source);
    void fitOverviewColumns();
    void setUpFleetFilter(QToolBar *toolbar);
    void fitSplitter();
    void onFleetLoaded(const config::FleetConfig &fleet, bool isReload);
    // The fleet file's "prometheus": the services' past is read from it.
    void readHistoryFrom(const std::optional<config::HistoryServer> &server);
    void onBatch(const session::SessionBatch &batch);
    void onReport(const session::ServiceReport &report, qint64 nowMs);
    void notePopulating(const scraping::ScrapeResult &scrape);
    void applyPendingReports();
    void onRefreshTimer();
    void onEvidence(const std::shared_ptr<const session::Evidence> &evidence);
    void onSelectionChanged();
    void promptAddService();
    void chooseFile();
    void onFileRead(const OpenedFile &file);
    void onRecordingOpened(const std::shared_ptr<const record::RecordingInfo> &info);
    void addReplayNote();
    void saveIncident();
    void chooseReportFolder();
    void showImportDialog(); // File → Import from Prometheus; the result opens for replay
    void updateStatus();
    void makeTriageMenu();
    void makeServiceMenu(); // mainwindowkeys.cpp: single keys on the service shown
    void setUpKeyboard(QMenu *viewMenu, QMenu *helpMenu); // mainwindowkeys.cpp
    void moveSelection(int delta); // the fleet table's selection, by rows as shown
    // mainwindowfleet.cpp
    QWidget *makeFleetPane();
    void setUpGrouping(QToolBar *toolbar);
    void fillGroupKeys();
    void showGroupOfFilter();
    void refreshFleetPane();
    // mainwindowview.cpp
    void setUpViewMenu(QMenu *viewMenu);
    void updateWarRoomBanner(qint64 nowMs);
    void rotateToNextSickService();
    void fitToType();
    void spreadOverScreens(); // the war room on several screens: a window and a role each
    void gatherFromScreens();
    void saveLayout() const;
    void fillRecentMenu(QMenu *menu);
    void watchChartExports(); // mainwindowfiles.cpp

    std::unique_ptr<sim::DemoFleetThread> m_demo;
    std::unique_ptr<session::Session> m_session;
    std::unique_ptr<record::Recorder> m_recorder; // after the session: its hub feeds it
    config::FleetFileWatcher *m_fleetFile;
    issues::IssuesModel *m_issues;
    FleetOverviewModel *m_overview;
    FleetSortProxy *m_proxy;
    QTableView *m_overviewView;
    QLineEdit *m_filter = nullptr;
    QLabel *m_filterCount = nullptr;
    FleetGroupsModel *m_groups = nullptr;
    QTableView *m_groupsView = nullptr;
    QComboBox *m_groupBy = nullptr;
    TopServicesStrip *m_topServices = nullptr;
    ServiceDetailView *m_detail;
    DiagnoseView *m_diagnose;
    triage::TriageSession *m_triage;
    TriagePanel *m_triagePanel;
    QTabWidget *m_detailTabs;
    QTableView *m_issuesView;
    QDockWidget *m_issuesDock;
    FindingsModel *m_findings;
    QTableView *m_findingsView;
    QDockWidget *m_findingsDock;
    QLabel *m_statusLabel;
    QLabel *m_incidentStatus;
    TaskIndicator *m_task; // the status bar's long task: progress and Cancel
    QTimer m_refresh;
    // The Findings table is rebuilt from the reports applied since, twice a
    // second, half-way between refreshes: per slice of reports it was a
    // third of the slice, and with the refresh it made one long handler.
    QTimer m_findingsRefresh;
    QTimer m_firstDataTimeout;
    int m_firstDataTimeoutMs = 15000;
    bool m_overviewHadFindings = false;
    QSplitter *m_splitter = nullptr;
    bool m_splitterMovedByUser = false;
    bool m_detailDirty = false;
    qint64 m_lastDetailRefreshMs = 0;
    bool m_firstDataSent = false;
    QUrl m_prometheus; // the server the session reads, if it does
    QString m_sourceProblem; // the source's own trouble, as it last said
    QUrl m_historyServer; // the fleet file's server the services' past is read from
    QString m_historyProblem; // its trouble, as it last said
    bool m_populatedSent = false;
    QString m_lastToPopulate;
    QHash<QString, QString> m_congestedBeforeData; // service → its error, until populated
    QSet<QString> m_firstReports; // services with a first report (data, or down)
    int m_downAtFirstReport = 0;
    int m_fleetsSet = 0; // for startupGapSummary()
    QElapsedTimer m_sinceFleetSet;
    qint64 m_upReports = 0;
    QHash<QString, int> m_goodReports;
    qsizetype m_servicesReportedTwice = 0;
    // Reports not yet applied: a large batch is applied a frame's share at a time.
    struct PendingReport {
        session::ServiceReportPtr report;
        qint64 nowMs = 0;
    };
    std::deque<PendingReport> m_pendingReports;
    IdleStep m_applyRest{this, QStringLiteral("applyReports"), [this] { applyPendingReports(); }};
    record::RecordingSource *m_replay = nullptr; // owned by the session
    PlayheadBar *m_playhead = nullptr;
    qint64 m_dataNowMs = 0; // the newest batch's clock
    WarRoomBanner *m_warRoomBanner = nullptr;
    QAction *m_warRoomAction = nullptr;
    QAction *m_rotateAction = nullptr;
    QTimer m_rotation;
    int m_schemeBeforeWarRoom = 0;
    bool m_wasMaximized = false;
    std::pair<bool, bool> m_docksBeforeWarRoom{true, true}; // findings, issues
    bool m_remembersLayout = false;
    QPointer<QWidget> m_detailScreen; // the war room's second and third screens, while it lasts
    QPointer<QWidget> m_triageScreen;
};

} // namespace gotriage::ui
