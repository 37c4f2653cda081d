#include "fileopener.h"

#include "formats/profile.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <string_view>

namespace gotriage::ui {

namespace {

// A profile says what it measures in its sample types; that decides how
// it is labelled and which value it opens on.
ingest::CaptureKind kindOfProfile(const formats::Profile &profile)
{
    const auto has = [&](std::string_view type) {
        return std::any_of(profile.sampleTypes.begin(), profile.sampleTypes.end(),
                           [&](const formats::Profile::ValueType &t) { return t.type == type; });
    };
    if (has("cpu"))
        return ingest::CaptureKind::Cpu;
    // Go's heap and allocs profiles carry the same four sample types; the
    // allocs one says so by opening on alloc_space.
    if (has("inuse_space"))
        return profile.defaultSampleType == "alloc_space" ? ingest::CaptureKind::Allocs : ingest::CaptureKind::Heap;
    if (has("contentions"))
        return ingest::CaptureKind::Mutex;
    if (has("goroutine"))
        return ingest::CaptureKind::Goroutine;
    if (has("threadcreate"))
        return ingest::CaptureKind::ThreadCreate;
    return ingest::CaptureKind::Heap;
}

} // namespace

OpenedFile readFileForOpening(const QString &path)
{
    OpenedFile out;
    out.path = path;
    out.kind = record::sniffFile(path, &out.error);
    if (out.kind != record::FileKind::Profile && out.kind != record::FileKind::GoroutineDump)
        return out;
    QFile file(path);
    if (file.size() > ingest::ProfileCapturer::kBodyLimit) {
        out.error = QStringLiteral("%1: %2 bytes is more than a capture may be").arg(path).arg(file.size());
        out.kind = record::FileKind::Unknown;
        return out;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        out.error = QStringLiteral("%1: %2").arg(path, file.errorString());
        out.kind = record::FileKind::Unknown;
        return out;
    }
    auto capture = std::make_shared<ingest::CaptureResult>();
    capture->body = file.readAll();
    capture->request.service = QFileInfo(path).fileName();
    capture->startedMs = QFileInfo(path).lastModified().toMSecsSinceEpoch();
    if (out.kind == record::FileKind::GoroutineDump) {
        capture->request.kind = ingest::CaptureKind::GoroutineText;
    } else {
        const formats::ParsedProfile parsed = formats::parseProfile(
            std::string_view(capture->body.constData(), static_cast<std::size_t>(capture->body.size())));
        if (!parsed.profile) {
            out.error
                = QStringLiteral("%1: not a readable profile (%2)").arg(path, QString::fromStdString(parsed.error));
            out.kind = record::FileKind::Unknown;
            return out;
        }
        capture->request.kind = kindOfProfile(*parsed.profile);
    }
    out.capture = std::move(capture);
    return out;
}

} // namespace gotriage::ui
