#pragma once

class QApplication;

namespace gotriage::ui {

// The war-room screen is dark: a Fusion palette tuned for long nights and
// projectors. Health colours are chosen to stay apart on it.
void applyDarkTheme(QApplication &app);

} // namespace gotriage::ui
