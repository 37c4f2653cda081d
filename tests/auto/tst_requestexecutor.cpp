// The ingest thread's plumbing at fleet scale: one idle connection kept per
// target (a fleet larger than the request cap must not reconnect on every
// scrape), and the one timer that schedules every service's ticks.
#include "ingest/httprequest.h"
#include "ingest/requestexecutor.h"
#include "ingest/requestsettings.h"
#include "ingest/tickscheduler.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <vector>

using namespace gotriage;

namespace {

// A real HTTP/1.1 server on 127.0.0.1 that keeps each connection open
// between requests, as Go's net/http does, and counts the connections it
// accepted.
class KeepAliveServer : public QObject
{
public:
    KeepAliveServer()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++accepted;
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] { answer(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
        m_server.listen(QHostAddress::LocalHost);
    }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(m_server.serverPort())); }

    int accepted = 0;
    int answered = 0;

private:
    void answer(QTcpSocket *socket)
    {
        QByteArray &pending = m_pending[socket];
        pending += socket->readAll();
        // One answer per complete request head (a GET has no body).
        for (qsizetype end = pending.indexOf("\r\n\r\n"); end >= 0; end = pending.indexOf("\r\n\r\n")) {
            pending.remove(0, end + 4);
            const QByteArray body = "go_goroutines 7\n";
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: "
                          + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            ++answered;
        }
    }

    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_pending;
};

} // namespace

class TestRequestExecutor : public QObject
{
    Q_OBJECT

private slots:
    void aFleetLargerThanTheRequestCapKeepsAConnectionPerTarget();
    void ticksRunOnceInOrderAndCancelledOnesNever();
    void aTickScheduledFromATickWaitsForTheNextRound();
    void noTickRunsEarly();
};

void TestRequestExecutor::aFleetLargerThanTheRequestCapKeepsAConnectionPerTarget()
{
    // 40 targets, at most 4 requests in flight, scraped round after round
    // in the same order: a cache of the cap's size (least recently used)
    // would hold none of them by the time each comes round again.
    constexpr int kTargets = 40;
    constexpr int kRounds = 3;
    std::vector<std::unique_ptr<KeepAliveServer>> servers;
    ingest::RequestExecutor executor;
    executor.setMaxConnections(4);
    for (int i = 0; i < kTargets; ++i) {
        servers.push_back(std::make_unique<KeepAliveServer>());
        executor.setServiceSettings(QStringLiteral("svc-%1").arg(i), std::make_shared<ingest::RequestSettings>());
    }
    int ok = 0;
    int done = 0;
    QStringList errors;
    for (int round = 0; round < kRounds; ++round) {
        const int target = done + kTargets;
        for (const auto &server : servers) {
            ingest::HttpRequest request;
            request.url = server->url();
            executor.start(request, [&](const ingest::FetchResult &result) {
                ++done;
                ok += result.ok ? 1 : 0;
                if (!result.ok)
                    errors << result.error;
            });
        }
        QTRY_COMPARE_WITH_TIMEOUT(done, target, 10000);
    }
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    QCOMPARE(ok, kTargets * kRounds);
    for (const auto &server : servers) {
        QCOMPARE(server->answered, kRounds);
        QCOMPARE(server->accepted, 1); // connected once, reused every round after
    }
}

void TestRequestExecutor::ticksRunOnceInOrderAndCancelledOnesNever()
{
    ingest::TickScheduler ticks;
    QStringList ran;
    ticks.callAfter(60, [&] { ran << QStringLiteral("60"); });
    const auto cancelled = ticks.callAfter(20, [&] { ran << QStringLiteral("20, cancelled"); });
    ticks.callAfter(10, [&] { ran << QStringLiteral("10"); });
    // Due at the same moment as the one it cancels, and ahead of it.
    ticks.callAfter(40, [&] { ran << QStringLiteral("40"); });
    const auto cancelledByATick = ticks.callAfter(41, [&] { ran << QStringLiteral("41, cancelled by 30"); });
    ticks.callAfter(30, [&] {
        ran << QStringLiteral("30");
        ticks.cancel(cancelledByATick);
    });
    ticks.cancel(cancelled);
    QCOMPARE(ticks.pending(), 5);
    QElapsedTimer clock;
    clock.start();
    QTRY_COMPARE_WITH_TIMEOUT(ran.size(), 4, 5000);
    QTest::qWait(100); // nothing more comes
    QCOMPARE(ran,
             (QStringList{QStringLiteral("10"), QStringLiteral("30"), QStringLiteral("40"), QStringLiteral("60")}));
    QVERIFY2(clock.elapsed() >= 60, "the last tick ran before its time");
    QCOMPARE(ticks.pending(), 0);
}

void TestRequestExecutor::aTickScheduledFromATickWaitsForTheNextRound()
{
    // A tick that schedules its next one with no delay (a service whose
    // phase is now) must not run twice in the round that ran it.
    ingest::TickScheduler ticks;
    int runs = 0;
    bool eventLoopRanBetween = false;
    bool sawEventLoopRun = false;
    ticks.callAfter(5, [&] {
        ++runs;
        QMetaObject::invokeMethod(
            &ticks, [&] { eventLoopRanBetween = true; }, Qt::QueuedConnection);
        ticks.callAfter(0, [&] {
            ++runs;
            sawEventLoopRun = eventLoopRanBetween;
        });
    });
    QTRY_COMPARE_WITH_TIMEOUT(runs, 2, 5000);
    QVERIFY2(sawEventLoopRun, "the second tick ran in the same round as the first");
    QCOMPARE(ticks.pending(), 0);
}

void TestRequestExecutor::noTickRunsEarly()
{
    // A service's next phase is reckoned when its tick runs: a tick even a
    // fraction of a millisecond early finds its phase still ahead and
    // ticks again at once, which counts a scrape as skipped. Ticks
    // scheduled at different points of the same millisecond share the
    // timer: each must still wait for its own moment.
    ingest::TickScheduler ticks;
    QElapsedTimer clock;
    clock.start();
    QStringList early;
    int ran = 0;
    constexpr int kTicks = 200;
    for (int i = 0; i < kTicks; ++i) {
        // Delays that interleave, so that the timer is re-armed from inside
        // earlier ticks, at other points of a millisecond.
        const int delayMs = 5 + (i * 7) % 25;
        const qint64 dueNs = clock.nsecsElapsed() + delayMs * 1'000'000LL;
        ticks.callAfter(delayMs, [&, dueNs, i] {
            ++ran;
            const qint64 nowNs = clock.nsecsElapsed();
            if (nowNs < dueNs)
                early << QStringLiteral("tick %1: %2 µs early").arg(i).arg((dueNs - nowNs) / 1000);
        });
        for (const qint64 until = clock.nsecsElapsed() + 70'000; clock.nsecsElapsed() < until;) {
        } // a fraction of a millisecond between two schedulings
    }
    QTRY_COMPARE_WITH_TIMEOUT(ran, kTicks, 5000);
    QVERIFY2(early.isEmpty(), qPrintable(early.join(QStringLiteral("; "))));
}

QTEST_GUILESS_MAIN(TestRequestExecutor)
#include "tst_requestexecutor.moc"
