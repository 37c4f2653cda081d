#include "profileview.h"

#include "flamegraphwidget.h"
#include "profiletablemodel.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTableWidget>
#include <QTabWidget>
#include <QtConcurrent>
#include <QToolButton>
#include <QVBoxLayout>

namespace gotriage::ui {

namespace {

QTableWidget *edgeTable(const QString &header, QWidget *parent)
{
    auto *table = new QTableWidget(0, 2, parent);
    table->setHorizontalHeaderLabels({header, QObject::tr("Share")});
    table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    return table;
}

} // namespace

ProfileView::ProfileView(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_sampleType(new QComboBox(this))
    , m_tabs(new QTabWidget(this))
    , m_model(new ProfileTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView(this))
    , m_filter(new QLineEdit(this))
    , m_flame(new FlameGraphWidget(this))
    , m_search(new QLineEdit(this))
    , m_searchShare(new QLabel(this))
    , m_breadcrumb(new QLabel(this))
    , m_icicle(new QToolButton(this))
    , m_callersTitle(new QLabel(this))
    , m_callers(edgeTable(tr("Called by"), this))
    , m_callees(edgeTable(tr("Calls"), this))
{
    m_title->setTextFormat(Qt::RichText);
    m_title->setWordWrap(true);
    auto *header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(new QLabel(tr("Sample type:"), this));
    header->addWidget(m_sampleType);

    // Top table.
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ProfileTableModel::kSortRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    m_filter->setPlaceholderText(tr("Filter functions (regular expression)"));
    m_filter->setClearButtonEnabled(true);
    auto *copy = new QPushButton(tr("Copy as text"), this);
    copy->setToolTip(tr("The rows shown, as go tool pprof -top prints them"));
    auto *topPage = new QWidget(this);
    auto *topBar = new QHBoxLayout;
    topBar->addWidget(m_filter, 1);
    topBar->addWidget(copy);
    auto *topLayout = new QVBoxLayout(topPage);
    topLayout->setContentsMargins(0, 4, 0, 0);
    topLayout->addLayout(topBar);
    topLayout->addWidget(m_table, 1);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterKeyColumn(m_model->nameColumn());
        m_proxy->setFilterRegularExpression(QRegularExpression(text, QRegularExpression::CaseInsensitiveOption));
    });
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(tableAsText()); });
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        showCallers(m_model->functionAt(m_proxy->mapToSource(index).row()));
        showTab(CallersTab);
    });

    // Flame graph.
    m_search->setPlaceholderText(tr("Search functions"));
    m_search->setClearButtonEnabled(true);
    m_icicle->setText(tr("Root on top"));
    m_icicle->setCheckable(true);
    m_icicle->setChecked(true);
    m_icicle->setToolTip(tr("Icicle (root on top) or flame graph (root at the bottom)"));
    auto *resetZoom = new QToolButton(this);
    resetZoom->setText(tr("Reset zoom"));
    m_breadcrumb->setTextFormat(Qt::RichText);
    m_breadcrumb->setWordWrap(true);
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_flame);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto *flamePage = new QWidget(this);
    auto *flameBar = new QHBoxLayout;
    flameBar->addWidget(m_search, 1);
    flameBar->addWidget(m_searchShare);
    flameBar->addWidget(resetZoom);
    flameBar->addWidget(m_icicle);
    auto *flameLayout = new QVBoxLayout(flamePage);
    flameLayout->setContentsMargins(0, 4, 0, 0);
    flameLayout->addLayout(flameBar);
    flameLayout->addWidget(m_breadcrumb);
    flameLayout->addWidget(scroll, 1);
    connect(m_search, &QLineEdit::textChanged, m_flame, &FlameGraphWidget::setSearch);
    connect(m_flame, &FlameGraphWidget::searchChanged, this, [this](double share, int matches) {
        m_searchShare->setText(
            m_search->text().isEmpty()
                ? QString()
                : tr("%n box(es) match, %1 % of the total", "", matches).arg(100 * share, 0, 'f', 2));
    });
    connect(m_icicle, &QToolButton::toggled, m_flame, &FlameGraphWidget::setIcicle);
    connect(resetZoom, &QToolButton::clicked, this, [this] { m_flame->zoomTo(0); });
    connect(m_flame, &FlameGraphWidget::zoomChanged, this, &ProfileView::updateBreadcrumb);
    connect(m_breadcrumb, &QLabel::linkActivated, this, [this](const QString &link) { m_flame->zoomTo(link.toInt()); });
    connect(m_flame, &FlameGraphWidget::functionSelected, this, &ProfileView::showCallers);

    // Callers and callees.
    auto *callersPage = new QWidget(this);
    auto *edges = new QHBoxLayout;
    edges->addWidget(m_callers);
    edges->addWidget(m_callees);
    auto *callersLayout = new QVBoxLayout(callersPage);
    callersLayout->setContentsMargins(0, 4, 0, 0);
    m_callersTitle->setWordWrap(true);
    m_callersTitle->setText(tr("Double-click a row of the top table, or click a box of the flame graph."));
    callersLayout->addWidget(m_callersTitle);
    callersLayout->addLayout(edges, 1);
    for (QTableWidget *table : {m_callers, m_callees}) {
        connect(table, &QTableWidget::cellDoubleClicked, this, [this, table](int row, int) {
            const QString name = table->item(row, 0)->text();
            if (name != QLatin1String("root"))
                showCallers(name);
        });
    }

    m_tabs->addTab(topPage, tr("Top"));
    m_tabs->addTab(flamePage, tr("Flame graph"));
    m_tabs->addTab(callersPage, tr("Callers / callees"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(header);
    layout->addWidget(m_tabs, 1);

    connect(m_sampleType, &QComboBox::currentIndexChanged, this, &ProfileView::recompute);
    connect(&m_watcher, &QFutureWatcher<ProfileViews>::finished, this, &ProfileView::onComputed);
}

void ProfileView::setProfile(std::shared_ptr<const formats::Profile> profile,
                             std::shared_ptr<const formats::Profile> base, const QString &title)
{
    m_profile = std::move(profile);
    m_base = std::move(base);
    m_title->setText(title);
    const QSignalBlocker block(m_sampleType);
    m_sampleType->clear();
    if (m_profile) {
        for (const formats::Profile::ValueType &t : m_profile->sampleTypes)
            m_sampleType->addItem(
                QStringLiteral("%1 (%2)").arg(QString::fromStdString(t.type), QString::fromStdString(t.unit)),
                QString::fromStdString(t.type));
        if (const auto index = m_profile->sampleIndex())
            m_sampleType->setCurrentIndex(static_cast<int>(*index));
    }
    recompute();
}

void ProfileView::setSampleType(const QString &name)
{
    const int index = m_sampleType->findData(name);
    if (index >= 0)
        m_sampleType->setCurrentIndex(index);
}

void ProfileView::showTab(Tab tab)
{
    m_tabs->setCurrentIndex(tab);
}

void ProfileView::recompute()
{
    if (!m_profile)
        return;
    if (m_watcher.isRunning()) {
        m_recomputeAgain = true; // the newest choice wins once the running one is in
        return;
    }
    const std::string sampleIndex = m_sampleType->currentData().toString().toStdString();
    m_watcher.setFuture(QtConcurrent::run([profile = m_profile, base = m_base, sampleIndex] {
        return computeProfileViews(*profile, base.get(), sampleIndex);
    }));
}

void ProfileView::onComputed()
{
    if (m_recomputeAgain) {
        m_recomputeAgain = false;
        recompute();
        return;
    }
    ProfileViews views = m_watcher.result();
    m_proxy->setSortRole(ProfileTableModel::kSortRole);
    if (views.diff) {
        m_model->setDiff(std::move(*views.diff));
        m_table->sortByColumn(-1, Qt::AscendingOrder); // the diff's own order: growth first
    } else {
        m_model->setTop(std::move(views.top));
        m_table->sortByColumn(-1, Qt::AscendingOrder); // pprof's order
    }
    m_proxy->setFilterKeyColumn(m_model->nameColumn());
    m_table->resizeColumnsToContents();
    m_flame->setTree(std::move(views.flame), std::move(views.flameLabels));
    m_flame->setSearch(m_search->text());
    if (!m_selectedFunction.isEmpty())
        showCallers(m_selectedFunction);
    emit computed();
}

QString ProfileView::tableAsText() const
{
    QStringList lines;
    const int columns = m_model->columnCount();
    QStringList header;
    for (int c = 0; c < columns; ++c)
        header << m_model->headerData(c, Qt::Horizontal).toString();
    lines << header.join(u'\t');
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        QStringList cells;
        for (int c = 0; c < columns; ++c)
            cells << m_proxy->data(m_proxy->index(row, c)).toString();
        lines << cells.join(u'\t');
    }
    return lines.join(u'\n') + u'\n';
}

void ProfileView::updateBreadcrumb(int node)
{
    const diagnose::FlameTree *tree = m_flame->tree();
    if (!tree || tree->nodes.empty()) {
        m_breadcrumb->clear();
        return;
    }
    QStringList parts;
    for (int n = node; n >= 0; n = tree->nodes[static_cast<std::size_t>(n)].parent) {
        const QString name = QString::fromStdString(tree->nodes[static_cast<std::size_t>(n)].name).toHtmlEscaped();
        parts.prepend(n == node ? QStringLiteral("<b>%1</b>").arg(name)
                                : QStringLiteral("<a href=\"%1\">%2</a>").arg(n).arg(name));
    }
    m_breadcrumb->setText(parts.join(QStringLiteral(" › ")));
}

void ProfileView::showCallers(const QString &function)
{
    const diagnose::FlameTree *tree = m_flame->tree();
    if (!tree || function.isEmpty())
        return;
    m_selectedFunction = function;
    const diagnose::CallersAndCallees edges = diagnose::callersAndCallees(*tree, function.toStdString());
    const double total = static_cast<double>(std::max<std::int64_t>(1, tree->total()));
    m_callersTitle->setText(tr("<b>%1</b>: %2 with its callees (%3 %), %4 itself")
                                .arg(function.toHtmlEscaped(), m_flame->formatValue(edges.cum))
                                .arg(100.0 * static_cast<double>(edges.cum) / total, 0, 'f', 2)
                                .arg(m_flame->formatValue(edges.self)));
    const auto fill = [&](QTableWidget *table, const std::vector<diagnose::CallersAndCallees::Edge> &list) {
        table->setRowCount(static_cast<int>(list.size()));
        for (int i = 0; i < static_cast<int>(list.size()); ++i) {
            const auto &e = list[static_cast<std::size_t>(i)];
            table->setItem(i, 0, new QTableWidgetItem(QString::fromStdString(e.name)));
            auto *share = new QTableWidgetItem(QStringLiteral("%1 (%2 %)")
                                                   .arg(m_flame->formatValue(e.value))
                                                   .arg(100.0 * static_cast<double>(e.value) / total, 0, 'f', 2));
            share->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            table->setItem(i, 1, share);
        }
    };
    fill(m_callers, edges.callers);
    fill(m_callees, edges.callees);
}

void ProfileView::selectFunction(const QString &name)
{
    showCallers(name);
}

} // namespace gotriage::ui
