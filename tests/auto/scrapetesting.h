#pragma once

// What the scraper's tests share: a service pointed at a test server, gzip,
// the live pipeline on the test's thread, a self-signed certificate.
#include "config/fleetconfig.h"
#include "ingest/livesource.h"
#include "session/sessionhub.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QString>

#include <string>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

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
// openssl is started with posix_spawnp rather than QProcess: ThreadSanitizer
// (the tsan preset runs these tests) aborts in QProcess's clone().
inline std::pair<QString, QString> selfSignedCertificate(const QDir &dir)
{
    const QString cert = dir.filePath(QStringLiteral("cert.pem"));
    const QString key = dir.filePath(QStringLiteral("key.pem"));
    if (QFile::exists(cert) && QFile::exists(key))
        return {cert, key};
    const std::string keyPath = QFile::encodeName(key).toStdString();
    const std::string certPath = QFile::encodeName(cert).toStdString();
    std::vector<std::string> args{"openssl",  "req",           "-x509",   "-newkey",
                                  "rsa:2048", "-nodes",        "-days",   "2",
                                  "-subj",    "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                                  "-keyout",  keyPath,         "-out",    certPath};
    std::vector<char *> argv;
    for (std::string &arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t quiet;
    posix_spawn_file_actions_init(&quiet);
    posix_spawn_file_actions_addopen(&quiet, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&quiet, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, "openssl", &quiet, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&quiet);
    int status = 0;
    if (spawned != 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return {};
    return {cert, key};
}

} // namespace gotriage::testing
