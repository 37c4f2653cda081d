// The ingest thread's plumbing at fleet scale: the one timer that schedules
// every service's ticks, and when connections are kept for reuse.
#include "ingest/requestexecutor.h"
#include "ingest/tickscheduler.h"

#include <QElapsedTimer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace gotriage;

namespace {

// An HTTP/1.1 server that keeps every connection open and counts them.
class KeepAliveServer : public QObject
{
public:
    KeepAliveServer()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++connections;
                connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                    if (socket->readAll().contains("\r\n\r\n"))
                        socket->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                });
            }
        });
        m_server.listen(QHostAddress::LocalHost);
    }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(m_server.serverPort())); }
    int connections = 0;

private:
    QTcpServer m_server;
};

// Three GETs, one after another; how many succeeded.
int getThreeTimes(ingest::RequestExecutor &executor, const QUrl &url)
{
    int ok = 0;
    for (int i = 0; i < 3; ++i) {
        bool done = false;
        ingest::HttpRequest request;
        request.url = url;
        executor.start(request, [&](const ingest::FetchResult &result) {
            ok += result.ok ? 1 : 0;
            done = true;
        });
        if (!QTest::qWaitFor([&] { return done; }, 5000))
            return ok;
    }
    return ok;
}

} // namespace

class TestRequestExecutor : public QObject
{
    Q_OBJECT

private slots:
    void ticksRunOnceInOrderAndCancelledOnesNever();
    void aTickScheduledFromATickWaitsForTheNextRound();
    void noTickRunsEarly();
    void connectionsAreKeptOnlyWhenTheCacheHoldsTheFleet();
};

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
void TestRequestExecutor::connectionsAreKeptOnlyWhenTheCacheHoldsTheFleet()
{
    const auto settings = std::make_shared<const ingest::RequestSettings>();
    {
        // One service, two cached connections: its scrapes share one.
        KeepAliveServer server;
        ingest::RequestExecutor executor;
        executor.setMaxConnections(2);
        executor.setServiceSettings(QStringLiteral("a"), settings);
        QCOMPARE(getThreeTimes(executor, server.url()), 3);
        QCOMPARE(server.connections, 1);
    }
    {
        // More services than cached connections: none would be reused in
        // a cycle of scrapes, so none is kept.
        KeepAliveServer server;
        ingest::RequestExecutor executor;
        executor.setMaxConnections(2);
        for (const char *name : {"a", "b", "c"})
            executor.setServiceSettings(QString::fromLatin1(name), settings);
        QCOMPARE(getThreeTimes(executor, server.url()), 3);
        QCOMPARE(server.connections, 3);
    }
}

#include "tst_requestexecutor.moc"
