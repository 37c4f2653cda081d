// The triage's own files, read back after a crash or from someone else's
// disk: an incident (JSON lines of events) and an audit log (a hash chain).
#include "triage/auditlog.h"
#include "triage/incident.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray text = QByteArray::fromRawData(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const auto loaded = gotriage::triage::IncidentFile::parse(text, QStringLiteral("fuzz.jsonl"));
    (void)loaded.incident.activeActions();
    (void)loaded.incident.notes();
    const auto verified = gotriage::triage::AuditLog::verifyText(text, QStringLiteral("fuzz.log"));
    (void)verified.problems.join(u'\n');
    return 0;
}
