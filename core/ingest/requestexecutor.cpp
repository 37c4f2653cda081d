#include "requestexecutor.h"

#include "formats/gzip.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QSocketNotifier>

#include <curl/curl.h>

#include <poll.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>

namespace gotriage::ingest {

namespace {

// What is kept of an error page: enough for its message.
constexpr std::size_t kErrorPageBytes = 4096;

QString sizeText(qint64 bytes)
{
    return bytes >= 1024 * 1024
        ? QStringLiteral("%1 MiB").arg(static_cast<double>(bytes) / (1024.0 * 1024.0), 0, 'f', 1)
        : QStringLiteral("%1 bytes").arg(bytes);
}

int defaultPort(const QUrl &url)
{
    return url.scheme() == QLatin1String("https") ? 443 : 80;
}

bool sameOrigin(const QUrl &a, const QUrl &b)
{
    return a.scheme() == b.scheme() && a.host().compare(b.host(), Qt::CaseInsensitive) == 0
        && a.port(defaultPort(a)) == b.port(defaultPort(b));
}

void initCurlOnce()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Descriptors left to the rest of the process (files, the recording, the
// display) when connections are counted against the open-file limit.
constexpr long kDescriptorsKeptBack = 256;

// How many connections this process may keep open. The soft open-file
// limit (1 024 on a stock desktop) is first raised to the hard one, once,
// as the Go runtime and Prometheus do: one idle connection per target of a
// 2 000-service fleet would not fit under it.
long connectionBudget()
{
    static const long budget = [] {
        rlimit limit{};
        if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
            return 1024 - kDescriptorsKeptBack;
        if (limit.rlim_cur < limit.rlim_max) {
            rlimit raised = limit;
            raised.rlim_cur
                = limit.rlim_max == RLIM_INFINITY ? std::max<rlim_t>(limit.rlim_cur, 65536) : limit.rlim_max;
            if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
                limit = raised;
        }
        const rlim_t soft = limit.rlim_cur == RLIM_INFINITY ? 65536 : limit.rlim_cur;
        return std::max<long>(64, static_cast<long>(std::min<rlim_t>(soft, 1 << 20)) - kDescriptorsKeptBack);
    }();
    return budget;
}

// Time spent waiting for a connection that a timeout's message mentions.
constexpr qint64 kWaitWorthSayingMs = 50;

// Whether this libcurl trusts the system's CAs through a hashed directory
// (Debian's: /etc/ssl/certs). Then the bundle file it also names need not be
// read: OpenSSL 3 takes ~27 ms to parse it, libcurl does so for every
// connection, on the ingest thread; a directory is looked up lazily, one
// issuer at a time.
bool systemCaPathAvailable()
{
    static const bool available = [] {
        CURL *easy = curl_easy_init();
        char *path = nullptr;
        const bool has = easy && curl_easy_getinfo(easy, CURLINFO_CAPATH, &path) == CURLE_OK && path && *path;
        curl_easy_cleanup(easy);
        return has;
    }();
    return available;
}

} // namespace

// One request in flight (and the redirects it follows within its origin).
struct RequestExecutor::Transfer {
    Id id = 0;
    HttpRequest request;
    Callback done;
    CURL *easy = nullptr;
    curl_slist *headerList = nullptr;
    curl_slist *connectTo = nullptr;
    QUrl url; // the current one, after redirects
    RequestExecutor::Shard *shard = nullptr; // the handle it runs in (by origin)
    int redirects = 0;
    bool admitted = false; // handed to libcurl, holding one of the connections
    qint64 waitedMs = 0; // for a free connection, before it was admitted
    QElapsedTimer clock;
    // When the response must have started, and when it must be over, on
    // the executor's monotonic clock (0: no such deadline, or no longer).
    qint64 connectDeadlineMs = 0;
    qint64 totalDeadlineMs = 0;
    char errorBuffer[CURL_ERROR_SIZE] = {};

    // The response being read.
    int status = 0;
    QByteArray reason;
    QByteArray contentType;
    QByteArray contentEncoding;
    QByteArray location;
    std::optional<qint64> contentLength;
    bool headersDone = false;
    std::string body;
    std::unique_ptr<formats::GzipInflater> inflater;
    qint64 wireBytes = 0;
    // Why a callback stopped the transfer (it then returns 0 to libcurl).
    QString abortReason;
    FetchFailure abortFailure = FetchFailure::None;

    ~Transfer()
    {
        if (easy)
            curl_easy_cleanup(easy);
        curl_slist_free_all(headerList);
        curl_slist_free_all(connectTo);
    }

    void resetResponse()
    {
        status = 0;
        reason.clear();
        contentType.clear();
        contentEncoding.clear();
        location.clear();
        contentLength.reset();
        headersDone = false;
        body.clear();
        inflater.reset();
    }

    bool abort(const QString &why, FetchFailure failure)
    {
        abortReason = why;
        abortFailure = failure;
        return false;
    }

    static std::size_t onHeader(char *data, std::size_t size, std::size_t count, void *self);
    static curl_socket_t onOpenSocket(void *self, curlsocktype purpose, curl_sockaddr *address);
    static std::size_t onBody(char *data, std::size_t size, std::size_t count, void *self);
    bool header(QByteArray line);
    bool bodyData(std::string_view bytes);
};

// One libcurl multi handle and its connection cache. libcurl 7.88 walks
// its whole connection cache each time a transfer is removed (looking for
// connect-only connections to close): with one idle connection kept per
// target, one cache of 2 000 cost 15 % of the ingest thread. Origins are
// spread over kShards handles, each walking its own share.
struct RequestExecutor::Shard {
    RequestExecutor *executor = nullptr;
    CURLM *multi = nullptr;
    QTimer timer; // libcurl's own timeouts for this handle
};

struct RequestExecutor::Socket {
    RequestExecutor::Shard *shard = nullptr;
    std::unique_ptr<QSocketNotifier> read;
    std::unique_ptr<QSocketNotifier> write;
};

bool RequestExecutor::Transfer::header(QByteArray line)
{
    line = line.trimmed();
    if (line.startsWith("HTTP/")) {
        // A new response: an interim 100 Continue, a redirect or the answer.
        resetResponse();
        const QList<QByteArray> parts = line.split(' ');
        status = parts.value(1).toInt();
        reason = line.mid(line.indexOf(' ', line.indexOf(' ') + 1) + 1);
        if (parts.size() < 3)
            reason.clear();
        connectDeadlineMs = 0; // the response has started
        return true;
    }
    if (line.isEmpty()) {
        if (status >= 200)
            headersDone = true;
        if (status != 200) {
            // An error page is kept for its message, gzipped or not.
            if (contentEncoding == "gzip" && request.acceptGzip)
                inflater = std::make_unique<formats::GzipInflater>(kErrorPageBytes);
            return true;
        }
        if (!contentEncoding.isEmpty() && contentEncoding != "identity") {
            if (contentEncoding != "gzip" || !request.acceptGzip)
                return abort(
                    QStringLiteral("unsupported Content-Encoding \"%1\"").arg(QString::fromLatin1(contentEncoding)),
                    FetchFailure::Other);
            inflater = std::make_unique<formats::GzipInflater>(static_cast<std::size_t>(request.bodyLimit));
        } else if (contentLength && *contentLength > request.bodyLimit) {
            return abort(QStringLiteral("body of %1 exceeds the %2 limit")
                             .arg(sizeText(*contentLength), sizeText(request.bodyLimit)),
                         FetchFailure::TooLarge);
        }
        return true;
    }
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0)
        return true;
    const QByteArray name = line.left(colon).trimmed().toLower();
    const QByteArray value = line.mid(colon + 1).trimmed();
    if (name == "content-type")
        contentType = value;
    else if (name == "content-encoding")
        contentEncoding = value.toLower();
    else if (name == "location")
        location = value;
    else if (name == "content-length") {
        bool ok = false;
        const qint64 length = value.toLongLong(&ok);
        if (ok)
            contentLength = length;
    }
    return true;
}

bool RequestExecutor::Transfer::bodyData(std::string_view bytes)
{
    wireBytes += static_cast<qint64>(bytes.size());
    if (status != 200) {
        // An error page: keep its start for the message, never all of it.
        if (inflater) {
            if (!inflater->failed())
                inflater->feed(bytes, body); // past the limit it stops; what it has is enough
        } else if (body.size() < kErrorPageBytes) {
            body.append(bytes.substr(0, kErrorPageBytes - body.size()));
        }
        return true;
    }
    if (inflater) {
        if (!inflater->feed(bytes, body))
            return abort(QString::fromStdString(inflater->error()),
                         inflater->limitExceeded() ? FetchFailure::TooLarge : FetchFailure::Other);
        return true;
    }
    if (static_cast<qint64>(body.size() + bytes.size()) > request.bodyLimit)
        return abort(QStringLiteral("body exceeds the %1 limit").arg(sizeText(request.bodyLimit)),
                     FetchFailure::TooLarge);
    body.append(bytes);
    return true;
}

namespace {

// Link-local addresses (169.254.0.0/16, fe80::/10) and the clouds'
// metadata services on them (169.254.169.254, fd00:ec2::254) answer with
// the machine's own credentials: never reached unless a service allows it,
// whatever name or redirect led there.
bool isLinkLocalOrMetadata(const sockaddr *address)
{
    if (address->sa_family == AF_INET) {
        const std::uint32_t ip = ntohl(reinterpret_cast<const sockaddr_in *>(address)->sin_addr.s_addr);
        return (ip & 0xffff0000u) == 0xa9fe0000u;
    }
    if (address->sa_family != AF_INET6)
        return false;
    const in6_addr &ip = reinterpret_cast<const sockaddr_in6 *>(address)->sin6_addr;
    static const in6_addr kEc2Metadata = [] {
        in6_addr parsed{};
        inet_pton(AF_INET6, "fd00:ec2::254", &parsed);
        return parsed;
    }();
    const unsigned char *b = ip.s6_addr;
    return (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || (IN6_IS_ADDR_V4MAPPED(&ip) && b[12] == 169 && b[13] == 254)
        || IN6_ARE_ADDR_EQUAL(&ip, &kEc2Metadata);
}

} // namespace

curl_socket_t RequestExecutor::Transfer::onOpenSocket(void *self, curlsocktype purpose, curl_sockaddr *address)
{
    auto *transfer = static_cast<Transfer *>(self);
    if (purpose == CURLSOCKTYPE_IPCXN && !transfer->request.allowLinkLocal && isLinkLocalOrMetadata(&address->addr)) {
        char text[INET6_ADDRSTRLEN] = {};
        const void *raw = address->family == AF_INET
            ? static_cast<const void *>(&reinterpret_cast<const sockaddr_in *>(&address->addr)->sin_addr)
            : static_cast<const void *>(&reinterpret_cast<const sockaddr_in6 *>(&address->addr)->sin6_addr);
        inet_ntop(address->family, raw, text, sizeof text);
        transfer->abortReason
            = QStringLiteral("refused to connect to %1: a link-local or cloud metadata address (the fleet file's "
                             "allow_link_local lets a service reach one)")
                  .arg(QString::fromLatin1(text));
        transfer->abortFailure = FetchFailure::Other;
        return CURL_SOCKET_BAD;
    }
    return ::socket(address->family, address->socktype, address->protocol);
}

std::size_t RequestExecutor::Transfer::onHeader(char *data, std::size_t size, std::size_t count, void *self)
{
    auto *transfer = static_cast<Transfer *>(self);
    return transfer->header(QByteArray(data, static_cast<qsizetype>(size * count))) ? size * count : 0;
}

std::size_t RequestExecutor::Transfer::onBody(char *data, std::size_t size, std::size_t count, void *self)
{
    auto *transfer = static_cast<Transfer *>(self);
    return transfer->bodyData({data, size * count}) ? size * count : 0;
}

RequestExecutor::RequestExecutor(QObject *parent) : QObject(parent)
{
    initCurlOnce();
    sizeConnectionCache();
    m_deadlineTimer.setSingleShot(true);
    m_deadlineTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_deadlineTimer, &QTimer::timeout, this, &RequestExecutor::onDeadlines);
    m_monotonic.start();
}

RequestExecutor::~RequestExecutor()
{
    for (const auto &transfer : std::as_const(m_transfers)) {
        if (transfer->admitted)
            curl_multi_remove_handle(transfer->shard->multi, transfer->easy);
    }
    m_transfers.clear();
    for (CURL *easy : m_idleEasy)
        curl_easy_cleanup(easy);
    for (const std::unique_ptr<Shard> &shard : m_shards) {
        if (!shard)
            continue;
        // Closing the cached connections must not call back into a half-destroyed executor.
        curl_multi_setopt(shard->multi, CURLMOPT_SOCKETFUNCTION, nullptr);
        curl_multi_setopt(shard->multi, CURLMOPT_TIMERFUNCTION, nullptr);
        curl_multi_cleanup(shard->multi);
    }
    m_sockets.clear();
}

RequestExecutor::Shard &RequestExecutor::shardFor(const QUrl &url)
{
    const QString origin = url.scheme() + url.host().toLower() + QString::number(url.port(defaultPort(url)));
    std::unique_ptr<Shard> &shard = m_shards[qHash(origin, 0) % m_shards.size()];
    if (!shard) {
        shard = std::make_unique<Shard>();
        shard->executor = this;
        shard->multi = curl_multi_init();
        curl_multi_setopt(shard->multi, CURLMOPT_SOCKETFUNCTION, &RequestExecutor::onSocket);
        curl_multi_setopt(shard->multi, CURLMOPT_SOCKETDATA, shard.get());
        curl_multi_setopt(shard->multi, CURLMOPT_TIMERFUNCTION, &RequestExecutor::onTimer);
        curl_multi_setopt(shard->multi, CURLMOPT_TIMERDATA, shard.get());
        shard->timer.setSingleShot(true);
        connect(&shard->timer, &QTimer::timeout, this,
                [this, raw = shard.get()] { drive(*raw, CURL_SOCKET_TIMEOUT, 0); });
        limitConnections(*shard);
    }
    return *shard;
}

void RequestExecutor::setMaxConnections(int connections)
{
    m_maxConnections = std::max(1, connections);
    sizeConnectionCache();
    admitWaiting();
}

void RequestExecutor::sizeConnectionCache()
{
    // One idle connection kept per known service, as Prometheus keeps one
    // per target. A cache smaller than the fleet is no cache: it drops the
    // least recently used connection, and scrapes come round in a cycle, so
    // every scrape connected anew (TCP connect and close were a fifth of the
    // process at 2 000 services, and libcurl scanned its cache for the
    // oldest connection at each). The services are spread over the shards
    // by a hash, hence twice a fair share; libcurl counts the connections in
    // use within both of its limits, hence the executor's own cap on top.
    const auto shards = static_cast<long>(m_shards.size());
    const long services = static_cast<long>(m_serviceSettings.size());
    const long cached
        = std::min(2 * ((services + shards - 1) / shards) + m_maxConnections, connectionBudget() / shards);
    if (cached == m_cachedPerShard)
        return;
    m_cachedPerShard = cached;
    for (const std::unique_ptr<Shard> &shard : m_shards) {
        if (shard)
            limitConnections(*shard);
    }
}

void RequestExecutor::limitConnections(Shard &shard)
{
    curl_multi_setopt(shard.multi, CURLMOPT_MAXCONNECTS, m_cachedPerShard);
    // The cap on requests in flight is the executor's own (admitWaiting);
    // libcurl's only backs it up: at the same height, a connection being
    // torn down would still count, and libcurl would park an admitted
    // request in its own first-come queue.
    curl_multi_setopt(shard.multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, m_cachedPerShard + 2L * m_maxConnections);
}

RequestExecutor::Id RequestExecutor::start(HttpRequest request, Callback done)
{
    auto transfer = std::make_shared<Transfer>();
    transfer->id = m_nextId++;
    transfer->url = request.url;
    transfer->request = std::move(request);
    transfer->done = std::move(done);
    transfer->clock.start();
    const Id id = transfer->id;
    m_transfers.insert(id, transfer);
    ++m_started;

    // The whole budget counts from now; the connect timeout from the
    // moment a connection is free to try.
    // (Admitted at once, the connect timer starts first: of two equal
    // timeouts, the connect timeout is the one to report.)
    const HttpRequest::Standing standing = transfer->request.standing;
    const bool now = hasRoomFor(standing);
    if (now)
        admit(*transfer);
    else
        m_waiting[static_cast<std::size_t>(standing)].push_back(id);
    transfer->totalDeadlineMs = m_monotonic.elapsed() + transfer->request.totalTimeout.count();
    addDeadline(transfer->totalDeadlineMs, id);
    return id;
}

void RequestExecutor::addDeadline(qint64 atMs, Id id)
{
    m_deadlines.push({atMs, id});
    // Re-armed only when this one comes first: most requests carry the same
    // timeouts, so a new deadline is usually the latest.
    if (m_deadlines.top().id == id && m_deadlines.top().atMs == atMs)
        m_deadlineTimer.start(static_cast<int>(std::max<qint64>(0, atMs - m_monotonic.elapsed())));
}

void RequestExecutor::onDeadlines()
{
    const qint64 now = m_monotonic.elapsed();
    std::vector<Id> due;
    while (!m_deadlines.empty() && m_deadlines.top().atMs <= now) {
        due.push_back(m_deadlines.top().id);
        m_deadlines.pop();
    }
    // Outcomes run callbacks, which may start requests and add deadlines.
    for (const Id id : due)
        onDeadline(id, now);
    if (!m_deadlines.empty())
        m_deadlineTimer.start(static_cast<int>(std::max<qint64>(0, m_deadlines.top().atMs - m_monotonic.elapsed())));
}

void RequestExecutor::onDeadline(Id id, qint64 nowMs)
{
    const auto found = m_transfers.constFind(id);
    if (found == m_transfers.cend())
        return; // over already: its deadlines are left to lapse here
    const std::shared_ptr<Transfer> t = *found;
    // Of two deadlines due at once, the connect timeout is the one to report.
    if (t->connectDeadlineMs && t->connectDeadlineMs <= nowMs) {
        t->connectDeadlineMs = 0;
        const auto connectMs
            = std::min(t->request.headersTimeout.value_or(t->request.connectTimeout), t->request.totalTimeout);
        if (readPending(id) && t->status == 0) {
            finish(id, QStringLiteral("no response within %1 ms (connect timeout)").arg(connectMs.count()),
                   FetchFailure::ConnectTimeout);
            return;
        }
    }
    if (!t->totalDeadlineMs || t->totalDeadlineMs > nowMs || !m_transfers.contains(id))
        return;
    t->totalDeadlineMs = 0;
    if (!readPending(id))
        return;
    const auto total = t->request.totalTimeout;
    if (!t->admitted) {
        finish(id,
               QStringLiteral("not started within %1 ms: all %2 connections were busy with other targets")
                   .arg(total.count())
                   .arg(m_maxConnections),
               FetchFailure::Congested);
        return;
    }
    const qint64 waited = t->waitedMs;
    if (waited < kWaitWorthSayingMs) {
        finish(id, QStringLiteral("timed out after %1 ms").arg(total.count()), FetchFailure::Timeout);
        return;
    }
    finish(id,
           QStringLiteral("timed out after %1 ms, %2 of them waiting for a free connection")
               .arg(total.count())
               .arg(waited),
           2 * waited >= total.count() ? FetchFailure::Congested : FetchFailure::Timeout);
}

void RequestExecutor::admit(Transfer &t)
{
    t.admitted = true;
    t.waitedMs = t.clock.elapsed();
    ++m_admitted;
    m_admittedDoubtful += t.request.standing != HttpRequest::Standing::Proven ? 1 : 0;
    t.connectDeadlineMs = m_monotonic.elapsed()
        + std::min(t.request.headersTimeout.value_or(t.request.connectTimeout), t.request.totalTimeout).count();
    addDeadline(t.connectDeadlineMs, t.id);
    begin(t);
}

void RequestExecutor::release(Transfer &t)
{
    if (!t.admitted)
        return;
    curl_multi_remove_handle(t.shard->multi, t.easy);
    // Kept for the next request: a handle made and freed per request (and
    // the buffers libcurl gives it) was the largest share of the ingest
    // thread's malloc at 2 000 services. Reset when it is taken again.
    if (m_idleEasy.size() < static_cast<std::size_t>(m_maxConnections)) {
        m_idleEasy.push_back(t.easy);
        t.easy = nullptr;
    }
    t.admitted = false;
    --m_admitted;
    m_admittedDoubtful -= t.request.standing != HttpRequest::Standing::Proven ? 1 : 0;
    admitWaiting();
}

bool RequestExecutor::hasRoomFor(HttpRequest::Standing standing) const
{
    // Doubtful targets may hold three quarters of the connections: a
    // blackholed one holds its connection for its whole budget, and the
    // proven services must always find one free.
    const int quarter = m_maxConnections / 4;
    if (standing != HttpRequest::Standing::Proven)
        return m_admitted < m_maxConnections && m_admittedDoubtful < m_maxConnections - quarter;
    // And the other way round: while services that never answered wait, a
    // quarter stays theirs. On a fleet too slow for every scrape in time
    // (a starved machine, a first round of 2 000 new connections), the
    // proven services' routine scrapes took every connection as it freed,
    // and a service not yet seen waited for its first answer for good.
    const bool newcomersWait = !m_waiting[static_cast<std::size_t>(HttpRequest::Standing::Unknown)].empty();
    const int keptForThem = newcomersWait ? std::max(0, quarter - m_admittedDoubtful) : 0;
    return m_admitted + keptForThem < m_maxConnections;
}

void RequestExecutor::admitWaiting()
{
    for (std::size_t standing = 0; standing < m_waiting.size(); ++standing) {
        std::deque<Id> &queue = m_waiting[standing];
        while (!queue.empty() && hasRoomFor(static_cast<HttpRequest::Standing>(standing))) {
            const Id next = queue.front();
            queue.pop_front();
            if (const auto it = m_transfers.constFind(next); it != m_transfers.cend()) // not cancelled meanwhile
                admit(**it);
        }
    }
}

void RequestExecutor::begin(Transfer &t)
{
    if (!t.easy && !m_idleEasy.empty()) {
        t.easy = m_idleEasy.back();
        m_idleEasy.pop_back();
    }
    if (!t.easy)
        t.easy = curl_easy_init();
    else
        curl_easy_reset(t.easy);
    CURL *easy = t.easy;
    const HttpRequest &r = t.request;
    QUrl wireUrl = t.url;
    curl_slist_free_all(t.connectTo);
    t.connectTo = nullptr;
    if (t.url.scheme() == QLatin1String("https") && !r.tls.serverName.isEmpty()) {
        // Verify (and send as SNI) the configured name while connecting to
        // the URL's own address, as Prometheus' tls_config server_name does.
        wireUrl.setHost(r.tls.serverName);
        const int port = t.url.port(defaultPort(t.url));
        const QByteArray rule = r.tls.serverName.toUtf8() + ':' + QByteArray::number(port) + ':'
            + t.url.host(QUrl::FullyEncoded).toUtf8() + ':' + QByteArray::number(port);
        t.connectTo = curl_slist_append(nullptr, rule.constData());
    }
    const QByteArray url = wireUrl.toEncoded();
    curl_easy_setopt(easy, CURLOPT_URL, url.constData());
    curl_easy_setopt(easy, CURLOPT_CONNECT_TO, t.connectTo);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t.errorBuffer);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    // libcurl caches every host:port it resolves, numeric addresses too,
    // and sweeps the whole cache for stale entries as it resolves the
    // next: with thousands of targets (one entry each) that sweep was the
    // largest cost of a request. A numeric address needs no cache.
    QHostAddress numeric;
    if (numeric.setAddress(t.url.host()))
        curl_easy_setopt(easy, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L); // followRedirect() decides, origin by origin
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &Transfer::onOpenSocket);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, &t);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::onHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::onBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t);
    // Our own timers give the messages; libcurl's are a backstop.
    const auto slack = std::chrono::milliseconds(200);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>((r.connectTimeout + slack).count()));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>((r.totalTimeout + slack).count()));
    if (r.method != "GET") {
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, r.method.constData());
        if (!r.body.isEmpty() || r.method == "POST" || r.method == "PUT") {
            curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(r.body.size()));
            curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r.body.constData());
        }
    }

    curl_slist_free_all(t.headerList);
    t.headerList = nullptr;
    auto add = [&t](const QByteArray &name, const QByteArray &value) {
        t.headerList = curl_slist_append(t.headerList, (name + ": " + value).constData());
    };
    add("User-Agent", "gotriage");
    // Decoded here, not by libcurl: the decoder knows a stream cut short.
    if (r.acceptGzip)
        add("Accept-Encoding", "gzip");
    add("Expect", ""); // no 100-continue round trip for small bodies
    for (const auto &[name, value] : r.headers)
        add(name, value);
    if (sameOrigin(t.url, r.origin.isEmpty() ? r.url : r.origin)) {
        for (const auto &[name, value] : r.credentialHeaders)
            add(name, value);
    }
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t.headerList);

    if (t.url.scheme() == QLatin1String("https")) {
        const TlsOptions &tls = r.tls;
        if (!tls.caFile.isEmpty()) // trusted beside the system store (CAPATH stays)
            curl_easy_setopt(easy, CURLOPT_CAINFO, tls.caFile.toLocal8Bit().constData());
        else if (systemCaPathAvailable())
            curl_easy_setopt(easy, CURLOPT_CAINFO, nullptr);
        if (!tls.certFile.isEmpty()) {
            curl_easy_setopt(easy, CURLOPT_SSLCERT, tls.certFile.toLocal8Bit().constData());
            curl_easy_setopt(easy, CURLOPT_SSLKEY, tls.keyFile.toLocal8Bit().constData());
        }
        if (tls.insecureSkipVerify) {
            curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
        }
    }
    t.resetResponse();
    t.shard = &shardFor(t.url);
    curl_multi_add_handle(t.shard->multi, easy);
}

void RequestExecutor::cancel(Id id)
{
    const auto it = m_transfers.find(id);
    if (it == m_transfers.end())
        return;
    const std::shared_ptr<Transfer> transfer = *it;
    m_transfers.erase(it);
    release(*transfer);
}

void RequestExecutor::finish(Id id, const QString &reason, FetchFailure failure)
{
    const auto it = m_transfers.find(id);
    if (it == m_transfers.end())
        return;
    const std::shared_ptr<Transfer> transfer = *it;
    m_transfers.erase(it);
    release(*transfer); // before the callback, which may start the service's next request

    FetchResult result;
    result.url = transfer->request.url;
    result.httpStatus = transfer->status;
    result.contentType = transfer->contentType;
    result.durationMs = transfer->clock.elapsed();
    result.wireBytes = transfer->wireBytes;
    result.failure = failure;
    result.ok = failure == FetchFailure::None;
    // An error status keeps its body: a server's reason is often in it
    // (Prometheus answers a bad query with 400 and JSON that says why).
    if (result.ok || failure == FetchFailure::HttpStatus)
        result.body = QByteArray(transfer->body.data(), static_cast<qsizetype>(transfer->body.size()));
    if (!result.ok) {
        result.error = QStringLiteral("%1 %2: %3")
                           .arg(QString::fromLatin1(transfer->request.method),
                                transfer->request.url.toString(QUrl::RemoveUserInfo), reason);
    }
    if (transfer->done)
        transfer->done(result);
}

void RequestExecutor::complete(Id id, int curlCode)
{
    const auto it = m_transfers.find(id);
    if (it == m_transfers.end())
        return;
    Transfer &t = **it;
    const auto code = static_cast<CURLcode>(curlCode);
    if (!t.abortReason.isEmpty()) {
        finish(id, t.abortReason, t.abortFailure);
        return;
    }
    if (code == CURLE_OK && t.status >= 300 && t.status < 400 && !t.location.isEmpty()) {
        const QUrl target = t.url.resolved(QUrl::fromEncoded(t.location));
        if (!sameOrigin(target, t.request.origin.isEmpty() ? t.request.url : t.request.origin)) {
            finish(id,
                   QStringLiteral("refused redirect to another host: %1").arg(target.toString(QUrl::RemoveUserInfo)),
                   FetchFailure::Redirect);
            return;
        }
        if (t.redirects >= t.request.maxRedirects) {
            finish(id, QStringLiteral("more than %1 redirects").arg(t.request.maxRedirects), FetchFailure::Redirect);
            return;
        }
        ++t.redirects;
        t.url = target;
        curl_multi_remove_handle(t.shard->multi, t.easy);
        begin(t);
        return;
    }
    if (code != CURLE_OK) {
        const QString detail = QString::fromUtf8(t.errorBuffer[0] ? t.errorBuffer : curl_easy_strerror(code));
        FetchFailure failure = FetchFailure::Other;
        QString reason = detail;
        switch (code) {
        case CURLE_COULDNT_CONNECT: {
            long osErrno = 0;
            curl_easy_getinfo(t.easy, CURLINFO_OS_ERRNO, &osErrno);
            if (osErrno == ECONNREFUSED) {
                failure = FetchFailure::Refused;
                reason = QStringLiteral("connection refused");
            }
            break;
        }
        case CURLE_COULDNT_RESOLVE_HOST:
            failure = FetchFailure::HostNotFound;
            break;
        case CURLE_OPERATION_TIMEDOUT:
            failure = t.status == 0 ? FetchFailure::ConnectTimeout : FetchFailure::Timeout;
            break;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CACERT_BADFILE:
            failure = FetchFailure::Tls;
            break;
        case CURLE_UNSUPPORTED_PROTOCOL: // the URL's scheme is checked on load: here, "HTTP/0.9" (no status line)
        case CURLE_WEIRD_SERVER_REPLY:
            failure = FetchFailure::NotHttp;
            break;
        case CURLE_PARTIAL_FILE:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
            if (t.status == 200 || t.headersDone) {
                failure = FetchFailure::CutShort;
                reason = QStringLiteral("body cut short after %1: %2").arg(sizeText(t.wireBytes), detail);
            }
            break;
        default:
            break;
        }
        finish(id, reason, failure);
        return;
    }
    if (t.status != 200) {
        finish(id, QStringLiteral("HTTP %1 %2").arg(t.status).arg(QString::fromLatin1(t.reason)).trimmed(),
               FetchFailure::HttpStatus);
        return;
    }
    // libcurl checks Content-Length and chunk framing; the gzip trailer is ours.
    if (t.inflater && !t.inflater->finish()) {
        finish(id, QStringLiteral("body cut short: %1").arg(QString::fromStdString(t.inflater->error())),
               FetchFailure::CutShort);
        return;
    }
    finish(id, {}, FetchFailure::None);
}

int RequestExecutor::onSocket(void *, int fd, int what, void *shardData, void *)
{
    auto *shard = static_cast<Shard *>(shardData);
    RequestExecutor *executor = shard->executor;
    if (what == CURL_POLL_REMOVE) {
        // Called from inside libcurl, perhaps from this socket's own notifier:
        // disable now, delete once the event loop is back.
        if (const auto socket = executor->m_sockets.take(fd)) {
            for (QSocketNotifier *notifier : {socket->read.release(), socket->write.release()}) {
                if (notifier) {
                    notifier->setEnabled(false);
                    notifier->deleteLater();
                }
            }
        }
        return 0;
    }
    std::shared_ptr<Socket> &socket = executor->m_sockets[fd];
    if (!socket || socket->shard != shard) {
        socket = std::make_shared<Socket>();
        socket->shard = shard;
    }
    auto ensure
        = [executor, shard, fd](std::unique_ptr<QSocketNotifier> &notifier, QSocketNotifier::Type type, bool on) {
              if (!notifier && on) {
                  notifier = std::make_unique<QSocketNotifier>(fd, type);
                  connect(notifier.get(), &QSocketNotifier::activated, executor,
                          [executor, shard, fd, readable = type == QSocketNotifier::Read] {
                              executor->drive(*shard, fd, readable ? CURL_CSELECT_IN : CURL_CSELECT_OUT);
                          });
              }
              if (notifier)
                  notifier->setEnabled(on);
          };
    ensure(socket->read, QSocketNotifier::Read, what == CURL_POLL_IN || what == CURL_POLL_INOUT);
    ensure(socket->write, QSocketNotifier::Write, what == CURL_POLL_OUT || what == CURL_POLL_INOUT);
    return 0;
}

int RequestExecutor::onTimer(void *, long timeoutMs, void *shardData)
{
    auto *shard = static_cast<Shard *>(shardData);
    if (timeoutMs < 0)
        shard->timer.stop();
    else
        shard->timer.start(static_cast<int>(timeoutMs));
    return 0;
}

bool RequestExecutor::readPending(Id id)
{
    // A timer that fires after the thread was busy (a large payload parsed
    // beside) may find the answer already waiting in the socket: read it
    // before calling the service slow. Still in flight afterwards: true.
    const auto it = m_transfers.constFind(id);
    if (it == m_transfers.cend())
        return false;
    curl_socket_t fd = CURL_SOCKET_BAD;
    if ((*it)->easy && curl_easy_getinfo((*it)->easy, CURLINFO_ACTIVESOCKET, &fd) == CURLE_OK
        && fd != CURL_SOCKET_BAD) {
        pollfd ready{fd, POLLIN, 0};
        if (::poll(&ready, 1, 0) == 1 && (ready.revents & POLLIN) != 0)
            drive(*(*it)->shard, fd, CURL_CSELECT_IN);
    }
    return m_transfers.contains(id);
}

void RequestExecutor::drive(Shard &shard, int fd, int events)
{
    int running = 0;
    curl_multi_socket_action(shard.multi, fd, events, &running);
    collectFinished(shard);
}

void RequestExecutor::collectFinished(Shard &shard)
{
    int queued = 0;
    while (CURLMsg *message = curl_multi_info_read(shard.multi, &queued)) {
        if (message->msg != CURLMSG_DONE)
            continue;
        Transfer *transfer = nullptr;
        curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &transfer);
        // The callback may start or cancel requests: read what we need first.
        if (transfer)
            complete(transfer->id, message->data.result);
    }
}

void RequestExecutor::setServiceSettings(const QString &service, std::shared_ptr<const RequestSettings> settings)
{
    m_serviceSettings.insert(service, std::move(settings));
    sizeConnectionCache();
}

std::shared_ptr<const RequestSettings> RequestExecutor::serviceSettings(const QString &service) const
{
    return m_serviceSettings.value(service);
}

void RequestExecutor::forgetService(const QString &service)
{
    m_serviceSettings.remove(service);
    sizeConnectionCache();
}

} // namespace gotriage::ingest
