// The fleet pane of the main window: the table, the strip of services that
// need attention most above it, and the groups beside it.
#include "fleetgroupsmodel.h"
#include "fleetoverviewmodel.h"
#include "mainwindow.h"
#include "topservicesstrip.h"

#include <QComboBox>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QSplitter>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace gotriage::ui {

QWidget *MainWindow::makeFleetPane()
{
    m_groups = new FleetGroupsModel(m_overview, this);
    m_groupsView = new QTableView(this);
    m_groupsView->setObjectName(QStringLiteral("fleetGroups"));
    m_groupsView->setModel(m_groups);
    m_groupsView->verticalHeader()->hide();
    m_groupsView->verticalHeader()->setDefaultSectionSize(m_overviewView->verticalHeader()->defaultSectionSize());
    m_groupsView->setShowGrid(false);
    m_groupsView->setWordWrap(false);
    m_groupsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_groupsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_groupsView->horizontalHeader()->setSectionResizeMode(FleetGroupsModel::GroupColumn, QHeaderView::Stretch);
    for (int column = FleetGroupsModel::ServicesColumn; column < FleetGroupsModel::ColumnCount; ++column)
        m_groupsView->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    m_groupsView->hide();

    m_topServices = new TopServicesStrip(m_overview, m_proxy, this);
    connect(m_topServices, &TopServicesStrip::serviceClicked, this, &MainWindow::selectService);

    auto *tablePane = new QWidget(this);
    auto *tableLayout = new QVBoxLayout(tablePane);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->setSpacing(0);
    tableLayout->addWidget(m_topServices);
    tableLayout->addWidget(m_overviewView, 1);

    auto *pane = new QSplitter(Qt::Horizontal, this);
    pane->setObjectName(QStringLiteral("fleetPane"));
    pane->addWidget(m_groupsView);
    pane->addWidget(tablePane);
    pane->setStretchFactor(0, 0);
    pane->setStretchFactor(1, 1);
    pane->setSizes({300, 1200});
    return pane;
}

void MainWindow::setUpGrouping(QToolBar *toolbar)
{
    // A click on a group shows its services only; a second click, all.
    connect(m_groupsView, &QTableView::clicked, this, [this](const QModelIndex &index) {
        const QString filter = m_groups->filterFor(index.row());
        m_filter->setText(m_filter->text().trimmed() == filter ? QString() : filter);
    });
    connect(m_filter, &QLineEdit::textChanged, this, &MainWindow::showGroupOfFilter);
    connect(m_groups, &QAbstractItemModel::modelReset, this, &MainWindow::showGroupOfFilter);

    m_groupBy = new QComboBox(toolbar);
    m_groupBy->setObjectName(QStringLiteral("groupBy"));
    m_groupBy->setToolTip(tr("Group the fleet by a label or the tier: each group's services, and how many are "
                             "down or have a finding"));
    m_groupBy->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    toolbar->addWidget(m_groupBy);
    fillGroupKeys();
    connect(m_groupBy, &QComboBox::activated, this,
            [this](int index) { setGroupKey(m_groupBy->itemData(index).toString()); });
}

void MainWindow::fillGroupKeys()
{
    const QString current = m_groups->key();
    const QSignalBlocker blocker(m_groupBy);
    m_groupBy->clear();
    m_groupBy->addItem(tr("No groups"), QString());
    for (const QString &key : m_groups->keys())
        m_groupBy->addItem(tr("Group by %1").arg(key), key);
    m_groupBy->setCurrentIndex(std::max(0, m_groupBy->findData(current)));
}

void MainWindow::setGroupKey(const QString &key)
{
    // A group's filter means nothing under another key.
    if (m_groups->rowOfFilter(m_filter->text()) >= 0)
        m_filter->clear();
    m_groups->setKey(key);
    m_groupsView->setVisible(!key.isEmpty());
    const QSignalBlocker blocker(m_groupBy);
    int index = m_groupBy->findData(key);
    if (index < 0 && !key.isEmpty()) {
        // A key no service has yet (a fleet file still loading): offered all the same.
        m_groupBy->addItem(tr("Group by %1").arg(key), key);
        index = m_groupBy->count() - 1;
    }
    m_groupBy->setCurrentIndex(std::max(0, index));
}

void MainWindow::showGroupOfFilter()
{
    const int row = m_groups->rowOfFilter(m_filter->text());
    if (row < 0)
        m_groupsView->clearSelection();
    else
        m_groupsView->selectRow(row);
}

void MainWindow::refreshFleetPane()
{
    m_groups->refresh();
    const bool stripWasShown = m_topServices->isVisible();
    m_topServices->refresh();
    if (m_topServices->isVisible() != stripWasShown)
        fitSplitter();
}

} // namespace gotriage::ui
