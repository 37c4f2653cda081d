// MainWindow: driving it from the keyboard (the command palette, the
// shortcut sheet, and moving through the fleet).
#include "commandpalette.h"
#include "mainwindow.h"

#include <QAction>
#include <QItemSelectionModel>
#include <QMenu>
#include <QTableView>

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
