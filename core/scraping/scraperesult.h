#pragma once

#include "formats/expvar.h"
#include "formats/metrics.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace gotriage::scraping {

// Everything one scrape of one service brought back: an immutable value,
// passed between threads as std::shared_ptr<const ScrapeResult>.
struct ScrapeResult {
    QString service;
    qint64 tsMs = 0; // wall clock when the scrape started
    bool up = false; // the main endpoint answered and parsed
    QString error; // why the service is not up
    // Not up because the watcher had no free connection for it: says
    // nothing of the service itself.
    bool congested = false;
    qint64 durationMs = 0; // all endpoints, back to back
    qint64 bytes = 0; // received, after decompression
    std::shared_ptr<const formats::ParsedMetrics> metrics; // null when not served or failed
    std::shared_ptr<const formats::ParsedExpvar> vars;
    std::optional<std::int64_t> pprofGoroutines;
    QStringList problems; // what went wrong without taking the service down
    // Facts said once, when first found: (endpoint, text), e.g. an optional
    // endpoint that is not exposed.
    std::vector<std::pair<QString, QString>> notes;
};

} // namespace gotriage::scraping
