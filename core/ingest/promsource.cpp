#include "promsource.h"

#include "common/clock.h"
#include "common/logging.h"
#include "ingest/promtargets.h"
#include "ingest/requestexecutor.h"
#include "ingest/requestsettings.h"

#include <QElapsedTimer>

#include <algorithm>

namespace gotriage::ingest {

namespace {

// How a service and a target are recognised as the same process: the host
// and port they are reached at (the loopback name and address are one).
QString addressOf(const QUrl &url)
{
    QString host = url.host().toLower();
    if (host == QLatin1String("localhost") || host == QLatin1String("::1"))
        host = QStringLiteral("127.0.0.1");
    return host + u':' + QString::number(url.port(url.scheme() == QLatin1String("https") ? 443 : 80));
}

// How the answers of different queries name a target (promTargetKey).
QString keyOf(const PromTarget &target)
{
    return target.job + u'\n' + target.instance;
}

} // namespace

struct PrometheusSource::Batch {
    bool history = false;
    qint64 fromMs = 0; // history only
    qint64 toMs = 0; // live: the time every instant query is evaluated at
    qint64 stepMs = 0;
    std::set<QString> targets; // the target keys it is for
    std::size_t next = 0; // queries are asked one at a time: the server is busy too
    QElapsedTimer asked; // for the debug log: how long a round takes
    PromRows rows;
    QString upFailure; // the `up` query failed: every target is unknown, for this reason
};

PrometheusSource::PrometheusSource(Settings settings, const common::Clock *clock, QObject *parent)
    : Source(parent)
    , m_settings(std::move(settings))
    , m_clock(clock ? clock : &common::LiveClock::instance())
    , m_queries(prometheusVitalQueries(m_settings.selector, m_settings.rateWindow))
{
    // Children: they move to the ingest thread with the source.
    m_liveTimer.setParent(this);
    m_discoverTimer.setParent(this);
    m_liveTimer.setInterval(static_cast<int>(m_settings.interval.count()));
    m_discoverTimer.setInterval(static_cast<int>(m_settings.rediscover.count()));
    connect(&m_liveTimer, &QTimer::timeout, this, &PrometheusSource::readLive);
    connect(&m_discoverTimer, &QTimer::timeout, this, &PrometheusSource::discover);
}

PrometheusSource::~PrometheusSource()
{
    delete m_executor; // aborts what is asked; no callback runs
}

RequestExecutor *PrometheusSource::executor()
{
    if (!m_executor)
        m_executor = new RequestExecutor();
    return m_executor;
}

void PrometheusSource::setServices(const std::vector<config::ServiceConfig> &services, bool replace)
{
    qCDebug(lcIngest) << "the session takes" << services.size() << "services;" << m_heldLive.size()
                      << "held with live vitals," << m_heldHistory.size() << "with history";
    if (replace) {
        // A fleet that churns (in Kubernetes, every deploy brings new pods,
        // so new targets) must not leave the settings of each one it had.
        std::set<QString> kept;
        for (const config::ServiceConfig &service : services)
            kept.insert(service.name);
        for (const QString &name : m_watched) {
            if (!kept.count(name))
                executor()->forgetService(name);
        }
        m_watched.clear();
        m_addressOfService.clear();
    }
    for (const config::ServiceConfig &service : services) {
        m_watched.insert(service.name);
        m_addressOfService[service.name] = addressOf(service.baseUrl);
        // Captures go to the target itself, with its own settings.
        executor()->setServiceSettings(service.name,
                                       std::make_shared<const RequestSettings>(resolveRequestSettings(service)));
        const auto held = m_heldHistory.find(service.name);
        if (held != m_heldHistory.end()) {
            backfill(service.name, held->second, Backfill::History);
            m_heldHistory.erase(held);
        }
        // After its history: the first report then carries what the
        // history raised.
        const auto heldLive = m_heldLive.find(service.name);
        if (heldLive != m_heldLive.end()) {
            deliver(std::move(heldLive->second));
            m_heldLive.erase(heldLive);
        }
    }
    if (m_settings.historyOnly && !m_targets.empty())
        onTargets(m_targets); // the new services may be among the targets read
}

void PrometheusSource::start()
{
    if (m_started)
        return;
    m_started = true;
    if (!m_settings.server.isValid()
        || (m_settings.server.scheme() != QLatin1String("http")
            && m_settings.server.scheme() != QLatin1String("https"))) {
        report(QStringLiteral("%1: a Prometheus server is an http(s) URL").arg(m_settings.server.toString()));
        return;
    }
    discover();
    m_discoverTimer.start();
}

HttpRequest PrometheusSource::request(const QUrl &url) const
{
    HttpRequest request;
    request.url = url;
    request.origin = m_settings.server;
    request.totalTimeout = m_settings.timeout;
    request.connectTimeout = std::min(m_settings.timeout, std::chrono::milliseconds(5000));
    request.headersTimeout = m_settings.timeout;
    request.bodyLimit = 512LL * 1024 * 1024; // hours of 10 000 targets
    return request;
}

void PrometheusSource::report(const QString &problem)
{
    if (problem == m_lastProblem)
        return;
    m_lastProblem = problem;
    if (!problem.isEmpty())
        qCWarning(lcIngest).noquote() << problem;
    emit this->problem(problem);
}

void PrometheusSource::discover()
{
    const QString server = m_settings.server.toString(QUrl::RemoveUserInfo);
    executor()->start(request(targetsUrl(m_settings.server)), [this, server](const FetchResult &result) {
        QString why = result.error;
        int skipped = 0;
        const auto targets = result.ok ? parseTargets(result.body, &why, &skipped) : std::nullopt;
        if (!targets) {
            report(QStringLiteral("%1: its targets could not be read: %2").arg(server, why));
            if (!m_live)
                m_discoverTimer.start(static_cast<int>(m_settings.interval.count())); // try again sooner
            return;
        }
        m_discoverTimer.setInterval(static_cast<int>(m_settings.rediscover.count()));
        qCDebug(lcIngest) << server << "has" << targets->size() << "targets," << skipped << "skipped";
        onTargets(*targets);
    });
}

void PrometheusSource::onTargets(const std::vector<PromTarget> &all)
{
    QString why;
    const auto matchers = parseLabelMatchers(m_settings.selector, &why);
    if (!matchers) {
        report(QStringLiteral("%1: the selector %2: %3")
                   .arg(m_settings.server.toString(QUrl::RemoveUserInfo), m_settings.selector, why));
        return;
    }
    std::vector<PromTarget> targets;
    std::copy_if(all.begin(), all.end(), std::back_inserter(targets),
                 [&](const PromTarget &t) { return matchesAll(*matchers, t); });
    std::map<QString, QString> names;
    std::vector<config::ServiceConfig> services;
    if (m_settings.historyOnly) {
        names = matchWatched(targets);
        m_targets = std::move(targets);
    } else {
        services = servicesFromTargets(targets);
        for (std::size_t i = 0; i < targets.size(); ++i)
            names.emplace(keyOf(targets[i]), services[i].name);
    }
    for (const auto &[key, name] : names) {
        const auto known = m_nameOfTarget.find(key);
        if (known == m_nameOfTarget.end() || known->second != name)
            m_toBackfill.push_back(key);
    }
    const bool changed = names != m_nameOfTarget;
    m_nameOfTarget = std::move(names);
    forgetGoneTargets();
    report({});
    if (changed && !m_settings.historyOnly)
        emit servicesFound(services);
    if (!m_live && !m_settings.historyOnly) {
        // The present first: one round of instant queries fills the fleet
        // view, where the hours behind it (a query_range per vital for
        // every target) take most of a minute at 10 000 targets. The
        // history follows that round (onBatchDone).
        m_live = true;
        readLive();
        m_liveTimer.start();
        return;
    }
    if (!m_running)
        startBackfill();
}

void PrometheusSource::forgetGoneTargets()
{
    std::set<QString> current;
    for (const auto &[key, name] : m_nameOfTarget)
        current.insert(name);
    const auto gone = [&current](const auto &entry) { return !current.count(entry.first); };
    std::erase_if(m_health, gone);
    std::erase_if(m_heldHistory, gone);
    std::erase_if(m_heldLive, gone);
}

std::map<QString, QString> PrometheusSource::matchWatched(const std::vector<PromTarget> &targets) const
{
    std::map<QString, QString> serviceAt; // address → service
    for (const auto &[name, address] : m_addressOfService)
        serviceAt.emplace(address, name);
    std::map<QString, QString> names;
    for (const PromTarget &target : targets) {
        const auto service = serviceAt.find(addressOf(target.scrapeUrl));
        if (service != serviceAt.end())
            names.emplace(keyOf(target), service->second);
    }
    return names;
}

bool PrometheusSource::startBackfill()
{
    if (m_toBackfill.empty() || m_settings.backfill.count() <= 0) {
        m_toBackfill.clear();
        return false;
    }
    auto batch = std::make_unique<Batch>();
    batch->targets.insert(m_toBackfill.begin(), m_toBackfill.end());
    m_toBackfill.clear();
    batch->history = true;
    batch->toMs = m_clock->nowMs();
    batch->fromMs = batch->toMs - m_settings.backfill.count();
    // The server's interval, or coarser when the window holds more steps
    // than a query may return.
    batch->stepMs = std::max<qint64>(m_settings.interval.count(),
                                     (m_settings.backfill.count() + kMaxPointsPerQuery - 1) / kMaxPointsPerQuery);
    startBatch(std::move(batch));
    return true;
}

void PrometheusSource::readLive()
{
    if (m_running || m_nameOfTarget.empty())
        return; // the last round is still being asked: the server is slow, do not pile on
    auto batch = std::make_unique<Batch>();
    batch->toMs = m_clock->nowMs();
    for (const auto &[key, name] : m_nameOfTarget)
        batch->targets.insert(key);
    startBatch(std::move(batch));
}

void PrometheusSource::startBatch(std::unique_ptr<Batch> batch)
{
    m_running = std::move(batch);
    m_running->asked.start();
    qCDebug(lcIngest) << "asking a" << (m_running->history ? "history" : "live") << "round";
    askNext(*m_running);
}

void PrometheusSource::askNext(Batch &batch)
{
    const QString &promql = m_queries[batch.next].promql;
    const QUrl url = batch.history ? queryRangeUrl(m_settings.server, promql, batch.fromMs, batch.toMs, batch.stepMs)
                                   : instantQueryUrl(m_settings.server, promql, batch.toMs);
    executor()->start(request(url), [this, &batch](const FetchResult &result) {
        const PromVitalQuery &query = m_queries[batch.next];
        QString why = result.error;
        QElapsedTimer parsing;
        parsing.start();
        const auto series = !result.ok && result.failure != FetchFailure::HttpStatus ? std::nullopt
            : batch.history ? parseQueryRange(result.body, &why)
                            : parseInstantQuery(result.body, &why);
        if (series && result.ok) {
            addPromAnswer(batch.rows, query.column, *series);
            qCDebug(lcIngest) << query.column << result.body.size() << "bytes at" << batch.asked.elapsed()
                              << "ms, parsed and added in" << parsing.elapsed() << "ms";
        } else {
            // The server's reason when it gave one (HTTP 400 and JSON).
            const QString failure = QStringLiteral("%1: %2 (%3): %4")
                                        .arg(m_settings.server.toString(QUrl::RemoveUserInfo), query.column,
                                             query.promql, series || why.isEmpty() ? result.error : why);
            if (batch.next == 0)
                batch.upFailure = failure;
            report(failure);
        }
        if (++batch.next < m_queries.size()) {
            askNext(batch);
            return;
        }
        onBatchDone(batch);
    });
}

void PrometheusSource::onBatchDone(Batch &batch)
{
    const std::unique_ptr<Batch> done = std::move(m_running);
    qCDebug(lcIngest) << (batch.history ? "history" : "live") << "round of" << batch.targets.size() << "targets read in"
                      << batch.asked.elapsed() << "ms";
    if (batch.history) {
        deliverHistory(batch);
        if (m_settings.historyOnly) {
            startBackfill(); // services added meanwhile
            return;
        }
        // The present right after the past, so that what it raised is
        // reported now; the next round an interval after this one.
        m_liveTimer.start();
        readLive();
    } else {
        deliverLive(batch);
        startBackfill(); // at start, and for targets found while a round was asked
    }
}

void PrometheusSource::deliverHistory(const Batch &batch)
{
    if (!batch.upFailure.isEmpty())
        return; // nothing says when a target was up: no history rather than a wrong one
    for (const QString &key : batch.targets) {
        const auto name = m_nameOfTarget.find(key);
        const auto rows = batch.rows.find(key);
        if (name == m_nameOfTarget.end() || rows == batch.rows.end())
            continue;
        std::vector<vitals::VitalsSample> samples;
        samples.reserve(rows->second.size());
        for (const auto &[t, row] : rows->second) {
            if (row.up == 1.0)
                samples.push_back(promVitals(t, row));
        }
        if (samples.empty())
            continue;
        if (m_watched.count(name->second))
            backfill(name->second, samples, Backfill::History);
        else
            m_heldHistory[name->second] = std::move(samples);
    }
}

void PrometheusSource::deliverLive(const Batch &batch)
{
    for (const QString &key : batch.targets) {
        const auto name = m_nameOfTarget.find(key);
        if (name == m_nameOfTarget.end())
            continue;
        const auto rows = batch.rows.find(key);
        // One time per target in an instant query's answer: the time asked.
        const PromRow row
            = rows != batch.rows.end() && !rows->second.empty() ? rows->second.begin()->second : PromRow();
        SourceUpdate update = promUpdate(name->second, batch.toMs, row, m_health[name->second], batch.upFailure);
        if (m_watched.count(name->second))
            deliver(std::move(update));
        else
            m_heldLive.insert_or_assign(name->second, std::move(update)); // the session has not taken it yet
    }
}

} // namespace gotriage::ingest
