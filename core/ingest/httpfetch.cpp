#include "httpfetch.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>

namespace gotriage::ingest {

namespace {

bool sameOrigin(const QUrl &a, const QUrl &b)
{
    return a.scheme() == b.scheme() && a.host().compare(b.host(), Qt::CaseInsensitive) == 0
        && a.port(a.scheme() == QLatin1String("https") ? 443 : 80)
        == b.port(b.scheme() == QLatin1String("https") ? 443 : 80);
}

QString sizeText(qint64 bytes)
{
    return bytes >= 1024 * 1024
        ? QStringLiteral("%1 MiB").arg(static_cast<double>(bytes) / (1024.0 * 1024.0), 0, 'f', 1)
        : QStringLiteral("%1 bytes").arg(bytes);
}

} // namespace

HttpFetch::HttpFetch(QNetworkAccessManager *manager, const QNetworkRequest &request, Limits limits, QObject *parent)
    : QObject(parent), m_manager(manager), m_request(request), m_limits(limits)
{
    m_result.url = request.url();
    m_connectTimer.setSingleShot(true);
    m_totalTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        fail(QStringLiteral("no response within %1 ms (connect timeout)").arg(m_connectTimer.interval()));
    });
    connect(&m_totalTimer, &QTimer::timeout, this,
            [this] { fail(QStringLiteral("timed out after %1 ms").arg(m_limits.totalTimeout.count())); });
}

HttpFetch::~HttpFetch()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void HttpFetch::setMethod(const QByteArray &verb, const QByteArray &body)
{
    m_verb = verb;
    m_body = body;
}

void HttpFetch::start()
{
    m_request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::UserVerifiedRedirectPolicy);
    m_request.setMaximumRedirectsAllowed(3);
    m_request.setTransferTimeout(static_cast<int>(m_limits.totalTimeout.count()));
    m_clock.start();
    m_reply = m_verb == "GET" ? m_manager->get(m_request) : m_manager->sendCustomRequest(m_request, m_verb, m_body);
    connect(m_reply, &QNetworkReply::readyRead, this, &HttpFetch::onReadyRead);
    connect(m_reply, &QNetworkReply::metaDataChanged, this, &HttpFetch::onMetaData);
    connect(m_reply, &QNetworkReply::finished, this, &HttpFetch::onFinished);
    connect(m_reply, &QNetworkReply::redirected, this, [this](const QUrl &target) {
        // Credentials and scrape traffic stay with the host they belong to.
        if (!sameOrigin(target, m_result.url)) {
            fail(QStringLiteral("refused redirect to another host: %1").arg(target.toString(QUrl::RemoveUserInfo)));
            return;
        }
        emit m_reply->redirectAllowed();
    });
    m_connectTimer.start(std::min(m_limits.connectTimeout, m_limits.totalTimeout));
    m_totalTimer.start(m_limits.totalTimeout);
}

void HttpFetch::onMetaData()
{
    m_connectTimer.stop();
    const QVariant length = m_reply->header(QNetworkRequest::ContentLengthHeader);
    // A compressed body's length says nothing about its inflated size; only
    // an identity body can be refused up front.
    if (length.isValid() && m_reply->rawHeader("Content-Encoding").isEmpty()
        && length.toLongLong() > m_limits.bodyLimit) {
        fail(QStringLiteral("body of %1 exceeds the %2 limit")
                 .arg(sizeText(length.toLongLong()), sizeText(m_limits.bodyLimit)));
    }
}

void HttpFetch::onReadyRead()
{
    if (m_done)
        return;
    m_connectTimer.stop();
    m_result.body += m_reply->readAll();
    if (m_result.body.size() > m_limits.bodyLimit)
        fail(QStringLiteral("body exceeds the %1 limit").arg(sizeText(m_limits.bodyLimit)));
}

void HttpFetch::onFinished()
{
    if (m_done)
        return;
    onReadyRead();
    if (m_done)
        return;
    m_result.httpStatus = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    m_result.contentType = m_reply->rawHeader("Content-Type");
    if (m_reply->error() != QNetworkReply::NoError && m_result.httpStatus == 0) {
        fail(m_reply->errorString());
        return;
    }
    if (m_result.httpStatus != 200) {
        const QString reason = m_reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        fail(QStringLiteral("HTTP %1 %2").arg(m_result.httpStatus).arg(reason).trimmed());
        return;
    }
    m_result.ok = true;
    finish();
}

void HttpFetch::fail(const QString &reason)
{
    if (m_done)
        return;
    m_result.ok = false;
    m_result.body.clear();
    m_result.error = QStringLiteral("%1 %2: %3")
                         .arg(QString::fromLatin1(m_verb), m_result.url.toString(QUrl::RemoveUserInfo), reason);
    finish();
}

void HttpFetch::finish()
{
    m_done = true;
    m_connectTimer.stop();
    m_totalTimer.stop();
    m_result.durationMs = m_clock.elapsed();
    if (m_reply) {
        // Aborting inside one of the reply's own signals upsets
        // QNetworkAccessManager; let the event loop unwind first.
        m_reply->disconnect(this);
        QNetworkReply *reply = m_reply;
        m_reply = nullptr;
        QMetaObject::invokeMethod(
            reply,
            [reply] {
                if (reply->isRunning())
                    reply->abort();
                reply->deleteLater();
            },
            Qt::QueuedConnection);
    }
    emit finished(m_result);
}

} // namespace gotriage::ingest
