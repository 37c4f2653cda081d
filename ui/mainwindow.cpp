#include "mainwindow.h"

#include "appearance.h"
#include "auditlogdialog.h"
#include "common/clock.h"
#include "common/logging.h"
#include "config/actioncatalog.h"
#include "config/fleetfilewatcher.h"
#include "diagnoseview.h"
#include "findingsmodel.h"
#include "fleetoverviewmodel.h"
#include "ingest/promsource.h"
#include "issues/issuesmodel.h"
#include "issues/scrapeissues.h"
#include "issuesstyleproxy.h"
#include "palette.h"
#include "record/recorder.h"
#include "servicedetailview.h"
#include "session/evidence.h"
#include "session/session.h"
#include "session/sessionhub.h"
#include "sim/demofleet.h"
#include "sparklinedelegate.h"
#include "store/seriesstore.h"
#include "taskindicator.h"
#include "textcelldelegate.h"
#include "topservicesstrip.h"
#include "triage/triagesession.h"
#include "triagepanel.h"
#include "version.h"
#include "vitalformat.h"
#include "warroombanner.h"

#include <QAction>
#include <QDateTime>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QScopeGuard>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTabWidget>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>

namespace gotriage::ui {

namespace {

const QString kFleetFileService = QStringLiteral("(fleet file)");

} // namespace

MainWindow::MainWindow(std::unique_ptr<session::Session> session, record::RecordingSource *replay, QWidget *parent)
    : QMainWindow(parent)
    , m_session(std::move(session))
    , m_fleetFile(new config::FleetFileWatcher(this))
    , m_issues(new issues::IssuesModel(this))
    , m_overview(new FleetOverviewModel(&m_session->store(), this))
    , m_proxy(new FleetSortProxy(this))
    , m_overviewView(new QTableView(this))
    , m_detail(new ServiceDetailView(&m_session->store(), this))
    , m_diagnose(new DiagnoseView(m_session.get(), this))
    , m_triage(new triage::TriageSession(m_session.get(), defaultDataDir(), this))
    , m_triagePanel(new TriagePanel(m_triage, this))
    , m_detailTabs(new QTabWidget(this))
    , m_issuesView(new QTableView(this))
    , m_issuesDock(new QDockWidget(tr("Issues"), this))
    , m_findings(new FindingsModel(this))
    , m_findingsView(new QTableView(this))
    , m_findingsDock(new QDockWidget(tr("Findings"), this))
    , m_statusLabel(new QLabel(this))
    , m_incidentStatus(new QLabel(this))
    , m_task(new TaskIndicator(this))
{
    setWindowTitle(QStringLiteral("gotriage"));
    resize(1440, 900);
    setAcceptDrops(true);

    m_proxy->setSourceModel(m_overview);
    m_proxy->setDynamicSortFilter(true);
    m_proxy->sort(0);
    m_overviewView->setModel(m_proxy);
    m_overviewView->setItemDelegate(new TextCellDelegate(m_overviewView));
    auto *sparklines = new SparklineDelegate(m_overviewView);
    for (int column = FleetOverviewModel::CpuColumn; column < FleetOverviewModel::ColumnCount; ++column)
        m_overviewView->setItemDelegateForColumn(column, sparklines);
    m_overviewView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_overviewView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_overviewView->verticalHeader()->hide();
    m_overviewView->verticalHeader()->setDefaultSectionSize(30);
    m_overviewView->setShowGrid(false);
    m_overviewView->setWordWrap(false);
    QHeaderView *header = m_overviewView->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Stretch);
    header->setSectionResizeMode(FleetOverviewModel::ServiceColumn, QHeaderView::Interactive);
    header->setSectionResizeMode(FleetOverviewModel::HealthColumn, QHeaderView::Interactive);
    header->setSectionResizeMode(FleetOverviewModel::AgeColumn, QHeaderView::Interactive);
    header->setSectionResizeMode(FleetOverviewModel::FindingsColumn, QHeaderView::Interactive);
    header->resizeSection(FleetOverviewModel::ServiceColumn, 170);
    header->resizeSection(FleetOverviewModel::HealthColumn, 80);
    header->resizeSection(FleetOverviewModel::AgeColumn, 90);
    fitOverviewColumns();

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->addWidget(makeFleetPane());
    // Step two of the triage sits beside the charts: the same service,
    // its captures and the evidence taken by itself.
    m_detailTabs->addTab(m_detail, tr("Charts"));
    m_detailTabs->addTab(m_diagnose, tr("Diagnose"));
    // The three steps, fleet-wide: what to shed first, what was done.
    m_detailTabs->addTab(m_triagePanel, tr("Triage"));
    m_detailTabs->setDocumentMode(true);
    m_splitter->addWidget(m_detailTabs);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setSizes({300, 600});
    // The incident gotriage suggests sits above everything, one click away.
    auto *central = new QWidget(this);
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    m_warRoomBanner = new WarRoomBanner(central);
    m_warRoomBanner->hide();
    centralLayout->addWidget(m_warRoomBanner);
    centralLayout->addWidget(m_triagePanel->suggestionBar());
    centralLayout->addWidget(m_splitter, 1);
    setCentralWidget(central);
    connect(m_triagePanel, &TriagePanel::incidentOpened, this,
            [this] { m_detailTabs->setCurrentWidget(m_triagePanel); });
    connect(m_detailTabs, &QTabWidget::currentChanged, this, &MainWindow::fitSplitter);
    connect(m_triagePanel, &TriagePanel::markersChanged, this, [this] {
        m_detail->setMarkers(m_triagePanel->markers());
        m_detailDirty = true;
    });
    connect(m_triage, &triage::TriageSession::problem, this, [this](const QString &text) {
        m_issues->report(QStringLiteral("(triage)"), QStringLiteral("triage"), text,
                         issues::IssuesModel::Severity::Error, m_session->clock().nowMs());
    });
    connect(m_splitter, &QSplitter::splitterMoved, this, [this] { m_splitterMovedByUser = true; });

    auto *issuesStyle = new IssuesStyleProxy(this);
    issuesStyle->setSourceModel(m_issues);
    m_issuesView->setModel(issuesStyle);
    m_issuesView->setItemDelegate(new TextCellDelegate(m_issuesView));
    m_issuesView->verticalHeader()->hide();
    m_issuesView->setShowGrid(false);
    m_issuesView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_issuesView->horizontalHeader()->setStretchLastSection(false);
    m_issuesView->horizontalHeader()->setSectionResizeMode(issues::IssuesModel::ProblemColumn, QHeaderView::Stretch);
    m_issuesDock->setObjectName(QStringLiteral("issuesDock"));
    m_issuesDock->setWidget(m_issuesView);
    addDockWidget(Qt::BottomDockWidgetArea, m_issuesDock);

    m_findingsView->setModel(m_findings);
    m_findingsView->setItemDelegate(new TextCellDelegate(m_findingsView));
    m_findingsView->verticalHeader()->hide();
    m_findingsView->setShowGrid(false);
    m_findingsView->setWordWrap(false);
    m_findingsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_findingsView->horizontalHeader()->setSectionResizeMode(FindingsModel::EvidenceColumn, QHeaderView::Stretch);
    m_findingsView->horizontalHeader()->resizeSection(FindingsModel::ServiceColumn, 150);
    m_findingsView->horizontalHeader()->resizeSection(FindingsModel::KindColumn, 140);
    m_findingsView->horizontalHeader()->resizeSection(FindingsModel::NextStepColumn, 300);
    m_findingsDock->setObjectName(QStringLiteral("findingsDock"));
    m_findingsDock->setWidget(m_findingsView);
    addDockWidget(Qt::BottomDockWidgetArea, m_findingsDock);
    tabifyDockWidget(m_issuesDock, m_findingsDock);
    m_findingsDock->raise();
    connect(m_findingsView, &QTableView::doubleClicked, this,
            [this](const QModelIndex &index) { selectService(m_findings->services(index.row()).constFirst()); });
    m_findingsView->horizontalHeader()->resizeSection(FindingsModel::CapturedColumn, 250);
    // One click on "ready" opens the evidence.
    connect(m_findingsView, &QTableView::clicked, this, [this](const QModelIndex &index) {
        if (index.column() == FindingsModel::CapturedColumn)
            openEvidence(index.row());
    });
    connect(m_session.get(), &session::Session::evidenceChanged, this, &MainWindow::onEvidence);
    resizeDocks({m_issuesDock}, {150}, Qt::Vertical);

    QToolBar *toolbar = addToolBar(tr("Fleet"));
    toolbar->setObjectName(QStringLiteral("fleetToolbar"));
    toolbar->setMovable(false);
    QAction *open = toolbar->addAction(tr("Open…"), this, &MainWindow::chooseFile);
    open->setToolTip(tr("Open a fleet file, a recording, a profile or a goroutine dump (Ctrl+O)"));
    open->setShortcut(QKeySequence::Open);
    QAction *add = toolbar->addAction(tr("Add service…"), this, &MainWindow::promptAddService);
    add->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_N));
    toolbar->addSeparator();
    setUpFleetFilter(toolbar);
    setUpGrouping(toolbar);

    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    fileMenu->addAction(open);
    QMenu *recent = fileMenu->addMenu(tr("Open &recent"));
    recent->setObjectName(QStringLiteral("recentMenu"));
    connect(recent, &QMenu::aboutToShow, this, [this, recent] { fillRecentMenu(recent); });
    fileMenu->addAction(add);
    fileMenu->addAction(tr("&Save incident…"), QKeySequence::Save, this, &MainWindow::saveIncident);
    fileMenu->addAction(tr("Write &report…"), this, &MainWindow::chooseReportFolder);
    fileMenu->addAction(tr("&Import from Prometheus…"), this, &MainWindow::showImportDialog);
    fileMenu->addSeparator();
    QAction *quit = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    QMenu *viewMenu = menuBar()->addMenu(tr("&View"));
    viewMenu->addAction(m_findingsDock->toggleViewAction());
    viewMenu->addAction(m_issuesDock->toggleViewAction());
    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(tr("&About gotriage"), this, [this] {
        QMessageBox::about(this, tr("About gotriage"),
                           tr("<b>gotriage %1</b><p>An incident dashboard for fleets of Go services.</p>")
                               .arg(QString::fromLatin1(kVersion)));
    });
    setUpViewMenu(viewMenu);
    watchChartExports();
    setUpKeyboard(viewMenu, helpMenu);
    m_statusLabel->setObjectName(QStringLiteral("statusText"));
    statusBar()->addWidget(m_statusLabel, 1);
    followAppearance(m_incidentStatus, [] {
        return QStringLiteral("font-weight: bold; color: %1; padding: 0 8px;").arg(palette::colours().warning.name());
    });
    m_incidentStatus->setObjectName(QStringLiteral("incidentStatus"));
    statusBar()->addPermanentWidget(m_task);
    statusBar()->addPermanentWidget(m_incidentStatus);
    makeServiceMenu();
    makeTriageMenu();
    // Help comes last, as on every desktop.
    menuBar()->removeAction(helpMenu->menuAction());
    menuBar()->addAction(helpMenu->menuAction());

    connect(m_session.get(), &session::Session::batchReady, this,
            [this](const session::SessionBatchPtr &batch) { onBatch(*batch); });
    connect(m_fleetFile, &config::FleetFileWatcher::fleetLoaded, this, &MainWindow::onFleetLoaded);
    connect(m_session.get(), &session::Session::sourceProblem, this, [this](const QString &message) {
        m_sourceProblem = message;
        updateStatus();
    });
    connect(m_session.get(), &session::Session::historyProblem, this, [this](const QString &message) {
        m_historyProblem = message;
        updateStatus();
    });
    connect(m_overviewView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::onSelectionChanged);
    m_refresh.setInterval(kRefreshIntervalMs);
    connect(&m_refresh, &QTimer::timeout, this, &MainWindow::onRefreshTimer);
    m_refresh.start();
    m_findingsRefresh.setInterval(kRefreshIntervalMs);
    connect(&m_findingsRefresh, &QTimer::timeout, this, [this] {
        m_findings->setDeferred(false); // rebuilds if reports changed it
        m_findings->setDeferred(true);
    });
    QTimer::singleShot(kRefreshIntervalMs / 2, this, [this] { m_findingsRefresh.start(); });
    m_firstDataTimeout.setSingleShot(true);
    connect(&m_firstDataTimeout, &QTimer::timeout, this, [this] {
        if (!m_firstDataSent) {
            m_firstDataSent = true;
            emit firstDataAvailable();
        }
    });
    updateStatus();
    if (replay)
        attachReplay(replay);
    m_session->start();
}

MainWindow::~MainWindow()
{
    gatherFromScreens(); // the war room's other screens hold widgets of this window
    // The triage runner lives in the session's ingest thread: it goes first.
    delete m_triagePanel;
    delete m_triage;
    // The session's pollers scrape the demo fleet: stop them before it goes.
    m_session.reset();
    m_recorder.reset(); // writes what is queued; nothing feeds it any more
    m_demo.reset();
}

void MainWindow::openFleetFile(const QString &path)
{
    m_statusLabel->setText(tr("Loading %1…").arg(path));
    m_fleetFile->load(path);
}

void MainWindow::watchPrometheus(const QUrl &server)
{
    m_prometheus = server;
    setWindowTitle(QStringLiteral("gotriage — %1").arg(server.toString(QUrl::RemoveUserInfo)));
    // Each time the targets change; services kept keep their history.
    connect(m_session.get(), &session::Session::servicesFound, this,
            [this](const std::vector<config::ServiceConfig> &services) { watchServices(services); });
    updateStatus();
}

bool MainWindow::startDemo(int services, QString *error)
{
    m_demo = std::make_unique<sim::DemoFleetThread>();
    if (!m_demo->start(services, error)) {
        m_demo.reset();
        return false;
    }
    setWindowTitle(QStringLiteral("gotriage — demo fleet"));
    watchServices(m_demo->services(), &m_demo->actions());
    return true;
}

void MainWindow::watchServices(const std::vector<config::ServiceConfig> &services, const config::ActionCatalog *actions)
{
    QElapsedTimer taking; // for the debug log: a server's 10 000 targets are taken at once
    taking.start();
    // A set: a server's 10 000 targets are looked up against it, twice.
    QSet<QString> kept;
    kept.reserve(static_cast<qsizetype>(services.size()));
    for (const config::ServiceConfig &service : services)
        kept.insert(service.name);
    for (const config::ServiceConfig &old : m_triage->services()) {
        if (!kept.contains(old.name))
            m_triagePanel->forgetService(old.name);
    }
    m_triage->setFleet(services, actions ? *actions : config::ActionCatalog{});
    if (m_recorder)
        m_recorder->setServices(services);
    for (const QString &name : m_findings->servicesWithFindings()) {
        if (!kept.contains(name))
            m_findings->removeService(name);
    }
    m_overview->setServices(services);
    fillGroupKeys();
    fitSplitter();
    m_session->setServices(services);
    m_diagnose->setFleet(services);
    m_goodReports.clear();
    m_firstReports.clear();
    m_downAtFirstReport = 0;
    ++m_fleetsSet;
    m_sinceFleetSet.start();
    m_servicesReportedTwice = 0;
    m_firstDataSent = false;
    m_firstDataTimeout.start(m_firstDataTimeoutMs);
    if (!services.empty() && m_detail->service().isEmpty())
        selectService(services.front().name);
    qCDebug(lcUi) << "took a fleet of" << services.size() << "services in" << taking.elapsed() << "ms";
    emit fleetLoaded();
}

void MainWindow::resizeEvent(QResizeEvent *event)
{
    QMainWindow::resizeEvent(event);
    fitOverviewColumns();
    // The splitter gets its new height after this event: fit it then.
    QMetaObject::invokeMethod(this, &MainWindow::fitSplitter, Qt::QueuedConnection);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    QMainWindow::closeEvent(event);
}

void MainWindow::fitSplitter()
{
    // A small fleet's table takes the rows it has, the charts the rest; a
    // large one gets at most 40 % of the height, and a quarter while the
    // triage panel is shown (the worst services are on top anyway).
    if (m_splitterMovedByUser)
        return; // the operator's choice stands
    const QList<int> sizes = m_splitter->sizes();
    const int total = sizes.value(0) + sizes.value(1);
    if (total <= 0)
        return;
    const int rows = m_overview->rowCount();
    const int wanted = m_overviewView->horizontalHeader()->sizeHint().height()
        + std::max(rows, 3) * m_overviewView->verticalHeader()->defaultSectionSize() + 2 * m_overviewView->frameWidth()
        + 12 + (m_topServices->isVisible() ? m_topServices->sizeHint().height() : 0);
    const bool triage = m_detailTabs->currentWidget() == m_triagePanel;
    const int table = std::min(wanted, triage ? total / 4 : total * 2 / 5);
    m_splitter->setSizes({table, total - table});
}

void MainWindow::setUpFleetFilter(QToolBar *toolbar)
{
    // With hundreds of services, the operator narrows the table by name,
    // label, tier or health; the worst still come first.
    m_filter = new QLineEdit(toolbar);
    m_filter->setObjectName(QStringLiteral("fleetFilter"));
    m_filter->setPlaceholderText(tr("Filter: name, team=payments, tier=core, down, -healthy  (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    const int placeholderWidth = m_filter->fontMetrics().horizontalAdvance(m_filter->placeholderText());
    m_filter->setMinimumWidth(placeholderWidth + 40);
    m_filter->setMaximumWidth(placeholderWidth * 3 / 2);
    m_filter->setToolTip(tr("Words that must all match: part of a name, label=value, a tier, a health (up, "
                            "stale, down, pending); -word leaves matches out. Escape clears."));
    toolbar->addWidget(m_filter);
    m_filterCount = new QLabel(toolbar);
    m_filterCount->setContentsMargins(8, 0, 8, 0);
    toolbar->addWidget(m_filterCount);
    auto *find = new QAction(tr("Filter services"), this);
    find->setShortcut(QKeySequence::Find);
    connect(find, &QAction::triggered, m_filter, [this] {
        m_filter->setFocus(Qt::ShortcutFocusReason);
        m_filter->selectAll();
    });
    addAction(find);
    auto *clear = new QAction(m_filter);
    clear->setShortcut(Qt::Key_Escape);
    clear->setShortcutContext(Qt::WidgetShortcut);
    connect(clear, &QAction::triggered, m_filter, &QLineEdit::clear);
    m_filter->addAction(clear);
    const auto count = [this] {
        m_filterCount->setText(m_proxy->filterWords().isEmpty()
                                   ? QString()
                                   : tr("%1 of %2 services").arg(m_proxy->rowCount()).arg(m_overview->rowCount()));
    };
    connect(m_filter, &QLineEdit::textChanged, this, [this, count](const QString &text) {
        m_proxy->setFilterWords(text);
        count();
    });
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, count);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, count);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, count);
}

void MainWindow::fitOverviewColumns()
{
    // On a narrow window the text columns give up width first (Findings
    // elides, and the Findings panel has the whole text), so that each
    // vital keeps room for its number and a sparkline. An empty Findings
    // column keeps only its header's width.
    // Widths in pixels at the platform's type size, grown with the type.
    const double scale = Appearance::instance().typeScale();
    const auto px = [scale](int width) { return static_cast<int>(width * scale); };
    const int kVitalWidth = px(96);
    QHeaderView *header = m_overviewView->horizontalHeader();
    const QFontMetrics metrics(header->font());
    const auto headerWidth = [&](int column) {
        return metrics.horizontalAdvance(m_overview->headerData(column, Qt::Horizontal).toString()) + 24;
    };
    const bool narrow = width() < 1280;
    header->resizeSection(FleetOverviewModel::ServiceColumn, px(narrow ? 140 : 170));
    header->resizeSection(FleetOverviewModel::HealthColumn,
                          std::max(headerWidth(FleetOverviewModel::HealthColumn), px(80)));
    header->resizeSection(FleetOverviewModel::AgeColumn, std::max(headerWidth(FleetOverviewModel::AgeColumn), px(80)));
    int fixed = 0;
    for (int column :
         {FleetOverviewModel::ServiceColumn, FleetOverviewModel::HealthColumn, FleetOverviewModel::AgeColumn})
        fixed += header->sectionSize(column);
    const int vitals = FleetOverviewModel::ColumnCount - FleetOverviewModel::CpuColumn;
    const int spare = m_overviewView->viewport()->width() - fixed - vitals * kVitalWidth;
    const int findingsMin = headerWidth(FleetOverviewModel::FindingsColumn);
    const int findingsMax = m_overview->anyFindings() ? px(300) : findingsMin;
    header->resizeSection(FleetOverviewModel::FindingsColumn,
                          std::clamp(spare, findingsMin, std::max(findingsMin, findingsMax)));
}

void MainWindow::onFleetLoaded(const config::FleetConfig &fleet, bool isReload)
{
    m_issues->resolve(kFleetFileService, QStringLiteral("config"));
    for (const config::ConfigProblem &problem : fleet.problems) {
        m_issues->report(kFleetFileService, QStringLiteral("config"), problem.toString(),
                         problem.isError ? issues::IssuesModel::Severity::Error
                                         : issues::IssuesModel::Severity::Warning,
                         m_session->clock().nowMs());
    }
    if (fleet.actions) {
        for (const config::ConfigProblem &problem : fleet.actions->problems) {
            m_issues->report(kFleetFileService, QStringLiteral("config"), problem.toString(),
                             problem.isError ? issues::IssuesModel::Severity::Error
                                             : issues::IssuesModel::Severity::Warning,
                             m_session->clock().nowMs());
        }
    }
    // A broken edit must not blank the war-room screen: keep watching what
    // was there when a reload yields nothing usable.
    if (isReload && fleet.services.empty())
        return;
    qCDebug(lcUi) << "watching" << fleet.services.size() << "services from" << m_fleetFile->path();
    setWindowTitle(QStringLiteral("gotriage — %1").arg(QFileInfo(m_fleetFile->path()).fileName()));
    watchServices(fleet.services, fleet.actions.get());
    readHistoryFrom(fleet.historyServer);
}

void MainWindow::readHistoryFrom(const std::optional<config::HistoryServer> &server)
{
    // Only a live session scraping for itself: a replay has its own past,
    // and a session on a server already reads its history from it.
    if (!server || server->url == m_historyServer || !m_session->canCapture() || m_prometheus.isValid())
        return;
    m_historyServer = server->url;
    ingest::PrometheusSource::Settings settings;
    settings.server = server->url;
    settings.backfill = server->backfill;
    settings.historyOnly = true;
    m_session->setHistorySource(std::make_unique<ingest::PrometheusSource>(settings, &m_session->clock()));
    qCDebug(lcUi) << "reading the services' history from" << server->url.toString(QUrl::RemoveUserInfo);
}

void MainWindow::addServiceByUrl(const QUrl &url)
{
    config::ServiceConfig service;
    service.name = url.port() > 0 ? QStringLiteral("%1:%2").arg(url.host()).arg(url.port()) : url.host();
    service.baseUrl = url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment);
    m_overview->addService(service);
    fillGroupKeys();
    m_session->addService(service);
    m_diagnose->addService(service);
    selectService(service.name);
}

void MainWindow::promptAddService()
{
    bool ok = false;
    const QString text
        = QInputDialog::getText(this, tr("Add service"), tr("Base URL of a Go service (serving /metrics):"),
                                QLineEdit::Normal, QStringLiteral("http://127.0.0.1:8080"), &ok);
    if (!ok || text.trimmed().isEmpty())
        return;
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty()
        || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
        m_statusLabel->setText(tr("Not an http:// or https:// URL: %1").arg(text));
        return;
    }
    addServiceByUrl(url);
}

void MainWindow::selectService(const QString &name)
{
    const int sourceRow = m_overview->rowOf(name);
    if (sourceRow < 0)
        return;
    const QModelIndex index = m_proxy->mapFromSource(m_overview->index(sourceRow, 0));
    m_overviewView->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void MainWindow::onSelectionChanged()
{
    const QModelIndexList rows = m_overviewView->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return;
    const int sourceRow = m_proxy->mapToSource(rows.front()).row();
    const config::ServiceConfig *service = m_overview->service(sourceRow);
    if (!service || service->name == m_detail->service())
        return;
    m_detail->setService(service->name,
                         service->baseUrl.toString() + QStringLiteral(" · ") + config::tierName(service->tier));
    m_diagnose->setService(service->name);
}

bool MainWindow::openEvidence(int findingsRow)
{
    if (!m_findings->captureReady(findingsRow))
        return false;
    const analysis::FindingKey key = m_findings->keyOf(findingsRow);
    selectService(key.service);
    if (!m_diagnose->openEvidence(key))
        return false;
    m_detailTabs->setCurrentWidget(m_diagnose);
    return true;
}

void MainWindow::onEvidence(const session::EvidencePtr &evidence)
{
    m_diagnose->onEvidence(evidence);
    m_triagePanel->onEvidence(evidence);
    const int taken = static_cast<int>(evidence->captures.size());
    QString text;
    switch (evidence->state) {
    case session::Evidence::State::Ready:
        text = tr("ready: %1 (click to open)").arg(DiagnoseView::captureLabel(evidence->kind, taken));
        break;
    case session::Evidence::State::Capturing:
        text = tr("capturing %1 %2 of %3…")
                   .arg(DiagnoseView::captureLabel(evidence->kind))
                   .arg(taken + 1)
                   .arg(evidence->wanted);
        break;
    case session::Evidence::State::Waiting:
        text = evidence->note.isEmpty() ? tr("%1 of %2 taken; the next one shortly").arg(taken).arg(evidence->wanted)
                                        : tr("waiting: %1").arg(evidence->note);
        break;
    case session::Evidence::State::Failed:
        text = tr("failed: %1").arg(evidence->note);
        break;
    case session::Evidence::State::Skipped:
        text = tr("not captured: %1").arg(evidence->note);
        break;
    }
    m_findings->setCaptureState(evidence->key, text, evidence->ready());
}

void MainWindow::onBatch(const session::SessionBatch &batch)
{
    m_dataNowMs = batch.nowMs;
    if (batch.reset) {
        // A replay jumped: what is shown belongs to another moment.
        for (const QString &service : m_findings->servicesWithFindings())
            m_findings->removeService(service);
        m_detailDirty = true;
    }
    if (batch.reset)
        m_pendingReports.clear(); // of the moment the replay left
    for (const session::ServiceReportPtr &report : batch.reports)
        m_pendingReports.push_back({report, batch.nowMs});
    applyPendingReports();
}

void MainWindow::applyPendingReports()
{
    // Through a server, a round of 10 000 targets arrives as one batch:
    // handled at once it held the GUI thread for 200 ms. Half a frame's
    // share at a time (the report that crosses it can take as long again),
    // the rest after the events and timers that waited (paints, input, the
    // refresh), in the order they came.
    constexpr qint64 kBudgetNs = 4'000'000;
    QElapsedTimer spent;
    spent.start();
    m_findings->setDeferred(true); // until m_findingsRefresh
    std::vector<session::ServiceReportPtr> applied;
    const auto afterwards = qScopeGuard([this, &applied] { m_session->release(std::move(applied)); });
    while (!m_pendingReports.empty()) {
        PendingReport pending = std::move(m_pendingReports.front());
        m_pendingReports.pop_front();
        onReport(*pending.report, pending.nowMs);
        applied.push_back(std::move(pending.report));
        if (!m_pendingReports.empty() && spent.nsecsElapsed() > kBudgetNs) {
            m_applyRest.schedule();
            return;
        }
    }
}

void MainWindow::onReport(const session::ServiceReport &report, qint64 nowMs)
{
    const scraping::ScrapeResult &scrape = *report.scrape;
    m_overview->applyReport(report);
    m_triagePanel->applyReport(report);
    m_findings->setServiceFindings(scrape.service, report.findings);
    issues::applyScrapeReport(*m_issues, report, nowMs);

    if (scrape.service == m_detail->service()) {
        m_detailDirty = true;
        m_detail->setProjections(report.projections);
        QStringList runtime;
        if (!report.runtime.goVersion.isEmpty())
            runtime << report.runtime.goVersion;
        if (report.runtime.gomaxprocs)
            runtime << tr("GOMAXPROCS %1").arg(*report.runtime.gomaxprocs);
        if (report.runtime.gogcPercent)
            runtime << tr("GOGC %1").arg(
                *report.runtime.gogcPercent < 0 ? tr("off") : QString::number(*report.runtime.gogcPercent));
        if (report.runtime.gomemlimitBytes)
            runtime << tr("GOMEMLIMIT %1")
                           .arg(*report.runtime.gomemlimitBytes >= analysis::kNoMemoryLimitBytes
                                    ? tr("off")
                                    : formatBytes(*report.runtime.gomemlimitBytes));
        m_detail->setRuntime(runtime.join(QStringLiteral(" · ")));
        if (scrape.metrics)
            m_detail->setSignalSources(report.sources);
    }
    if (scrape.up)
        ++m_upReports;
    if (!m_populatedSent)
        notePopulating(scrape);
    if (scrape.up && !m_firstDataSent) {
        // Counted as they come: a scan of every service per report is
        // quadratic, and at 10 000 services it held the GUI thread for seconds.
        if (++m_goodReports[scrape.service] == 2)
            ++m_servicesReportedTwice;
    }
    if (!m_firstDataSent && scrape.up) {
        if (m_servicesReportedTwice == m_goodReports.size() && m_goodReports.size() >= m_overview->rowCount()) {
            m_firstDataSent = true;
            m_firstDataTimeout.stop();
            onRefreshTimer(); // the first screen shows the data, not a frame before it
            emit firstDataAvailable();
        }
    }
}

void MainWindow::notePopulating(const scraping::ScrapeResult &scrape)
{
    // A row is filled by data, or by a failure of the service's own (down,
    // refused, HTTP 503): the operator sees its state either way. A scrape
    // that found no free connection tells nothing yet. Counted apart from
    // the wait for rates, which can give up before a slow first round ends.
    if (scrape.congested) {
        m_congestedBeforeData[scrape.service] = scrape.error;
        return;
    }
    if (m_firstReports.contains(scrape.service))
        return;
    m_firstReports.insert(scrape.service);
    m_downAtFirstReport += scrape.up ? 0 : 1;
    if (m_firstReports.size() < m_overview->rowCount())
        return;
    m_populatedSent = true;
    m_lastToPopulate = scrape.service;
    if (!scrape.up)
        m_lastToPopulate += tr(", down: %1").arg(scrape.error);
    if (const auto congested = m_congestedBeforeData.constFind(scrape.service);
        congested != m_congestedBeforeData.cend())
        m_lastToPopulate += tr(", after a scrape that found no free connection: %1").arg(*congested);
    m_congestedBeforeData.clear();
    emit fleetPopulated();
}

void MainWindow::onRefreshTimer()
{
    // A replay at 100× moves its clock 25 s between two batches: ages and
    // charts are judged at the newest batch's moment, or every service
    // would look stale between batches.
    const qint64 now = m_replay && m_dataNowMs > 0 ? m_dataNowMs : m_session->clock().nowMs();
    // Ages move even without new data, so the overview refreshes each tick;
    // it pulls history only for rows that got a report.
    m_overview->refresh(now);
    refreshFleetPane();
    // A healthy peer has no battlefield and is not stale; a configuration
    // remark (an old Go, say) is shared by replicas and does not count.
    QSet<QString> sick;
    for (int row = 0; row < m_findings->rowCount(); ++row) {
        const analysis::Finding &f = m_findings->findings()[static_cast<std::size_t>(row)];
        if (analysis::isBattlefield(f.kind) || f.kind == analysis::FindingKind::Stale)
            sick.insert(m_findings->services(row).constFirst());
    }
    m_diagnose->setServicesWithFindings(sick);
    m_triagePanel->refresh(now);
    // Whether the Findings column has anything to show scans the fleet: once
    // a tick, not on every one of the reports that arrive in between.
    if (m_overview->anyFindings() != m_overviewHadFindings) {
        m_overviewHadFindings = !m_overviewHadFindings;
        fitOverviewColumns();
    }
    if (m_detailDirty || now - m_lastDetailRefreshMs >= 1000) {
        m_detail->refresh(now);
        m_detailDirty = false;
        m_lastDetailRefreshMs = now;
    }
    updateStatus();
    updateWarRoomBanner(now);
}

QString MainWindow::defaultRecordingPath()
{
    return defaultDataDir()
        + QStringLiteral("/recordings/session-%1.gotriage")
              .arg(QDateTime::fromMSecsSinceEpoch(common::LiveClock::instance().nowMs(), Qt::UTC)
                       .toString(QStringLiteral("yyyyMMdd-HHmmss")));
}

void MainWindow::startRecording(const QString &path, qint64 retentionMs)
{
    if (!m_session->canCapture())
        return; // a replay is a recording already
    m_recorder = std::make_unique<record::Recorder>();
    m_recorder->setRetention(retentionMs);
    m_recorder->setServices(m_triage->services());
    connect(m_recorder.get(), &record::Recorder::started, this, [this](const QString &error) {
        if (!error.isEmpty())
            m_issues->report(QStringLiteral("(recording)"), QStringLiteral("recording"), error,
                             issues::IssuesModel::Severity::Error, m_session->clock().nowMs());
    });
    // In the hub's thread: the recorder only queues.
    connect(
        m_session->hub(), &session::SessionHub::batchReady, m_recorder.get(),
        [recorder = m_recorder.get()](const session::SessionBatchPtr &batch) { recorder->record(batch); },
        Qt::DirectConnection);
    // Profiles and dumps, by hand or as a finding's evidence, kept whole.
    connect(m_session.get(), &session::Session::captureFinished, m_recorder.get(),
            [recorder = m_recorder.get()](quint64, const ingest::CaptureResultPtr &capture) {
                recorder->recordCapture(capture);
            });
    connect(m_session.get(), &session::Session::evidenceChanged, m_recorder.get(),
            [recorder = m_recorder.get()](const session::EvidencePtr &evidence) {
                for (const ingest::CaptureResultPtr &capture : evidence->captures)
                    recorder->recordCapture(capture);
            });
    connect(m_triage, &triage::TriageSession::incidentEvent, m_recorder.get(), [this](const QJsonObject &event) {
        m_recorder->recordEvent({event.value(QStringLiteral("ts_ms")).toInteger(), QStringLiteral("triage"),
                                 event.value(QStringLiteral("service")).toString(),
                                 QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact))});
    });
    connect(m_recorder.get(), &record::Recorder::windowSaved, this,
            [this](const QString &target, const QString &error) {
                m_task->finish();
                if (error.isEmpty()) {
                    m_statusLabel->setText(tr("Incident saved: %1").arg(target));
                    m_issues->resolve(QStringLiteral("(recording)"), QStringLiteral("save"));
                } else if (error == QLatin1String("cancelled")) {
                    m_statusLabel->setText(tr("Saving cancelled: nothing was kept at %1").arg(target));
                } else {
                    m_issues->report(QStringLiteral("(recording)"), QStringLiteral("save"), error,
                                     issues::IssuesModel::Severity::Error, m_session->clock().nowMs());
                }
                emit incidentSaved(target, error);
            });
    m_recorder->startInBackground(path);
}

void MainWindow::setAnalysisSettings(const analysis::AnalysisSettings &settings)
{
    m_session->setAnalysisSettings(settings);
}

void MainWindow::setHistoryBudget(std::size_t bytes)
{
    m_session->store().setBudget(bytes);
}

const store::SeriesStore &MainWindow::historyStore() const
{
    return m_session->store();
}

QString MainWindow::startupGapSummary() const
{
    QStringList missing;
    qsizetype count = 0;
    for (const config::ServiceConfig &service : m_triage->services()) {
        if (m_firstReports.contains(service.name))
            continue;
        if (++count <= 5)
            missing << service.name;
    }
    return tr("%1 of %2 services have had no first report, with data or a failure of their own, since the fleet "
              "was set (%3 times, last %4 s ago; %5 good reports in all)%6")
        .arg(count)
        .arg(m_triage->services().size())
        .arg(m_fleetsSet)
        .arg(m_sinceFleetSet.elapsed() / 1000)
        .arg(m_upReports)
        .arg(missing.isEmpty() ? QString() : tr(": %1").arg(missing.join(QStringLiteral(", "))));
}

QString MainWindow::storeSummary() const
{
    const store::SeriesStore &store = m_session->store();
    const std::size_t services = std::max<std::size_t>(1, store.services().size());
    // How far back each tier reaches for this fleet, when fed once per bucket at least.
    QStringList reach;
    for (std::size_t i = 0; i < store::SeriesStore::kTierCount; ++i) {
        const double hours = static_cast<double>(store.bucketsPerTier(i))
            * static_cast<double>(store::SeriesStore::kTierResolutionMs[i]) / 3'600'000.0;
        reach << QStringLiteral("%1 s buckets %2 h")
                     .arg(store::SeriesStore::kTierResolutionMs[i] / 1000)
                     .arg(hours, 0, 'f', 1);
    }
    return QStringLiteral("store: %1 samples of %2 services and %3 buckets, %4 KiB held (%5 KiB per service); "
                          "budget %6 MiB: %7 samples each at full resolution, %8")
        .arg(store.sampleCount())
        .arg(services)
        .arg(store.bucketCount())
        .arg(static_cast<double>(store.memoryBytes()) / 1024.0, 0, 'f', 0)
        .arg(static_cast<double>(store.memoryBytes()) / 1024.0 / static_cast<double>(services), 0, 'f', 1)
        .arg(static_cast<double>(store.budget()) / (1024.0 * 1024.0), 0, 'f', 0)
        .arg(store.capacityPerService())
        .arg(reach.join(QStringLiteral(", ")));
}

void MainWindow::updateStatus()
{
    int up = 0, down = 0, stale = 0;
    for (int row = 0; row < m_overview->rowCount(); ++row) {
        switch (m_overview->healthOf(row)) {
        case FleetOverviewModel::Health::Up:
            ++up;
            break;
        case FleetOverviewModel::Health::Down:
            ++down;
            break;
        case FleetOverviewModel::Health::Stale:
            ++stale;
            break;
        case FleetOverviewModel::Health::Pending:
            break;
        }
    }
    const int total = m_overview->rowCount();
    if (total == 0) {
        m_statusLabel->setText(!m_sourceProblem.isEmpty() ? m_sourceProblem
                                   : m_prometheus.isValid()
                                   ? tr("Reading the targets of %1…").arg(m_prometheus.toString(QUrl::RemoveUserInfo))
                                   : tr("No fleet: open a fleet file (Ctrl+O) or add a service (Ctrl+N)"));
        return;
    }
    QString text = tr("%1 services: %2 up, %3 down, %4 stale").arg(total).arg(up).arg(down).arg(stale);
    const int active = m_issues->activeCount();
    if (active > 0)
        text += tr(" · %1 active issues").arg(active);
    if (m_replay)
        text += tr(" · replay: recorded findings, actions disabled");
    if (m_prometheus.isValid())
        text += tr(" · through %1").arg(m_prometheus.toString(QUrl::RemoveUserInfo));
    if (!m_sourceProblem.isEmpty())
        text += QStringLiteral(" · ") + m_sourceProblem;
    if (!m_historyProblem.isEmpty())
        text += tr(" · no history: %1").arg(m_historyProblem);
    if (m_recorder) {
        // Recording is said, and what it could not keep is said loudly.
        const record::Recorder::Stats stats = m_recorder->stats();
        text += stats.lastError.isEmpty() ? tr(" · recording") : tr(" · NOT RECORDING: %1").arg(stats.lastError);
        if (stats.samplesDropped > 0)
            text += tr(" (%1 samples dropped: the disk is too slow)").arg(stats.samplesDropped);
    }
    m_statusLabel->setText(text);
    m_incidentStatus->setText(m_triagePanel->statusText());
}

QString MainWindow::defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/gotriage");
}

void MainWindow::makeTriageMenu()
{
    QMenu *menu = menuBar()->addMenu(tr("&Triage"));
    const auto showTriage = [this] { m_detailTabs->setCurrentWidget(m_triagePanel); };
    menu->addAction(tr("Open the suggested &incident"), QKeySequence(Qt::CTRL | Qt::Key_I), this, [this, showTriage] {
        m_triagePanel->acceptSuggestion();
        showTriage();
    });
    menu->addAction(tr("Show &triage"), this, showTriage)
        ->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_3), QKeySequence(Qt::Key_T)});
    menu->addAction(tr("&Act on the selected candidate…"), QKeySequence(Qt::CTRL | Qt::Key_T), this,
                    [this, showTriage] {
                        showTriage();
                        m_triagePanel->actOnSelectedCandidate();
                    });
    menu->addAction(tr("&Revert the newest action"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), this,
                    [this] { m_triagePanel->revertNewestAction(); });
    menu->addAction(tr("Add a &note"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N), this, [this, showTriage] {
        if (m_replay) {
            addReplayNote(); // into the recording, at the playhead
            return;
        }
        showTriage();
        m_triagePanel->focusNote();
    });
    menu->addSeparator();
    const triage::Step steps[] = {triage::Step::StopTheBleeding, triage::Step::Diagnose, triage::Step::Cure};
    const QString names[] = {tr("Step &1: stop the bleeding"), tr("Step &2: diagnose"), tr("Step &3: cure")};
    for (int i = 0; i < 3; ++i) {
        menu->addAction(names[i], QKeySequence(Qt::ALT | static_cast<Qt::Key>(Qt::Key_1 + i)), this,
                        [this, showTriage, step = steps[i]] {
                            showTriage();
                            m_triagePanel->goToStep(step);
                        });
    }
    menu->addSeparator();
    menu->addAction(tr("&Close the incident…"), this, [this] { m_triagePanel->closeIncident(); });
    menu->addAction(tr("A&udit log…"), this, [this] {
        auto *dialog = new AuditLogDialog(m_triage->auditPath(), this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
}

} // namespace gotriage::ui
