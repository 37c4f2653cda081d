#include "mainwindow.h"

#include "fleetlistmodel.h"
#include "version.h"

#include <QAction>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QtConcurrent/QtConcurrentRun>

namespace gotriage::ui {

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent), m_fleetModel(new FleetListModel(this))
{
    setWindowTitle(QStringLiteral("gotriage"));
    resize(1280, 800);

    m_emptyState = new QLabel(this);
    m_emptyState->setAlignment(Qt::AlignCenter);
    m_emptyState->setWordWrap(true);
    m_emptyState->setTextFormat(Qt::RichText);
    m_emptyState->setText(tr("<h2>No fleet loaded</h2>"
                             "<p>Open a fleet file (<b>File &rsaquo; Open fleet…</b>, Ctrl+O)<br>"
                             "or start gotriage with <code>--config fleet.json</code>.</p>"));

    m_fleetView = new QTableView(this);
    m_fleetView->setModel(m_fleetModel);
    m_fleetView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_fleetView->setAlternatingRowColors(true);
    m_fleetView->verticalHeader()->hide();
    m_fleetView->horizontalHeader()->setStretchLastSection(true);
    m_fleetView->setSortingEnabled(false);

    m_pages = new QStackedWidget(this);
    m_pages->addWidget(m_emptyState);
    m_pages->addWidget(m_fleetView);
    setCentralWidget(m_pages);

    m_problems = new QListWidget(this);
    m_problemsDock = new QDockWidget(tr("Problems"), this);
    m_problemsDock->setObjectName(QStringLiteral("problemsDock"));
    m_problemsDock->setWidget(m_problems);
    addDockWidget(Qt::BottomDockWidgetArea, m_problemsDock);
    m_problemsDock->hide();

    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    QAction *open = fileMenu->addAction(tr("&Open fleet…"), this, &MainWindow::chooseFleetFile);
    open->setShortcut(QKeySequence::Open);
    fileMenu->addSeparator();
    QAction *quit = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    QMenu *viewMenu = menuBar()->addMenu(tr("&View"));
    viewMenu->addAction(m_problemsDock->toggleViewAction());
    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(tr("&About gotriage"), this, &MainWindow::showAbout);

    statusBar()->showMessage(tr("Ready"));
}

MainWindow::~MainWindow() = default;

void MainWindow::openFleetFile(const QString &path)
{
    // Disk and JSON parsing stay off the GUI thread; a newer request
    // supersedes an older one still in flight.
    const quint64 generation = ++m_loadGeneration;
    statusBar()->showMessage(tr("Loading %1…").arg(path));
    auto *watcher = new QFutureWatcher<config::FleetConfig>(this);
    connect(watcher, &QFutureWatcher<config::FleetConfig>::finished, this, [this, watcher, generation, path] {
        watcher->deleteLater();
        if (generation != m_loadGeneration)
            return;
        showFleet(path, watcher->result());
    });
    watcher->setFuture(QtConcurrent::run(&config::loadFleetConfig, path));
}

void MainWindow::showFleet(const QString &path, const config::FleetConfig &fleet)
{
    m_fleetModel->setServices(fleet.services);
    m_fleetView->resizeColumnsToContents();
    m_pages->setCurrentWidget(fleet.services.empty() ? static_cast<QWidget *>(m_emptyState) : m_fleetView);
    setWindowTitle(QStringLiteral("gotriage — %1").arg(QFileInfo(path).fileName()));

    m_problems->clear();
    for (const config::ConfigProblem &problem : fleet.problems) {
        auto *item = new QListWidgetItem(problem.toString(), m_problems);
        item->setForeground(problem.isError ? QColor(0xff, 0x6b, 0x6b) : QColor(0xf5, 0xc2, 0x42));
    }
    if (!fleet.problems.empty())
        m_problemsDock->show();
    const auto count = fleet.services.size();
    QString status = count == 1 ? tr("1 service in %1").arg(path) : tr("%1 services in %2").arg(count).arg(path);
    if (!fleet.problems.empty())
        status += fleet.problems.size() == 1 ? tr(" — 1 problem") : tr(" — %1 problems").arg(fleet.problems.size());
    statusBar()->showMessage(status);
    emit fleetLoaded();
}

void MainWindow::chooseFleetFile()
{
    const QString path
        = QFileDialog::getOpenFileName(this, tr("Open fleet file"), {}, tr("Fleet files (*.json);;All files (*)"));
    if (!path.isEmpty())
        openFleetFile(path);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About gotriage"),
                       tr("<b>gotriage %1</b><p>An incident dashboard for fleets of Go services.</p>")
                           .arg(QString::fromLatin1(kVersion)));
}

} // namespace gotriage::ui
