#pragma once

#include "record/promimport.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QThread;

namespace gotriage::ui {

// File → Import from Prometheus: a past window of a Prometheus-compatible
// server's targets becomes a recording (record::PrometheusImport), in a
// thread of its own, with progress and cancel; imported() hands the file
// on to be replayed. The server and the choices are remembered.
class ImportDialog : public QDialog
{
    Q_OBJECT

public:
    ImportDialog(QString outputDir, QWidget *parent = nullptr);
    ~ImportDialog() override; // cancels an import still running

    void setServer(const QString &url);
    void setWindowMinutes(int minutes); // one of the offered windows
    void setStepSeconds(int seconds);
    void setMatchers(const QString &matchers);
    // Starts the import (the Import button).
    void startImport();
    // Cancel, Escape: while importing, cancels the import (the dialog stays
    // to say so); otherwise closes.
    void reject() override;

signals:
    void imported(const QString &path);
    void failed(const QString &error);

private:
    void onFinished(const QString &error, const record::PrometheusImport::Summary &summary);
    void stopWorker();

    QString m_outputDir;
    QString m_path;
    QLineEdit *m_server;
    QComboBox *m_window;
    QComboBox *m_step;
    QLineEdit *m_matchers;
    QProgressBar *m_progress;
    QLabel *m_status;
    QDialogButtonBox *m_buttons;
    QThread *m_thread = nullptr;
    record::PrometheusImport *m_import = nullptr;
};

} // namespace gotriage::ui
