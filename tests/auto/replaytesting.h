#pragma once

// Replaying updates through a session, for the tests that compare replays
// with each other and with a live run.
#include "analysis/finding.h"
#include "config/fleetconfig.h"
#include "ingest/replaysource.h"
#include "session/session.h"

#include <QStringList>
#include <QTest>

#include <memory>
#include <vector>

namespace gotriage::testing {

// A finding change as comparable text: when (data time), which finding,
// what happened, how bad.
inline QString describeChange(const analysis::FindingChange &change)
{
    return QStringLiteral("%1 %2 %3 %4")
        .arg(change.tsMs)
        .arg(change.finding.key().toString(), analysis::changeTypeName(change.type),
             analysis::severityName(change.finding.severity));
}

// Plays `updates` through a session at `rate` × real time with the fast
// analysis settings; every finding change, in order. With `services`, their
// limits apply; without, every service the updates name is analysed.
inline QStringList replayChanges(std::vector<ingest::SourceUpdate> updates, double rate,
                                 const std::vector<config::ServiceConfig> &services = {}, int *batches = nullptr)
{
    session::Session session(std::make_unique<ingest::ReplaySource>(std::move(updates), rate));
    session.setAnalysisSettings(analysis::AnalysisSettings::fast());
    session.setAdoptUnknownServices(services.empty());
    session.setServices(services);
    QStringList changes;
    bool ended = false;
    QObject::connect(&session, &session::Session::batchReady, &session, [&](const session::SessionBatchPtr &batch) {
        if (batches)
            ++*batches;
        for (const auto &report : batch->reports) {
            for (const analysis::FindingChange &change : report->findingChanges)
                changes << describeChange(change);
        }
    });
    QObject::connect(&session, &session::Session::sourceEnded, &session, [&] { ended = true; });
    session.start();
    if (!QTest::qWaitFor([&] { return ended; }, 600000))
        changes << QStringLiteral("the replay did not end");
    return changes;
}

} // namespace gotriage::testing
