#include "actiondialog.h"

#include "palette.h"
#include "triage/auditlog.h"
#include "triage/triagesession.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace gotriage::ui {

namespace {

// One request as the preview shows it: headers whose name names a secret
// are masked, as in the audit log.
QString requestText(const triage::RenderedRequest &request)
{
    QString text = QString::fromLatin1(request.method) + u' ' + request.url.toString(QUrl::RemoveUserInfo);
    QJsonObject headers;
    for (const auto &[name, value] : request.headers)
        headers.insert(QString::fromLatin1(name), QString::fromLatin1(value));
    headers = triage::maskSecrets(headers);
    for (auto it = headers.begin(); it != headers.end(); ++it)
        text += QStringLiteral("\n    %1: %2").arg(it.key(), it.value().toString());
    if (!request.body.isEmpty())
        text += QStringLiteral("\n    ") + QString::fromUtf8(request.body.left(2000));
    return text;
}

QString valueText(const std::optional<QString> &value, bool known)
{
    if (!known)
        return QObject::tr("(not read)");
    return value ? *value : QObject::tr("(not set)");
}

} // namespace

ActionDialog::ActionDialog(triage::TriageSession *triage, const QString &action, const QString &service,
                           QWidget *parent)
    : QDialog(parent)
    , m_triage(triage)
    , m_action(action)
    , m_targets(new QListWidget(this))
    , m_preview(new QPlainTextEdit(this))
    , m_change(new QLabel(this))
    , m_confirmLabel(new QLabel(this))
    , m_confirm(new QLineEdit(this))
    , m_dryRun(new QCheckBox(tr("&Dry run: read and render, change nothing"), this))
    , m_send(new QPushButton(tr("&Send"), this))
{
    const config::ActionSpec *spec = triage->catalog().find(action);
    setWindowTitle(tr("%1 %2 — preview").arg(action, service));
    setObjectName(QStringLiteral("actionDialog"));
    auto *layout = new QVBoxLayout(this);
    auto *heading = new QLabel(QStringLiteral("<b style='font-size:14pt'>%1</b> &nbsp; %2")
                                   .arg(action.toHtmlEscaped(), spec ? spec->description.toHtmlEscaped() : QString()),
                               this);
    heading->setWordWrap(true);
    layout->addWidget(heading);

    auto *form = new QFormLayout;
    // The chosen service first and checked; every other the action applies
    // to below it, so one action can go to several replicas at once.
    m_targets->setMaximumHeight(110);
    m_targets->setStyleSheet(palette::checkBoxStyle("QListWidget"));
    for (const config::ServiceConfig &s : triage->services()) {
        if (!spec || !spec->appliesTo.matches(s))
            continue;
        auto *item = new QListWidgetItem(s.tier == config::Tier::Core ? tr("%1   (core)").arg(s.name) : s.name);
        item->setData(Qt::UserRole, s.name);
        item->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled | Qt::ItemIsSelectable);
        item->setCheckState(s.name == service ? Qt::Checked : Qt::Unchecked);
        if (s.name == service)
            m_targets->insertItem(0, item);
        else
            m_targets->addItem(item);
    }
    form->addRow(tr("Targets"), m_targets);
    if (spec) {
        for (const config::ActionVariable &v : spec->variables) {
            auto *box = new QDoubleSpinBox(this);
            box->setDecimals(std::floor(v.defaultValue) == v.defaultValue ? 0 : 2);
            box->setRange(v.min.value_or(-1e12), v.max.value_or(1e12));
            box->setValue(v.defaultValue);
            box->setAccelerated(true);
            form->addRow(v.name, box);
            m_variables.insert(v.name, box);
            connect(box, &QDoubleSpinBox::valueChanged, this, [this] { m_refresh.start(300); });
        }
    }
    layout->addLayout(form);

    m_change->setWordWrap(true);
    m_change->setTextFormat(Qt::PlainText);
    m_change->setStyleSheet(QStringLiteral("font-size: 13pt; font-weight: bold;"));
    layout->addWidget(m_change);
    m_preview->setReadOnly(true);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_preview->setMinimumHeight(120);
    m_preview->setPlaceholderText(tr("rendering the requests and reading the current value…"));
    layout->addWidget(m_preview, 1);

    m_confirmLabel->setWordWrap(true);
    m_confirmLabel->setStyleSheet(QStringLiteral("color: %1;").arg(palette::colours().warning.name()));
    layout->addWidget(m_confirmLabel);
    m_confirm->setObjectName(QStringLiteral("confirmName"));
    layout->addWidget(m_confirm);
    layout->addWidget(m_dryRun);

    auto *buttons = new QDialogButtonBox(this);
    buttons->addButton(m_send, QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_send, &QPushButton::clicked, this, &ActionDialog::send);
    connect(m_confirm, &QLineEdit::textChanged, this, &ActionDialog::updateSendState);
    connect(m_dryRun, &QCheckBox::toggled, this, &ActionDialog::updateSendState);
    connect(m_targets, &QListWidget::itemChanged, this, [this] {
        updateSendState();
        m_refresh.start(300);
    });
    connect(triage, &triage::TriageSession::actionFinished, this, &ActionDialog::onPreview);

    m_refresh.setSingleShot(true);
    connect(&m_refresh, &QTimer::timeout, this, &ActionDialog::refreshPreview);
    resize(640, 560);
    updateSendState();
    refreshPreview();
}

void ActionDialog::showEvent(QShowEvent *event)
{
    QDialog::showEvent(event);
    // Keyboard first: the keys go here (a window manager would do the same;
    // some platforms leave the window that opened it active), to the name
    // to type, or to Send, so that Enter sends.
    activateWindow();
    if (!coreTargets().isEmpty())
        m_confirm->setFocus();
    else
        m_send->setFocus();
}

QStringList ActionDialog::checkedTargets() const
{
    QStringList out;
    for (int i = 0; i < m_targets->count(); ++i) {
        if (m_targets->item(i)->checkState() == Qt::Checked)
            out << m_targets->item(i)->data(Qt::UserRole).toString();
    }
    return out;
}

QStringList ActionDialog::coreTargets() const
{
    QStringList out;
    for (const QString &name : checkedTargets()) {
        if (const config::ServiceConfig *s = m_triage->service(name); s && s->tier == config::Tier::Core)
            out << name;
    }
    return out;
}

QMap<QString, double> ActionDialog::values() const
{
    QMap<QString, double> out;
    for (auto it = m_variables.begin(); it != m_variables.end(); ++it)
        out.insert(it.key(), it.value()->value());
    return out;
}

QString ActionDialog::previewText() const
{
    return m_change->text() + u'\n' + m_preview->toPlainText();
}

void ActionDialog::refreshPreview()
{
    // A dry run per target: rendered, and the current value read; it
    // changes nothing and is not audited.
    m_pendingPreviews.clear();
    for (const QString &target : checkedTargets()) {
        QString error;
        const quint64 ticket = m_triage->runAction(m_action, target, values(), true, &error);
        if (ticket)
            m_pendingPreviews.insert(ticket, target);
        else
            m_preview->setPlainText(error);
    }
    m_refresh.start(kPreviewRefreshMs);
}

void ActionDialog::onPreview(quint64 ticket, const triage::ActionRunPtr &run)
{
    const QString target = m_pendingPreviews.take(ticket);
    if (target.isEmpty())
        return;
    m_previews.insert(target, run);
    if (!m_pendingPreviews.isEmpty())
        return;
    QStringList changes, requests;
    const QMap<QString, double> now = values();
    for (const QString &name : checkedTargets()) {
        const triage::ActionRunPtr preview = m_previews.value(name);
        if (!preview)
            continue;
        if (!preview->ok()) {
            changes << tr("%1: cannot preview: %2").arg(name, preview->error);
            continue;
        }
        QStringList set;
        for (auto it = now.begin(); it != now.end(); ++it)
            set << QStringLiteral("%1 %2").arg(it.key()).arg(it.value());
        changes << tr("%1: %2 now → %3")
                       .arg(name, valueText(preview->before, preview->beforeKnown), set.join(QStringLiteral(", ")));
        if (preview->requests.read)
            requests << tr("# %1: read").arg(name) << requestText(*preview->requests.read);
        requests << tr("# %1: write").arg(name) << requestText(preview->requests.write);
    }
    m_change->setText(changes.join(u'\n'));
    m_preview->setPlainText(requests.join(u'\n'));
    ++m_previewsDone;
    emit previewUpdated();
}

void ActionDialog::updateSendState()
{
    const QStringList core = coreTargets();
    const bool needsName = !core.isEmpty() && !m_dryRun->isChecked();
    m_confirmLabel->setVisible(needsName);
    m_confirm->setVisible(needsName);
    if (needsName) {
        m_confirmLabel->setText(core.size() == 1
                                    ? tr("%1 is a core service. Type its name to confirm:").arg(core.front())
                                    : tr("%1 are core services. Type their names, separated by spaces:")
                                          .arg(core.join(QStringLiteral(", "))));
    }
    const bool typed = m_confirm->text().simplified() == core.join(u' ');
    m_send->setEnabled(!checkedTargets().isEmpty() && (!needsName || typed));
    m_send->setText(m_dryRun->isChecked() ? tr("&Dry run") : tr("&Send"));
    m_send->setDefault(true);
}

void ActionDialog::send()
{
    if (!m_send->isEnabled())
        return;
    QList<quint64> tickets;
    for (const QString &target : checkedTargets()) {
        if (const quint64 ticket = m_triage->runAction(m_action, target, values(), m_dryRun->isChecked()))
            tickets << ticket;
    }
    emit sent(tickets);
    accept();
}

} // namespace gotriage::ui
