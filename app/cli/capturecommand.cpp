#include "cliutil.h"
#include "commands.h"

#include "formats/goroutinedump.h"
#include "formats/profile.h"
#include "ingest/profilecapture.h"
#include "ingest/requestexecutor.h"

#include <QCoreApplication>
#include <QSaveFile>

namespace gotriage::cli {

int captureCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Capture a profile or a goroutine dump from a Go service's /debug/pprof/ and save it as "
                       "served (.pb.gz for go tool pprof, or the dump's text)."));
    parser.addOption({QStringLiteral("url"), QStringLiteral("the service's base URL"), QStringLiteral("SERVICE_URL")});
    parser.addOption({QStringLiteral("kind"),
                      QStringLiteral("cpu, heap, allocs, goroutine (protobuf), goroutine-text (debug=2), block, "
                                     "mutex or threadcreate"),
                      QStringLiteral("KIND")});
    parser.addOption({QStringLiteral("seconds"),
                      QStringLiteral("cpu: its length (default 10); heap, allocs, block, mutex: a delta over N s"),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("pprof-path"), QStringLiteral("where pprof is mounted (default /debug/pprof/)"),
                      QStringLiteral("PATH"), QStringLiteral("/debug/pprof/")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("the file to write"), QStringLiteral("FILE")});
    if (const auto exit = parseCommandLine(parser, arguments, 0, 0))
        return *exit;
    const QUrl url(parser.value(QStringLiteral("url")), QUrl::StrictMode);
    const auto kind = ingest::captureKindFromName(parser.value(QStringLiteral("kind")));
    bool ok = true;
    const int seconds
        = parser.isSet(QStringLiteral("seconds")) ? parser.value(QStringLiteral("seconds")).toInt(&ok) : 0;
    if (!url.isValid() || url.host().isEmpty() || !kind || !ok || seconds < 0 || seconds > 3600
        || parser.value(QStringLiteral("out")).isEmpty()) {
        printErr(QStringLiteral("gotriage-cli: capture takes --url SERVICE_URL --kind "
                                "cpu|heap|allocs|goroutine|goroutine-text|block|mutex|threadcreate [--seconds N] "
                                "--out FILE"));
        return kExitUsage;
    }
    ingest::CaptureRequest request;
    request.service = url.host();
    request.baseUrl = url;
    request.kind = *kind;
    request.seconds = seconds;
    request.pprofPath = parser.value(QStringLiteral("pprof-path"));

    ingest::RequestExecutor executor;
    ingest::ProfileCapturer capturer(&executor);
    ingest::CaptureResultPtr result;
    QObject::connect(&capturer, &ingest::ProfileCapturer::finished, &capturer,
                     [&](quint64, const ingest::CaptureResultPtr &r) {
                         result = r;
                         QCoreApplication::quit();
                     });
    capturer.capture(request);
    QCoreApplication::exec();
    if (!result || !result->ok()) {
        printErr(QStringLiteral("gotriage-cli: ") + (result ? result->error : QStringLiteral("no result")));
        return kExitRejected;
    }
    // Saved as served, and checked: a payload that does not decode is said.
    const std::string_view body(result->body.constData(), static_cast<std::size_t>(result->body.size()));
    QString problem;
    if (ingest::isProtobuf(*kind)) {
        const formats::ParsedProfile parsed = formats::parseProfile(body);
        if (!parsed.profile)
            problem = QString::fromStdString(parsed.error);
    } else if (formats::parseGoroutineDump(body).problems.hasErrors()) {
        problem = QStringLiteral("the dump has lines that are not a goroutine traceback");
    }
    QSaveFile out(parser.value(QStringLiteral("out")));
    if (!out.open(QIODevice::WriteOnly) || out.write(result->body) != result->body.size() || !out.commit()) {
        printErr(QStringLiteral("gotriage-cli: %1: %2").arg(out.fileName(), out.errorString()));
        return kExitUsage;
    }
    printOut(QStringLiteral("%1: %2 from %3, %4 bytes in %5 ms")
                 .arg(out.fileName(), ingest::captureKindName(*kind), result->url.toString(QUrl::RemoveUserInfo))
                 .arg(result->body.size())
                 .arg(result->durationMs)
                 .toStdString());
    if (!problem.isEmpty()) {
        printErr(QStringLiteral("%1: saved, but it does not decode: %2").arg(out.fileName(), problem));
        return kExitRejected;
    }
    return kExitOk;
}

} // namespace gotriage::cli
