#pragma once

#include "config/fleetconfig.h"

#include <QFileSystemWatcher>
#include <QObject>
#include <QTimer>

namespace gotriage::config {

// Loads a fleet file off the calling thread and reloads it when it changes
// on disk (editors and tools often replace the file, so the path is watched
// again after every change). Results arrive as fleetLoaded() in the thread
// that owns this object; a result for a superseded load is dropped.
class FleetFileWatcher : public QObject
{
    Q_OBJECT

public:
    static constexpr int kReloadDebounceMs = 300;

    explicit FleetFileWatcher(QObject *parent = nullptr);

    void load(const QString &path);
    QString path() const { return m_path; }

signals:
    void fleetLoaded(const gotriage::config::FleetConfig &fleet, bool isReload);

private:
    void startLoad(bool isReload);

    QString m_path;
    QFileSystemWatcher m_watcher;
    QTimer m_debounce;
    quint64 m_generation = 0;
};

} // namespace gotriage::config

Q_DECLARE_METATYPE(gotriage::config::FleetConfig)
