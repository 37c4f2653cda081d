#include "session.h"

#include "common/logging.h"
#include "ingest/source.h"
#include "session/sessionhub.h"
#include "store/seriesstore.h"

namespace gotriage::session {

Session::Session(std::unique_ptr<ingest::Source> source, QObject *parent)
    : QObject(parent)
    , m_source(source.release())
    , m_hub(new SessionHub(&m_source->clock()))
    , m_clock(&m_source->clock())
{
    qRegisterMetaType<SessionBatchPtr>();
    m_thread.setObjectName(QStringLiteral("gotriage-ingest"));
    m_source->setSink(m_hub);
    m_source->moveToThread(&m_thread);
    m_hub->moveToThread(&m_thread);
    // One queued event per tick reaches this thread, whatever the fleet's size.
    connect(m_hub, &SessionHub::batchReady, this, &Session::batchReady, Qt::QueuedConnection);
    connect(
        m_source, &ingest::Source::ended, m_hub,
        [this] {
            m_hub->flush(); // the last batch goes before the news that there is no more
            QMetaObject::invokeMethod(this, &Session::sourceEnded, Qt::QueuedConnection);
        },
        Qt::DirectConnection);
    m_thread.start();
}

Session::~Session()
{
    // The source and the hub are deleted in their thread: pollers abort their
    // fetches there, and the request executor closes its sockets there.
    QMetaObject::invokeMethod(
        m_hub,
        [source = m_source, hub = m_hub] {
            delete source;
            delete hub;
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

store::SeriesStore &Session::store()
{
    return m_hub->store();
}

const store::SeriesStore &Session::store() const
{
    return m_hub->store();
}

void Session::onIngestThread(std::function<void()> work)
{
    QMetaObject::invokeMethod(m_hub, std::move(work), Qt::QueuedConnection);
}

void Session::setServices(const std::vector<config::ServiceConfig> &services)
{
    onIngestThread([hub = m_hub, source = m_source, services] {
        hub->setServices(services, true);
        source->setServices(services, true);
    });
}

void Session::addService(const config::ServiceConfig &service)
{
    onIngestThread([hub = m_hub, source = m_source, service] {
        hub->setServices({service}, false);
        source->setServices({service}, false);
    });
}

void Session::setAnalysisSettings(const analysis::AnalysisSettings &settings)
{
    onIngestThread([hub = m_hub, settings] { hub->setAnalysisSettings(settings); });
}

void Session::setAdoptUnknownServices(bool adopt)
{
    onIngestThread([hub = m_hub, adopt] { hub->setAdoptUnknownServices(adopt); });
}

void Session::start()
{
    onIngestThread([hub = m_hub, source = m_source] {
        hub->startTicking();
        source->start();
        qCDebug(lcSession) << "session started";
    });
}

} // namespace gotriage::session
