#include "capturedocument.h"

#include "formats/goroutinedump.h"

#include <QDateTime>
#include <QRegularExpression>

namespace gotriage::ui {

OpenedCapturePtr openCapture(const ingest::CaptureResultPtr &capture)
{
    auto out = std::make_shared<OpenedCapture>();
    out->capture = capture;
    if (!capture->ok()) {
        out->error = capture->error;
        return out;
    }
    const std::string_view bytes(capture->body.constData(), static_cast<std::size_t>(capture->body.size()));
    if (ingest::isProtobuf(capture->request.kind)) {
        formats::ParsedProfile parsed = formats::parseProfile(bytes);
        if (!parsed.profile)
            out->error = QStringLiteral("%1: %2").arg(capture->url.toString(QUrl::RemoveUserInfo),
                                                      QString::fromStdString(parsed.error));
        else
            out->profile = std::make_shared<const formats::Profile>(std::move(*parsed.profile));
        return out;
    }
    const formats::ParsedGoroutineDump dump = formats::parseGoroutineDump(bytes);
    if (dump.goroutines.empty()) {
        const std::string where = capture->url.toString(QUrl::RemoveUserInfo).toStdString();
        out->error = dump.problems.items().empty()
            ? QString::fromStdString(where + ": no goroutines in the dump")
            : QString::fromStdString(formats::formatProblem(where, dump.problems.items().front()));
        return out;
    }
    out->goroutines = static_cast<int>(dump.goroutines.size());
    out->groups = diagnose::groupGoroutines(dump.goroutines);
    return out;
}

ProfileViews computeProfileViews(const formats::Profile &profile, const formats::Profile *base,
                                 const std::string &sampleIndex)
{
    ProfileViews out;
    diagnose::TopOptions options;
    options.sampleIndex = sampleIndex;
    out.top = diagnose::topTable(profile, options);
    auto flame = std::make_shared<diagnose::FlameTree>(diagnose::buildFlameTree(profile, sampleIndex));
    if (base) {
        out.diff = diagnose::diffProfiles(*base, profile, sampleIndex);
        diagnose::annotateWithBase(*flame, diagnose::buildFlameTree(*base, sampleIndex));
    }
    out.flameLabels = FlameGraphWidget::labelsFor(*flame);
    out.flame = std::move(flame);
    return out;
}

QString defaultExportName(const ingest::CaptureResult &capture)
{
    const QString when = QDateTime::fromMSecsSinceEpoch(capture.startedMs).toString(QStringLiteral("yyyyMMdd-HHmmss"));
    const QString kind = capture.request.kind == ingest::CaptureKind::GoroutineText
        ? QStringLiteral("goroutines")
        : ingest::captureKindName(capture.request.kind);
    const QString extension
        = ingest::isProtobuf(capture.request.kind) ? QStringLiteral(".pb.gz") : QStringLiteral(".txt");
    QString service = capture.request.service;
    service.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]")), QStringLiteral("_"));
    return QStringLiteral("%1-%2-%3%4").arg(service, kind, when, extension);
}

} // namespace gotriage::ui
