// MainWindow: how it looks and what it remembers (the theme, the clock, the
// war room and its rotation, the layout, recent files).
#include "analysis/finding.h"
#include "appearance.h"
#include "fleetoverviewmodel.h"
#include "mainwindow.h"
#include "servicedetailview.h"
#include "triagepanel.h"
#include "warroombanner.h"

#include <QAction>
#include <QActionGroup>
#include <QDockWidget>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QMenu>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace gotriage::ui {

namespace {

constexpr int kMaxRecentFiles = 10;
constexpr const char *kRecentKey = "recent/files";
// How long each of the sickest services is shown while the war room rotates.
constexpr int kRotationIntervalMs = 15000;
// How many of the sickest services the rotation goes through.
constexpr int kRotationServices = 5;

} // namespace

void MainWindow::setUpViewMenu(QMenu *viewMenu)
{
    viewMenu->addSeparator();
    QMenu *themes = viewMenu->addMenu(tr("&Theme"));
    auto *group = new QActionGroup(themes);
    const std::pair<palette::Scheme, QString> choices[]
        = {{palette::Scheme::Dark, tr("&Dark")}, {palette::Scheme::Light, tr("&Light")}};
    for (const auto &choice : choices) {
        const palette::Scheme scheme = choice.first;
        QAction *action
            = themes->addAction(choice.second, this, [scheme] { Appearance::instance().setScheme(scheme); });
        action->setCheckable(true);
        action->setObjectName(QStringLiteral("theme-") + Appearance::schemeName(scheme));
        action->setData(static_cast<int>(scheme));
        group->addAction(action);
    }
    QAction *utc = viewMenu->addAction(tr("Clock in &UTC"));
    utc->setObjectName(QStringLiteral("clockUtc"));
    utc->setCheckable(true);
    connect(utc, &QAction::toggled, this, [](bool on) { Appearance::instance().setUtc(on); });
    const auto showAppearance = [group, utc] {
        for (QAction *action : group->actions())
            action->setChecked(action->data().toInt() == static_cast<int>(Appearance::instance().scheme()));
        const QSignalBlocker blocker(utc);
        utc->setChecked(Appearance::instance().utc());
    };
    showAppearance();
    connect(&Appearance::instance(), &Appearance::changed, this, showAppearance);
    connect(&Appearance::instance(), &Appearance::changed, this, &MainWindow::fitToType);

    viewMenu->addSeparator();
    m_warRoomAction = viewMenu->addAction(tr("&War room"));
    m_warRoomAction->setObjectName(QStringLiteral("warRoom"));
    m_warRoomAction->setCheckable(true);
    m_warRoomAction->setShortcut(QKeySequence(Qt::Key_F11));
    connect(m_warRoomAction, &QAction::toggled, this, &MainWindow::setWarRoom);
    m_rotateAction = viewMenu->addAction(tr("&Rotate through the sickest services"));
    m_rotateAction->setObjectName(QStringLiteral("rotate"));
    m_rotateAction->setCheckable(true);
    m_rotateAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_rotateAction->setToolTip(tr("Show each of the %1 sickest services' charts in turn, %2 s each")
                                   .arg(kRotationServices)
                                   .arg(kRotationIntervalMs / 1000));
    m_rotation.setInterval(kRotationIntervalMs);
    connect(&m_rotation, &QTimer::timeout, this, &MainWindow::rotateToNextSickService);
    connect(m_rotateAction, &QAction::toggled, this, [this](bool on) {
        if (on) {
            rotateToNextSickService();
            m_rotation.start();
        } else {
            m_rotation.stop();
        }
    });
}

void MainWindow::setWarRoom(bool on)
{
    if (on == isWarRoom())
        return;
    const QSignalBlocker blocker(m_warRoomAction);
    m_warRoomAction->setChecked(on);
    if (on) {
        m_schemeBeforeWarRoom = static_cast<int>(Appearance::instance().scheme());
        m_wasMaximized = isMaximized();
        // Type sized to the wall: half as large again on a 1080p screen,
        // larger on a taller one (4K at scale 1), in logical pixels.
        const double height = screen() ? screen()->size().height() : 1080;
        Appearance::instance().setTypeScale(std::clamp(height / 720.0, 1.5, 2.5));
        Appearance::instance().useScheme(palette::Scheme::WarRoom);
        // The banner has the counts and the table the findings: the docks'
        // room goes to the charts.
        m_docksBeforeWarRoom = {m_findingsDock->isVisible(), m_issuesDock->isVisible()};
        m_findingsDock->hide();
        m_issuesDock->hide();
        m_warRoomBanner->show();
        m_detailTabs->setCurrentWidget(m_detail);
        if (m_overviewView->selectionModel()->selectedRows().isEmpty())
            moveSelection(+1); // the worst service, which is on top
        showFullScreen();
        spreadOverScreens();
    } else {
        m_rotateAction->setChecked(false);
        gatherFromScreens();
        m_warRoomBanner->hide();
        m_findingsDock->setVisible(m_docksBeforeWarRoom.first);
        m_issuesDock->setVisible(m_docksBeforeWarRoom.second);
        Appearance::instance().setTypeScale(1.0);
        Appearance::instance().useScheme(static_cast<palette::Scheme>(m_schemeBeforeWarRoom));
        if (m_wasMaximized)
            showMaximized();
        else
            showNormal();
    }
    updateWarRoomBanner(m_dataNowMs);
}

bool MainWindow::isWarRoom() const
{
    return !m_warRoomBanner->isHidden();
}

namespace {

// A full-screen window on `screen` holding `content`: one of the war room's
// screens, named for its role.
QWidget *screenWindow(QScreen *screen, QWidget *content, const QString &role, const QString &title)
{
    auto *window = new QWidget(nullptr, Qt::Window);
    window->setObjectName(role);
    window->setWindowTitle(title);
    window->setAttribute(Qt::WA_DeleteOnClose, false);
    auto *layout = new QVBoxLayout(window);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(content);
    content->show();
    window->setGeometry(screen->geometry());
    window->showFullScreen();
    return window;
}

} // namespace

void MainWindow::spreadOverScreens()
{
    // One screen a role: this window keeps the fleet (and the banner) on its
    // screen, the next screen gets the shown service's charts and
    // diagnosis, a third the triage panel.
    QList<QScreen *> others = QGuiApplication::screens();
    others.removeAll(screen());
    if (others.isEmpty())
        return;
    if (others.size() >= 2) {
        m_detailTabs->removeTab(m_detailTabs->indexOf(m_triagePanel));
        m_triageScreen
            = screenWindow(others[1], m_triagePanel, QStringLiteral("triageScreen"), tr("gotriage — triage"));
    }
    m_detailScreen = screenWindow(others[0], m_detailTabs, QStringLiteral("detailScreen"), tr("gotriage — service"));
}

void MainWindow::gatherFromScreens()
{
    if (m_triageScreen) {
        m_detailTabs->insertTab(2, m_triagePanel, tr("Triage"));
        delete m_triageScreen;
    }
    if (m_detailScreen) {
        m_splitter->insertWidget(1, m_detailTabs);
        delete m_detailScreen;
    }
}

void MainWindow::updateWarRoomBanner(qint64 nowMs)
{
    if (m_warRoomBanner->isHidden())
        return;
    WarRoomBanner::Figures f;
    f.incident = m_triagePanel->incidentClockText();
    f.impact = m_triagePanel->impactText();
    f.nowMs = nowMs;
    f.total = m_overview->rowCount();
    for (int row = 0; row < f.total; ++row) {
        switch (m_overview->healthOf(row)) {
        case FleetOverviewModel::Health::Stale:
            ++f.stale;
            continue;
        case FleetOverviewModel::Health::Down:
            ++f.down;
            continue;
        case FleetOverviewModel::Health::Up:
            ++f.up;
            break;
        case FleetOverviewModel::Health::Pending:
            break;
        }
        if (const analysis::Finding *worst = m_overview->worstFinding(row)) {
            if (worst->severity == analysis::Severity::Critical)
                ++f.critical;
            else if (worst->severity == analysis::Severity::Warning)
                ++f.warning;
        }
    }
    m_warRoomBanner->setFigures(f);
}

void MainWindow::rotateToNextSickService()
{
    // The table is worst first: the sick are its top rows, down and stale
    // included. The rotation starts again at the worst when it has shown
    // the last of them, or when the sick have changed under it.
    QAbstractItemModel *shown = m_overviewView->model();
    int sick = 0;
    while (sick < std::min(shown->rowCount(), kRotationServices)) {
        const int source = m_proxy->mapToSource(shown->index(sick, 0)).row();
        const bool isSick = m_overview->worstFinding(source) != nullptr
            || m_overview->healthOf(source) == FleetOverviewModel::Health::Stale
            || m_overview->healthOf(source) == FleetOverviewModel::Health::Down;
        if (!isSick)
            break;
        ++sick;
    }
    if (sick == 0)
        return; // nobody is sick: the operator's choice stays on screen
    const QModelIndexList selected = m_overviewView->selectionModel()->selectedRows();
    const int current = selected.isEmpty() ? -1 : selected.constFirst().row();
    const int next = current + 1 < sick ? current + 1 : 0;
    const QModelIndex target = shown->index(next, 0);
    m_overviewView->selectionModel()->setCurrentIndex(target,
                                                      QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_overviewView->scrollTo(target);
    m_detailTabs->setCurrentWidget(m_detail);
}

void MainWindow::fitToType()
{
    // Rows and fixed columns grow with the type (the war room's is larger).
    m_overviewView->verticalHeader()->setDefaultSectionSize(std::max(30, fontMetrics().height() + 12));
    m_findingsView->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    fitOverviewColumns();
    fitSplitter();
}

void MainWindow::restoreLayout()
{
    m_remembersLayout = true;
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    const QByteArray splitter = settings.value(QStringLiteral("window/splitter")).toByteArray();
    if (!splitter.isEmpty() && m_splitter->restoreState(splitter))
        m_splitterMovedByUser = true; // the operator's split, as they left it
}

void MainWindow::saveLayout() const
{
    if (!m_remembersLayout || isWarRoom())
        return; // a replay or a test window; the wall screen's layout is not the desk's
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    if (m_splitterMovedByUser)
        settings.setValue(QStringLiteral("window/splitter"), m_splitter->saveState());
}

QStringList MainWindow::recentFiles()
{
    QStringList files = QSettings().value(QLatin1String(kRecentKey)).toStringList();
    // A file moved or deleted since is not offered.
    files.erase(std::remove_if(files.begin(), files.end(), [](const QString &f) { return !QFileInfo::exists(f); }),
                files.end());
    return files;
}

void MainWindow::rememberRecentFile(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QSettings settings;
    QStringList files = settings.value(QLatin1String(kRecentKey)).toStringList();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > kMaxRecentFiles)
        files.removeLast();
    settings.setValue(QLatin1String(kRecentKey), files);
}

void MainWindow::fillRecentMenu(QMenu *menu)
{
    menu->clear();
    const QStringList files = recentFiles();
    for (int i = 0; i < files.size(); ++i) {
        const QString &path = files[i];
        // Alt+1…9 in the menu; the full path in the status tip.
        const QString label
            = i < 9 ? QStringLiteral("&%1 %2").arg(i + 1).arg(QFileInfo(path).fileName()) : QFileInfo(path).fileName();
        QAction *action = menu->addAction(label, this, [this, path] { openFile(path); });
        action->setStatusTip(path);
        action->setToolTip(path);
    }
    if (files.isEmpty())
        menu->addAction(tr("No recent files"))->setEnabled(false);
    menu->addSeparator();
    menu->addAction(tr("&Clear the list"), this, [] { QSettings().remove(QLatin1String(kRecentKey)); })
        ->setEnabled(!files.isEmpty());
}

} // namespace gotriage::ui
