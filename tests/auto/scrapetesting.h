#pragma once

// What the scraper's tests share: a service pointed at a test server, gzip,
// the live pipeline on the test's thread, a self-signed certificate.
#include "config/fleetconfig.h"
#include "ingest/livesource.h"
#include "session/sessionhub.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QString>

#include <utility>
#include <vector>

#include <zlib.h>

namespace gotriage::testing {

inline config::ServiceConfig serviceAt(const QString &name, const QString &url, int intervalMs = 500)
{
    config::ServiceConfig service;
    service.name = name;
    service.baseUrl = QUrl(url);
    service.interval = std::chrono::milliseconds(intervalMs);
    service.paths.vars.clear(); // the test servers serve /metrics only
    service.paths.pprof.clear();
    return service;
}

inline QByteArray gzip(const QByteArray &data)
{
    z_stream stream{};
    deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    QByteArray out(static_cast<qsizetype>(deflateBound(&stream, static_cast<uLong>(data.size()))), '\0');
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    deflate(&stream, Z_FINISH);
    out.resize(static_cast<qsizetype>(stream.total_out));
    deflateEnd(&stream);
    return out;
}

// The live path on this thread: a LiveSource feeding a SessionHub, as a
// session runs them on its ingest thread.
struct LivePipeline {
    ingest::LiveSource source;
    session::SessionHub hub{&source.clock()};
    std::vector<session::ServiceReportPtr> reports;

    LivePipeline()
    {
        source.setSink(&hub);
        QObject::connect(&hub, &session::SessionHub::batchReady, &hub, [this](const session::SessionBatchPtr &batch) {
            reports.insert(reports.end(), batch->reports.begin(), batch->reports.end());
        });
        hub.startTicking();
    }
    void watch(const config::ServiceConfig &service)
    {
        hub.setServices({service}, true);
        source.setServices({service}, true);
        source.start();
    }
};

// Every report of a session's batches, in order.
inline std::vector<session::ServiceReportPtr> reportsOf(const QSignalSpy &batches)
{
    std::vector<session::ServiceReportPtr> out;
    for (const QList<QVariant> &args : batches) {
        const auto batch = args.at(0).value<session::SessionBatchPtr>();
        out.insert(out.end(), batch->reports.begin(), batch->reports.end());
    }
    return out;
}

// A self-signed certificate for 127.0.0.1 and localhost, made by openssl in
// `dir` on first use: {certificate, key} paths, or empty ones when openssl failed.
inline std::pair<QString, QString> selfSignedCertificate(const QDir &dir)
{
    const QString cert = dir.filePath(QStringLiteral("cert.pem"));
    const QString key = dir.filePath(QStringLiteral("key.pem"));
    if (QFile::exists(cert) && QFile::exists(key))
        return {cert, key};
    QProcess openssl;
    openssl.setProcessChannelMode(QProcess::MergedChannels);
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                   QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-days"), QStringLiteral("2"),
                   QStringLiteral("-subj"), QStringLiteral("/CN=localhost"), QStringLiteral("-addext"),
                   QStringLiteral("subjectAltName=DNS:localhost,IP:127.0.0.1"), QStringLiteral("-keyout"), key,
                   QStringLiteral("-out"), cert});
    if (!openssl.waitForFinished(30000) || openssl.exitCode() != 0)
        return {};
    return {cert, key};
}

} // namespace gotriage::testing
