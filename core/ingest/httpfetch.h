#pragma once

#include "ingest/httprequest.h"

#include <QObject>
#include <QPointer>

namespace gotriage::ingest {

class RequestExecutor;

// One request through the shared executor, as a QObject that its owner can
// connect to and delete: deleting it (or its parent) cancels the request.
// Emits finished() exactly once after start(), unless deleted first. Lives
// in the executor's thread.
class HttpFetch : public QObject
{
    Q_OBJECT

public:
    HttpFetch(RequestExecutor *executor, HttpRequest request, QObject *parent = nullptr);
    ~HttpFetch() override;

    void start();
    bool isRunning() const { return m_id != 0; }

signals:
    void finished(const gotriage::ingest::FetchResult &result);

private:
    QPointer<RequestExecutor> m_executor;
    HttpRequest m_request;
    quint64 m_id = 0;
};

} // namespace gotriage::ingest
