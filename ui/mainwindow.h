#pragma once

#include <QMainWindow>

class QDockWidget;
class QLabel;
class QListWidget;
class QStackedWidget;
class QTableView;

namespace gotriage::config {
struct FleetConfig;
}

namespace gotriage::ui {

class FleetListModel;

// The top-level window. It wires views to models and starts background
// jobs; it computes nothing itself. GUI thread only.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Loads a fleet file on a worker thread; fleetLoaded() follows.
    void openFleetFile(const QString &path);

    FleetListModel *fleetModel() const { return m_fleetModel; }

signals:
    void fleetLoaded();

private:
    void showFleet(const QString &path, const config::FleetConfig &fleet);
    void chooseFleetFile();
    void showAbout();

    FleetListModel *m_fleetModel = nullptr;
    QStackedWidget *m_pages = nullptr;
    QLabel *m_emptyState = nullptr;
    QTableView *m_fleetView = nullptr;
    QListWidget *m_problems = nullptr;
    QDockWidget *m_problemsDock = nullptr;
    quint64 m_loadGeneration = 0;
};

} // namespace gotriage::ui
