#pragma once

#include <QWidget>

#include <atomic>
#include <memory>

class QLabel;
class QProgressBar;
class QPushButton;

namespace gotriage::ui {

// A long task's place in the status bar: what it is doing, how far it has
// come (a busy bar until it can tell), and Cancel. The task runs elsewhere
// and polls the flag start() hands it; Cancel sets the flag and says that
// the task is stopping. Hidden while nothing runs. GUI thread only.
class TaskIndicator : public QWidget
{
    Q_OBJECT

public:
    explicit TaskIndicator(QWidget *parent = nullptr);

    // Shows `text` and returns the flag Cancel sets (a running task's place
    // is taken over: its flag is set first).
    std::shared_ptr<std::atomic<bool>> start(const QString &text);
    void setProgress(int done, int total);
    void finish();
    bool isRunning() const { return m_cancel != nullptr; }
    QString text() const;
    QProgressBar *bar() const { return m_bar; }
    QPushButton *cancelButton() const { return m_cancelButton; }

private:
    QLabel *m_label;
    QProgressBar *m_bar;
    QPushButton *m_cancelButton;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};

} // namespace gotriage::ui
