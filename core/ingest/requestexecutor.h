#pragma once

#include "ingest/httprequest.h"
#include "ingest/requestsettings.h"
#include "ingest/tickscheduler.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <queue>
#include <vector>

namespace gotriage::ingest {

// Runs every HTTP request of one thread through one libcurl multi handle
// driven by that thread's event loop: scrapes now, profile captures and
// actions later, each with its own bounds. It owns the fleet-wide connection
// cap (requests past it wait their turn inside libcurl), the connection
// cache, and each service's request settings (credentials, TLS), resolved
// once and shared by everything that talks to that service. libcurl rather than QNetworkAccessManager because Qt 6.4
// sometimes passes a chunked body without its last chunk, or a gzip body cut short, as a complete 200: half a payload
// then reads as a whole one.
//
// Lives in the thread that created it and is used only from there. Callbacks
// run on that thread, never from inside start() or cancel().
class RequestExecutor : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const FetchResult &)>;
    using Id = quint64;

    // Requests in flight at once, fleet-wide (DESIGN: a global connection
    // cap). Idle connections are kept besides, one per known service.
    static constexpr int kDefaultMaxConnections = 128;

    explicit RequestExecutor(QObject *parent = nullptr);
    ~RequestExecutor() override; // aborts what is running; no callback runs

    // Starts a request; `done` runs exactly once, unless cancel() comes first.
    Id start(HttpRequest request, Callback done);
    void cancel(Id id);

    // A service's settings, as resolveRequestSettings() made them; null
    // when the service is not known here.
    void setServiceSettings(const QString &service, std::shared_ptr<const RequestSettings> settings);
    std::shared_ptr<const RequestSettings> serviceSettings(const QString &service) const;
    void forgetService(const QString &service);

    void setMaxConnections(int connections);
    int maxConnections() const { return m_maxConnections; }
    int inFlight() const { return static_cast<int>(m_transfers.size()); }
    // Requests waiting for one of the maxConnections() to be free.
    int waiting() const { return static_cast<int>(m_transfers.size()) - m_admitted; }
    quint64 startedCount() const { return m_started; }

    // The thread's one timer for the periodic ticks of everything that
    // fetches through this executor (each service's scrape schedule).
    TickScheduler &ticks() { return m_ticks; }

private:
    struct Transfer;
    struct Shard;
    struct Socket;

    // The libcurl handle for an origin (created on first use).
    Shard &shardFor(const QUrl &url);
    void limitConnections(Shard &shard);
    static int onSocket(void *easy, int fd, int what, void *shard, void *socket);
    static int onTimer(void *multi, long timeoutMs, void *shard);
    void drive(Shard &shard, int fd, int events);
    void collectFinished(Shard &shard);
    bool hasRoomFor(HttpRequest::Standing standing) const;
    void admit(Transfer &transfer);
    void admitWaiting();
    // libcurl's connection caches, sized to the services this executor knows.
    void sizeConnectionCache();
    // Gives back the connection of a transfer that is over, and admits the next.
    void release(Transfer &transfer);
    void begin(Transfer &transfer);
    void finish(Id id, const QString &reason, FetchFailure failure);
    // Reads what is already waiting on the transfer's socket; whether it is still in flight.
    bool readPending(Id id);
    void complete(Id id, int curlCode);
    bool followRedirect(Transfer &transfer);
    // Connect and total timeouts of every transfer, on one timer: a QTimer
    // per transfer costs Qt a sorted insert and a removal among thousands
    // of timers, twice a request (12 % of the process at 2 000 requests a
    // second).
    void addDeadline(qint64 atMs, Id id);
    void onDeadlines();
    void onDeadline(Id id, qint64 nowMs);

    // libcurl multi handles, by a hash of the origin (see Shard).
    std::array<std::unique_ptr<Shard>, 16> m_shards;
    TickScheduler m_ticks;
    struct Deadline {
        qint64 atMs;
        Id id;
        bool operator>(const Deadline &other) const { return atMs > other.atMs; }
    };
    // Soonest first; a transfer that is over leaves its deadlines to lapse.
    std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> m_deadlines;
    QTimer m_deadlineTimer;
    QElapsedTimer m_monotonic;
    QHash<Id, std::shared_ptr<Transfer>> m_transfers;
    std::vector<void *> m_idleEasy; // CURL* of finished transfers, for the next ones
    QHash<int, std::shared_ptr<Socket>> m_sockets;
    QHash<QString, std::shared_ptr<const RequestSettings>> m_serviceSettings;
    Id m_nextId = 1;
    quint64 m_started = 0;
    int m_maxConnections = kDefaultMaxConnections;
    long m_cachedPerShard = 0; // each shard's MAXCONNECTS
    // Admission: at most m_maxConnections transfers are handed to libcurl;
    // the rest wait here, proven targets first (libcurl's own
    // queue is first come, first served).
    int m_admitted = 0;
    int m_admittedDoubtful = 0; // of them, for targets not Proven
    std::array<std::deque<Id>, 3> m_waiting; // by HttpRequest::Standing
};

} // namespace gotriage::ingest
