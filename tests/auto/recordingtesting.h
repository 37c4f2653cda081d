#pragma once

// A real recording for tests of replay and reports: the format-1 demo
// recording (4 services, 40 s, written by the format-1 build), copied so a
// test may write to it, with incident events and captures appended as the
// triage session and the recorder write them.
#include "record/recorder.h"
#include "record/recordingfile.h"
#include "triage/incident.h"

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>

#include <vector>

namespace gotriage::testing {

// `events`' and `blobs`' times are offsets from the recording's start (ms).
inline QString demoIncidentRecording(const QTemporaryDir &dir, std::vector<triage::IncidentEvent> events,
                                     std::vector<record::StoredBlob> blobs = {})
{
    const QString path = dir.filePath(QStringLiteral("incident.gotriage"));
    QFile::copy(QStringLiteral(GOTRIAGE_TEST_DATA "/record/format1.gotriage"), path);
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
    record::RecordingReader reader;
    QString error;
    if (!reader.open(path, &error))
        qFatal("%s", qPrintable(error));
    const qint64 first = reader.timeRange().first;
    record::RecordingWriter writer;
    bool ok = writer.open(path, &error) && writer.begin(&error);
    for (triage::IncidentEvent &event : events) {
        event.tsMs += first;
        ok = ok
            && writer.putEvent({event.tsMs, QString::fromLatin1(record::kTriageEvent), event.service,
                                QString::fromUtf8(QJsonDocument(event.toJson()).toJson(QJsonDocument::Compact))},
                               &error);
    }
    for (record::StoredBlob &blob : blobs) {
        blob.tsMs += first;
        ok = ok && writer.putBlob(blob, &error);
    }
    if (!ok || !writer.commit(&error))
        qFatal("%s", qPrintable(error));
    return path;
}

inline triage::IncidentEvent incidentEvent(triage::IncidentEvent::Type type, qint64 offsetMs, QString text = {},
                                           QString actionId = {}, QString service = {})
{
    triage::IncidentEvent event;
    event.type = type;
    event.tsMs = offsetMs;
    event.text = std::move(text);
    event.actionId = std::move(actionId);
    event.service = std::move(service);
    return event;
}

} // namespace gotriage::testing
