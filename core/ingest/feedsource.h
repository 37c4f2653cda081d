#pragma once

#include "common/clock.h"
#include "ingest/source.h"
#include "signals/vitalsderiver.h"

#include <map>

namespace gotriage::ingest {

// Updates its caller makes up, fed straight into the pipeline: the accuracy
// harness (`gotriage-cli bench detect`) and tests. Vitals go in as they are;
// counter readings go through the real VitalsDeriver first, so rates, counter
// resets and restarts reach the analysis as they would from a scrape. The
// clock is a paused ReplayClock that stands at the newest update fed. Used
// on the caller's thread, synchronously: each feed reaches the sink before
// it returns.
class FeedSource : public Source
{
    Q_OBJECT

public:
    explicit FeedSource(QObject *parent = nullptr);

    const common::Clock &clock() const override { return m_clock; }
    void setServices(const std::vector<config::ServiceConfig> &, bool) override { }
    void start() override { }

    // One good scrape of `service` at vitals.tsMs. `readings` (counters and
    // the process start time) are derived into rates; every vital they
    // yield replaces the one in `vitals`.
    void feed(const QString &service, vitals::VitalsSample vitals, vitals::Readings readings = {});

private:
    struct Fed {
        vitals::VitalsDeriver deriver;
        ServiceHealth health;
    };

    common::ReplayClock m_clock;
    std::map<QString, Fed> m_fed;
};

} // namespace gotriage::ingest
