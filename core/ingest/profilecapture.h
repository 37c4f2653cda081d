#pragma once

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QString>
#include <QUrl>

#include <deque>
#include <memory>
#include <optional>

namespace gotriage::common {
class Clock;
}

namespace gotriage::ingest {

class HttpFetch;
class RequestExecutor;
struct FetchResult;

// What /debug/pprof/ can give: the profiles, and the goroutine dump as text.
enum class CaptureKind { Cpu, Heap, Allocs, Goroutine, GoroutineText, Block, Mutex, ThreadCreate };
QString captureKindName(CaptureKind kind); // "cpu", "heap", … "goroutine-text"
std::optional<CaptureKind> captureKindFromName(const QString &name);
bool isProtobuf(CaptureKind kind); // all but the goroutine text

struct CaptureRequest {
    QString service; // its request settings (credentials, TLS) come from the executor
    QUrl baseUrl;
    QString pprofPath = QStringLiteral("/debug/pprof/");
    CaptureKind kind = CaptureKind::Goroutine;
    // CPU: the profile's length (default 10 s). Heap, allocs, block, mutex:
    // when > 0, a delta profile over that long (Go >= 1.17 serves them).
    int seconds = 0;

    QUrl url() const;
    int cpuSeconds() const { return seconds > 0 ? seconds : 10; }
};

struct CaptureResult {
    CaptureRequest request;
    QUrl url;
    QByteArray body; // as served: gzip protobuf, or the dump's text
    QString error; // why there is no body: the status or failure, and what to check
    qint64 startedMs = 0; // on the capturer's clock
    qint64 durationMs = 0;

    bool ok() const { return error.isEmpty(); }
};
using CaptureResultPtr = std::shared_ptr<const CaptureResult>;

// Captures profiles and goroutine dumps through the shared request executor,
// with their own bounds (not the scrape's): a timeout of the profile's own
// length plus kGraceMs, a body limit of kBodyLimit, and a fleet-wide cap on
// captures at once (queued past it), so that a sick fleet is not profiled
// all at once. Lives in the executor's thread.
class ProfileCapturer : public QObject
{
    Q_OBJECT

public:
    using Id = quint64;
    static constexpr int kDefaultMaxConcurrent = 2;
    static constexpr qint64 kBodyLimit = 256LL * 1024 * 1024;
    static constexpr qint64 kGraceMs = 30'000;

    // `clock`: for the results' times; null for the process' live clock.
    ProfileCapturer(RequestExecutor *executor, const common::Clock *clock = nullptr, QObject *parent = nullptr);
    ~ProfileCapturer() override;

    Id capture(const CaptureRequest &request);
    // A queued capture is dropped; a running one is aborted. Either way
    // finished() reports it as cancelled.
    void cancel(Id id);
    void setMaxConcurrent(int captures);
    int running() const { return static_cast<int>(m_running.size()); }
    int queued() const { return static_cast<int>(m_queue.size()); }

signals:
    // The capture left the queue; a CPU profile ends about expectedEndMs.
    void started(quint64 id, qint64 expectedEndMs);
    void finished(quint64 id, const gotriage::ingest::CaptureResultPtr &result);

private:
    struct Pending {
        Id id = 0;
        CaptureRequest request;
    };
    struct Running {
        CaptureRequest request;
        HttpFetch *fetch = nullptr;
        qint64 startedMs = 0;
    };

    void startNext();
    void onFetched(Id id, const FetchResult &result);
    void finish(Id id, CaptureResult result);

    RequestExecutor *m_executor;
    const common::Clock *m_clock;
    std::deque<Pending> m_queue;
    QHash<Id, Running> m_running;
    Id m_nextId = 1;
    int m_maxConcurrent = kDefaultMaxConcurrent;
};

} // namespace gotriage::ingest

Q_DECLARE_METATYPE(gotriage::ingest::CaptureResultPtr)
