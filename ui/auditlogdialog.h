#pragma once

#include <QDialog>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace gotriage::ui {

// The audit log, readable: every entry (when, who, what, on which service,
// the result), the chain's verdict (a changed, removed or cut line is named
// by its line), and Export… to a file of the operator's choice. Reading,
// verifying and copying happen off the GUI thread.
class AuditLogDialog : public QDialog
{
    Q_OBJECT

public:
    AuditLogDialog(QString path, QWidget *parent = nullptr);

    QTreeWidget *entriesView() const { return m_entries; }
    QString verdict() const;
    // Copies the log as it is on disk; `done` reports the error, empty on success.
    void exportTo(const QString &target);

signals:
    void loaded();
    void exported(const QString &error);

private:
    void load();

    QString m_path;
    QLabel *m_verdict;
    QTreeWidget *m_entries;
    QPushButton *m_export;
};

} // namespace gotriage::ui
