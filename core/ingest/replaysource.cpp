#include "replaysource.h"

#include "common/logging.h"

#include <algorithm>

namespace gotriage::ingest {

ReplaySource::ReplaySource(std::vector<SourceUpdate> updates, double rate, QObject *parent)
    : Source(parent), m_updates(std::move(updates)), m_clock(m_updates.empty() ? 0 : m_updates.front().tsMs(), rate)
{
    std::stable_sort(m_updates.begin(), m_updates.end(),
                     [](const SourceUpdate &a, const SourceUpdate &b) { return a.tsMs() < b.tsMs(); });
    if (!m_updates.empty()) {
        m_firstMs = m_updates.front().tsMs();
        m_lastMs = m_updates.back().tsMs();
        m_clock.seek(m_firstMs);
    }
    m_timer.setParent(this); // moves with the source to the ingest thread
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &ReplaySource::advance);
}

void ReplaySource::start()
{
    qCDebug(lcIngest) << "replaying" << m_updates.size() << "updates at" << m_clock.rate() << "x";
    m_clock.play();
    advance();
}

void ReplaySource::advance()
{
    const qint64 now = m_clock.nowMs();
    while (m_next < m_updates.size() && m_updates[m_next].tsMs() <= now) {
        SourceUpdate update = std::move(m_updates[m_next++]);
        // Health as the poller keeps it: the last good time, the failures in a row.
        ServiceHealth &h = m_health[update.service()];
        const ScrapeResult &scrape = *update.scrape;
        h.recordAttempt(scrape.tsMs, scrape.up, scrape.error, scrape.durationMs, scrape.bytes);
        update.health = h;
        deliver(std::move(update));
    }
    if (finished()) {
        emit ended();
        return;
    }
    const double rate = std::max(m_clock.rate(), 1e-3);
    const auto wait = static_cast<double>(m_updates[m_next].tsMs() - now) / rate;
    m_timer.start(static_cast<int>(std::clamp(wait, 0.0, static_cast<double>(kMaxWaitMs))));
}

} // namespace gotriage::ingest
