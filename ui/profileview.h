#pragma once

#include "capturedocument.h"

#include <QFutureWatcher>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;
class QTableWidget;
class QToolButton;

namespace gotriage::ui {

class FlameGraphWidget;
class ProfileTableModel;

// One profile, or a profile against a base: the top table (sortable,
// filterable, copied as text), the flame graph (zoom, breadcrumb, search,
// icicle or flame) and the callers and callees of the selected function.
// Tables and trees are computed off the GUI thread. GUI thread only.
class ProfileView : public QWidget
{
    Q_OBJECT

public:
    enum Tab { TopTab, FlameTab, CallersTab };

    explicit ProfileView(QWidget *parent = nullptr);

    // `base`: compare against it (before an action, a healthy peer); null: none.
    void setProfile(std::shared_ptr<const formats::Profile> profile, std::shared_ptr<const formats::Profile> base,
                    const QString &title);
    void setSampleType(const QString &name);
    void showTab(Tab tab);
    void selectFunction(const QString &name);

    ProfileTableModel *tableModel() const { return m_model; }
    QSortFilterProxyModel *tableProxy() const { return m_proxy; }
    FlameGraphWidget *flameGraph() const { return m_flame; }
    QLineEdit *tableFilter() const { return m_filter; }
    QLineEdit *flameSearch() const { return m_search; }
    QTableWidget *callersTable() const { return m_callers; }
    QTableWidget *calleesTable() const { return m_callees; }
    // The visible table rows as `go tool pprof -top` prints them.
    QString tableAsText() const;
    bool isComputing() const { return m_watcher.isRunning(); }

signals:
    void computed(); // the tables and the flame graph show the current sample type

private:
    void recompute();
    void onComputed();
    void updateBreadcrumb(int node);
    void showCallers(const QString &function);

    std::shared_ptr<const formats::Profile> m_profile;
    std::shared_ptr<const formats::Profile> m_base;
    QLabel *m_title;
    QComboBox *m_sampleType;
    QTabWidget *m_tabs;
    ProfileTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QLineEdit *m_filter;
    FlameGraphWidget *m_flame;
    QLineEdit *m_search;
    QLabel *m_searchShare;
    QLabel *m_breadcrumb;
    QToolButton *m_icicle;
    QLabel *m_callersTitle;
    QTableWidget *m_callers;
    QTableWidget *m_callees;
    QString m_selectedFunction;
    QFutureWatcher<ProfileViews> m_watcher;
    bool m_recomputeAgain = false;
};

} // namespace gotriage::ui
