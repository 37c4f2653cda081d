#pragma once

#include "sim/simservice.h"

#include <QAbstractHttpServer>

#include <memory>

namespace gotriage::sim {

// Serves one SimService over real HTTP: /metrics, /debug/vars,
// /debug/pprof/ (the index, goroutine dumps and every profile) and GET/POST
// /admin/throttle ({"rps": N}). Lives in the
// thread that runs the demo fleet.
class SimServer : public QAbstractHttpServer
{
public:
    explicit SimServer(std::unique_ptr<SimService> service, QObject *parent = nullptr);
    ~SimServer() override;

    SimService &service() { return *m_service; }
    const SimService &service() const { return *m_service; }
    quint16 port() const { return m_port; }
    bool listenOnLoopback();

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    bool respond(const QHttpServerRequest &request, QTcpSocket *socket);
    // /debug/pprof/<profile>: dumps and profiles that tell the scenario.
    bool respondPprof(const QHttpServerRequest &request, QTcpSocket *socket);

    std::unique_ptr<SimService> m_service;
    quint16 m_port = 0;
};

} // namespace gotriage::sim
