#include "simserver.h"
#include "common/clock.h"
#include "sim/simprofiles.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>

namespace gotriage::sim {

namespace {

double nowSeconds()
{
    return static_cast<double>(common::LiveClock::systemWallMs()) / 1000.0;
}

} // namespace

SimServer::SimServer(std::unique_ptr<SimService> service, QObject *parent)
    : QAbstractHttpServer(parent), m_service(std::move(service))
{ }

SimServer::~SimServer() = default;

bool SimServer::listenOnLoopback()
{
    m_port = listen(QHostAddress::LocalHost, 0);
    return m_port != 0;
}

bool SimServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (request.url().path().startsWith(QLatin1String("/debug/pprof/")) && request.url().path().size() > 13
        && !m_service->isDown())
        return respondPprof(request, socket);
    const bool handled = respond(request, socket);
    // Like Go's net/http, honour "Connection: close" (QHttpServer does not):
    // a watcher that asks for it should not be left holding idle sockets.
    if (handled && request.value("connection").compare("close", Qt::CaseInsensitive) == 0)
        socket->disconnectFromHost();
    return handled;
}

bool SimServer::respond(const QHttpServerRequest &request, QTcpSocket *socket)
{
    using Status = QHttpServerResponder::StatusCode;
    using Method = QHttpServerRequest::Method;
    QHttpServerResponder responder = makeResponder(request, socket);
    const QString path = request.url().path();
    m_service->advanceTo(nowSeconds());

    if (path == QLatin1String("/admin/throttle")) {
        if (request.method() == Method::Post) {
            const QJsonObject body = QJsonDocument::fromJson(request.body()).object();
            const QJsonValue rps = body.value(QStringLiteral("rps"));
            if (!rps.isDouble() || rps.toDouble() < 0) {
                responder.write(QByteArray("{\"error\":\"expected {\\\"rps\\\": N} with N >= 0\"}\n"),
                                QByteArray("application/json"), Status::BadRequest);
                return true;
            }
            m_service->setThrottle(rps.toDouble());
        } else if (request.method() != Method::Get) {
            responder.write(Status::MethodNotAllowed);
            return true;
        }
        const QJsonObject reply{{QStringLiteral("rps"), m_service->throttle()}};
        responder.write(QJsonDocument(reply).toJson(QJsonDocument::Compact) + '\n', QByteArray("application/json"));
        return true;
    }
    if (request.method() != Method::Get) {
        responder.write(Status::MethodNotAllowed);
        return true;
    }
    if (m_service->isDown()) {
        responder.write(QByteArray("service restarting\n"), QByteArray("text/plain"), Status::ServiceUnavailable);
        return true;
    }
    if (path == QLatin1String("/metrics")) {
        responder.write(m_service->metricsText(), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
    } else if (path == QLatin1String("/debug/vars")) {
        responder.write(m_service->varsJson(), QByteArray("application/json; charset=utf-8"));
    } else if (path == QLatin1String("/debug/pprof/")) {
        responder.write(m_service->pprofIndexHtml(), QByteArray("text/html; charset=utf-8"));
    } else {
        return false;
    }
    return true;
}

bool SimServer::respondPprof(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const QString name = request.url().path().mid(13);
    const QUrlQuery query(request.url());
    const bool close = request.value("connection").compare("close", Qt::CaseInsensitive) == 0;
    m_service->advanceTo(nowSeconds());
    if (name == QLatin1String("goroutine") && query.queryItemValue(QStringLiteral("debug")) == QLatin1String("2")) {
        makeResponder(request, socket).write(simGoroutineDump(*m_service), QByteArray("text/plain; charset=utf-8"));
        if (close)
            socket->disconnectFromHost();
        return true;
    }
    // As net/http/pprof does: a CPU profile, and a delta profile, answer
    // after their seconds (30 by default for the CPU).
    const bool cpu = name == QLatin1String("profile");
    const bool delta = name == QLatin1String("heap") || name == QLatin1String("allocs")
        || name == QLatin1String("block") || name == QLatin1String("mutex");
    bool ok = false;
    double seconds = query.queryItemValue(QStringLiteral("seconds")).toDouble(&ok);
    if (!ok || seconds <= 0)
        seconds = cpu ? 30 : 0;
    if (!cpu && !delta)
        seconds = 0;
    seconds = std::min(seconds, 120.0);
    if (!simProfile(*m_service, name, seconds, 0)) {
        makeResponder(request, socket)
            .write(QByteArray("Unknown profile\n"), QByteArray("text/plain; charset=utf-8"),
                   QHttpServerResponder::StatusCode::NotFound);
        return true;
    }
    auto responder = std::make_shared<QHttpServerResponder>(makeResponder(request, socket));
    const QPointer<QTcpSocket> guard(socket);
    const double startCpu = m_service->cpuSeconds();
    QTimer::singleShot(static_cast<int>(seconds * 1000), this,
                       [this, responder, guard, name, seconds, startCpu, close] {
                           if (!guard)
                               return; // the client gave up (cancel, timeout)
                           m_service->advanceTo(nowSeconds());
                           const std::optional<QByteArray> body
                               = simProfile(*m_service, name, seconds, m_service->cpuSeconds() - startCpu);
                           responder->write(*body, QByteArray("application/octet-stream"));
                           if (close)
                               guard->disconnectFromHost();
                       });
    return true;
}

void SimServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    makeResponder(request, socket)
        .write(QByteArray("404 page not found\n"), QByteArray("text/plain"),
               QHttpServerResponder::StatusCode::NotFound);
}

} // namespace gotriage::sim
