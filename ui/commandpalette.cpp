#include "commandpalette.h"

#include <QAction>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QHash>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QSet>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace gotriage::ui {

namespace {

QString plain(QString text)
{
    text.replace(QStringLiteral("&&"), QStringLiteral("\x01"));
    text.remove(u'&');
    text.replace(u'\x01', u'&');
    if (text.endsWith(QChar(0x2026))) // "…": says a dialog follows, noise in a list
        text.chop(1);
    return text.trimmed();
}

QString keysOf(const QAction *action)
{
    QStringList keys;
    for (const QKeySequence &sequence : action->shortcuts())
        keys << sequence.toString(QKeySequence::NativeText);
    return keys.join(QStringLiteral(", "));
}

void collect(const QList<QAction *> &actions, const QString &where, QList<Command> &out, QSet<const QAction *> &seen)
{
    for (QAction *action : actions) {
        if (action->isSeparator() || seen.contains(action))
            continue;
        seen.insert(action);
        if (QMenu *menu = action->menu()) {
            const QString title = plain(menu->title());
            collect(menu->actions(), where.isEmpty() ? title : where + QStringLiteral(" \u203a ") + title, out, seen);
            continue;
        }
        const QString text = plain(action->text());
        const QString place = action->property(kCommandPlaceProperty).toString();
        if (!text.isEmpty())
            out.push_back({action, place.isEmpty() ? where : place, text, keysOf(action)});
    }
}

} // namespace

bool Command::matches(const QStringList &words) const
{
    const QString haystack = text + u' ' + where + u' ' + keys;
    return std::all_of(words.begin(), words.end(),
                       [&](const QString &word) { return haystack.contains(word, Qt::CaseInsensitive); });
}

QList<Command> windowCommands(QWidget *window)
{
    QList<Command> commands;
    QSet<const QAction *> seen;
    if (auto *main = qobject_cast<QMainWindow *>(window))
        collect(main->menuBar()->actions(), QString(), commands, seen);
    collect(window->actions(), QString(), commands, seen);
    return commands;
}

CommandPalette::CommandPalette(QList<Command> commands, QWidget *parent)
    : QDialog(parent, Qt::Popup)
    , m_commands(std::move(commands))
    , m_input(new QLineEdit(this))
    , m_list(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("commandPalette"));
    setAttribute(Qt::WA_DeleteOnClose);
    QFont larger = font();
    larger.setPointSizeF(larger.pointSizeF() * 1.15);
    setFont(larger);

    m_input->setObjectName(QStringLiteral("commandInput"));
    m_input->setPlaceholderText(tr("Type a command: triage, capture, filter, note, revert…"));
    m_input->installEventFilter(this);
    m_list->setObjectName(QStringLiteral("commandList"));
    m_list->setColumnCount(3);
    m_list->setHeaderHidden(true);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setFocusPolicy(Qt::NoFocus); // typing stays in the input; the arrows are forwarded
    m_list->header()->setStretchLastSection(false);
    // Room between the place and the keys, which are right-aligned.
    m_list->header()->setMinimumSectionSize(m_list->fontMetrics().horizontalAdvance(QStringLiteral("Ctrl+Shift+N")));
    m_list->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_list->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addWidget(m_input);
    layout->addWidget(m_list);

    connect(m_input, &QLineEdit::textChanged, this, &CommandPalette::refilter);
    connect(m_input, &QLineEdit::returnPressed, this, &CommandPalette::runSelected);
    connect(m_list, &QTreeWidget::itemActivated, this, &CommandPalette::runSelected);
    refilter();

    // A band near the top of the window, as editors place theirs.
    if (QWidget *owner = parent ? parent->window() : nullptr) {
        const int width = std::clamp(owner->width() * 3 / 5, std::min(owner->width(), 420), 900);
        resize(width, std::clamp(owner->height() / 2, 240, 560));
        move(owner->mapToGlobal(QPoint((owner->width() - width) / 2, owner->height() / 10)));
    }
    m_input->setFocus(Qt::PopupFocusReason);
}

int CommandPalette::shownCount() const
{
    return m_list->topLevelItemCount();
}

bool CommandPalette::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_input && event->type() == QEvent::KeyPress) {
        switch (static_cast<QKeyEvent *>(event)->key()) {
        case Qt::Key_Up:
        case Qt::Key_Down:
        case Qt::Key_PageUp:
        case Qt::Key_PageDown:
            QCoreApplication::sendEvent(m_list, event);
            return true;
        default:
            break;
        }
    }
    return QDialog::eventFilter(watched, event);
}

void CommandPalette::hideEvent(QHideEvent *event)
{
    // The keys go back to the window (a platform without a window manager,
    // such as offscreen, leaves nothing active when a popup closes).
    if (QWidget *owner = parentWidget() ? parentWidget()->window() : nullptr)
        owner->activateWindow();
    QDialog::hideEvent(event);
}

void CommandPalette::refilter()
{
    const QStringList words = m_input->text().split(u' ', Qt::SkipEmptyParts);
    m_list->clear();
    const QBrush quiet = m_list->palette().brush(QPalette::PlaceholderText);
    for (int i = 0; i < m_commands.size(); ++i) {
        const Command &command = m_commands.at(i);
        // A disabled command (nothing to revert, no replay) would do nothing.
        if (!command.action || !command.action->isEnabled() || !command.matches(words))
            continue;
        auto *item = new QTreeWidgetItem(m_list, {command.text, command.where, command.keys});
        item->setData(0, Qt::UserRole, i);
        item->setForeground(1, quiet);
        item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
    }
    if (m_list->topLevelItemCount() > 0)
        m_list->setCurrentItem(m_list->topLevelItem(0));
}

void CommandPalette::runSelected()
{
    const QTreeWidgetItem *item = m_list->currentItem();
    if (!item)
        return;
    const QPointer<QAction> action = m_commands.at(item->data(0, Qt::UserRole).toInt()).action;
    close();
    if (action && action->isEnabled())
        QTimer::singleShot(0, action, &QAction::trigger);
}

ShortcutSheet::ShortcutSheet(const QList<Command> &commands, QWidget *parent)
    : QDialog(parent), m_list(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("shortcutSheet"));
    setWindowTitle(tr("Keyboard shortcuts"));
    setAttribute(Qt::WA_DeleteOnClose);
    m_list->setColumnCount(2);
    m_list->setHeaderLabels({tr("Keys"), tr("Command")});
    m_list->setRootIsDecorated(false);
    m_list->setFocusPolicy(Qt::StrongFocus);
    QHash<QString, QTreeWidgetItem *> groups;
    for (const Command &command : commands) {
        if (command.keys.isEmpty())
            continue;
        const QString where = command.where.isEmpty() ? tr("Anywhere in the window") : command.where;
        QTreeWidgetItem *&group = groups[where];
        if (!group) {
            group = new QTreeWidgetItem(m_list, {where});
            group->setFirstColumnSpanned(true);
            QFont bold = group->font(0);
            bold.setBold(true);
            group->setFont(0, bold);
        }
        new QTreeWidgetItem(group, {command.keys, command.text});
    }
    m_list->expandAll();
    m_list->resizeColumnToContents(0);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_list);
    layout->addWidget(buttons);
    resize(620, 640);
}

} // namespace gotriage::ui
