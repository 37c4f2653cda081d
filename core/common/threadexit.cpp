#include "threadexit.h"

#include <QCoreApplication>
#include <QThread>

#include <openssl/crypto.h>

namespace gotriage::common {

void releaseTlsStateWhenFinished(QThread &thread)
{
    // `finished` is emitted in the thread itself, after its event loop has
    // ended and before wait() returns in the thread that waits.
    QObject::connect(
        &thread, &QThread::finished, &thread,
        [] {
            // Deferred deletes still queued there run first: closing a TLS
            // connection would make the state again.
            QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
            OPENSSL_thread_stop();
        },
        Qt::DirectConnection);
}

} // namespace gotriage::common
