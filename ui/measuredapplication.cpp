#include "measuredapplication.h"

#include <QAbstractEventDispatcher>
#include <QElapsedTimer>
#include <QMetaEnum>
#include <QThread>

#include <time.h>

#include <algorithm>

namespace gotriage::ui {

namespace {

constexpr double kFrameBudgetMs = 8.0;
constexpr double kKindFloorMs = 1.0; // cheaper deliveries are not ledger entries
constexpr double kTurnPartFloorMs = 0.5; // nor parts of a turn's account

double threadCpuMs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

} // namespace

MeasuredApplication::MeasuredApplication(int &argc, char **argv) : QApplication(argc, argv)
{ }

void MeasuredApplication::startTiming()
{
    m_kinds.clear();
    m_turn = {};
    m_longestTurn = {};
    if (m_timing)
        return;
    m_timing = true;
    // The dispatcher says when a pass ends: it is about to wait for events.
    if (auto *dispatcher = QAbstractEventDispatcher::instance(thread()))
        connect(dispatcher, &QAbstractEventDispatcher::aboutToBlock, this, [this] { endTurn(); });
}

QString MeasuredApplication::Delivery::describe() const
{
    QString key = QString::fromLatin1(meta->className());
    if (!name.isEmpty())
        key += u'#' + name;
    if (parentMeta)
        key += QStringLiteral(" (in %1)").arg(QString::fromLatin1(parentMeta->className()));
    const QMetaEnum types = QMetaEnum::fromType<QEvent::Type>();
    const char *typeName = types.valueToKey(type);
    return key + u' ' + (typeName ? QString::fromLatin1(typeName) : QString::number(type));
}

bool MeasuredApplication::notify(QObject *receiver, QEvent *event)
{
    if (!m_timing || m_depth > 0 || QThread::currentThread() != thread())
        return QApplication::notify(receiver, event);
    const QObject *parent = receiver->parent();
    Delivery delivery{receiver->metaObject(), receiver->objectName(), parent ? parent->metaObject() : nullptr,
                      event->type(), 0};
    QElapsedTimer timer;
    timer.start();
    const double cpuBefore = threadCpuMs();
    ++m_depth;
    const bool handled = QApplication::notify(receiver, event);
    --m_depth;
    delivery.cpuMs = threadCpuMs() - cpuBefore;
    const double wallMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    m_turn.cpuMs += delivery.cpuMs;
    ++m_turn.events;
    if (delivery.cpuMs >= kKindFloorMs) {
        Kind &kind = m_kinds[delivery.describe()];
        if (delivery.cpuMs > kind.maxCpuMs) {
            kind.maxCpuMs = delivery.cpuMs;
            kind.wallMsOfMax = wallMs;
        }
        if (delivery.cpuMs >= kFrameBudgetMs)
            ++kind.overBudget;
    }
    if (delivery.cpuMs >= kTurnPartFloorMs)
        m_turn.dearest.push_back(std::move(delivery));
    return handled;
}

void MeasuredApplication::endTurn()
{
    if (m_turn.cpuMs > m_longestTurn.cpuMs)
        m_longestTurn = std::move(m_turn);
    m_turn = {};
}

QString MeasuredApplication::slowestEvents(int kinds) const
{
    std::vector<std::pair<QString, Kind>> sorted;
    for (auto it = m_kinds.cbegin(); it != m_kinds.cend(); ++it)
        sorted.emplace_back(it.key(), it.value());
    std::sort(sorted.begin(), sorted.end(),
              [](const auto &a, const auto &b) { return a.second.maxCpuMs > b.second.maxCpuMs; });
    QStringList parts;
    for (std::size_t i = 0; i < sorted.size() && static_cast<int>(i) < kinds; ++i)
        parts << QStringLiteral("%1: max %2 ms of CPU (%3 ms wall), %4 of 8 ms or more")
                     .arg(sorted[i].first)
                     .arg(sorted[i].second.maxCpuMs, 0, 'f', 1)
                     .arg(sorted[i].second.wallMsOfMax, 0, 'f', 1)
                     .arg(sorted[i].second.overBudget);
    return parts.isEmpty() ? QStringLiteral("none of 1 ms or more") : parts.join(QStringLiteral("; "));
}

QString MeasuredApplication::longestTurn(int parts) const
{
    // The pass under way counts too: a run may end inside its longest one.
    const Turn &turn = m_turn.cpuMs > m_longestTurn.cpuMs ? m_turn : m_longestTurn;
    std::vector<const Delivery *> dearest;
    for (const Delivery &delivery : turn.dearest)
        dearest.push_back(&delivery);
    std::sort(dearest.begin(), dearest.end(), [](const auto *a, const auto *b) { return a->cpuMs > b->cpuMs; });
    QStringList named;
    double namedMs = 0;
    for (std::size_t i = 0; i < dearest.size() && static_cast<int>(i) < parts; ++i) {
        named << QStringLiteral("%1 %2 ms").arg(dearest[i]->describe()).arg(dearest[i]->cpuMs, 0, 'f', 1);
        namedMs += dearest[i]->cpuMs;
    }
    QString line = QStringLiteral("%1 ms of CPU in %2 events").arg(turn.cpuMs, 0, 'f', 1).arg(turn.events);
    if (!named.isEmpty())
        line += QStringLiteral(": ") + named.join(QStringLiteral(", "));
    const int rest = turn.events - static_cast<int>(named.size());
    if (rest > 0)
        line += QStringLiteral("; %1 ms in %2 more").arg(std::max(0.0, turn.cpuMs - namedMs), 0, 'f', 1).arg(rest);
    return line;
}

} // namespace gotriage::ui
