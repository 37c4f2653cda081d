#pragma once

#include "triage/actionrunner.h"

#include <QDialog>
#include <QMap>
#include <QTimer>

class QCheckBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace gotriage::triage {
class TriageSession;
}

namespace gotriage::ui {

// The preview and confirmation in front of every action: the targets, the
// variables within their bounds, the rendered requests (secrets masked),
// the value now → the value after. A core-tier target is changed only when
// its name is typed. The preview is refreshed (a dry run, which reads the
// current value) when a variable changes and every few seconds; nothing
// the operator typed is touched by it. Send runs the action once per
// checked target; each target's result is reported on its own (the triage
// panel's action list).
class ActionDialog : public QDialog
{
    Q_OBJECT

public:
    static constexpr int kPreviewRefreshMs = 5000;

    ActionDialog(triage::TriageSession *triage, const QString &action, const QString &service,
                 QWidget *parent = nullptr);

    QLineEdit *confirmEdit() const { return m_confirm; }
    QPushButton *sendButton() const { return m_send; }
    QCheckBox *dryRunBox() const { return m_dryRun; }
    QString previewText() const;
    QStringList checkedTargets() const;
    QMap<QString, double> values() const;
    // Core-tier targets among the checked ones: their names must be typed.
    QStringList coreTargets() const;
    int previewsDone() const { return m_previewsDone; }

signals:
    // The runs started by Send, one ticket per target.
    void sent(const QList<quint64> &tickets);
    void previewUpdated();

protected:
    void showEvent(QShowEvent *event) override;

private:
    void refreshPreview();
    void onPreview(quint64 ticket, const triage::ActionRunPtr &run);
    void updateSendState();
    void send();

    triage::TriageSession *m_triage;
    QString m_action;
    QListWidget *m_targets;
    QMap<QString, QDoubleSpinBox *> m_variables;
    QPlainTextEdit *m_preview;
    QLabel *m_change;
    QLabel *m_confirmLabel;
    QLineEdit *m_confirm;
    QCheckBox *m_dryRun;
    QPushButton *m_send;
    QTimer m_refresh;
    QMap<quint64, QString> m_pendingPreviews; // ticket → target
    QMap<QString, triage::ActionRunPtr> m_previews; // target → its dry run
    int m_previewsDone = 0;
};

} // namespace gotriage::ui
