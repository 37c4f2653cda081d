#pragma once

#include "capturedocument.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSortFilterProxyModel;
class QTableView;

namespace gotriage::ui {

class GoroutineGroupsModel;

// A goroutine dump grouped by wait state and stack; against an older dump
// of the same service, the groups that grew come first (leak suspects).
// The selected group's stack is shown in full. GUI thread only.
class GoroutineView : public QWidget
{
    Q_OBJECT

public:
    explicit GoroutineView(QWidget *parent = nullptr);

    // `older`: compare against it; null: the dump alone.
    void setDumps(const OpenedCapturePtr &dump, const OpenedCapturePtr &older, const QString &title);

    GoroutineGroupsModel *model() const { return m_model; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    QTableView *table() const { return m_table; }
    QString selectedStack() const;

private:
    void showSelected();

    QLabel *m_title;
    QLineEdit *m_filter;
    GoroutineGroupsModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QPlainTextEdit *m_stack;
};

} // namespace gotriage::ui
