// MainWindow: driving it from the keyboard (the command palette, the
// shortcut sheet, and moving through the fleet).
#include "commandpalette.h"
#include "config/actioncatalog.h"
#include "diagnoseview.h"
#include "ingest/profilecapture.h"
#include "mainwindow.h"
#include "servicedetailview.h"
#include "triage/triagesession.h"
#include "triagepanel.h"

#include <QAction>
#include <QItemSelectionModel>
#include <QMenu>
#include <QMenuBar>
#include <QStatusBar>
#include <QTableView>
#include <QTabWidget>

#include <algorithm>

namespace gotriage::ui {

void MainWindow::setUpKeyboard(QMenu *viewMenu, QMenu *helpMenu)
{
    viewMenu->addSeparator();
    // j and k as in mail readers and pagers; a focused table keeps its arrows.
    QAction *next = viewMenu->addAction(tr("&Next service"), this, [this] { moveSelection(+1); });
    next->setShortcut(QKeySequence(Qt::Key_J));
    QAction *previous = viewMenu->addAction(tr("&Previous service"), this, [this] { moveSelection(-1); });
    previous->setShortcut(QKeySequence(Qt::Key_K));
    viewMenu->addSeparator();
    QAction *palette = viewMenu->addAction(tr("&Command palette…"), this, &MainWindow::showCommandPalette);
    palette->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));

    QAction *sheet = helpMenu->addAction(tr("&Keyboard shortcuts"), this,
                                         [this] { (new ShortcutSheet(windowCommands(this), this))->show(); });
    sheet->setShortcuts({QKeySequence(Qt::Key_Question), QKeySequence(QKeySequence::HelpContents)});
}

void MainWindow::makeServiceMenu()
{
    // Single keys for the moves made most under stress, on the service
    // shown; a throttle still opens its preview, and nothing is sent
    // until it is confirmed there.
    QMenu *menu = menuBar()->addMenu(tr("&Service"));
    const auto capture = [this](ingest::CaptureKind kind, int seconds) {
        if (m_replay) {
            statusBar()->showMessage(tr("A replay shows the captures it recorded; it takes none"), 5000);
            return;
        }
        if (m_detail->service().isEmpty()) {
            statusBar()->showMessage(tr("Select a service first (j and k move through the fleet)"), 5000);
            return;
        }
        m_diagnose->setService(m_detail->service());
        m_diagnose->captureNow(kind, seconds);
        m_detailTabs->setCurrentWidget(m_diagnose);
    };
    const struct {
        QString text;
        Qt::Key key;
        ingest::CaptureKind kind;
        int seconds;
    } captures[] = {
        {tr("Capture a &CPU profile (10 s)"), Qt::Key_C, ingest::CaptureKind::Cpu, 10},
        {tr("Capture &goroutines (every stack, with wait times)"), Qt::Key_G, ingest::CaptureKind::GoroutineText, 0},
        {tr("Capture a &heap profile"), Qt::Key_H, ingest::CaptureKind::Heap, 0},
    };
    for (const auto &c : captures) {
        QAction *action
            = menu->addAction(c.text, this, [capture, kind = c.kind, seconds = c.seconds] { capture(kind, seconds); });
        action->setShortcut(QKeySequence(c.key));
    }
    menu->addSeparator();
    QAction *throttle = menu->addAction(tr("&Throttle this service…"), this, [this] {
        const QString service = m_detail->service();
        const config::ServiceConfig *config = m_triage->service(service);
        const config::ActionSpec *spec = nullptr;
        if (config) {
            for (const config::ActionSpec *candidate : m_triage->catalog().forService(*config)) {
                if (candidate->name == QLatin1String("throttle"))
                    spec = candidate;
            }
        }
        if (!spec) {
            statusBar()->showMessage(service.isEmpty() ? tr("Select a service first (j and k move through the fleet)")
                                                       : tr("No throttle action for %1 in the fleet file").arg(service),
                                     5000);
            return;
        }
        m_detailTabs->setCurrentWidget(m_triagePanel);
        m_triagePanel->openActionDialog(spec->name, service); // the preview; Send is the operator's
    });
    throttle->setShortcut(QKeySequence(Qt::Key_P));
    throttle->setObjectName(QStringLiteral("throttleShown"));
}

void MainWindow::showCommandPalette()
{
    auto *palette = new CommandPalette(windowCommands(this), this);
    palette->show();
}

void MainWindow::moveSelection(int delta)
{
    const int rows = m_overviewView->model()->rowCount();
    if (rows == 0)
        return;
    // From the service shown; with none, j starts at the top and k at the bottom.
    const QModelIndexList selected = m_overviewView->selectionModel()->selectedRows();
    const int row = selected.isEmpty() ? (delta > 0 ? 0 : rows - 1)
                                       : std::clamp(selected.constFirst().row() + delta, 0, rows - 1);
    const QModelIndex target = m_overviewView->model()->index(row, 0);
    m_overviewView->selectionModel()->setCurrentIndex(target,
                                                      QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_overviewView->scrollTo(target);
}

} // namespace gotriage::ui
