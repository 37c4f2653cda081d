#include "measuredapplication.h"

#include <QElapsedTimer>
#include <QEvent>
#include <QMetaEnum>
#include <QThread>

#include <time.h>

#include <algorithm>
#include <vector>

namespace gotriage::ui {

namespace {

constexpr double kFrameBudgetMs = 8.0;

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
    m_timing = true;
}

bool MeasuredApplication::notify(QObject *receiver, QEvent *event)
{
    if (!m_timing || m_depth > 0 || QThread::currentThread() != thread())
        return QApplication::notify(receiver, event);
    // Described after delivery, and only when slow: the receiver may be
    // gone by then, so its description is taken before, cheaply.
    const QMetaObject *meta = receiver->metaObject();
    const QObject *parent = receiver->parent();
    const QMetaObject *parentMeta = parent ? parent->metaObject() : nullptr;
    const QString name = receiver->objectName();
    const QEvent::Type type = event->type();
    QElapsedTimer timer;
    timer.start();
    const double cpuBefore = threadCpuMs();
    ++m_depth;
    const bool handled = QApplication::notify(receiver, event);
    --m_depth;
    const double ms = threadCpuMs() - cpuBefore;
    const double wallMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    if (ms >= 1.0) {
        QString key = QString::fromLatin1(meta->className());
        if (!name.isEmpty())
            key += u'#' + name;
        if (parentMeta)
            key += QStringLiteral(" (in %1)").arg(QString::fromLatin1(parentMeta->className()));
        const QMetaEnum types = QMetaEnum::fromType<QEvent::Type>();
        const char *typeName = types.valueToKey(type);
        key += u' ' + (typeName ? QString::fromLatin1(typeName) : QString::number(type));
        Kind &kind = m_kinds[key];
        if (ms > kind.maxCpuMs) {
            kind.maxCpuMs = ms;
            kind.wallMsOfMax = wallMs;
        }
        if (ms >= kFrameBudgetMs)
            ++kind.overBudget;
    }
    return handled;
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

} // namespace gotriage::ui
