#include "idlestep.h"

namespace gotriage::ui {

IdleStep::IdleStep(QObject *context, const QString &name, std::function<void()> step)
{
    m_timer.setObjectName(name);
    m_timer.setSingleShot(true);
    m_timer.setInterval(0);
    QObject::connect(&m_timer, &QTimer::timeout, context, std::move(step));
}

} // namespace gotriage::ui
