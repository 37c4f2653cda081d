#include "goroutineview.h"

#include "appearance.h"
#include "goroutinegroupsmodel.h"

#include <QDateTime>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace gotriage::ui {

GoroutineView::GoroutineView(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_filter(new QLineEdit(this))
    , m_model(new GoroutineGroupsModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView(this))
    , m_stack(new QPlainTextEdit(this))
{
    m_title->setTextFormat(Qt::RichText);
    m_title->setWordWrap(true);
    m_filter->setPlaceholderText(tr("Filter by state, function or file"));
    m_filter->setClearButtonEnabled(true);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(GoroutineGroupsModel::kSortRole);
    m_proxy->setFilterKeyColumn(-1); // every column
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    m_stack->setReadOnly(true);
    m_stack->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_stack->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(m_stack);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_filter);
    layout->addWidget(split, 1);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &GoroutineView::showSelected);
}

void GoroutineView::setDumps(const OpenedCapturePtr &dump, const OpenedCapturePtr &older, const QString &title)
{
    const bool compared = older && !older->groups.empty();
    m_model->setGroups(compared ? diagnose::diffGoroutineGroups(older->groups, dump->groups) : dump->groups, compared);
    m_table->sortByColumn(-1, Qt::AscendingOrder); // the model's order: growth (or count) first
    QString text = title;
    int leaking = 0;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const diagnose::GoroutineGroup *g = m_model->group(row);
        if (compared && g->growth > 0 && g->leakState)
            ++leaking;
    }
    text += tr("<br>%n goroutine(s)", "", dump->goroutines)
        + tr(" in %n group(s)", "", static_cast<int>(dump->groups.size()));
    if (compared)
        text += tr(", compared with the dump of %1 (%n goroutine(s)); ", "", older->goroutines)
                    .arg(Appearance::instance().clockText(older->capture->startedMs))
            + (leaking > 0 ? tr("<b>%n growing group(s) in a leak state</b>, first below", "", leaking)
                           : tr("no group in a leak state grew"));
    m_title->setText(text);
    m_table->resizeColumnsToContents();
    if (m_model->rowCount() > 0)
        m_table->selectRow(0);
    showSelected();
}

QString GoroutineView::selectedStack() const
{
    return m_stack->toPlainText();
}

void GoroutineView::showSelected()
{
    const QModelIndex current = m_table->currentIndex();
    m_stack->setPlainText(current.isValid() ? m_model->stackText(m_proxy->mapToSource(current).row()) : QString());
}

} // namespace gotriage::ui
