#include "servicepoller.h"

#include "common/clock.h"
#include "common/logging.h"
#include "formats/pprofindex.h"
#include "ingest/fetchhints.h"
#include "ingest/requestexecutor.h"

#include <QHash>

#include <algorithm>
#include <optional>
#include <utility>

namespace gotriage::ingest {

namespace {

std::string_view bodyView(const QByteArray &body)
{
    return {body.constData(), static_cast<std::size_t>(body.size())};
}

// "metrics: 3 lines rejected, first URL:12:5: invalid value" — enough to find it.
QString describeProblems(const QString &endpoint, const QUrl &url, const formats::ProblemList &problems)
{
    if (!problems.hasErrors())
        return {};
    const auto &items = problems.items();
    const auto first = std::find_if(items.begin(), items.end(), [](const formats::ParseProblem &p) {
        return p.severity == formats::Severity::Error;
    });
    const std::string where = url.toString(QUrl::RemoveUserInfo).toStdString();
    return QStringLiteral("%1: %2 rejected, first %3")
        .arg(endpoint)
        .arg(problems.errorCount() == 1 ? QStringLiteral("1 line")
                                        : QStringLiteral("%1 lines").arg(problems.errorCount()))
        .arg(QString::fromStdString(first == items.end() ? where : formats::formatProblem(where, *first)));
}

// "metrics: 3 duplicate series (the last one read is used), first URL:7:1: …":
// a warning to the parser, worth saying to the operator, since values of a
// series registered twice flip between its copies.
QString describeDuplicates(const QUrl &url, const formats::ProblemList &problems)
{
    const formats::ParseProblem *first = nullptr;
    std::size_t count = 0;
    for (const auto &problem : problems.items()) {
        if (problem.severity == formats::Severity::Warning && problem.message.starts_with("duplicate series")) {
            first = first ? first : &problem;
            ++count;
        }
    }
    if (!first)
        return {};
    return QStringLiteral("metrics: %1 (the last one read is used), first %2")
        .arg(count == 1 ? QStringLiteral("1 duplicate series") : QStringLiteral("%1 duplicate series").arg(count),
             QString::fromStdString(formats::formatProblem(url.toString(QUrl::RemoveUserInfo).toStdString(), *first)));
}

// A Content-Type that is neither exposition format nor absent; protobuf is
// named apart, as it is the one a Prometheus client may send by mistake.
std::optional<QString> foreignContentType(const QByteArray &contentType)
{
    const QByteArray type = contentType.split(';').constFirst().trimmed().toLower();
    if (type.isEmpty() || type == "text/plain" || type == "application/openmetrics-text")
        return std::nullopt;
    if (type == "application/vnd.google.protobuf")
        return QStringLiteral("Prometheus protobuf, which gotriage neither asks for nor reads");
    return QString::fromLatin1(type);
}

bool hasGoroutines(const ScrapeResult &scrape)
{
    if (scrape.vars && scrape.vars->goroutines)
        return true;
    if (!scrape.metrics)
        return false;
    const auto &samples = scrape.metrics->samples;
    return std::any_of(samples.begin(), samples.end(),
                       [&](const formats::SampleRef &s) { return scrape.metrics->name(s) == "go_goroutines"; });
}

} // namespace

ServicePoller::ServicePoller(config::ServiceConfig service, RequestExecutor *executor, QObject *parent,
                             const common::Clock *clock)
    : QObject(parent)
    , m_service(std::move(service))
    , m_clock(clock ? clock : &common::LiveClock::instance())
    , m_executor(executor)
    , m_random(static_cast<std::minstd_rand::result_type>(qHash(m_service.name, 0) | 1U))
{ }

ServicePoller::~ServicePoller()
{
    if (m_tick)
        m_executor->ticks().cancel(m_tick);
    if (m_request)
        m_executor->cancel(m_request);
}

void ServicePoller::scheduleTick(qint64 now)
{
    scheduleTickAfter(delayToPhase(m_service.name, m_service.interval.count(), now));
}

void ServicePoller::scheduleTickAfter(qint64 delayMs, void (ServicePoller::*step)())
{
    if (m_tick)
        m_executor->ticks().cancel(m_tick);
    m_tick = m_executor->ticks().callAfter(delayMs, [this, step] {
        m_tick = 0;
        (this->*step)();
    });
}

qint64 ServicePoller::delayToPhase(const QString &name, qint64 intervalMs, qint64 now)
{
    const auto phase = static_cast<qint64>(qHash(name, 0) % static_cast<std::size_t>(intervalMs));
    qint64 delay = ((phase - now % intervalMs) % intervalMs + intervalMs) % intervalMs;
    return delay == 0 ? intervalMs : delay;
}

std::chrono::milliseconds ServicePoller::firstRoundWindow(std::size_t services)
{
    // Five first scrapes a millisecond: 2 000 services in 400 ms. All at
    // once left requests waiting past their budget for a connection (one run
    // in two on the 2-core machine); 100 to 400 ms did about as well as each
    // other, and the longer window asks less of the fleet at once.
    constexpr std::size_t kPerMs = 5;
    return std::chrono::milliseconds(std::max<qint64>(1, static_cast<qint64>(services / kPerMs)));
}

void ServicePoller::resolveSettings()
{
    // The executor holds the service's settings when its source put them
    // there; otherwise the files they name are read here, on the ingest thread.
    m_settings = m_executor->serviceSettings(m_service.name);
    if (!m_settings) {
        m_settings = std::make_shared<const RequestSettings>(resolveRequestSettings(m_service));
        m_executor->setServiceSettings(m_service.name, m_settings);
    }
}

void ServicePoller::start(std::chrono::milliseconds firstRound)
{
    resolveSettings();
    m_health.insecure = m_service.tls.insecureSkipVerify;
    const qint64 now = m_clock->nowMs();
    const qint64 interval = m_service.interval.count();
    if (firstRound.count() <= 0 || firstRound.count() >= interval) {
        scheduleTick(now);
        return;
    }
    scheduleTickAfter(delayToPhase(m_service.name, interval, now) * firstRound.count() / interval,
                      &ServicePoller::firstTick);
}

void ServicePoller::firstTick()
{
    // The phase may be only a few milliseconds after this early scrape, which
    // would still be running then and the tick counted as skipped: a phase
    // closer than a quarter of the interval waits for the next round.
    const qint64 interval = m_service.interval.count();
    qint64 delay = delayToPhase(m_service.name, interval, m_clock->nowMs());
    if (delay < interval / 4)
        delay += interval;
    scheduleTickAfter(delay);
    scrapeNow();
}

void ServicePoller::tick()
{
    const qint64 now = m_clock->nowMs();
    scheduleTick(now);
    if (m_step == Step::Done && now < m_health.nextAttemptMs)
        return; // backing off from a dead target
    scrapeNow();
}

void ServicePoller::scrapeNow()
{
    const qint64 now = m_clock->nowMs();
    if (m_step != Step::Done) {
        ++m_health.skipped; // the previous scrape is still running: never stack
        ++m_health.skippedSinceLast;
        return;
    }
    m_health.skippedSinceLast = 0; // counts the ticks this scrape overruns

    if (!m_settings)
        resolveSettings(); // scraped on demand before start()
    m_current = std::make_shared<ScrapeResult>();
    m_congested = false;
    m_current->service = m_service.name;
    m_current->tsMs = now;
    m_scrapeClock.start();
    if (!m_settings->errors.isEmpty()) {
        m_current->error = m_settings->errors.join(QStringLiteral("; "));
        m_step = Step::Metrics;
        complete();
        return;
    }
    m_step = !m_service.paths.metrics.isEmpty() ? Step::Metrics
        : !m_service.paths.vars.isEmpty()       ? Step::Vars
                                                : Step::Pprof;
    fetchStep();
}

std::chrono::milliseconds ServicePoller::varsOffset() const
{
    // With the half interval of slack a read is due at, the second read
    // falls in one of rounds 2 to varsInterval / interval, each as likely:
    // never in the round right after the first, which follows a large
    // fleet's first round closely, and never later than a varsInterval, so
    // that expvar's values are never older than that.
    const double unit = static_cast<double>(qHash(m_service.name, 1) % 1024 + 1) / 1024.0;
    const auto interval = m_service.interval;
    const auto later = m_service.varsInterval() - interval;
    const auto share = static_cast<qint64>(static_cast<double>(later.count()) * unit);
    return interval + interval / 2 + std::chrono::milliseconds(share);
}

std::chrono::milliseconds ServicePoller::remainingBudget() const
{
    return m_service.totalTimeout() - std::chrono::milliseconds(m_scrapeClock.elapsed());
}

void ServicePoller::fetchStep()
{
    const QString &path = m_step == Step::Metrics ? m_service.paths.metrics
        : m_step == Step::Vars                    ? m_service.paths.vars
                                                  : m_service.paths.pprof;
    const QUrl url = m_service.endpointUrl(path);
    const auto budget = remainingBudget();
    if (budget.count() <= 0) {
        FetchResult late;
        late.url = url;
        late.error = QStringLiteral("GET %1: skipped, the scrape's %2 ms were used up")
                         .arg(url.toString(QUrl::RemoveUserInfo))
                         .arg(m_service.totalTimeout().count());
        onFetched(late);
        return;
    }
    HttpRequest request = m_settings->request(url, m_service.baseUrl);
    if (m_step == Step::Metrics) {
        request.headers.emplace_back("Accept",
                                     QByteArray(formats::kMetricsAcceptHeader.data(),
                                                static_cast<qsizetype>(formats::kMetricsAcceptHeader.size())));
    }
    request.connectTimeout = m_service.connectTimeout;
    request.totalTimeout = budget;
    request.bodyLimit = m_service.bodyLimit;
    // As with backoff, one failure may be a blip: a service is suspect from
    // its second failure on.
    request.standing = m_realFailures >= 2 ? HttpRequest::Standing::Suspect
        : m_lastRealGood                   ? HttpRequest::Standing::Proven
                                           : HttpRequest::Standing::Unknown;
    // Straight through the executor: a QObject per request, its signal and
    // its deferred delete cost more than the callback (2 000 a second).
    m_request = m_executor->start(std::move(request), [this](const FetchResult &result) {
        m_request = 0;
        onFetched(result);
    });
}

void ServicePoller::onFetched(const FetchResult &result)
{
    ScrapeResult &scrape = *m_current;
    scrape.bytes += result.body.size();
    const bool isMain = (m_step == Step::Metrics) || (m_step == Step::Vars && m_service.paths.metrics.isEmpty());

    const QString pathKey = m_step == Step::Metrics ? QStringLiteral("metrics")
        : m_step == Step::Vars                      ? QStringLiteral("vars")
                                                    : QStringLiteral("pprof");
    if (result.ok && m_step != Step::Pprof && looksLikeHtml(result.contentType, result.body)) {
        const QString error
            = QStringLiteral("GET %1: the response is HTML, not %2: check `paths.%3`")
                  .arg(result.url.toString(QUrl::RemoveUserInfo),
                       m_step == Step::Metrics ? QStringLiteral("metrics") : QStringLiteral("expvar JSON"), pathKey);
        if (isMain) {
            scrape.error = error;
            complete();
            return;
        }
        scrape.problems << error;
    } else if (!result.ok && !isMain && result.httpStatus == 404) {
        // An optional endpoint that is not mounted is a fact about the
        // service, not an incident: said once, asked again rarely.
        bool &missing = m_step == Step::Vars ? m_varsMissing : m_pprofMissing;
        (m_step == Step::Vars ? m_varsCheckedMs : m_pprofCheckedMs) = scrape.tsMs;
        if (!missing) {
            scrape.notes.push_back(
                {pathKey,
                 QStringLiteral("%1 is not exposed (HTTP 404); it is optional, and gotriage asks again every %2 min. "
                                "If the service never serves it, set \"paths\": {\"%3\": null} for it in the fleet "
                                "file")
                     .arg(result.url.toString(QUrl::RemoveUserInfo))
                     .arg(kOptionalRecheck.count() / 60000)
                     .arg(pathKey)});
        }
        missing = true;
    } else if (!result.ok) {
        m_congested = m_congested || result.failure == FetchFailure::Congested;
        const QString hint = hintFor(result, pathKey);
        const QString error
            = hint.isEmpty() ? result.error : result.error + QStringLiteral(" (") + hint + QStringLiteral(")");
        if (isMain) {
            scrape.error = error;
            complete();
            return;
        }
        scrape.problems << error;
    } else if (m_step == Step::Metrics) {
        auto parsed = parseMetricsResponse(result, scrape);
        if (!parsed) {
            complete();
            return;
        }
        scrape.metrics = std::move(parsed);
        scrape.up = true;
    } else if (m_step == Step::Vars) {
        auto parsed = std::make_shared<formats::ParsedExpvar>(formats::parseExpvar(bodyView(result.body)));
        if (const QString problem = describeProblems(QStringLiteral("vars"), result.url, parsed->problems);
            !problem.isEmpty())
            scrape.problems << problem;
        if (isMain && !parsed->memstats) {
            scrape.error
                = QStringLiteral("GET %1: no memstats in the response").arg(result.url.toString(QUrl::RemoveUserInfo));
            complete();
            return;
        }
        scrape.vars = std::move(parsed);
        m_varsDueMs = scrape.tsMs + (m_varsDueMs == 0 ? varsOffset() : m_service.varsInterval()).count();
        m_varsMissing = false;
        scrape.up = scrape.up || isMain;
    } else if (m_step == Step::Pprof) {
        const formats::ParsedPprofIndex index = formats::parsePprofIndex(bodyView(result.body));
        m_pprofMissing = false;
        if (index.goroutines)
            scrape.pprofGoroutines = index.goroutines;
        else
            scrape.problems
                << QStringLiteral("pprof: no goroutine count at %1").arg(result.url.toString(QUrl::RemoveUserInfo));
        scrape.up = scrape.up || isMain;
    }

    // Next endpoint: vars after metrics; the pprof index only when nothing
    // else gave a goroutine count (it is the cheapest source of one).
    const auto due = [&](bool missing, qint64 checkedMs) {
        return !missing || scrape.tsMs - checkedMs >= kOptionalRecheck.count();
    };
    if (m_step == Step::Metrics && !m_service.paths.vars.isEmpty()
        && scrape.tsMs + m_service.interval.count() / 2 >= m_varsDueMs && due(m_varsMissing, m_varsCheckedMs)) {
        m_step = Step::Vars;
    } else if (m_step != Step::Pprof && !m_service.paths.pprof.isEmpty() && !hasGoroutines(scrape)
               && due(m_pprofMissing, m_pprofCheckedMs)) {
        m_step = Step::Pprof;
    } else {
        complete();
        return;
    }
    fetchStep();
}

std::shared_ptr<formats::ParsedMetrics> ServicePoller::parseMetricsResponse(const FetchResult &result,
                                                                            ScrapeResult &scrape) const
{
    const QString url = result.url.toString(QUrl::RemoveUserInfo);
    const auto foreign = foreignContentType(result.contentType);
    if (foreign && foreign->startsWith(QLatin1String("Prometheus protobuf"))) {
        scrape.error = QStringLiteral("GET %1: the response is %2: check `paths.metrics`").arg(url, *foreign);
        return nullptr;
    }
    const auto format = formats::detectExpositionFormat(
        std::string_view(result.contentType.constData(), static_cast<std::size_t>(result.contentType.size())),
        bodyView(result.body));
    const formats::MetricsLimits limits{m_service.sampleLimit, m_service.labelValueLengthLimit};
    auto parsed
        = std::make_shared<formats::ParsedMetrics>(formats::parseMetrics(bodyView(result.body), format, limits));
    if (parsed->limitExceeded) {
        const bool samples = parsed->limitExceeded->message.starts_with("more than");
        scrape.error
            = QStringLiteral("GET %1 (raise `%2` for this service if it is meant to be that large; nothing "
                             "of this scrape was used)")
                  .arg(QString::fromStdString(formats::formatProblem(url.toStdString(), *parsed->limitExceeded)),
                       samples ? QStringLiteral("sample_limit") : QStringLiteral("label_value_length_limit"));
        return nullptr;
    }
    const QString problem = describeProblems(QStringLiteral("metrics"), result.url, parsed->problems);
    if (foreign && (parsed->samples.empty() || parsed->problems.hasErrors())) {
        scrape.error = QStringLiteral("GET %1: the response is %2, not metrics%3: check `paths.metrics`")
                           .arg(url, *foreign,
                                problem.isEmpty() ? QString() : QStringLiteral(" (") + problem + QStringLiteral(")"));
        return nullptr;
    }
    if (!problem.isEmpty())
        scrape.problems << problem;
    if (const QString duplicates = describeDuplicates(result.url, parsed->problems); !duplicates.isEmpty())
        scrape.problems << duplicates;
    if (parsed->samples.empty()) {
        scrape.error = QStringLiteral("GET %1: no samples in the response").arg(url);
        return nullptr;
    }
    return parsed;
}

void ServicePoller::complete()
{
    ScrapeResult &scrape = *m_current;
    scrape.durationMs = m_scrapeClock.elapsed();
    scrape.congested = !scrape.up && m_congested;
    const qint64 now = m_clock->nowMs();

    ServiceHealth &h = m_health;
    const bool heardBefore = heardFrom();
    // What the target itself did: a congested scrape tells nothing of it.
    if (scrape.up) {
        m_realFailures = 0;
        m_lastRealGood = true;
    } else if (!m_congested) {
        ++m_realFailures;
        m_lastRealGood = false;
    }
    h.recordAttempt(scrape.tsMs, scrape.up, scrape.error, scrape.durationMs, scrape.bytes);
    if (!scrape.up) {
        // The first failure may be a blip; from the second on, back off
        // exponentially with ±20 % jitter so a dead fleet is not hammered in sync.
        // A scrape that failed for want of a free connection says nothing of
        // the target: it is tried again within one to two intervals, spread
        // so that the crowd that filled the connections thins out.
        const double unit = std::uniform_real_distribution<double>(0.0, 1.0)(m_random);
        if (m_congested && !heardBefore && m_soonRetries < kSoonRetries) {
            // Crowded out before its first answer, as in a first round of
            // thousands: the crowd is that round, over by now, and the
            // operator waits for this row. Tried again within a quarter of
            // the interval rather than at the next phase or two; a few times
            // only, as a crowd that lasts (a fleet of blackholed newcomers)
            // is thinned out as below.
            ++m_soonRetries;
            h.nextAttemptMs = now;
            const auto interval = static_cast<double>(m_service.interval.count());
            scheduleTickAfter(static_cast<qint64>(interval / 4 * unit), &ServicePoller::firstTick);
        } else if (m_congested) {
            h.nextAttemptMs = now + static_cast<qint64>(static_cast<double>(m_service.interval.count()) * (1.0 + unit));
        } else if (m_realFailures >= 2) {
            const auto exponent = std::min<int>(m_realFailures - 1, 10);
            const auto base = std::min<qint64>(m_service.interval.count() << exponent,
                                               std::max(kMaxBackoff, m_service.interval).count());
            h.nextAttemptMs = now + static_cast<qint64>(static_cast<double>(base) * (0.8 + 0.4 * unit));
        }
    }

    if (h.consecutiveFailures == 1)
        qCDebug(lcIngest) << m_service.name << "is down:" << scrape.error;
    m_step = Step::Done;
    const ScrapeResultPtr done = std::move(m_current);
    emit scraped(done, h);
}

} // namespace gotriage::ingest
