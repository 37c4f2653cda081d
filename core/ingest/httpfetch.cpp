#include "httpfetch.h"

#include "ingest/requestexecutor.h"

namespace gotriage::ingest {

HttpFetch::HttpFetch(RequestExecutor *executor, HttpRequest request, QObject *parent)
    : QObject(parent), m_executor(executor), m_request(std::move(request))
{
    qRegisterMetaType<FetchResult>();
}

HttpFetch::~HttpFetch()
{
    if (m_id != 0 && m_executor)
        m_executor->cancel(m_id);
}

void HttpFetch::start()
{
    if (!m_executor || m_id != 0)
        return;
    m_id = m_executor->start(m_request, [this](const FetchResult &result) {
        m_id = 0;
        emit finished(result);
    });
}

} // namespace gotriage::ingest
