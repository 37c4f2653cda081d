#pragma once

#include <QDialog>
#include <QList>
#include <QPointer>
#include <QString>
#include <QStringList>

class QAction;
class QLineEdit;
class QTreeWidget;

namespace gotriage::ui {

// Where a window action that is in no menu belongs ("Replay"), for the
// palette and the sheet: set as a property on the action.
inline constexpr char kCommandPlaceProperty[] = "gotriageCommandPlace";

// A command of the window: an action, and where it lives ("Triage", "File";
// empty for a window-wide key that is in no menu).
struct Command {
    QPointer<QAction> action;
    QString where;
    QString text; // without mnemonics ('&') and the dialog ellipsis
    QString keys; // the shortcuts, as the platform writes them

    // Every word (case-insensitive) is in the text, the place or the keys.
    bool matches(const QStringList &words) const;
};

// Every command of `window`: its menu bar's actions in menu order (submenus
// followed), then the window's own actions (keys without a menu). Separators,
// untitled actions and repeats are left out. Read when asked, so menus filled
// later (a replay's) are included.
QList<Command> windowCommands(QWidget *window);

// Ctrl+K: type words, and Enter runs the selected command (the first match
// unless the arrows moved). Escape or a click elsewhere closes it. It runs
// the action after it has closed, so a dialog the action opens is not stacked
// on the palette.
class CommandPalette : public QDialog
{
    Q_OBJECT

public:
    CommandPalette(QList<Command> commands, QWidget *parent);

    QLineEdit *input() const { return m_input; }
    QTreeWidget *list() const { return m_list; }
    int shownCount() const;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void refilter();
    void runSelected();

    QList<Command> m_commands;
    QLineEdit *m_input;
    QTreeWidget *m_list;
};

// "?": every key the window answers to, grouped by where the command lives.
class ShortcutSheet : public QDialog
{
    Q_OBJECT

public:
    ShortcutSheet(const QList<Command> &commands, QWidget *parent);

    QTreeWidget *list() const { return m_list; }

private:
    QTreeWidget *m_list;
};

} // namespace gotriage::ui
