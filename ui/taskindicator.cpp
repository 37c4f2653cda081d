#include "taskindicator.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

namespace gotriage::ui {

TaskIndicator::TaskIndicator(QWidget *parent)
    : QWidget(parent)
    , m_label(new QLabel(this))
    , m_bar(new QProgressBar(this))
    , m_cancelButton(new QPushButton(tr("Cancel"), this))
{
    setObjectName(QStringLiteral("taskIndicator"));
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(8, 0, 8, 0);
    row->addWidget(m_label);
    m_bar->setMaximumWidth(160);
    m_bar->setTextVisible(false);
    row->addWidget(m_bar);
    row->addWidget(m_cancelButton);
    connect(m_cancelButton, &QPushButton::clicked, this, [this] {
        if (!m_cancel)
            return;
        m_cancel->store(true);
        m_cancelButton->setEnabled(false);
        m_label->setText(tr("%1 (stopping)").arg(m_label->text()));
    });
    hide();
}

std::shared_ptr<std::atomic<bool>> TaskIndicator::start(const QString &text)
{
    if (m_cancel)
        m_cancel->store(true);
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    m_label->setText(text);
    m_bar->setRange(0, 0); // busy until the task says how far it is
    m_cancelButton->setEnabled(true);
    show();
    return m_cancel;
}

void TaskIndicator::setProgress(int done, int total)
{
    if (!m_cancel || total <= 0)
        return;
    m_bar->setRange(0, total);
    m_bar->setValue(std::min(done, total));
}

void TaskIndicator::finish()
{
    m_cancel.reset();
    hide();
}

QString TaskIndicator::text() const
{
    return m_label->text();
}

} // namespace gotriage::ui
