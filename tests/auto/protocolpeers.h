#pragma once

// Local servers that speak the documented protocols of peers Debian 12 does
// not package (go-endpoints.md §6): Consul's KV API, Envoy's admin runtime,
// and Sentinel's command API. Real HTTP on loopback; each keeps its state
// the way the real one does, so an action's write, read-back and revert can
// be checked. Not a mock of our client: a small server of theirs.
#include <QAbstractHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QUrlQuery>

class ProtocolPeer : public QAbstractHttpServer
{
public:
    enum class Kind { Consul, Envoy, Sentinel };

    explicit ProtocolPeer(Kind kind) : m_kind(kind) { }

    quint16 start() { return m_port = listen(QHostAddress::LocalHost, 0); }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }

    QMap<QString, QByteArray> consul; // key -> raw value
    QMap<QString, QString> envoy; // runtime overrides
    QJsonArray sentinelRules; // the flow rules
    QList<QByteArray> authorizations; // each request's Authorization header, as received

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        QHttpServerResponder responder = makeResponder(request, socket);
        authorizations << request.value(QByteArrayLiteral("Authorization"));
        const QString path = request.url().path();
        const QUrlQuery query(request.url());
        using Method = QHttpServerRequest::Method;
        using Status = QHttpServerResponder::StatusCode;
        switch (m_kind) {
        case Kind::Consul: {
            // PUT /v1/kv/<key> (raw body) -> true; GET ?raw -> value or 404; DELETE -> true.
            if (!path.startsWith(QLatin1String("/v1/kv/")))
                return false;
            const QString key = path.mid(7);
            if (request.method() == Method::Put) {
                consul.insert(key, request.body());
                responder.write(QByteArray("true"), QByteArray("application/json"));
            } else if (request.method() == Method::Delete) {
                consul.remove(key);
                responder.write(QByteArray("true"), QByteArray("application/json"));
            } else if (!consul.contains(key)) {
                responder.write(QByteArray(), QByteArray("text/plain"), Status::NotFound);
            } else {
                responder.write(consul.value(key), QByteArray("text/plain"));
            }
            return true;
        }
        case Kind::Envoy: {
            // POST /runtime_modify?k=v (an empty v removes the override); GET /runtime.
            if (path == QLatin1String("/runtime_modify")) {
                if (request.method() != Method::Post) {
                    responder.write(QByteArray("This endpoint requires POST\n"), QByteArray("text/plain"),
                                    Status::BadRequest);
                    return true;
                }
                if (query.isEmpty()) {
                    responder.write(QByteArray("usage: /runtime_modify?key1=value1&key2=value2\n"),
                                    QByteArray("text/plain"), Status::BadRequest);
                    return true;
                }
                for (const auto &[k, v] : query.queryItems(QUrl::FullyDecoded)) {
                    if (v.isEmpty())
                        envoy.remove(k);
                    else
                        envoy.insert(k, v);
                }
                responder.write(QByteArray("OK\n"), QByteArray("text/plain"));
                return true;
            }
            if (path == QLatin1String("/runtime")) {
                QJsonObject entries;
                for (auto it = envoy.begin(); it != envoy.end(); ++it)
                    entries.insert(it.key(),
                                   QJsonObject{{QStringLiteral("layer_values"), QJsonArray{QString(), it.value()}},
                                               {QStringLiteral("final_value"), it.value()}});
                const QJsonObject body{
                    {QStringLiteral("layers"), QJsonArray{QStringLiteral("static"), QStringLiteral("admin")}},
                    {QStringLiteral("entries"), entries}};
                responder.write(QJsonDocument(body).toJson(QJsonDocument::Compact), QByteArray("application/json"));
                return true;
            }
            return false;
        }
        case Kind::Sentinel: {
            // GET /getRules?type=flow -> array; POST /setRules (form: type, data) replaces the list.
            if (path == QLatin1String("/getRules")) {
                responder.write(QJsonDocument(sentinelRules).toJson(QJsonDocument::Compact),
                                QByteArray("application/json"));
                return true;
            }
            if (path == QLatin1String("/setRules") && request.method() == Method::Post) {
                const QUrlQuery form(QString::fromUtf8(request.body()));
                const QJsonDocument data
                    = QJsonDocument::fromJson(form.queryItemValue(QStringLiteral("data"), QUrl::FullyDecoded).toUtf8());
                if (form.queryItemValue(QStringLiteral("type")) != QLatin1String("flow") || !data.isArray()) {
                    responder.write(QByteArray("invalid parameter"), QByteArray("text/plain"), Status::BadRequest);
                    return true;
                }
                sentinelRules = data.array();
                responder.write(QByteArray("success"), QByteArray("text/plain"));
                return true;
            }
            return false;
        }
        }
        return false;
    }

    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        makeResponder(request, socket)
            .write(QByteArray("404 page not found\n"), QByteArray("text/plain"),
                   QHttpServerResponder::StatusCode::NotFound);
    }

private:
    Kind m_kind;
    quint16 m_port = 0;
};
