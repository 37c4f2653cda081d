#pragma once

#include "config/fleetconfig.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>

namespace gotriage::testing {

// What a demo service itself says its throttle is (GET /admin/throttle over
// real HTTP); -1 when it did not answer.
inline double throttleOf(const config::ServiceConfig &service)
{
    QNetworkAccessManager manager;
    QNetworkReply *reply = manager.get(QNetworkRequest(service.endpointUrl(QStringLiteral("/admin/throttle"))));
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const double rps = QJsonDocument::fromJson(reply->readAll()).object().value(QStringLiteral("rps")).toDouble(-1);
    reply->deleteLater();
    return rps;
}

} // namespace gotriage::testing
