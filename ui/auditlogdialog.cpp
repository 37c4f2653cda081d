#include "auditlogdialog.h"

#include "appearance.h"
#include "palette.h"
#include "triage/auditlog.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QPushButton>
#include <QtConcurrent>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace gotriage::ui {

namespace {

struct Read {
    std::vector<triage::AuditLog::Entry> entries;
    triage::AuditLog::Verification verification;
};

QString whatText(const triage::AuditLog::Entry &e)
{
    const QJsonObject &d = e.details;
    if (d.contains(QStringLiteral("webhook")))
        return QStringLiteral("%1 (%2)").arg(d.value(QStringLiteral("webhook")).toString(),
                                             d.value(QStringLiteral("event")).toString());
    return QStringLiteral("%1 on %2")
        .arg(d.value(QStringLiteral("action")).toString(), d.value(QStringLiteral("service")).toString());
}

QString resultText(const triage::AuditLog::Entry &e)
{
    const QJsonObject &d = e.details;
    const QString error = d.value(QStringLiteral("error")).toString();
    if (!error.isEmpty())
        return error;
    const QJsonValue before = d.value(QStringLiteral("before"));
    const QJsonValue after = d.value(QStringLiteral("after"));
    QString text = d.contains(QStringLiteral("status"))
        ? QStringLiteral("HTTP %1").arg(d.value(QStringLiteral("status")).toInt())
        : QStringLiteral("ok");
    if (before.isString() || after.isString())
        text += QStringLiteral(", %1 → %2")
                    .arg(before.toString(QStringLiteral("unset")), after.toString(QStringLiteral("?")));
    return text;
}

} // namespace

AuditLogDialog::AuditLogDialog(QString path, QWidget *parent)
    : QDialog(parent)
    , m_path(std::move(path))
    , m_verdict(new QLabel(this))
    , m_entries(new QTreeWidget(this))
    , m_export(new QPushButton(tr("&Export…"), this))
{
    setObjectName(QStringLiteral("auditLogDialog"));
    setWindowTitle(tr("Audit log — %1").arg(m_path));
    auto *layout = new QVBoxLayout(this);
    m_verdict->setWordWrap(true);
    m_verdict->setText(tr("Reading and checking %1…").arg(m_path));
    layout->addWidget(m_verdict);
    m_entries->setRootIsDecorated(false);
    m_entries->setHeaderLabels({tr("#"), tr("When"), tr("Who"), tr("What"), tr("Kind"), tr("Result")});
    m_entries->header()->setSectionResizeMode(5, QHeaderView::Stretch);
    m_entries->header()->resizeSection(0, 40);
    m_entries->header()->resizeSection(1, 150);
    m_entries->header()->resizeSection(2, 130);
    m_entries->header()->resizeSection(3, 220);
    m_entries->header()->resizeSection(4, 120);
    layout->addWidget(m_entries, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_export, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_export, &QPushButton::clicked, this, [this] {
        const QString target
            = QFileDialog::getSaveFileName(this, tr("Export the audit log"), QStringLiteral("gotriage-audit.log"));
        if (!target.isEmpty())
            exportTo(target);
    });
    layout->addWidget(buttons);
    resize(960, 520);
    load();
}

QString AuditLogDialog::verdict() const
{
    return m_verdict->text();
}

void AuditLogDialog::load()
{
    auto *watcher = new QFutureWatcher<Read>(this);
    connect(watcher, &QFutureWatcher<Read>::finished, this, [this, watcher] {
        const Read read = watcher->result();
        watcher->deleteLater();
        const triage::AuditLog::Verification &v = read.verification;
        if (v.ok) {
            m_verdict->setText(tr("%1 entries; the chain is intact (no line changed, removed or cut).").arg(v.entries));
            m_verdict->setStyleSheet(QStringLiteral("color: %1;").arg(palette::colours().good.name()));
        } else {
            m_verdict->setText(tr("The chain is BROKEN:\n%1").arg(v.problems.join(u'\n')));
            m_verdict->setStyleSheet(
                QStringLiteral("color: %1; font-weight: bold;").arg(palette::colours().critical.name()));
        }
        for (const triage::AuditLog::Entry &e : read.entries) {
            auto *item = new QTreeWidgetItem(m_entries);
            item->setText(0, QString::number(e.seq));
            item->setText(1, Appearance::instance().clockText(e.tsMs, true));
            item->setText(2, QStringLiteral("%1@%2").arg(e.user, e.host));
            item->setText(3, whatText(e));
            item->setText(4, e.kind);
            item->setText(5, resultText(e));
            // The whole entry, as written (secrets were masked before it was).
            item->setToolTip(5, QString::fromUtf8(QJsonDocument(e.details).toJson(QJsonDocument::Indented)).left(4000));
            if (e.kind.endsWith(QLatin1String("failed")))
                item->setForeground(5, palette::colours().critical);
        }
        m_entries->scrollToBottom();
        emit loaded();
    });
    watcher->setFuture(QtConcurrent::run([path = m_path] {
        const triage::AuditLog log(path);
        return Read{log.read(), log.verify()};
    }));
}

void AuditLogDialog::exportTo(const QString &target)
{
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher] {
        const QString error = watcher->result();
        watcher->deleteLater();
        emit exported(error);
    });
    watcher->setFuture(QtConcurrent::run([source = m_path, target] {
        QFile::remove(target);
        QFile file(source);
        return file.copy(target) ? QString() : QStringLiteral("%1 → %2: %3").arg(source, target, file.errorString());
    }));
}

} // namespace gotriage::ui
