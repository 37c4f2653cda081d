#pragma once

#include "ingest/profilecapture.h"
#include "record/filekind.h"

#include <QString>

namespace gotriage::ui {

// A file the operator opened (File → Open, drag and drop, the command
// line), read off the GUI thread: what it is, and for a profile or a dump
// its bytes as a capture the Diagnose tab can show.
struct OpenedFile {
    QString path;
    record::FileKind kind = record::FileKind::Unknown;
    ingest::CaptureResultPtr capture; // a profile or a dump
    QString error; // names the file
};

// Blocks on the disk: call from a worker thread.
OpenedFile readFileForOpening(const QString &path);

} // namespace gotriage::ui
