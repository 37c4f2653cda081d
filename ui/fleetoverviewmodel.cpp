#include "fleetoverviewmodel.h"

#include "findingsmodel.h"
#include "palette.h"
#include "session/servicereport.h"
#include "store/seriesstore.h"
#include "vitalformat.h"

#include <algorithm>
#include <numeric>
#include <QBrush>
#include <QColor>
#include <QFont>
#include <QRegularExpression>

namespace gotriage::ui {

using vitals::Vital;

FleetOverviewModel::FleetOverviewModel(const store::SeriesStore *store, QObject *parent)
    : QAbstractTableModel(parent), m_store(store)
{ }

void FleetOverviewModel::setServices(const std::vector<config::ServiceConfig> &services)
{
    beginResetModel();
    std::vector<Row> rows;
    for (const config::ServiceConfig &service : services) {
        Row row;
        // A reload keeps what is known about services that stay.
        if (const int old = rowOf(service.name); old >= 0)
            row = m_rows[static_cast<std::size_t>(old)];
        row.service = service;
        row.sparklinesStale = true;
        rows.push_back(std::move(row));
    }
    m_rows = std::move(rows);
    m_nameOrder.clear();
    m_sortKeysValid = false;
    m_rowByName.clear();
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        m_rowByName.insert(m_rows[i].service.name, static_cast<int>(i));
    endResetModel();
}

void FleetOverviewModel::addService(const config::ServiceConfig &service)
{
    if (rowOf(service.name) >= 0)
        return;
    const int row = rowCount();
    beginInsertRows({}, row, row);
    Row added;
    added.service = service;
    m_rowByName.insert(service.name, row);
    m_rows.push_back(std::move(added));
    m_nameOrder.clear();
    m_sortKeysValid = false;
    endInsertRows();
}

void FleetOverviewModel::applyReport(const session::ServiceReport &report)
{
    const int row = rowOf(report.scrape->service);
    if (row < 0)
        return; // a report from a service removed since
    Row &r = m_rows[static_cast<std::size_t>(row)];
    r.health = report.health;
    r.reported = true;
    r.findings = report.findings;
    if (report.scrape->up) {
        // Some vitals come from endpoints polled less often (/debug/vars):
        // keep each one's newest value rather than blanking it in between.
        for (std::size_t v = 0; v < vitals::kVitalCount; ++v) {
            if (vitals::isKnown(report.vitals.values[v])) {
                r.latest.values[v] = report.vitals.values[v];
                r.latestMs[v] = report.vitals.tsMs;
            }
        }
        addToSparklines(r, report.vitals);
    }
    r.sparklinesStale = true;
    m_sortKeysValid = false;
}

namespace {

// Adds a sample no older than the newest bucket.
void appendToBuckets(std::deque<FleetOverviewModel::SparkBucket> &buckets, const vitals::VitalsSample &sample)
{
    using Model = FleetOverviewModel;
    const qint64 index = sample.tsMs / Model::kSparkBucketMs;
    if (buckets.empty() || index > buckets.back().index)
        buckets.push_back({index, {}, {}});
    Model::SparkBucket &bucket = buckets.back();
    for (int column = Model::CpuColumn; column < Model::ColumnCount; ++column) {
        const double value = sample[Model::vitalOf(static_cast<Model::Column>(column))];
        if (vitals::isKnown(value)) {
            bucket.sum[static_cast<std::size_t>(column - Model::CpuColumn)] += value;
            ++bucket.count[static_cast<std::size_t>(column - Model::CpuColumn)];
        }
    }
    while (buckets.front().index <= index - Model::kSparklinePoints)
        buckets.pop_front();
}

} // namespace

void FleetOverviewModel::addToSparklines(Row &row, const vitals::VitalsSample &sample) const
{
    if (row.sparkBuckets.empty() || sample.tsMs / kSparkBucketMs < row.sparkBuckets.back().index)
        seedSparklines(row, sample.tsMs); // the store has this sample already
    else
        appendToBuckets(row.sparkBuckets, sample);
}

void FleetOverviewModel::seedSparklines(Row &row, qint64 tsMs) const
{
    row.sparkBuckets.clear();
    const store::ServiceSnapshot snapshot = m_store->snapshot(row.service.name, tsMs - kSparklineWindowMs, tsMs);
    for (const vitals::VitalsSample &sample : snapshot.samples)
        appendToBuckets(row.sparkBuckets, sample);
}

void FleetOverviewModel::refresh(qint64 nowMs)
{
    m_nowMs = nowMs;
    if (m_rows.empty())
        return;
    m_sortKeys.resize(m_rows.size());
    m_sortKeysValid = false;
    for (int row = 0; row < rowCount(); ++row)
        m_sortKeys[static_cast<std::size_t>(row)] = sortKey(row);
    m_sortKeysValid = true;
    // One signal for the table: a signal per changed row made the sort
    // proxy place each row anew (2 000 a second), and health and ages move
    // even without new data.
    emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

const QList<double> &FleetOverviewModel::sparkline(const Row &row, int column)
{
    if (row.sparklinesStale) {
        row.sparklinesStale = false;
        for (int c = CpuColumn; c < ColumnCount; ++c) {
            QList<double> &line = row.sparklines[static_cast<std::size_t>(c)];
            line.clear();
            const auto k = static_cast<std::size_t>(c - CpuColumn);
            for (const SparkBucket &bucket : row.sparkBuckets) {
                if (bucket.count[k] > 0)
                    line.append(bucket.sum[k] / bucket.count[k]);
            }
        }
    }
    return row.sparklines[static_cast<std::size_t>(column)];
}

bool FleetOverviewModel::anyFindings() const
{
    for (int row = 0; row < static_cast<int>(m_rows.size()); ++row) {
        if (worstFinding(row)) // what the column shows: config remarks are not listed there
            return true;
    }
    return false;
}

int FleetOverviewModel::rowOf(const QString &service) const
{
    return m_rowByName.value(service, -1);
}

const config::ServiceConfig *FleetOverviewModel::service(int row) const
{
    return row >= 0 && row < rowCount() ? &m_rows[static_cast<std::size_t>(row)].service : nullptr;
}

const scraping::ServiceHealth *FleetOverviewModel::health(int row) const
{
    return row >= 0 && row < rowCount() ? &m_rows[static_cast<std::size_t>(row)].health : nullptr;
}

FleetOverviewModel::Health FleetOverviewModel::healthOf(int row) const
{
    const Row &r = m_rows[static_cast<std::size_t>(row)];
    if (!r.reported)
        return Health::Pending;
    if (!r.health.up)
        return Health::Down;
    if (m_nowMs > 0 && r.health.isStale(m_nowMs, r.service.interval))
        return Health::Stale;
    return Health::Up;
}

const analysis::Finding *FleetOverviewModel::worstFinding(int row) const
{
    const analysis::Finding *worst = nullptr;
    for (const analysis::Finding &f : m_rows[static_cast<std::size_t>(row)].findings) {
        if (f.kind == analysis::FindingKind::Config)
            continue;
        if (!worst || FindingsModel::weight(f) > FindingsModel::weight(*worst))
            worst = &f;
    }
    return worst;
}

Vital FleetOverviewModel::vitalOf(Column column)
{
    switch (column) {
    case CpuColumn:
        return Vital::Cpu;
    case RssColumn:
        return Vital::Rss;
    case HeapColumn:
        return Vital::HeapInuse;
    case GcRateColumn:
        return Vital::GcRate;
    case GoroutinesColumn:
        return Vital::Goroutines;
    case ReqRateColumn:
        return Vital::ReqRate;
    case ErrRateColumn:
        return Vital::ErrRate;
    default:
        return Vital::Cpu;
    }
}

int FleetOverviewModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int FleetOverviewModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

int FleetOverviewModel::sortRank(int row) const
{
    // Worst first: down, then critical findings, stale, warnings, pending, fine.
    const Health health = healthOf(row);
    int base = health == Health::Down ? 300 : health == Health::Stale ? 200 : health == Health::Pending ? 100 : 0;
    if (const analysis::Finding *f = worstFinding(row))
        base = std::max(base, f->severity == analysis::Severity::Critical ? 280 : 150);
    return base
        + static_cast<int>(std::min<quint64>(m_rows[static_cast<std::size_t>(row)].health.consecutiveFailures, 99));
}

qint64 FleetOverviewModel::sortKey(int row) const
{
    if (m_sortKeysValid)
        return m_sortKeys[static_cast<std::size_t>(row)];
    if (m_nameOrder.size() != m_rows.size()) {
        std::vector<int> byName(m_rows.size());
        std::iota(byName.begin(), byName.end(), 0);
        std::sort(byName.begin(), byName.end(), [this](int a, int b) {
            return m_rows[static_cast<std::size_t>(a)].service.name < m_rows[static_cast<std::size_t>(b)].service.name;
        });
        m_nameOrder.assign(m_rows.size(), 0);
        for (std::size_t place = 0; place < byName.size(); ++place)
            m_nameOrder[static_cast<std::size_t>(byName[place])] = static_cast<int>(place);
    }
    constexpr qint64 kWorstRank = 1000; // above any sortRank()
    return ((kWorstRank - sortRank(row)) << 32) | m_nameOrder[static_cast<std::size_t>(row)];
}

QVariant FleetOverviewModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows[static_cast<std::size_t>(index.row())];
    const Health health = healthOf(index.row());
    const int column = index.column();

    switch (role) {
    case ServiceNameRole:
        return r.service.name;
    case SortRankRole:
        return sortRank(index.row());
    case StaleRole:
        return health == Health::Stale || health == Health::Down;
    case SparklineRole:
        return column >= CpuColumn ? QVariant::fromValue(sparkline(r, column)) : QVariant();
    case SparklineMinSpanRole:
        // A few hundredths of a core is noise, however it wiggles.
        return column == CpuColumn ? 0.05 : 0.0;
    case Qt::ForegroundRole:
        if (column == FindingsColumn) {
            const analysis::Finding *f = worstFinding(index.row());
            if (!f)
                return {};
            return QBrush(f->severity == analysis::Severity::Critical ? palette::colours().critical
                                                                      : palette::colours().warning);
        }
        if (column == HealthColumn) {
            switch (health) {
            case Health::Up:
                return QBrush(palette::colours().good);
            case Health::Stale:
                return QBrush(palette::colours().warning);
            case Health::Down:
                return QBrush(palette::colours().critical);
            case Health::Pending:
                return QBrush(palette::colours().muted);
            }
        }
        if (column != ServiceColumn && (health == Health::Stale || health == Health::Down))
            return QBrush(palette::colours().muted); // stale data looks stale
        return {};
    case Qt::ToolTipRole:
        if (column == FindingsColumn) {
            QStringList lines;
            for (const analysis::Finding &f : r.findings)
                lines << FindingsModel::kindLabel(f.kind) + QStringLiteral(": ") + f.evidence;
            return lines.join(QLatin1Char('\n'));
        }
        if (column == HealthColumn || column == ServiceColumn) {
            QString tip = r.service.baseUrl.toString();
            if (!r.health.lastError.isEmpty())
                tip += QLatin1Char('\n') + r.health.lastError;
            if (r.health.scrapes > 0)
                tip += QStringLiteral("\nlast scrape: %1 ms, %2")
                           .arg(r.health.scrapeDurationMs)
                           .arg(formatBytes(static_cast<double>(r.health.bytes)));
            if (r.health.failures > 0)
                tip += QStringLiteral("\n%1 of %2 scrapes failed").arg(r.health.failures).arg(r.health.scrapes);
            if (r.health.skipped > 0)
                tip += QStringLiteral("\n%1 scrapes skipped (previous still running)").arg(r.health.skipped);
            if (r.health.insecure)
                tip += QStringLiteral("\nTLS certificate verification is off");
            return tip;
        }
        return {};
    case Qt::FontRole:
        // Old numbers are struck through: stale data must read as stale
        // from across the room, and without telling colours apart.
        if (column >= AgeColumn && (health == Health::Stale || health == Health::Down)) {
            QFont font;
            font.setStrikeOut(column != AgeColumn);
            font.setItalic(true);
            return font;
        }
        return {};
    case Qt::TextAlignmentRole:
        return column >= AgeColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                   : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }

    switch (column) {
    case ServiceColumn:
        return r.service.name;
    case HealthColumn:
        switch (health) {
        // A shape as well as a colour and a word: ● up, ◌ pending, ⌛ stale, ✖ down.
        case Health::Pending:
            return tr("◌ pending");
        case Health::Up:
            return r.health.insecure ? tr("● up (insecure)") : tr("● up");
        case Health::Stale:
            return tr("⌛ stale");
        case Health::Down:
            return tr("✖ down");
        }
        return {};
    case FindingsColumn: {
        const analysis::Finding *f = worstFinding(index.row());
        if (!f)
            return {};
        // The severity's shape leads (✖ critical, ⚠ warning), then what and how fast.
        QString text = FindingsModel::severityGlyph(f->severity) + QLatin1Char(' ') + FindingsModel::kindLabel(f->kind);
        if (!f->rate.isEmpty())
            text += QStringLiteral(" ▲ ") + f->rate;
        if (f->etaSeconds)
            text += QStringLiteral(" · limit in ") + formatEta(*f->etaSeconds);
        const auto more = std::count_if(r.findings.begin(), r.findings.end(), [](const analysis::Finding &g) {
            return g.kind != analysis::FindingKind::Config;
        });
        if (more > 1)
            text += QStringLiteral(" (+%1)").arg(more - 1);
        return text;
    }
    case AgeColumn:
        return formatAge(r.health.ageSeconds(m_nowMs));
    default: {
        const Vital vital = vitalOf(static_cast<Column>(column));
        // A value older than the stale threshold is not shown as current.
        const qint64 seenMs = r.latestMs[vitals::index(vital)];
        const bool fresh = seenMs > 0
            && (m_nowMs == 0
                || scraping::ServiceHealth::isFresh(seenMs, m_nowMs,
                                                    std::max(r.service.varsInterval(), r.service.interval)));
        return formatVitalCompact(vital, fresh ? r.latest[vital] : vitals::kUnknown);
    }
    }
}

QVariant FleetOverviewModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const kHeaders[] = {"Service", "Health", "Findings",   "Last good", "CPU cores", "RSS",
                                           "Heap",    "GC",     "Goroutines", "Requests",  "Errors"};
    return section >= 0 && section < ColumnCount ? tr(kHeaders[section]) : QVariant();
}

bool FleetSortProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    // Straight from the model's keys, not through QVariants and names: a
    // refresh re-sorts every row (at 10 000 services, 8 ms a refresh).
    if (const auto *fleet = qobject_cast<const FleetOverviewModel *>(sourceModel()))
        return fleet->sortKey(left.row()) < fleet->sortKey(right.row());
    const int leftRank = left.data(FleetOverviewModel::SortRankRole).toInt();
    const int rightRank = right.data(FleetOverviewModel::SortRankRole).toInt();
    if (leftRank != rightRank)
        return leftRank > rightRank; // worse first
    return left.data(FleetOverviewModel::ServiceNameRole).toString()
        < right.data(FleetOverviewModel::ServiceNameRole).toString();
}

void FleetSortProxy::setFilterWords(const QString &text)
{
    if (text == m_filterText)
        return;
    m_filterText = text;
    m_words.clear();
    for (QString word : text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        Word parsed;
        if (word.startsWith(QLatin1Char('-')) && word.size() > 1) {
            parsed.negated = true;
            word.remove(0, 1);
        }
        const qsizetype separator = word.indexOf(QRegularExpression(QStringLiteral("[=:]")));
        if (separator > 0) {
            parsed.key = word.left(separator);
            parsed.value = word.mid(separator + 1);
            // "key==value": the whole value, as a group of the fleet is.
            if (parsed.value.startsWith(QLatin1Char('='))) {
                parsed.exact = true;
                parsed.value.remove(0, 1);
            }
        } else {
            parsed.value = word;
        }
        m_words.push_back(parsed);
    }
    invalidateFilter();
}

bool FleetSortProxy::matches(int sourceRow, const Word &word) const
{
    const auto *model = static_cast<const FleetOverviewModel *>(sourceModel());
    const config::ServiceConfig *service = model->service(sourceRow);
    if (!service)
        return false;
    const QString tier = config::tierName(service->tier);
    if (!word.key.isEmpty()) {
        if (word.key.compare(QLatin1String("tier"), Qt::CaseInsensitive) == 0)
            return tier.compare(word.value, Qt::CaseInsensitive) == 0;
        return std::any_of(service->labels.cbegin(), service->labels.cend(), [&](const auto &label) {
            return label.first.compare(word.key, Qt::CaseInsensitive) == 0
                && (word.exact ? label.second.compare(word.value, Qt::CaseInsensitive) == 0
                               : label.second.contains(word.value, Qt::CaseInsensitive));
        });
    }
    static const char *const kHealthNames[] = {"pending", "up", "stale", "down"};
    const QLatin1String health(kHealthNames[static_cast<int>(model->healthOf(sourceRow))]);
    return service->name.contains(word.value, Qt::CaseInsensitive) || tier.compare(word.value, Qt::CaseInsensitive) == 0
        || word.value.compare(health, Qt::CaseInsensitive) == 0
        || std::any_of(service->labels.cbegin(), service->labels.cend(),
                       [&](const auto &label) { return label.second.compare(word.value, Qt::CaseInsensitive) == 0; });
}

bool FleetSortProxy::filterAcceptsRow(int sourceRow, const QModelIndex &) const
{
    return std::all_of(m_words.cbegin(), m_words.cend(),
                       [&](const Word &word) { return matches(sourceRow, word) != word.negated; });
}

} // namespace gotriage::ui
