#include "feedsource.h"

#include <algorithm>

namespace gotriage::ingest {

FeedSource::FeedSource(QObject *parent) : Source(parent)
{ }

void FeedSource::feed(const QString &service, vitals::VitalsSample vitals, vitals::Readings readings)
{
    Fed &fed = m_fed[service];
    const qint64 ts = vitals.tsMs;
    m_clock.seek(ts);

    auto scrape = std::make_shared<ScrapeResult>();
    scrape->service = service;
    scrape->tsMs = ts;
    scrape->up = true;

    SourceUpdate update;
    const double startTime = readings.startTime;
    // A rate whose counter was given is the deriver's, even while it is
    // still unknown (the rate window is not yet long enough).
    using vitals::Vital;
    std::vector<Vital> given;
    if (vitals::isKnown(readings.cpuSeconds))
        given.push_back(Vital::Cpu);
    if (vitals::isKnown(readings.requests))
        given.insert(given.end(), {Vital::ReqRate, Vital::ErrRate, Vital::ErrRatio});
    if (vitals::isKnown(readings.allocBytes))
        given.push_back(Vital::AllocRate);
    if (vitals::isKnown(readings.gcCycles))
        given.push_back(Vital::GcRate);
    const vitals::VitalsSample derived = fed.deriver.derive(ts, std::move(readings));
    for (const vitals::VitalInfo &info : vitals::kVitals) {
        if (vitals::isKnown(derived[info.vital]) || std::find(given.begin(), given.end(), info.vital) != given.end())
            vitals[info.vital] = derived[info.vital];
    }
    update.vitals = vitals;
    update.restarted = fed.deriver.sawProcessRestart();
    if (vitals::isKnown(startTime))
        update.runtime.startTimeSeconds = startTime;

    fed.health.recordAttempt(ts, true, {}, 0, 0);
    update.health = fed.health;
    update.scrape = std::move(scrape);
    deliver(std::move(update));
}

} // namespace gotriage::ingest
