#pragma once

// A real HTTP server on 127.0.0.1 that misbehaves on request, for the
// scraper's tests: slow, silent, huge, corrupt gzip, redirects, errors, bodies
// cut short, HTML, endless, not HTTP at all. Each response closes the connection; every request is
// recorded.
#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslServer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <functional>
#include <memory>

#include <sys/socket.h>

class TestHttpServer : public QObject
{
public:
    enum class Mode {
        Ok,
        Silent,
        Slow,
        Huge,
        HugeNoLength,
        GzipCorrupt,
        Gzip,
        Redirect,
        Status503,
        Status404, // every path
        VarsMissing, // /metrics answers, /debug/vars and the pprof index are 404
        Html, // 200 with an HTML page, as a login or proxy page would be
        CutReset, // Content-Length promises more than is sent, then a TCP reset
        CutClose, // the same, then an orderly close
        ChunkedCut, // a chunked body cut inside a chunk
        ChunkedNoEnd, // whole chunks, but never the final empty one
        GzipCut, // a gzip body cut short of its Content-Length
        EndlessChunked, // a valid chunk every slowChunkMs, never the last one
        NotHttp, // an SSH server's greeting on connect, then nothing
        BadRequest, // answers any bytes with 400 at once, as a plain server does a TLS handshake
    };

    struct Request {
        QByteArray method;
        QByteArray path;
        QList<QPair<QByteArray, QByteArray>> headers;
        QByteArray header(const QByteArray &name) const
        {
            for (const auto &[key, value] : headers) {
                if (key.compare(name, Qt::CaseInsensitive) == 0)
                    return value;
            }
            return {};
        }
    };

    Mode mode = Mode::Ok;
    QByteArray body = "# TYPE go_goroutines gauge\ngo_goroutines 42\n# TYPE process_resident_memory_bytes gauge\n"
                      "process_resident_memory_bytes 1.2e+07\n";
    QByteArray varsBody = R"({"memstats": {"NumGC": 3, "HeapInuse": 65536}})";
    QByteArray contentType = "text/plain; version=0.0.4"; // of /metrics in Mode::Ok
    QByteArray gzipBody; // for Mode::Gzip
    QByteArray redirectLocation;
    // What a cut response sends before it stops: a prefix that parses as a
    // complete, plausible payload if the cut went unnoticed.
    QByteArray cutBody = "go_goroutines 5\ngo_threads";
    int slowChunkMs = 200;
    QByteArray slowChunk = "# slow\n"; // what Mode::Slow sends every slowChunkMs
    qint64 hugeBytes = 32 * 1024 * 1024;
    QList<Request> requests;
    int concurrent = 0;
    int maxConcurrent = 0;

    explicit TestHttpServer(QObject *parent = nullptr) : QObject(parent) { }

    bool listen() { return start(new QTcpServer(this)); }
    bool listenTls(const QSslCertificate &certificate, const QSslKey &key)
    {
        auto *ssl = new QSslServer(this);
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setLocalCertificate(certificate);
        config.setPrivateKey(key);
        config.setPeerVerifyMode(QSslSocket::VerifyNone);
        ssl->setSslConfiguration(config);
        return start(ssl);
    }
    quint16 port() const { return m_server->serverPort(); }
    void close() { m_server->close(); }

private:
    bool start(QTcpServer *server)
    {
        m_server = server;
        connect(m_server, &QTcpServer::pendingConnectionAvailable, this, &TestHttpServer::accept);
        return m_server->listen(QHostAddress::LocalHost, 0);
    }

    void accept()
    {
        while (QTcpSocket *socket = m_server->nextPendingConnection()) {
            if (mode == Mode::NotHttp) {
                socket->setProperty("handled", true);
                handle(socket, {});
                socket->write("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
            }
            auto buffer = std::make_shared<QByteArray>();
            connect(socket, &QTcpSocket::readyRead, this, [this, socket, buffer] {
                *buffer += socket->readAll();
                if (mode == Mode::BadRequest && !socket->property("handled").toBool()) {
                    socket->setProperty("handled", true);
                    handle(socket, {});
                    return;
                }
                const qsizetype end = buffer->indexOf("\r\n\r\n");
                if (end < 0 || socket->property("handled").toBool())
                    return;
                socket->setProperty("handled", true);
                handle(socket, parse(buffer->left(end)));
            });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    }

    static Request parse(const QByteArray &head)
    {
        Request request;
        const QList<QByteArray> lines = head.split('\n');
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        request.method = first.value(0);
        request.path = first.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                request.headers.append({lines[i].left(colon).trimmed(), lines[i].mid(colon + 1).trimmed()});
        }
        return request;
    }

    void respond(QTcpSocket *socket, const QByteArray &status, const QByteArray &headers, const QByteArray &content)
    {
        socket->write("HTTP/1.1 " + status + "\r\nConnection: close\r\n" + headers
                      + "Content-Length: " + QByteArray::number(content.size()) + "\r\n\r\n" + content);
        finish(socket);
    }

    void finish(QTcpSocket *socket)
    {
        --concurrent;
        socket->disconnectFromHost();
    }

    void handle(QTcpSocket *socket, const Request &request)
    {
        requests.append(request);
        maxConcurrent = std::max(maxConcurrent, ++concurrent);
        const QByteArray text = "Content-Type: text/plain; version=0.0.4\r\n";
        switch (mode) {
        case Mode::Ok:
            if (request.path == "/debug/vars")
                respond(socket, "200 OK", "Content-Type: application/json\r\n", varsBody);
            else
                respond(socket, "200 OK", "Content-Type: " + contentType + "\r\n", body);
            break;
        case Mode::NotHttp:
            connect(socket, &QTcpSocket::disconnected, this, [this] { --concurrent; });
            break;
        case Mode::BadRequest:
            respond(socket, "400 Bad Request", "Content-Type: text/plain; charset=utf-8\r\n", "400 Bad Request");
            break;
        case Mode::EndlessChunked: {
            socket->write("HTTP/1.1 200 OK\r\n" + text + "Transfer-Encoding: chunked\r\n\r\n");
            auto *drip = new QTimer(socket);
            QPointer<QTcpSocket> guard(socket);
            connect(drip, &QTimer::timeout, socket, [guard] {
                const QByteArray line = "go_goroutines 7\n";
                if (guard)
                    guard->write(QByteArray::number(line.size(), 16) + "\r\n" + line + "\r\n");
            });
            drip->start(slowChunkMs);
            connect(socket, &QTcpSocket::disconnected, this, [this] { --concurrent; });
            break;
        }
        case Mode::Silent:
            break; // accepts, reads, never answers
        case Mode::Slow: {
            socket->write("HTTP/1.1 200 OK\r\nConnection: close\r\n" + text + "Content-Length: 100000\r\n\r\n");
            auto *drip = new QTimer(socket);
            QPointer<QTcpSocket> guard(socket);
            connect(drip, &QTimer::timeout, socket, [guard, chunk = slowChunk] {
                if (guard)
                    guard->write(chunk);
            });
            drip->start(slowChunkMs);
            connect(socket, &QTcpSocket::disconnected, this, [this] { --concurrent; });
            break;
        }
        case Mode::Huge:
            socket->write("HTTP/1.1 200 OK\r\nConnection: close\r\n" + text
                          + "Content-Length: " + QByteArray::number(hugeBytes) + "\r\n\r\n");
            socket->write(QByteArray(1024 * 1024, '#'));
            finish(socket);
            break;
        case Mode::HugeNoLength: {
            socket->write("HTTP/1.1 200 OK\r\nConnection: close\r\n" + text + "\r\n");
            const QByteArray line = "go_goroutines 1\n";
            QByteArray chunk;
            while (chunk.size() < 256 * 1024)
                chunk += line;
            for (qint64 sent = 0; sent < hugeBytes && socket->state() == QAbstractSocket::ConnectedState;
                 sent += chunk.size())
                socket->write(chunk);
            finish(socket);
            break;
        }
        case Mode::GzipCorrupt:
            respond(socket, "200 OK", text + "Content-Encoding: gzip\r\n",
                    QByteArray("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) + QByteArray(4000, '\x5a'));
            break;
        case Mode::Gzip:
            respond(socket, "200 OK", text + "Content-Encoding: gzip\r\n", gzipBody);
            break;
        case Mode::Redirect:
            if (request.path == "/real/metrics")
                respond(socket, "200 OK", text, body);
            else
                respond(socket, "302 Found", "Location: " + redirectLocation + "\r\n", {});
            break;
        case Mode::Status503:
            respond(socket, "503 Service Unavailable", text, "restarting\n");
            break;
        case Mode::Status404:
            respond(socket, "404 Not Found", "Content-Type: text/plain\r\n", "404 page not found\n");
            break;
        case Mode::VarsMissing:
            if (request.path == "/metrics")
                respond(socket, "200 OK", text, body);
            else
                respond(socket, "404 Not Found", "Content-Type: text/plain\r\n", "404 page not found\n");
            break;
        case Mode::Html:
            respond(socket, "200 OK", "Content-Type: text/html; charset=utf-8\r\n",
                    "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Please sign in</body></html>\n");
            break;
        case Mode::CutReset:
        case Mode::CutClose:
            socket->write("HTTP/1.1 200 OK\r\nConnection: close\r\n" + text + "Content-Length: 100000\r\n\r\n"
                          + cutBody);
            cut(socket, mode == Mode::CutReset);
            break;
        case Mode::ChunkedCut:
        case Mode::ChunkedNoEnd: {
            // One whole chunk; then either half of the next, or nothing (no "0\r\n\r\n").
            const QByteArray whole = "go_goroutines 51234\n";
            QByteArray out = "HTTP/1.1 200 OK\r\n" + text + "Transfer-Encoding: chunked\r\n\r\n"
                + QByteArray::number(whole.size(), 16) + "\r\n" + whole + "\r\n";
            if (mode == Mode::ChunkedCut)
                out += QByteArray::number(cutBody.size() + 10, 16) + "\r\n" + cutBody;
            socket->write(out);
            cut(socket, false);
            break;
        }
        case Mode::GzipCut: {
            const QByteArray whole = gzipBody;
            socket->write("HTTP/1.1 200 OK\r\nConnection: close\r\n" + text + "Content-Encoding: gzip\r\n"
                          + "Content-Length: " + QByteArray::number(whole.size()) + "\r\n\r\n"
                          + whole.left(whole.size() / 2));
            cut(socket, false);
            break;
        }
        }
    }

    // Ends a response early: a reset (SO_LINGER 0 makes close() send RST),
    // or an orderly close, once what was written has gone out.
    void cut(QTcpSocket *socket, bool reset)
    {
        socket->flush();
        socket->waitForBytesWritten(1000);
        if (reset) {
            const linger hard{1, 0};
            ::setsockopt(static_cast<int>(socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
            socket->abort();
            --concurrent;
            return;
        }
        finish(socket);
    }

    QTcpServer *m_server = nullptr;
};
