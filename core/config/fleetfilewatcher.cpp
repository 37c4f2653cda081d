#include "fleetfilewatcher.h"

#include "common/logging.h"

#include <QFileInfo>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

namespace gotriage::config {

FleetFileWatcher::FleetFileWatcher(QObject *parent) : QObject(parent)
{
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(kReloadDebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, [this] { startLoad(true); });
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, [this] { m_debounce.start(); });
    // A replaced file drops out of the watch list; its directory still sees it come back.
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, [this] {
        if (!m_path.isEmpty() && !m_watcher.files().contains(m_path) && QFileInfo::exists(m_path)) {
            m_watcher.addPath(m_path);
            m_debounce.start();
        }
    });
}

void FleetFileWatcher::load(const QString &path)
{
    if (!m_watcher.files().isEmpty())
        m_watcher.removePaths(m_watcher.files());
    if (!m_watcher.directories().isEmpty())
        m_watcher.removePaths(m_watcher.directories());
    m_path = QFileInfo(path).absoluteFilePath();
    m_watcher.addPath(m_path);
    m_watcher.addPath(QFileInfo(m_path).absolutePath());
    startLoad(false);
}

void FleetFileWatcher::startLoad(bool isReload)
{
    const quint64 generation = ++m_generation;
    auto *future = new QFutureWatcher<FleetConfig>(this);
    connect(future, &QFutureWatcher<FleetConfig>::finished, this, [this, future, generation, isReload] {
        future->deleteLater();
        if (generation != m_generation) {
            qCDebug(lcConfig) << "a newer load of" << m_path << "superseded this one";
            return;
        }
        const FleetConfig &fleet = future->result();
        qCDebug(lcConfig) << (isReload ? "reloaded" : "loaded") << m_path << ":" << fleet.services.size() << "services,"
                          << fleet.problems.size() << "problems";
        emit fleetLoaded(fleet, isReload);
    });
    future->setFuture(QtConcurrent::run(&loadFleetConfig, m_path));
}

} // namespace gotriage::config
