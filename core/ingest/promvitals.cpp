#include "promvitals.h"

#include <cmath>

namespace gotriage::ingest {

QString promTargetKey(const std::map<QString, QString> &labels)
{
    const auto get = [&labels](const char *key) {
        const auto it = labels.find(QString::fromLatin1(key));
        return it == labels.end() ? QString() : it->second;
    };
    return get("job") + u'\n' + get("instance");
}

void addPromAnswer(PromRows &rows, const QString &column, const std::vector<PromSeries> &series)
{
    double PromRow::*extra = nullptr;
    std::optional<vitals::Vital> vital;
    if (column == QLatin1String("scrape_up"))
        extra = &PromRow::up;
    else if (column == QLatin1String("scrape_ms"))
        extra = &PromRow::scrapeMs;
    else if (!(vital = vitals::vitalFromName(column.toStdString())))
        return;
    for (const PromSeries &s : series) {
        auto &times = rows[promTargetKey(s.labels)];
        for (const auto &[t, value] : s.points) {
            PromRow &row = times[t];
            if (extra)
                row.*extra = value;
            else
                row.vitals[static_cast<std::size_t>(*vital)] = value;
        }
    }
}

vitals::VitalsSample promVitals(qint64 tsMs, const PromRow &row)
{
    vitals::VitalsSample sample;
    sample.tsMs = tsMs;
    std::copy(row.vitals.begin(), row.vitals.end(), sample.values.begin());
    const double requests = sample[vitals::Vital::ReqRate];
    const double errors = sample[vitals::Vital::ErrRate];
    if (requests > 0 && vitals::isKnown(errors))
        sample[vitals::Vital::ErrRatio] = errors / requests;
    return sample;
}

SourceUpdate promUpdate(const QString &service, qint64 tsMs, const PromRow &row, ServiceHealth &health,
                        const QString &failure)
{
    auto scrape = std::make_shared<ScrapeResult>();
    scrape->service = service;
    scrape->tsMs = tsMs;
    scrape->up = failure.isEmpty() && row.up == 1.0;
    if (!failure.isEmpty())
        scrape->error = failure;
    else if (!scrape->up)
        scrape->error = std::isnan(row.up) ? QStringLiteral("not scraped by the server at this time")
                                           : QStringLiteral("down: the server's up was 0");
    scrape->durationMs = std::isnan(row.scrapeMs) ? 0 : std::llround(row.scrapeMs);
    SourceUpdate update;
    update.vitals = promVitals(tsMs, row);
    health.recordAttempt(tsMs, scrape->up, scrape->error, scrape->durationMs, 0);
    update.health = health;
    update.scrape = std::move(scrape);
    return update;
}

} // namespace gotriage::ingest
