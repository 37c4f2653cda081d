#include "promapi.h"

#include <nlohmann/json.hpp>

namespace gotriage::ingest::promapi {

QUrl endpointUrl(const QUrl &server, const QString &endpoint)
{
    QUrl url = server;
    QString path = url.path();
    if (!path.endsWith(u'/'))
        path += u'/';
    url.setPath(path + QStringLiteral("api/v1/") + endpoint);
    return url;
}

QString text(const nlohmann::json &object, const char *key)
{
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
}

const nlohmann::json *dataOf(const nlohmann::json &answer, const QByteArray &body, QString *error)
{
    const auto fail = [error](const QString &why) -> const nlohmann::json * {
        if (error)
            *error = why;
        return nullptr;
    };
    if (answer.is_discarded() || !answer.is_object())
        return fail(QStringLiteral("not the JSON of Prometheus' HTTP API (it begins \"%1\")")
                        .arg(QString::fromUtf8(body.left(60)).simplified()));
    if (text(answer, "status") != QLatin1String("success"))
        return fail(QStringLiteral("the server says: %1 (%2)").arg(text(answer, "error"), text(answer, "errorType")));
    const auto data = answer.find("data");
    if (data == answer.end() || !data->is_object())
        return fail(QStringLiteral("the answer holds no data"));
    return &*data;
}

} // namespace gotriage::ingest::promapi
