#pragma once

#include "config/fleetconfig.h"
#include "ingest/sourceupdate.h"

#include <QObject>

#include <vector>

namespace gotriage::common {
class Clock;
}

namespace gotriage::ingest {

class RequestExecutor;

// Where samples come from: live scraping, a replayed capture, the accuracy
// harness. A source owns the clock its data runs on, produces SourceUpdates
// in time order per service and hands them to its sink. It lives in one
// thread (the session's ingest thread) and is driven by that thread's event
// loop, or by its caller (the harness).
class Source : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    ~Source() override;

    virtual const common::Clock &clock() const = 0;
    void setSink(UpdateSink *sink) { m_sink = sink; }

    // The services the session watches. A live source scrapes exactly
    // these; a replay source plays what its file holds and ignores them.
    virtual void setServices(const std::vector<config::ServiceConfig> &services, bool replace) = 0;
    // Begins producing. Replay: the playhead starts moving.
    virtual void start() = 0;
    // No more updates will come (a capture played to its end).
    virtual bool finished() const { return false; }
    // Live sources talk to the services, so profiles can be captured
    // through their request executor (created in the ingest thread).
    virtual bool canCapture() const { return false; }
    virtual RequestExecutor *executor() { return nullptr; }

signals:
    void ended(); // finished() became true
    // The services the source found for itself (a server's targets): the
    // session's fleet, in place of a fleet file. Emitted when they change.
    void servicesFound(const std::vector<gotriage::config::ServiceConfig> &services);
    // The source itself is in trouble (its server unreachable), or no
    // longer (an empty message).
    void problem(const QString &message);

protected:
    void deliver(SourceUpdate update)
    {
        if (m_sink)
            m_sink->consume(std::move(update));
    }
    void resetSink()
    {
        if (m_sink)
            m_sink->reset();
    }
    void backfill(const QString &service, const std::vector<vitals::VitalsSample> &samples, Backfill use)
    {
        if (m_sink)
            m_sink->backfill(service, samples, use);
    }
    void contextComplete()
    {
        if (m_sink)
            m_sink->contextComplete();
    }

private:
    UpdateSink *m_sink = nullptr;
};

} // namespace gotriage::ingest
