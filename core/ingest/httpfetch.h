#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QNetworkRequest>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <chrono>

class QNetworkAccessManager;
class QNetworkReply;

namespace gotriage::ingest {

struct FetchResult {
    QUrl url;
    bool ok = false;
    QString error; // "GET URL: what went wrong"; empty when ok
    int httpStatus = 0;
    QByteArray body; // decompressed
    QByteArray contentType;
    qint64 durationMs = 0;
};

// One bounded HTTP request (GET for scrapes; POST/PUT for actions such as a
// throttle change). Enforces a connect timeout (no response headers yet),
// a total timeout and a body size limit while reading, and refuses redirects
// to another scheme, host or port. gzip is negotiated and inflated by
// QNetworkAccessManager. Lives in the thread of its manager; emits
// finished() exactly once, then may be deleted.
class HttpFetch : public QObject
{
    Q_OBJECT

public:
    struct Limits {
        std::chrono::milliseconds connectTimeout{2000};
        std::chrono::milliseconds totalTimeout{800};
        qint64 bodyLimit = 16 * 1024 * 1024;
    };

    HttpFetch(QNetworkAccessManager *manager, const QNetworkRequest &request, Limits limits, QObject *parent = nullptr);
    ~HttpFetch() override;

    // Sends `verb` ("POST", "PUT") with `body` instead of a GET.
    void setMethod(const QByteArray &verb, const QByteArray &body);
    void start();

signals:
    void finished(const gotriage::ingest::FetchResult &result);

private:
    void onReadyRead();
    void onMetaData();
    void onFinished();
    void fail(const QString &reason);
    void finish();

    QNetworkAccessManager *m_manager;
    QNetworkRequest m_request;
    Limits m_limits;
    QByteArray m_verb = "GET";
    QByteArray m_body;
    QPointer<QNetworkReply> m_reply;
    QTimer m_connectTimer;
    QTimer m_totalTimer;
    QElapsedTimer m_clock;
    FetchResult m_result;
    bool m_done = false;
};

} // namespace gotriage::ingest
