#include "profilecapture.h"

#include "common/clock.h"
#include "common/logging.h"
#include "ingest/fetchhints.h"
#include "ingest/httpfetch.h"
#include "ingest/requestexecutor.h"

#include <QUrlQuery>

#include <algorithm>
#include <array>

namespace gotriage::ingest {

namespace {

struct KindInfo {
    CaptureKind kind;
    const char *name;
    const char *endpoint;
    bool delta; // serves ?seconds=N as a delta
};

constexpr std::array<KindInfo, 8> kKinds{{
    {CaptureKind::Cpu, "cpu", "profile", false},
    {CaptureKind::Heap, "heap", "heap", true},
    {CaptureKind::Allocs, "allocs", "allocs", true},
    {CaptureKind::Goroutine, "goroutine", "goroutine", false},
    {CaptureKind::GoroutineText, "goroutine-text", "goroutine", false},
    {CaptureKind::Block, "block", "block", true},
    {CaptureKind::Mutex, "mutex", "mutex", true},
    {CaptureKind::ThreadCreate, "threadcreate", "threadcreate", false},
}};

const KindInfo &info(CaptureKind kind)
{
    return *std::find_if(kKinds.begin(), kKinds.end(), [&](const KindInfo &k) { return k.kind == kind; });
}

// What to check, in the operator's terms, when a capture failed.
QString captureHint(const CaptureRequest &request, const FetchResult &result)
{
    switch (result.failure) {
    case FetchFailure::HttpStatus:
        if (result.httpStatus == 404)
            return QStringLiteral("pprof is not mounted at %1: the service must import net/http/pprof on this "
                                  "port, or set \"paths\": {\"pprof\": …} for it in the fleet file")
                .arg(request.pprofPath);
        if (result.httpStatus == 401 || result.httpStatus == 403)
            return QStringLiteral("the service wants credentials for pprof: set `auth` for it in the fleet file");
        if (result.httpStatus == 400 && request.seconds > 0 && request.kind != CaptureKind::Cpu)
            return QStringLiteral("this Go runtime serves no delta profiles (Go >= 1.17 does): capture without "
                                  "seconds");
        return {};
    case FetchFailure::Timeout:
        return QStringLiteral("no complete profile within %1 s: the service may be too busy to answer")
            .arg((request.kind == CaptureKind::Cpu ? request.cpuSeconds() * 1000 + ProfileCapturer::kGraceMs
                                                   : ProfileCapturer::kGraceMs)
                 / 1000);
    case FetchFailure::TooLarge:
        return QStringLiteral("larger than %1 MiB").arg(ProfileCapturer::kBodyLimit / (1024 * 1024));
    default:
        return hintFor(result, QStringLiteral("pprof"));
    }
}

} // namespace

QString captureKindName(CaptureKind kind)
{
    return QString::fromLatin1(info(kind).name);
}

std::optional<CaptureKind> captureKindFromName(const QString &name)
{
    for (const KindInfo &k : kKinds) {
        if (name == QLatin1String(k.name))
            return k.kind;
    }
    return std::nullopt;
}

bool isProtobuf(CaptureKind kind)
{
    return kind != CaptureKind::GoroutineText;
}

QUrl CaptureRequest::url() const
{
    QString path = pprofPath.endsWith(u'/') ? pprofPath : pprofPath + u'/';
    QUrl out = baseUrl.resolved(QUrl(path + QString::fromLatin1(info(kind).endpoint)));
    QUrlQuery query;
    if (kind == CaptureKind::Cpu)
        query.addQueryItem(QStringLiteral("seconds"), QString::number(cpuSeconds()));
    else if (info(kind).delta && seconds > 0)
        query.addQueryItem(QStringLiteral("seconds"), QString::number(seconds));
    if (kind == CaptureKind::GoroutineText)
        query.addQueryItem(QStringLiteral("debug"), QStringLiteral("2"));
    out.setQuery(query);
    return out;
}

ProfileCapturer::ProfileCapturer(RequestExecutor *executor, const common::Clock *clock, QObject *parent)
    : QObject(parent), m_executor(executor), m_clock(clock ? clock : &common::LiveClock::instance())
{
    qRegisterMetaType<CaptureResultPtr>();
}

ProfileCapturer::~ProfileCapturer()
{
    for (Running &r : m_running)
        delete r.fetch; // aborts; no callback runs
}

ProfileCapturer::Id ProfileCapturer::capture(const CaptureRequest &request)
{
    const Id id = m_nextId++;
    m_queue.push_back({id, request});
    // Started from the event loop, so that the caller knows the id before
    // started() or finished() can name it.
    QMetaObject::invokeMethod(this, &ProfileCapturer::startNext, Qt::QueuedConnection);
    return id;
}

void ProfileCapturer::setMaxConcurrent(int captures)
{
    m_maxConcurrent = std::max(1, captures);
    startNext();
}

void ProfileCapturer::cancel(Id id)
{
    CaptureResult cancelled;
    if (const auto it = std::find_if(m_queue.begin(), m_queue.end(), [&](const Pending &p) { return p.id == id; });
        it != m_queue.end()) {
        cancelled.request = it->request;
        m_queue.erase(it);
    } else if (const auto running = m_running.find(id); running != m_running.end()) {
        cancelled.request = running->request;
        cancelled.startedMs = running->startedMs;
        delete running->fetch;
        m_running.erase(running);
    } else {
        return;
    }
    cancelled.url = cancelled.request.url();
    cancelled.error = QStringLiteral("cancelled");
    finish(id, std::move(cancelled));
}

void ProfileCapturer::startNext()
{
    while (!m_queue.empty() && static_cast<int>(m_running.size()) < m_maxConcurrent) {
        Pending next = std::move(m_queue.front());
        m_queue.pop_front();
        const CaptureRequest &request = next.request;
        const auto settings = m_executor->serviceSettings(request.service);
        HttpRequest http;
        http.url = request.url();
        if (settings)
            http = settings->request(http.url, request.baseUrl);
        const qint64 profileMs = request.kind == CaptureKind::Cpu ? request.cpuSeconds() * 1000LL
            : info(request.kind).delta && request.seconds > 0     ? request.seconds * 1000LL
                                                                  : 0;
        http.connectTimeout = std::chrono::milliseconds(3000);
        http.headersTimeout = std::chrono::milliseconds(profileMs + kGraceMs);
        http.totalTimeout = std::chrono::milliseconds(profileMs + kGraceMs);
        http.bodyLimit = kBodyLimit;
        Running running{request, new HttpFetch(m_executor, std::move(http), this), m_clock->nowMs()};
        const Id id = next.id;
        connect(running.fetch, &HttpFetch::finished, this, [this, id](const FetchResult &r) { onFetched(id, r); });
        m_running.insert(id, running);
        qCDebug(lcIngest) << "capturing" << captureKindName(request.kind) << "of" << request.service;
        emit started(id, running.startedMs + profileMs);
        running.fetch->start();
    }
}

void ProfileCapturer::onFetched(Id id, const FetchResult &fetched)
{
    const auto it = m_running.find(id);
    if (it == m_running.end())
        return;
    Running running = *it;
    m_running.erase(it);
    running.fetch->deleteLater();
    CaptureResult result;
    result.request = running.request;
    result.url = fetched.url;
    result.startedMs = running.startedMs;
    result.durationMs = fetched.durationMs;
    if (!fetched.ok) {
        const QString hint = captureHint(running.request, fetched);
        result.error = hint.isEmpty() ? fetched.error : fetched.error + QStringLiteral(" (") + hint + u')';
    } else if (looksLikeHtml(fetched.contentType, fetched.body)) {
        result.error
            = QStringLiteral("GET %1: the response is an HTML page, not a %2")
                  .arg(fetched.url.toString(QUrl::RemoveUserInfo),
                       isProtobuf(running.request.kind) ? QStringLiteral("profile") : QStringLiteral("goroutine dump"));
    } else {
        result.body = fetched.body;
    }
    finish(id, std::move(result));
    startNext();
}

void ProfileCapturer::finish(Id id, CaptureResult result)
{
    if (result.url.isEmpty())
        result.url = result.request.url();
    emit finished(id, std::make_shared<const CaptureResult>(std::move(result)));
}

} // namespace gotriage::ingest
